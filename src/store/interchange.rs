//! What spreadsheet export and import need from storage: the registry read a page at a time in
//! creation order (so an export never holds a whole district's records at once), and many
//! stakeholders or offerings written in one transaction.

use super::registry::{
    NEED_COLUMNS, NeedRow, OFFERING_COLUMNS, OfferingRow, OnDuplicate, STAKEHOLDER_COLUMNS,
    StakeholderRow, StatusFilter, child_status, duplicates_of, insert_offering_in,
    insert_stakeholder_in, stakeholder_status_in,
};
use super::{Store, StoreError, StoreResult, TurnKey, new_id};
use crate::domain::need::Need;
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
}

/// Which offerings an export takes.
#[derive(Debug, Clone)]
pub struct OfferingExport {
    /// Serving this district.
    pub district: Option<String>,
    pub kind: Option<LinkageKind>,
    pub statuses: StatusFilter,
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
        let served = filter.district.as_ref().map(|d| format!("%\"{d}\"%"));
        let rows: Vec<StakeholderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders
             WHERE ($1 IS NULL OR district = $1 OR districts_served LIKE $2)
               AND ($3 IS NULL OR kind = $3)
               AND $4 LIKE '%,' || status || ',%'
               AND ($5 IS NULL OR id > $5)
             ORDER BY id LIMIT $6"
        )))
        .bind(&filter.district)
        .bind(served)
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(filter.statuses.as_sql_list())
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Stakeholder::try_from).collect()
    }

    /// Up to `limit` offerings with ids after `after`, oldest first, each with its provider's name.
    pub async fn export_offerings_page(
        &self,
        filter: &OfferingExport,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<(Offering, String)>> {
        let served = filter.district.as_ref().map(|d| format!("%\"{d}\"%"));
        let rows: Vec<OfferingWithProvider> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OFFERING_COLUMNS},
               (SELECT s.name FROM stakeholders s WHERE s.id = offerings.stakeholder_id) AS provider_name
             FROM offerings
             WHERE ($1 IS NULL OR districts LIKE $1)
               AND ($2 IS NULL OR kind = $2)
               AND $3 LIKE '%,' || status || ',%'
               AND ($4 = 0 OR stakeholder_id IN (SELECT id FROM stakeholders WHERE status = 'active'))
               AND ($5 IS NULL OR id > $5)
             ORDER BY id LIMIT $6"
        )))
        .bind(served)
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(filter.statuses.as_sql_list())
        .bind(filter.active_providers_only as i64)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
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
        let rows: Vec<NeedWithOwner> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {NEED_COLUMNS}, s.name AS owner_name
             FROM needs n JOIN stakeholders s ON s.id = n.stakeholder_id
             WHERE ($1 IS NULL OR s.district = $1)
               AND ($2 IS NULL OR n.kind = $2)
               AND $3 LIKE '%,' || n.status || ',%'
               AND ($4 = 0 OR s.status = 'active')
               AND ($5 IS NULL OR n.id > $5)
             ORDER BY n.id LIMIT $6"
        )))
        .bind(&filter.district)
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(filter.statuses.as_sql_list())
        .bind(filter.active_owners_only as i64)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok((Need::try_from(row.need)?, row.owner_name)))
            .collect()
    }

    /// Creates every stakeholder of `batch` or none: one transaction, with the change-log entry
    /// each single insert writes, so search indexes them all. Returns their ids in order;
    /// `progress` is called once per stored row. The registry is checked for lookalikes again
    /// inside the transaction (see [`Store::insert_stakeholder`]): a record another writer added
    /// since the file was checked refuses the batch under [`OnDuplicate::Refuse`].
    pub async fn insert_stakeholders(
        &self,
        batch: &[NewStakeholder],
        prov: &Provenance,
        on_duplicate: OnDuplicate,
        progress: &mut (dyn FnMut() + Send),
    ) -> StoreResult<Vec<String>> {
        let ids: Vec<String> = batch.iter().map(|_| new_id("st")).collect();
        let (mut tx, _turn) = self.begin_write().await?;
        self.take_turn(&mut tx, TurnKey::Identities).await?;
        for (item, id) in batch.iter().zip(&ids) {
            let mut duplicates = item.possible_duplicates.clone();
            for found in duplicates_of(&mut *tx, &item.data, None).await? {
                let ours = ids.contains(&found.id);
                if !ours && !duplicates.contains(&found.id) {
                    if on_duplicate == OnDuplicate::Refuse {
                        return Err(StoreError::Duplicate(vec![found]));
                    }
                    duplicates.push(found.id);
                }
            }
            for &earlier in &item.same_as_earlier {
                if let Some(earlier_id) = ids.get(earlier).filter(|e| !duplicates.contains(e)) {
                    duplicates.push(earlier_id.clone());
                }
            }
            insert_stakeholder_in(&mut tx, id, &item.data, prov, &duplicates).await?;
            progress();
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Creates every offering of `batch` (provider id, offering) or none, in one transaction with
    /// their change-log entries. Each starts where its provider stands (pending with a pending
    /// one); an archived or missing provider refuses the whole batch.
    pub async fn insert_offerings(
        &self,
        batch: &[(String, OfferingData)],
        prov: &Provenance,
        progress: &mut (dyn FnMut() + Send),
    ) -> StoreResult<Vec<String>> {
        let (mut tx, _turn) = self.begin_write().await?;
        let mut ids = Vec::with_capacity(batch.len());
        for (provider_id, data) in batch {
            let status = child_status(stakeholder_status_in(&mut tx, provider_id).await?)?;
            ids.push(insert_offering_in(&mut tx, provider_id, data, prov, status).await?);
            progress();
        }
        tx.commit().await?;
        Ok(ids)
    }
}
