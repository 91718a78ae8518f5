//! Where Sangam keeps its data and which database it talks to.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::store::Store;

pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// The settings every command shares.
#[derive(Clone)]
pub struct Settings {
    /// Holds the SQLite database (by default) and the search index.
    pub data_dir: PathBuf,
    /// `postgres://…` or `sqlite://…`; absent means SQLite in the data directory.
    pub database_url: Option<String>,
    /// A search vocabulary file to use instead of the built-in `index/vocabulary.txt`.
    pub vocabulary: Option<PathBuf>,
}

impl std::fmt::Debug for Settings {
    // The URL may carry a password; keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::store::redact),
            )
            .field("vocabulary", &self.vocabulary)
            .finish()
    }
}

impl Settings {
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_string(),
            _ => Store::sqlite_url(&self.data_dir),
        }
    }

    /// The SQLite database file, unless the registry lives in PostgreSQL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => {
                let rest = url.trim().strip_prefix("sqlite://")?;
                let path = rest.split('?').next().unwrap_or(rest);
                Some(PathBuf::from(path))
            }
            _ => Some(self.data_dir.join("sangam.db")),
        }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// Creates the data directory so a fresh clone needs no set-up.
    pub fn ensure_data_dir(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.data_dir)
    }
}

/// Parses a bind address, accepting `localhost:PORT` too.
pub fn parse_bind(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    let text = text
        .strip_prefix("localhost:")
        .map(|port| format!("127.0.0.1:{port}"))
        .unwrap_or(text.to_string());
    text.parse()
        .map_err(|_| format!("`{text}` is not an address like 127.0.0.1:8080"))
}
