//! People who sign in: how a sign-in name is read, how passwords are checked, and the random ids
//! of sessions and invitations (stored, like tokens, only as digests).

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::access::Role;
use super::phone::normalize_phone;

/// A person who signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    #[schema(examples("us_0190f0c2a1b27c3e8d4f5a6b7c8d9e0f"))]
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub email: Option<String>,
    /// Normalised, `+91` and ten digits.
    #[schema(required = true)]
    pub phone: Option<String>,
    pub role: Role,
    /// Districts whose records this person writes; empty means all.
    pub districts: Vec<String>,
    /// False for an invited person who has not set a password yet.
    pub active: bool,
    pub revoked: bool,
    #[schema(value_type = super::schema::Timestamp)]
    pub created_at: String,
}

/// What a person types to sign in: an email (compared lower-case) or a phone (normalised the way
/// records' phones are, so `98765 43210` and `+919876543210` are one person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Email(String),
    Phone(String),
}

impl Login {
    pub fn parse(text: &str) -> Option<Login> {
        let text = text.trim();
        if text.contains('@') {
            return parse_email(text).map(Login::Email);
        }
        normalize_phone(text).ok().map(Login::Phone)
    }

    /// The key the sign-in slow-down counts failures under.
    pub fn key(&self) -> &str {
        match self {
            Login::Email(email) | Login::Phone(email) => email,
        }
    }
}

/// An email address, trimmed and lower-cased; none when it is plainly not one.
pub fn parse_email(text: &str) -> Option<String> {
    let text = text.trim().to_lowercase();
    let (local, domain) = text.split_once('@')?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && text.len() <= 254
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>');
    plausible.then_some(text)
}

/// Shortest and longest password accepted (long phrases are welcome; argon2 takes any length,
/// the cap only keeps a megabyte "password" from costing the server).
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Why a new password is refused, if it is.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < PASSWORD_MIN_CHARS {
        return Err(format!("must be at least {PASSWORD_MIN_CHARS} characters"));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(format!("must be at most {PASSWORD_MAX_CHARS} characters"));
    }
    Ok(())
}

/// argon2id with OWASP's parameters: 19 MiB of memory, 2 passes, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of a password (salt and parameters inside). Slow on purpose (tens of
/// milliseconds): callers in async code run it on a blocking thread.
pub fn hash_password(password: &str) -> String {
    hasher()
        .hash_password(password.as_bytes())
        .expect("argon2 hashes any password")
        .to_string()
}

/// Whether `password` is the one hashed in `stored`. With no stored hash (no such person, or one
/// who has not set a password) a dummy hash is still checked, so the answer takes as long and an
/// outsider cannot tell which emails have accounts.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: LazyLock<String> = LazyLock::new(|| hash_password("not anyone's password"));
    let (phc, real) = match stored {
        Some(phc) => (phc, true),
        None => (DUMMY.as_str(), false),
    };
    let matches = hasher().verify_password(password.as_bytes(), phc).is_ok();
    real && matches
}

/// A random secret of 32 bytes, hex: session ids and invitation links.
pub fn new_secret() -> String {
    super::access::generate_token()
        .trim_start_matches("sgm_")
        .to_string()
}

/// Sessions and invitations are stored as SHA-256 digests of their 256-bit random ids.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// The CSRF token of a session: derived from its id, so it needs no storage and dies with the
/// session; a leaked token does not reveal the id.
pub fn csrf_token(session_id: &str) -> String {
    hex::encode(Sha256::digest(
        format!("sangam-csrf:{session_id}").as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let stored = hash_password("नमस्ते दुनिया 2026");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify_password("नमस्ते दुनिया 2026", Some(&stored)));
        assert!(!verify_password("नमस्ते दुनिया 2027", Some(&stored)));
        assert!(!verify_password("नमस्ते दुनिया 2026", None));
        assert!(!verify_password("x", Some("not a hash")));
    }

    #[test]
    fn people_sign_in_with_an_email_or_a_phone_written_their_way() {
        assert_eq!(
            Login::parse("  Asha.Devi@Example.ORG "),
            Some(Login::Email("asha.devi@example.org".into()))
        );
        assert_eq!(
            Login::parse("098765-43210"),
            Login::parse("+91 98765 43210")
        );
        assert!(matches!(Login::parse("98765 43210"), Some(Login::Phone(_))));
        assert_eq!(Login::parse("asha@"), None);
        assert_eq!(Login::parse("hello"), None);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough phrase").is_ok());
        assert!(check_new_password(&"x".repeat(129)).is_err());
    }
}
