//! People, their sessions and invitations, and the audit log. Every change writes its audit
//! entry in its own transaction, so the log cannot miss a change that happened (nor record one
//! that did not).

use sqlx::{Any, Transaction};

use super::{Store, StoreError, StoreResult, from_json, new_id, to_json, write_transaction};
use crate::domain::access::{Caller, Role};
use crate::domain::account::{Login, User};
use crate::domain::record::now_timestamp;

/// A person to add: with a password hash (made at the command line) or without (invited).
pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub role: Role,
    pub districts: &'a [String],
    pub password_hash: Option<&'a str>,
}

/// One line of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

type UserRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

const USER_COLUMNS: &str =
    "id, name, email, phone, role, districts, password_hash, created_at, revoked_at";

fn user_from_row(row: UserRow) -> StoreResult<(User, Option<String>)> {
    let (id, name, email, phone, role, districts, password_hash, created_at, revoked_at) = row;
    let role = Role::parse(&role)
        .ok_or_else(|| StoreError::Corrupt(format!("users.role `{role}` of {id}")))?;
    let user = User {
        id,
        name,
        email,
        phone,
        role,
        districts: from_json("users.districts", &districts)?,
        active: password_hash.is_some(),
        revoked: revoked_at.is_some(),
        created_at,
    };
    Ok((user, password_hash))
}

/// The same email or phone given to two people is a conflict the admin can fix.
fn taken(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict("someone already has this email or phone".into())
        }
        _ => StoreError::from(error),
    }
}

