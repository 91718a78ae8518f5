//! Who may do what: roles, and the bearer tokens that carry them.

use rand::RngCore;
use sha2::{Digest, Sha256};

word_enum! {
    /// Roles, from most to least trusted.
    #[schema(description = "A token's role. Consultants create and edit; facilitators and admins also archive and change `status`.")]
    Role { Admin => "admin", Facilitator => "facilitator", Consultant => "consultant" }
}

impl Role {
    /// Consultants register and edit records in the field; archiving records and approving
    /// public registrations is for facilitators and admins.
    pub fn may_moderate(self) -> bool {
        matches!(self, Role::Admin | Role::Facilitator)
    }
}

/// The caller of an authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub token_id: String,
    pub name: String,
    pub role: Role,
    /// The districts whose records the caller may write; empty means all.
    pub districts: Vec<String>,
}

impl Caller {
    /// Whoever runs `sangam` on the server: an admin of every district (they hold the database
    /// itself), named "command line" where records say who wrote them.
    pub fn command_line() -> Caller {
        Caller {
            token_id: "command-line".into(),
            name: "command line".into(),
            role: Role::Admin,
            districts: Vec::new(),
        }
    }

    /// Whether a person signed in to the pages is calling (their session carries their account's
    /// id, `us_…`), rather than a machine with a token.
    pub fn is_person(&self) -> bool {
        self.token_id.starts_with("us_")
    }

    /// Whether the caller may write records of `district`.
    pub fn may_act_in(&self, district: &str) -> bool {
        self.districts.is_empty() || self.districts.iter().any(|d| d == district)
    }

    /// The districts whose registrations still waiting for review the caller may see in
    /// listings and search (`None`: all). A pending registration is for the people of its
    /// district only, until they have approved it.
    pub fn pending_scope(&self) -> Option<Vec<String>> {
        (!self.districts.is_empty()).then(|| self.districts.clone())
    }
}

/// A fresh token: 32 random bytes, hex, with a prefix that makes leaked tokens easy to grep for.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("sgm_{}", hex::encode(bytes))
}

/// Tokens are stored as SHA-256 digests. They carry 256 random bits, so a fast hash is enough;
/// a slow password hash would only slow every request.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let (a, b) = (generate_token(), generate_token());
        assert_ne!(a, b);
        assert!(a.starts_with("sgm_") && a.len() == 68);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
