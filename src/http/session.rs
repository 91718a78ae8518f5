//! Signing in, and the session cookie that says who a browser belongs to.
//!
//! Sessions are rows of our own table (migration 0011) rather than a session crate's: the
//! crates that fit axum 0.8 either pull a second sqlx (tower-sessions' store, axum-login) or
//! keep a store per backend (axum_session_sqlx), while our `Any` pool already serves both
//! databases; one table with four columns is less than either. The cookie holds a random 256-bit
//! id; the table keeps only its SHA-256. A session ends after [`Limits::session_idle`] unused,
//! at sign-out, or when its person is signed out everywhere or revoked.
//!
//! Repeated failed sign-ins slow down (see [`SignInThrottle`]): never a lockout, only a wait.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::header::COOKIE;
use axum::http::{Extensions, HeaderMap};

use super::AppState;
use super::error::AppError;
use crate::domain::access::Caller;
use crate::domain::account::{self, Login, User};

pub const COOKIE_NAME: &str = "sangam_session";

/// A request's session, resolved.
pub struct Session {
    pub caller: Caller,
    pub user_id: String,
    pub id_hash: String,
    /// What forms (`csrf_token`) and API calls (`X-CSRF-Token`) must carry to change anything.
    pub csrf_token: String,
}

pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The session id this browser sent, if it sent one that looks like ours.
pub fn id_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_string())
        .filter(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The cookie of a new session: not readable by script, sent on top-level navigation from other
/// sites (so a link into Sangam finds you signed in) but not on their posts, and only over
/// HTTPS unless the server was told it runs on plain HTTP.
pub fn set_cookie(id: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// The session a request carries, if it is live. Unknown, expired and revoked sessions are
/// none: the request is then anonymous.
pub async fn resolve(app: &AppState, headers: &HeaderMap) -> Result<Option<Session>, AppError> {
    let Some(id) = id_from(headers) else {
        return Ok(None);
    };
    let id_hash = account::digest(&id);
    let idle = i64::try_from(app.limits.session_idle.as_secs()).unwrap_or(i64::MAX);
    let found = app.store.session_caller(&id_hash, unix_now(), idle).await?;
    Ok(found.map(|(caller, user_id)| Session {
        caller,
        user_id,
        id_hash,
        csrf_token: account::csrf_token(&id),
    }))
}

/// The client's address, for the slow-down and the audit log.
pub fn address(extensions: &Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |info| info.0.ip().to_string())
}

/// Why a sign-in did not start a session.
#[derive(Debug)]
pub enum Refused {
    /// Unknown person, no password yet, or the wrong password: the same answer for each.
    Wrong,
    /// Too many failures lately; try again after this many seconds.
    SlowDown(u64),
}

/// A session just started: the cookie's value and whose it is.
pub struct Started {
    pub cookie_id: String,
    pub user: User,
    pub csrf_token: String,
}

/// Checks a password and starts a session with a fresh id; `previous` is the session id the
/// browser already had (it ends, so an id planted before sign-in is worth nothing after).
pub async fn sign_in(
    app: &AppState,
    login_text: &str,
    password: &str,
    address: &str,
    previous: Option<&str>,
) -> Result<Result<Started, Refused>, AppError> {
    let login = Login::parse(login_text);
    let account_key = login
        .as_ref()
        .map_or_else(|| login_text.trim().to_lowercase(), |l| l.key().to_string());
    if let Some(wait) = app.sign_ins.wait(&account_key, address) {
        return Ok(Err(Refused::SlowDown(wait)));
    }
    let found = match &login {
        Some(login) => app.store.user_for_login(login).await?,
        None => None,
    };
    let stored = found.as_ref().and_then(|(_, hash)| hash.clone());
    let password = password.to_string();
    // argon2 takes tens of milliseconds of CPU: off the async threads.
    let verified =
        tokio::task::spawn_blocking(move || account::verify_password(&password, stored.as_deref()))
            .await
            .map_err(|error| AppError::internal(format!("password check: {error}")))?;
    let Some((user, _)) = found.filter(|_| verified) else {
        app.sign_ins.failed(&account_key, address);
        app.store
            .audit_failed_sign_in(login_text.trim(), address)
            .await?;
        return Ok(Err(Refused::Wrong));
    };
    app.sign_ins.succeeded(&account_key);
    let cookie_id = account::new_secret();
    let replacing = previous.map(account::digest);
    app.store
        .start_session(
            &user,
            &account::digest(&cookie_id),
            replacing.as_deref(),
            unix_now(),
            address,
        )
        .await?;
    Ok(Ok(Started {
        csrf_token: account::csrf_token(&cookie_id),
        cookie_id,
        user,
    }))
}

/// Failed sign-ins counted per account and per address, in this process's memory.
///
/// The first [`FREE_FAILURES`] failures cost nothing (people mistype); after that each failure
/// makes the next attempt wait twice as long as the last, from one second up to
/// [`ACCOUNT_MAX_WAIT`] for an account and [`ADDRESS_MAX_WAIT`] for an address. Attempts made
/// while waiting are refused without counting, and the right password after the wait always
/// works, so someone who knows a person's email can make them wait at most half a minute, never
/// lock them out. A guesser from one address is held to a few guesses an hour. Counts are
/// forgotten after a quiet [`FORGET_AFTER`].
#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    until: Instant,
}

