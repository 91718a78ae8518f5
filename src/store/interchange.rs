//! What spreadsheet export and import need from storage: the registry read a page at a time in
//! creation order (so an export never holds a whole district's records at once), and many
//! records created or changed in one transaction.
//!
//! Pages are keyset pages: `id > $after` with `''` before the first page, never
//! `($after IS NULL OR id > $after)`, which keeps SQLite from seeking in the id index and makes
//! every page scan from the start (an export of 500,000 rows took 8 times as long as one of
//! 100,000 before).

use super::registry::name_key;
use super::registry::{
    Conditions, NEED_COLUMNS, NeedRow, OFFERING_COLUMNS, OfferingRow, OnDuplicate,
    STAKEHOLDER_COLUMNS, StakeholderRow, StatusFilter, child_status, duplicates_of, insert_need_in,
    insert_offering_in, insert_stakeholder_in, stakeholder_status_in, update_need_in,
    update_offering_in, update_stakeholder_in,
};
use super::{Store, StoreError, StoreResult, TurnKey, new_id};
use crate::domain::need::{Need, NeedData};
use crate::domain::offering::{LinkageKind, Offering, OfferingData};
use crate::domain::record::Provenance;
use crate::domain::stakeholder::{Stakeholder, StakeholderData, StakeholderKind};

/// Which stakeholders an export takes.
#[derive(Debug, Clone)]
pub struct StakeholderExport {
    /// Based in or serving this district.
    pub district: Option<String>,
    pub kind: Option<StakeholderKind>,
    pub statuses: StatusFilter,
    /// If set, records waiting for review only of these districts (see
    /// [`crate::domain::access::Caller::pending_scope`]).
    pub pending_only_in: Option<Vec<String>>,
}

/// Which offerings an export takes.
#[derive(Debug, Clone)]
pub struct OfferingExport {
    /// Serving this district.
    pub district: Option<String>,
    pub kind: Option<LinkageKind>,
    pub statuses: StatusFilter,
    /// If set, records waiting for review only of these districts (see
    /// [`crate::domain::access::Caller::pending_scope`]).
    pub pending_only_in: Option<Vec<String>>,
    /// Leave out offerings whose provider is not active (what anyone may see).
    pub active_providers_only: bool,
}

/// Which needs an export takes.
#[derive(Debug, Clone)]
pub struct NeedExport {
    /// Of stakeholders based in this district.
    pub district: Option<String>,
    pub kind: Option<LinkageKind>,
    pub statuses: StatusFilter,
    /// If set, records waiting for review only of these districts (see
    /// [`crate::domain::access::Caller::pending_scope`]).
    pub pending_only_in: Option<Vec<String>>,
    /// Leave out needs of stakeholders who are not active (what anyone may see).
    pub active_owners_only: bool,
}

/// A stakeholder to create in a batch; `same_as_earlier` are positions of earlier items of the
/// same batch it may duplicate, stored with `possible_duplicates` once their ids exist.
#[derive(Debug, Clone)]
pub struct NewStakeholder {
    pub data: StakeholderData,
    pub possible_duplicates: Vec<String>,
    pub same_as_earlier: Vec<usize>,
}

/// One write of an import: a record to create, or an existing one's new fields.
#[derive(Debug, Clone)]
pub enum ImportWrite {
    NewStakeholder(NewStakeholder),
    Stakeholder {
        id: String,
        data: StakeholderData,
    },
    NewOffering {
        provider_id: String,
        data: OfferingData,
    },
    Offering {
        id: String,
        data: OfferingData,
    },
    NewNeed {
        owner_id: String,
        data: NeedData,
    },
    Need {
        id: String,
        data: NeedData,
    },
}

#[derive(sqlx::FromRow)]
struct NeedWithOwner {
    #[sqlx(flatten)]
    need: NeedRow,
    owner_name: String,
}

#[derive(sqlx::FromRow)]
struct OfferingWithProvider {
    #[sqlx(flatten)]
    offering: OfferingRow,
    provider_name: String,
}

