//! The review of public registrations: the pending records of some districts, and a
//! facilitator's decision on one — approve it, reject it with a reason, or merge it into the
//! record it duplicates (its offerings and needs move there; it is archived). Each decision is one
//! transaction with its audit entry, on the records as stored, so sending it twice changes
//! nothing more.

use super::accounts::audit;
use super::changes::{self, Entity};
use super::registry::{
    Edit, STAKEHOLDER_COLUMNS, StakeholderFilter, StakeholderRow, StatusFilter, child_status,
    stakeholder_edit_in,
};
use super::{Store, StoreError, StoreResult};
use crate::domain::record::{Status, now_timestamp};
use crate::domain::stakeholder::Stakeholder;

/// What a facilitator decided about a pending registration.
#[derive(Debug, Clone, Copy)]
pub enum Review<'a> {
    Approve,
    Reject {
        reason: &'a str,
    },
    /// Into the stakeholder with this id.
    Merge {
        into: &'a str,
    },
}

/// The pending registration after a review, and whether this review changed it (a second
/// submit of the same form finds it reviewed already and changes nothing).
#[derive(Debug)]
pub struct Reviewed {
    pub stakeholder: Stakeholder,
    pub changed: bool,
}

/// The most pending registrations one look at the queue returns.
pub const QUEUE_LENGTH: i64 = 100;

impl Store {
    /// Pending registrations, oldest first, in `districts` (all districts when empty), at most
    /// `limit` (and [`QUEUE_LENGTH`]).
    pub async fn pending_registrations(
        &self,
        districts: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Stakeholder>> {
        let filter = |district: Option<String>| StakeholderFilter {
            district,
            kind: None,
            q: None,
            statuses: StatusFilter::only(vec![Status::Pending]),
            pending_only_in: None,
            limit: QUEUE_LENGTH,
            offset: 0,
        };
        let mut found = Vec::new();
        if districts.is_empty() {
            found = self.list_stakeholders(&filter(None)).await?;
        } else {
            for district in districts {
                found.extend(
                    self.list_stakeholders(&filter(Some(district.clone())))
                        .await?,
                );
            }
        }
        // A registration is listed under its home district only, once.
        found.retain(|s| districts.is_empty() || districts.contains(&s.data.district));
        found.sort_by(|a, b| {
            a.meta
                .created_at
                .cmp(&b.meta.created_at)
                .then(a.id.cmp(&b.id))
        });
        found.dedup_by(|a, b| a.id == b.id);
        found.truncate(limit.min(QUEUE_LENGTH as usize));
        Ok(found)
    }

    /// Applies `review` to the pending stakeholder `id` in one transaction. `check` sees the
    /// registration and (for a merge) the record it goes into, as stored and locked, and may
    /// refuse (districts, roles). A registration no longer pending is left as it is.
    pub async fn review_registration<E: From<StoreError>>(
        &self,
        id: &str,
        review: Review<'_>,
        actor: &str,
        check: impl FnOnce(&Stakeholder, Option<&Stakeholder>) -> Result<(), E>,
    ) -> Result<Reviewed, E> {
        let select = format!("SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders WHERE id = $1");
        let mut tx = self.begin_write().await?;
        let pending: Stakeholder = self
            .read_for_update::<StakeholderRow, _>(&mut tx, &select, "FOR UPDATE", id)
            .await?;
        let target: Option<Stakeholder> = match review {
            Review::Merge { into } if into == id => {
                return Err(StoreError::Conflict(
                    "a registration cannot be merged into itself".into(),
                )
                .into());
            }
            Review::Merge { into } => Some(
                self.read_for_update::<StakeholderRow, _>(&mut tx, &select, "FOR UPDATE", into)
                    .await?,
            ),
            _ => None,
        };
        check(&pending, target.as_ref())?;
        if pending.meta.status != Status::Pending {
            return Ok(Reviewed {
                stakeholder: pending,
                changed: false,
            });
        }
        let now = now_timestamp();
        let (status, action, detail) = match review {
            Review::Approve => (Status::Active, "registration_approved", String::new()),
            Review::Reject { reason } => (
                Status::Archived,
                "registration_rejected",
                reason.to_string(),
            ),
            Review::Merge { into } => {
                let target = target.as_ref().ok_or(StoreError::NotFound)?;
                let moved_status = child_status(target.meta.status)?;
                for (table, entity) in [("offerings", Entity::Offering), ("needs", Entity::Need)] {
                    let moved: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "UPDATE {table} SET stakeholder_id = $2, status = $3, updated_at = $4,
                            updated_by = $5, version = version + 1
                         WHERE stakeholder_id = $1 AND status = 'pending' RETURNING id"
                    )))
                    .bind(id)
                    .bind(into)
                    .bind(moved_status.as_str())
                    .bind(&now)
                    .bind(actor)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(StoreError::from)?;
                    for (child,) in moved {
                        changes::record(&mut tx, entity, &child, "upsert").await?;
                    }
                }
                // The record by id only: the audit log outlives an erasure of either.
                (
                    Status::Archived,
                    "registration_merged",
                    format!("into {into}"),
                )
            }
        };
        let edit = Edit {
            based_on: Some(pending.meta.version),
            data: None,
            status: Some(status),
            actor,
        };
        stakeholder_edit_in(&mut tx, id, &edit, &now).await?;
        audit(&mut tx, Some(actor), action, Some(id), &detail).await?;
        tx.commit().await?;
        let stakeholder = self
            .get_stakeholder(id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(Reviewed {
            stakeholder,
            changed: true,
        })
    }
}