pub const FREE_FAILURES: u32 = 3;
pub const ACCOUNT_MAX_WAIT: Duration = Duration::from_secs(30);
pub const ADDRESS_MAX_WAIT: Duration = Duration::from_secs(15 * 60);
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

impl SignInThrottle {
    /// Seconds to wait before this account may be tried from this address, if any.
    pub fn wait(&self, account: &str, address: &str) -> Option<u64> {
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        [format!("account:{account}"), format!("address:{address}")]
            .iter()
            .filter_map(|key| failures.get(key))
            .filter(|f| f.until > now)
            .map(|f| (f.until - now).as_secs_f64().ceil() as u64)
            .max()
    }

    pub fn failed(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.retain(|_, f| now.duration_since(f.last) < FORGET_AFTER);
        for (key, cap) in [
            (format!("account:{account}"), ACCOUNT_MAX_WAIT),
            (format!("address:{address}"), ADDRESS_MAX_WAIT),
        ] {
            let entry = failures.entry(key).or_insert(Failures {
                count: 0,
                last: now,
                until: now,
            });
            entry.count += 1;
            entry.last = now;
            if entry.count >= FREE_FAILURES {
                let doublings = (entry.count - FREE_FAILURES).min(20);
                let wait = Duration::from_secs(1u64 << doublings).min(cap);
                entry.until = now + wait;
            }
        }
    }

    /// The right password: the account's count starts again (the address's does not, so one
    /// guesser cannot clear their count by signing in to their own account).
    pub fn succeeded(&self, account: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("account:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_mistakes_are_free_then_waits_grow_to_a_cap() {
        let throttle = SignInThrottle::default();
        for _ in 0..FREE_FAILURES - 1 {
            throttle.failed("asha@example.org", "10.0.0.1");
            assert_eq!(throttle.wait("asha@example.org", "10.0.0.1"), None);
        }
        throttle.failed("asha@example.org", "10.0.0.1");
        assert_eq!(throttle.wait("asha@example.org", "10.0.0.1"), Some(1));
        // Another address waits for the account too, but only as long as the account's cap.
        assert_eq!(throttle.wait("asha@example.org", "10.0.0.2"), Some(1));
        for _ in 0..10 {
            throttle.failed("asha@example.org", "10.0.0.1");
        }
        let elsewhere = throttle.wait("asha@example.org", "10.0.0.2").unwrap();
        assert!(elsewhere <= ACCOUNT_MAX_WAIT.as_secs(), "{elsewhere}");
        let same = throttle.wait("asha@example.org", "10.0.0.1").unwrap();
        assert!(same > ACCOUNT_MAX_WAIT.as_secs(), "{same}");
        throttle.succeeded("asha@example.org");
        assert_eq!(throttle.wait("asha@example.org", "10.0.0.2"), None);
    }
}
