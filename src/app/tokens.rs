//! Machine tokens, for admins: list them (never the secret), make one (shown once), revoke one
//! by id. Each change is audited by the store in its own transaction. The command line's
//! `sangam token create|revoke` works on the machine itself and needs no caller.

use crate::domain::FieldErrors;
use crate::domain::access::{Caller, Role};
use crate::store::Store;
use crate::store::tokens::TokenInfo;

use super::{Error, Result};

/// What an admin asks for: a holder's name, a role, and the districts it may write in (empty:
/// every district).
pub struct NewToken<'a> {
    pub name: &'a str,
    pub role: &'a str,
    pub districts: &'a [String],
}

fn require_admin(caller: &Caller) -> Result<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::Forbidden("only admins manage tokens".into()))
    }
}

pub async fn list_tokens(store: &Store, caller: &Caller) -> Result<Vec<TokenInfo>> {
    require_admin(caller)?;
    Ok(store.list_tokens().await?)
}

/// Makes a token; returns its id and the secret, which is not stored and cannot be shown again.
pub async fn create_token(
    store: &Store,
    caller: &Caller,
    new: NewToken<'_>,
) -> Result<(String, String)> {
    require_admin(caller)?;
    let mut errors = FieldErrors::new();
    let name = new.name.trim();
    if name.is_empty() {
        errors.add("name", "is required");
    } else if name.chars().count() > 200 {
        errors.add("name", "at most 200 characters");
    }
    let role = Role::parse(new.role.trim());
    if role.is_none() {
        errors.add("role", format!("must be one of {}", Role::expected()));
    }
    let catalog = store.catalog().await?;
    if let Some(unknown) = new
        .districts
        .iter()
        .find(|code| !catalog.has_district(code))
    {
        errors.add("districts", format!("unknown district `{unknown}`"));
    }
    match role {
        Some(role) if errors.is_empty() => Ok(store
            .create_token_audited(name, role, new.districts, &caller.name)
            .await?),
        _ => Err(Error::Invalid(errors)),
    }
}

/// Revokes a token by id; one revoked already stays as it is (a form sent twice changes
/// nothing more).
pub async fn revoke_token(store: &Store, caller: &Caller, id: &str) -> Result<TokenInfo> {
    require_admin(caller)?;
    match store.revoke_token(id, &caller.name).await {
        Err(crate::store::StoreError::NotFound) => Err(Error::NotFound("token")),
        other => Ok(other?),
    }
}
