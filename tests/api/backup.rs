//! Backups taken while people write, and their restore into a new data directory: nothing
//! acknowledged before the backup began is missing, search works again, and a registry that
//! holds records is not overwritten by mistake.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::sync::Mutex;

use crate::support::{BINARY, Backend, TestServer, backends, entrepreneur};

/// Runs `sangam ARGS --data-dir DIR` and returns whether it succeeded and what it printed.
async fn sangam(args: &[&str], data_dir: &std::path::Path) -> (bool, String) {
    let output = tokio::process::Command::new(BINARY)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("run sangam");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_writers_run_restores_every_earlier_write() {
    let server = Arc::new(TestServer::start(&Backend::Sqlite).await);
    let token = Arc::new(server.token("facilitator").await);
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (server, token, acknowledged, stop) = (
            server.clone(),
            token.clone(),
            acknowledged.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut serial = 0;
            while !stop.load(Ordering::Relaxed) {
                serial += 1;
                let body = entrepreneur(
                    &format!("Lakshmi backup writer {writer} number {serial}"),
                    "br-gaya",
                    None,
                );
                let (status, reply) = server
                    .post("/api/v1/stakeholders", Some(&token), &body)
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{reply}");
                acknowledged
                    .lock()
                    .await
                    .push(reply["id"].as_str().unwrap().to_string());
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_backup: Vec<String> = acknowledged.lock().await.clone();
    let file = server.data_dir.path().join("registry-backup.db");
    let file_arg = file.to_str().unwrap();
    let (ok, printed) = sangam(&["backup", file_arg], server.data_dir.path()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }
    assert!(ok, "backup failed while serving: {printed}");
    assert!(printed.contains("backed up"), "{printed}");
    assert!(
        before_backup.len() > 10,
        "too few writes to test: {}",
        before_backup.len()
    );

    // A backup never overwrites an earlier one.
    let (ok, printed) = sangam(&["backup", file_arg], server.data_dir.path()).await;
    assert!(!ok && printed.contains("exists already"), "{printed}");

    let fresh = tempfile::tempdir().unwrap();
    let (ok, printed) = sangam(&["restore", file_arg], fresh.path()).await;
    assert!(ok, "restore into an empty directory failed: {printed}");
    assert!(printed.contains("search index rebuilt"), "{printed}");
    let (ok, printed) = sangam(&["restore", file_arg], fresh.path()).await;
    assert!(
        !ok && printed.contains("--force"),
        "a registry with records was replaced without --force: {printed}"
    );
    let (ok, printed) = sangam(&["restore", "--force", file_arg], fresh.path()).await;
    assert!(ok, "{printed}");

    let restored = TestServer::start_on(fresh).await;
    let admin = restored.token("admin").await;
    for id in &before_backup {
        let (status, body) = restored
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&admin))
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{id} acknowledged before the backup is missing: {body}"
        );
    }
    let (status, found) = restored
        .get(
            "/api/v1/search?q=Lakshmi&type=stakeholder&limit=5",
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(
        found["total"].as_u64().unwrap() as usize >= before_backup.len(),
        "{found}"
    );

    // Restoring under a running server is refused.
    let (ok, printed) = sangam(&["restore", "--force", file_arg], restored.data_dir.path()).await;
    assert!(!ok && printed.contains("stop it first"), "{printed}");
}

#[tokio::test]
async fn backing_up_postgresql_points_to_pg_dump() {
    for backend in backends() {
        if let Backend::Postgres(_) = backend {
            let server = TestServer::start(&backend).await;
            let file = server.data_dir.path().join("x.db");
            let output = server.cli(&["backup", file.to_str().unwrap()]).await;
            let printed = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success());
            assert!(printed.contains("pg_dump"), "{printed}");
            assert!(!file.exists());
        }
    }
}