impl Store {
    /// Up to `limit` stakeholders with ids after `after`, oldest first.
    pub async fn export_stakeholders_page(
        &self,
        filter: &StakeholderExport,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Stakeholder>> {
        let mut conditions = Conditions::default();
        if let Some(district) = &filter.district {
            conditions.stakeholder_in_district("id", district);
        }
        if let Some(kind) = filter.kind {
            let kind = conditions.value(kind.as_str());
            conditions.and(format!("kind = {kind}"));
        }
        conditions.and(filter.statuses.sql_in("status"));
        conditions.pending_only_in("status", "district", filter.pending_only_in.as_deref());
        let after = conditions.value(after.unwrap_or(""));
        conditions.and(format!("id > {after}"));
        let select = format!(
            "SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders {} ORDER BY id LIMIT {limit}",
            conditions.where_clause()
        );
        let rows: Vec<StakeholderRow> = conditions.fetch_all(&self.pool, select).await?;
        rows.into_iter().map(Stakeholder::try_from).collect()
    }

    /// Up to `limit` offerings with ids after `after`, oldest first, each with its provider's name.
    pub async fn export_offerings_page(
        &self,
        filter: &OfferingExport,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<(Offering, String)>> {
        let mut conditions = Conditions::default();
        if let Some(district) = &filter.district {
            conditions.offering_in_district("id", district);
        }
        if let Some(kind) = filter.kind {
            let kind = conditions.value(kind.as_str());
            conditions.and(format!("kind = {kind}"));
        }
        conditions.and(filter.statuses.sql_in("status"));
        conditions.pending_only_in(
            "status",
            "(SELECT s.district FROM stakeholders s WHERE s.id = offerings.stakeholder_id)",
            filter.pending_only_in.as_deref(),
        );
        if filter.active_providers_only {
            conditions.and(
                "stakeholder_id IN (SELECT id FROM stakeholders WHERE status = 'active')".into(),
            );
        }
        let after = conditions.value(after.unwrap_or(""));
        conditions.and(format!("id > {after}"));
        let select = format!(
            "SELECT {OFFERING_COLUMNS},
               (SELECT s.name FROM stakeholders s WHERE s.id = offerings.stakeholder_id) AS provider_name
             FROM offerings {} ORDER BY id LIMIT {limit}",
            conditions.where_clause()
        );
        let rows: Vec<OfferingWithProvider> = conditions.fetch_all(&self.pool, select).await?;
        rows.into_iter()
            .map(|row| Ok((Offering::try_from(row.offering)?, row.provider_name)))
            .collect()
    }

    /// Up to `limit` needs with ids after `after`, oldest first, each with its owner's name.
    pub async fn export_needs_page(
        &self,
        filter: &NeedExport,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<(Need, String)>> {
        let mut conditions = Conditions::default();
        if let Some(district) = &filter.district {
            let district = conditions.value(district.as_str());
            conditions.and(format!("s.district = {district}"));
        }
        if let Some(kind) = filter.kind {
            let kind = conditions.value(kind.as_str());
            conditions.and(format!("n.kind = {kind}"));
        }
        conditions.and(filter.statuses.sql_in("n.status"));
        conditions.pending_only_in("n.status", "s.district", filter.pending_only_in.as_deref());
        if filter.active_owners_only {
            conditions.and("s.status = 'active'".into());
        }
        let after = conditions.value(after.unwrap_or(""));
        conditions.and(format!("n.id > {after}"));
        let select = format!(
            "SELECT {NEED_COLUMNS}, s.name AS owner_name
             FROM needs n JOIN stakeholders s ON s.id = n.stakeholder_id
             {} ORDER BY n.id LIMIT {limit}",
            conditions.where_clause()
        );
        let rows: Vec<NeedWithOwner> = conditions.fetch_all(&self.pool, select).await?;
        rows.into_iter()
            .map(|row| Ok((Need::try_from(row.need)?, row.owner_name)))
            .collect()
    }

    /// Makes every write of an import or none: one transaction, with the change-log entry each
    /// single write makes, so search sees them all. New offerings and needs start where their
    /// stakeholder stands (pending with a pending one); an archived or missing one refuses the
    /// whole batch. Returns the ids created and the ids changed, each in order; `progress` is
    /// called once per write.
    pub async fn apply_import(
        &self,
        writes: &[ImportWrite],
        prov: &Provenance,
        on_duplicate: OnDuplicate,
        progress: &mut (dyn FnMut() + Send),
    ) -> StoreResult<(Vec<String>, Vec<String>)> {
        // Ids by position in `writes`, so a stakeholder can name an earlier one as a possible
        // duplicate.
        let mut ids: Vec<String> = Vec::with_capacity(writes.len());
        let mut created = Vec::new();
        let mut changed = Vec::new();
        let mut tx = self.begin_write().await?;
        // The file was checked for lookalikes before; check again under the lock, against what
        // other writers (another import, a registration) stored since.
        self.take_turn(&mut tx, TurnKey::Identities).await?;
        for write in writes {
            let id = match write {
                ImportWrite::NewStakeholder(item) => {
                    let id = new_id("st");
                    let mut duplicates = item.possible_duplicates.clone();
                    for found in duplicates_of(&mut **tx, &item.data, None).await? {
                        if created.contains(&found.id) || duplicates.contains(&found.id) {
                            continue;
                        }
                        if on_duplicate == OnDuplicate::Refuse {
                            return Err(StoreError::Duplicate(vec![found]));
                        }
                        duplicates.push(found.id);
                    }
                    for &earlier in &item.same_as_earlier {
                        if let Some(earlier_id) =
                            ids.get(earlier).filter(|e| !duplicates.contains(e))
                        {
                            duplicates.push(earlier_id.clone());
                        }
                    }
                    insert_stakeholder_in(&mut tx, &id, &item.data, prov, &duplicates).await?;
                    created.push(id.clone());
                    id
                }
                ImportWrite::NewOffering { provider_id, data } => {
                    let status = child_status(stakeholder_status_in(&mut tx, provider_id).await?)?;
                    let id = insert_offering_in(&mut tx, provider_id, data, prov, status).await?;
                    created.push(id.clone());
                    id
                }
                ImportWrite::NewNeed { owner_id, data } => {
                    let status = child_status(stakeholder_status_in(&mut tx, owner_id).await?)?;
                    let id = insert_need_in(&mut tx, owner_id, data, prov, status).await?;
                    created.push(id.clone());
                    id
                }
                ImportWrite::Stakeholder { id, data } => {
                    update_stakeholder_in(&mut tx, id, data, &prov.actor).await?;
                    changed.push(id.clone());
                    id.clone()
                }
                ImportWrite::Offering { id, data } => {
                    update_offering_in(&mut tx, id, data, &prov.actor).await?;
                    changed.push(id.clone());
                    id.clone()
                }
                ImportWrite::Need { id, data } => {
                    update_need_in(&mut tx, id, data, &prov.actor).await?;
                    changed.push(id.clone());
                    id.clone()
                }
            };
            ids.push(id);
            progress();
        }
        tx.commit().await?;
        Ok((created, changed))
    }

    /// Offerings of this provider, not archived, of this kind and with this title (as
    /// [`name_key`] compares names): (id, title).
    pub async fn offerings_like(
        &self,
        provider_id: &str,
        kind: &str,
        title_key: &str,
    ) -> StoreResult<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, title FROM offerings
             WHERE stakeholder_id = $1 AND kind = $2 AND status <> 'archived' ORDER BY id",
        )
        .bind(provider_id)
        .bind(kind)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter(|(_, title)| name_key(title) == title_key)
            .collect())
    }

    /// Ids of the stakeholders, not archived, with this (normalised) phone.
    pub async fn stakeholders_with_phone(&self, phone: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM stakeholders WHERE contact_phone = $1 AND status <> 'archived'
             ORDER BY id",
        )
        .bind(phone)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
