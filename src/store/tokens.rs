//! API tokens, stored as digests only.

use super::{Store, StoreResult, new_id};
use crate::domain::access::{Caller, Role, generate_token, hash_token};
use crate::domain::record::now_timestamp;

impl Store {
    /// Creates a token and returns it in the clear; this is the only time it is seen.
    pub async fn create_token(&self, name: &str, role: Role) -> StoreResult<String> {
        let token = generate_token();
        sqlx::query("INSERT INTO tokens (id, name, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(new_id("tk"))
            .bind(name)
            .bind(role.as_str())
            .bind(hash_token(&token))
            .bind(now_timestamp())
            .execute(&self.pool)
            .await?;
        Ok(token)
    }

    /// The caller a presented token belongs to, unless unknown or revoked.
    pub async fn authenticate(&self, token: &str) -> StoreResult<Option<Caller>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT id, name, role FROM tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(token_id, name, role)| {
            Some(Caller {
                token_id,
                name,
                role: Role::parse(&role)?,
            })
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
}
