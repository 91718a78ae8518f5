//! API tokens, stored as digests only.

use super::{Store, StoreResult, from_json, new_id, to_json};
use crate::domain::access::{Caller, Role, generate_token, hash_token};
use crate::domain::record::now_timestamp;

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

    /// The caller a presented token belongs to, unless unknown or revoked.
    pub async fn authenticate(&self, token: &str) -> StoreResult<Option<Caller>> {
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT id, name, role, districts FROM tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some((token_id, name, role, districts)) = row else {
            return Ok(None);
        };
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
}
