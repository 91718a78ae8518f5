//! API tokens, stored as digests only: made on the command line or by an admin on the tokens
//! page (audited), listed with when each was last used (to the hour), revoked by id or name.

use serde::Serialize;

use super::accounts::audit;
use super::{Store, StoreError, StoreResult, from_json, new_id, to_json, write_transaction};
use crate::domain::access::{Caller, Role, generate_token, hash_token};
use crate::domain::record::now_timestamp;

/// A token as the admin tokens page lists it (never the token itself).
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub role: String,
    /// Empty: every district.
    pub districts: Vec<String>,
    pub created_at: String,
    /// To the hour; `None` when not used since last-use was recorded (migration 0014).
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

type TokenRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn token_info(row: TokenRow) -> StoreResult<TokenInfo> {
    let (id, name, role, districts, created_at, last_used_at, revoked_at) = row;
    Ok(TokenInfo {
        districts: from_json("tokens.districts", &districts)?,
        id,
        name,
        role,
        created_at,
        last_used_at,
        revoked_at,
    })
}

/// `2026-12-07T08:…` → `2026-12-07T08`: last use is kept to the hour.
fn hour_of(timestamp: &str) -> &str {
    timestamp.get(..13).unwrap_or(timestamp)
}

impl Store {
    /// Creates a token and returns it in the clear; this is the only time it is seen.
    /// `districts` limits what the token may write to those districts' records; empty, to none.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        districts: &[String],
    ) -> StoreResult<String> {
        let token = generate_token();
        sqlx::query("INSERT INTO tokens (id, name, role, token_hash, created_at, districts) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new_id("tk"))
            .bind(name)
            .bind(role.as_str())
            .bind(hash_token(&token))
            .bind(now_timestamp())
            .bind(to_json(&districts))
            .execute(&self.pool)
            .await?;
        Ok(token)
    }

    /// The caller a presented token belongs to, unless unknown or revoked. The first use in an
    /// hour is written down (one small write an hour per token, not one per request); a failure
    /// to write it does not fail the request.
    pub async fn authenticate(&self, token: &str) -> StoreResult<Option<Caller>> {
        let row: Option<(String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, name, role, districts, last_used_at FROM tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some((token_id, name, role, districts, last_used)) = row else {
            return Ok(None);
        };
        let now = now_timestamp();
        if last_used.as_deref().map(hour_of) != Some(hour_of(&now))
            && let Err(error) = self.note_token_use(&token_id, &now).await
        {
            tracing::warn!(%error, token = %token_id, "could not record a token's last use");
        }
        // A list that cannot be read fails the request rather than opening every district.
        let districts = from_json("tokens.districts", &districts)?;
        Ok(Role::parse(&role).map(|role| Caller {
            token_id,
            name,
            role,
            districts,
        }))
    }

    /// Revokes every live token with this name; returns how many.
    pub async fn revoke_tokens(&self, name: &str) -> StoreResult<u64> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL")
                .bind(name)
                .bind(now_timestamp())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected())
    }

    async fn note_token_use(&self, token_id: &str, now: &str) -> StoreResult<()> {
        write_transaction!(self, |tx| {
            sqlx::query("UPDATE tokens SET last_used_at = $2 WHERE id = $1")
                .bind(token_id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
        })?;
        Ok(())
    }

    /// Every token, live ones first, newest first.
    pub async fn list_tokens(&self) -> StoreResult<Vec<TokenInfo>> {
        let rows: Vec<TokenRow> = sqlx::query_as(
            "SELECT id, name, role, districts, created_at, last_used_at, revoked_at FROM tokens \
             ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(token_info).collect()
    }

    pub async fn token(&self, id: &str) -> StoreResult<Option<TokenInfo>> {
        let row: Option<TokenRow> =
            sqlx::query_as("SELECT id, name, role, districts, created_at, last_used_at, revoked_at FROM tokens WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(token_info).transpose()
    }

    /// Creates a token for an admin, audited (`token_created`) in the same transaction; returns
    /// its id and the token in the clear, which is shown this once.
    pub async fn create_token_audited(
        &self,
        name: &str,
        role: Role,
        districts: &[String],
        actor: &str,
    ) -> StoreResult<(String, String)> {
        let token = generate_token();
        let id = new_id("tk");
        let scope = if districts.is_empty() {
            format!("{role}, every district")
        } else {
            format!("{role}, {}", districts.join(", "))
        };
        write_transaction!(self, |tx| {
            sqlx::query("INSERT INTO tokens (id, name, role, token_hash, created_at, districts) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id)
                .bind(name)
                .bind(role.as_str())
                .bind(hash_token(&token))
                .bind(now_timestamp())
                .bind(to_json(&districts))
                .execute(&mut **tx)
                .await?;
            audit(
                &mut tx,
                Some(actor),
                "token_created",
                Some(name),
                &format!("{id}: {scope}"),
            )
            .await?;
        })?;
        Ok((id, token))
    }

    /// Revokes one token by id, audited (`token_revoked`); one revoked already is left as it
    /// is, with no second entry. Returns it as it is now.
    pub async fn revoke_token(&self, id: &str, actor: &str) -> StoreResult<TokenInfo> {
        write_transaction!(self, |tx| {
            let row: Option<(String, Option<String>)> =
                sqlx::query_as("SELECT name, revoked_at FROM tokens WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?;
            let (name, revoked_at) = row.ok_or(StoreError::NotFound)?;
            if revoked_at.is_none() {
                sqlx::query("UPDATE tokens SET revoked_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now_timestamp())
                    .execute(&mut **tx)
                    .await?;
                audit(&mut tx, Some(actor), "token_revoked", Some(&name), id).await?;
            }
        })?;
        self.token(id).await?.ok_or(StoreError::NotFound)
    }
}