pub(crate) async fn audit(
    tx: &mut Transaction<'static, Any>,
    actor: Option<&str>,
    action: &str,
    subject: Option<&str>,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_timestamp())
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_user(tx: &mut Transaction<'static, Any>, new: &NewUser<'_>) -> StoreResult<String> {
    let id = new_id("us");
    sqlx::query(
        "INSERT INTO users (id, name, email, phone, role, districts, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(new.name)
    .bind(new.email)
    .bind(new.phone)
    .bind(new.role.as_str())
    .bind(to_json(&new.districts))
    .bind(new.password_hash)
    .bind(now_timestamp())
    .execute(&mut **tx)
    .await
    .map_err(taken)?;
    Ok(id)
}

fn scope(role: Role, districts: &[String]) -> String {
    if districts.is_empty() {
        format!("{role}, every district")
    } else {
        format!("{role}, {}", districts.join(", "))
    }
}

impl Store {
    /// Adds a person (from the command line), audited as done by `actor`.
    pub async fn create_user(&self, new: &NewUser<'_>, actor: &str) -> StoreResult<User> {
        let id = write_transaction!(self, |tx| {
            let id = insert_user(&mut tx, new).await?;
            let detail = scope(new.role, new.districts);
            audit(
                &mut tx,
                Some(actor),
                "user_created",
                Some(new.name),
                &detail,
            )
            .await?;
            id
        })?;
        self.user(&id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(user_from_row)
            .transpose()
            .map(|found| found.map(|(user, _)| user))
    }

    /// Everyone, oldest first.
    pub async fn list_users(&self) -> StoreResult<Vec<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY created_at, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| user_from_row(row).map(|(user, _)| user))
            .collect()
    }

    /// The person a sign-in names (not revoked), with their password hash.
    pub async fn user_for_login(
        &self,
        login: &Login,
    ) -> StoreResult<Option<(User, Option<String>)>> {
        let column = match login {
            Login::Email(_) => "email",
            Login::Phone(_) => "phone",
        };
        let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE {column} = $1 AND revoked_at IS NULL"
        )))
        .bind(login.key())
        .fetch_optional(&self.pool)
        .await?;
        row.map(user_from_row).transpose()
    }

    /// Starts a session (its id given as a digest) and audits the sign-in. `replacing`, the
    /// digest of a session the browser already had, ends with it: a new id at every sign-in.
    pub async fn start_session(
        &self,
        user: &User,
        id_hash: &str,
        replacing: Option<&str>,
        now: i64,
        address: &str,
    ) -> StoreResult<()> {
        write_transaction!(self, |tx| {
            if let Some(old) = replacing {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(old)
                    .execute(&mut **tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, created_at, last_seen) VALUES ($1, $2, $3, $4)",
            )
            .bind(id_hash)
            .bind(&user.id)
            .bind(now_timestamp())
            .bind(now)
            .execute(&mut **tx)
            .await?;
            audit(
                &mut tx,
                Some(&user.name),
                "sign_in",
                Some(&user.name),
                &format!("from {address}"),
            )
            .await?;
        })
    }

    /// Records a refused sign-in (wrong password, unknown person) in the audit log.
    pub async fn audit_failed_sign_in(&self, login: &str, address: &str) -> StoreResult<()> {
        write_transaction!(self, |tx| {
            audit(
                &mut tx,
                None,
                "sign_in_failed",
                Some(login),
                &format!("from {address}"),
            )
            .await?;
        })
    }

    /// The caller a session belongs to, unless it is unknown, idle longer than `idle_seconds`
    /// (then it is removed), or its person is revoked. A session in use is marked seen, at most
    /// every `touch_every` seconds so that reading pages does not write on every request.
    pub async fn session_caller(
        &self,
        id_hash: &str,
        now: i64,
        idle_seconds: i64,
    ) -> StoreResult<Option<(Caller, String)>> {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT s.last_seen, s.user_id FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND u.revoked_at IS NULL",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((last_seen, user_id)) = row else {
            return Ok(None);
        };
        if now - last_seen > idle_seconds {
            write_transaction!(self, |tx| {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&mut **tx)
                    .await?;
            })?;
            return Ok(None);
        }
        let touch_every = (idle_seconds / 4).clamp(0, 60);
        if now - last_seen >= touch_every.max(1) {
            write_transaction!(self, |tx| {
                sqlx::query("UPDATE sessions SET last_seen = $2 WHERE id_hash = $1")
                    .bind(id_hash)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
            })?;
        }
        let Some(user) = self.user(&user_id).await? else {
            return Ok(None);
        };
        let caller = Caller {
            token_id: user.id.clone(),
            name: user.name.clone(),
            role: user.role,
            districts: user.districts.clone(),
        };
        Ok(Some((caller, user.id)))
    }

    /// Signs one session out.
    pub async fn end_session(&self, id_hash: &str, who: &str) -> StoreResult<()> {
        write_transaction!(self, |tx| {
            let done = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() > 0 {
                audit(&mut tx, Some(who), "sign_out", Some(who), "").await?;
            }
        })
    }

    /// Signs a person out everywhere; returns how many sessions ended.
    pub async fn end_all_sessions(&self, user_id: &str, who: &str) -> StoreResult<u64> {
        write_transaction!(self, |tx| {
            let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
            let ended = done.rows_affected();
            audit(
                &mut tx,
                Some(who),
                "sign_out_everywhere",
                Some(who),
                &format!("{ended} session(s)"),
            )
            .await?;
            ended
        })
    }

    /// Adds an invited person (no password yet) and their one-time link, stored as a digest.
    pub async fn invite_user(
        &self,
        new: &NewUser<'_>,
        token_hash: &str,
        expires_at: i64,
        actor: &str,
    ) -> StoreResult<User> {
        let id = write_transaction!(self, |tx| {
            let id = insert_user(&mut tx, new).await?;
            sqlx::query(
                "INSERT INTO invitations (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(&id)
            .bind(now_timestamp())
            .bind(expires_at)
            .execute(&mut **tx)
            .await?;
            let detail = scope(new.role, new.districts);
            audit(&mut tx, Some(actor), "invitation", Some(new.name), &detail).await?;
            id
        })?;
        self.user(&id).await?.ok_or(StoreError::NotFound)
    }

    /// The person an unused, unexpired invitation is for.
    pub async fn invitation_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<User>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT i.user_id FROM invitations i JOIN users u ON u.id = i.user_id \
             WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2 AND u.revoked_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some((id,)) => self.user(&id).await,
            None => Ok(None),
        }
    }

    /// Uses an invitation to set the password, once: a second use finds nothing.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<Option<User>> {
        let user_id = write_transaction!(self, |tx| {
            // Claimed by the update itself, so two sends of the form at once set it once.
            let claimed = sqlx::query(
                "UPDATE invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $3",
            )
            .bind(token_hash)
            .bind(now_timestamp())
            .bind(now)
            .execute(&mut **tx)
            .await?;
            if claimed.rows_affected() == 1 {
                let (user_id, name): (String, String) = sqlx::query_as(
                    "SELECT u.id, u.name FROM invitations i JOIN users u ON u.id = i.user_id WHERE i.token_hash = $1",
                )
                .bind(token_hash)
                .fetch_one(&mut **tx)
                .await?;
                sqlx::query(
                    "UPDATE users SET password_hash = $2 WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(&user_id)
                .bind(password_hash)
                .execute(&mut **tx)
                .await?;
                audit(
                    &mut tx,
                    Some(&name),
                    "password_set",
                    Some(&name),
                    "from an invitation",
                )
                .await?;
                Some(user_id)
            } else {
                None
            }
        })?;
        match user_id {
            Some(id) => self.user(&id).await,
            None => Ok(None),
        }
    }

    /// Changes a person's role and districts; their sessions carry the change at once.
    pub async fn change_role(
        &self,
        user_id: &str,
        role: Role,
        districts: &[String],
        actor: &str,
    ) -> StoreResult<User> {
        write_transaction!(self, |tx| {
            let row: Option<(String,)> = sqlx::query_as("SELECT name FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut **tx)
                .await?;
            let (name,) = row.ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE users SET role = $2, districts = $3 WHERE id = $1")
                .bind(user_id)
                .bind(role.as_str())
                .bind(to_json(&districts))
                .execute(&mut **tx)
                .await?;
            audit(
                &mut tx,
                Some(actor),
                "role_changed",
                Some(&name),
                &scope(role, districts),
            )
            .await?;
        })?;
        self.user(user_id).await?.ok_or(StoreError::NotFound)
    }

    /// Revokes a person: they cannot sign in, and every session of theirs ends.
    pub async fn revoke_user(&self, user_id: &str, actor: &str) -> StoreResult<()> {
        write_transaction!(self, |tx| {
            let row: Option<(String,)> = sqlx::query_as("SELECT name FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut **tx)
                .await?;
            let (name,) = row.ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE users SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(user_id)
                .bind(now_timestamp())
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
            audit(&mut tx, Some(actor), "revoked", Some(&name), "").await?;
        })
    }

    /// The newest entries of the audit log first.
    pub async fn audit_entries(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        type AuditRow = (
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<AuditRow> =
            sqlx::query_as(
                "SELECT seq, at, actor, action, subject, detail FROM audit_log ORDER BY seq DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, at, actor, action, subject, detail)| AuditEntry {
                seq,
                at,
                actor,
                action,
                subject,
                detail,
            })
            .collect())
    }
}
