//! Reading everything a meeting's round of suggestions is planned from, in one transaction: the
//! meeting, its district's open needs and the offerings serving it, what people already hold,
//! the meeting's linkages and the stakeholders a briefing names. One snapshot, so a plan never
//! mixes a need read before an edit with an offering read after it.
//!
//! On PostgreSQL the transaction is `REPEATABLE READ, READ ONLY` (one snapshot for every
//! statement); on SQLite a deferred transaction already reads one snapshot of the WAL.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Any, Transaction};

use super::meetings::{
    LINKAGE_COLUMNS, LinkageRow, LinkageView, LinkageViewRow, MEETING_COLUMNS, MeetingRow,
    OpenNeedRecord, OpenNeedRow, in_json_list, linkage_status,
};
use super::registry::{
    NEED_COLUMNS, OFFERING_COLUMNS, OfferingRow, STAKEHOLDER_COLUMNS, StakeholderRow,
};
use super::{Backend, Store, StoreResult, from_json};
use crate::domain::meeting::{Linkage, LinkageStatus, Meeting};
use crate::domain::need::{Need, seats_taken};
use crate::domain::offering::{LinkageKind, Offering};
use crate::domain::planning::{Candidate, OpenNeed, Provider, TrackRecord, Usage};
use crate::domain::stakeholder::{Profile, Stakeholder};

/// How many ids go into one `IN (…)` list.
const IDS_PER_QUERY: usize = 500;

/// `$1, $2, …`: sqlx's `QueryBuilder` writes `?` under the `Any` driver, which PostgreSQL rejects.
fn placeholders(count: usize) -> String {
    (1..=count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A read-only transaction over the registry and the meetings; [`Reading::finish`] ends it.
pub struct Reading {
    tx: Transaction<'static, Any>,
}

impl Store {
    /// Starts reading one consistent snapshot.
    pub async fn begin_reading(&self) -> StoreResult<Reading> {
        let mut tx = self.pool.begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(Reading { tx })
    }
}

impl Reading {
    /// Ends the snapshot (nothing was written, so nothing is kept or lost).
    pub async fn finish(self) -> StoreResult<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn meeting(&mut self, id: &str) -> StoreResult<Option<Meeting>> {
        let row: Option<MeetingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(Meeting::try_from).transpose()
    }

    pub async fn linkage(&mut self, id: &str) -> StoreResult<Option<Linkage>> {
        let row: Option<LinkageRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LINKAGE_COLUMNS} FROM linkages l WHERE l.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(Linkage::try_from).transpose()
    }

    /// The stakeholders of `ids` that exist, by id: one query per few hundred ids, not one each.
    pub async fn stakeholders(
        &mut self,
        ids: &BTreeSet<String>,
    ) -> StoreResult<BTreeMap<String, Stakeholder>> {
        let ids: Vec<&String> = ids.iter().collect();
        let mut found = BTreeMap::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders WHERE id IN ({})",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query_as::<_, StakeholderRow>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&mut *self.tx).await? {
                let stakeholder = Stakeholder::try_from(row)?;
                found.insert(stakeholder.id.clone(), stakeholder);
            }
        }
        Ok(found)
    }

    /// Active needs of active entrepreneurs and SHGs based in `district` that no accepted or
    /// completed linkage has met yet.
    pub async fn open_needs(&mut self, district: &str) -> StoreResult<Vec<OpenNeedRecord>> {
        let rows: Vec<OpenNeedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {NEED_COLUMNS}, s.profile AS profile, s.name AS owner_name, s.name_local AS owner_name_local
             FROM needs n JOIN stakeholders s ON s.id = n.stakeholder_id
             WHERE s.district = $1 AND s.kind IN ('micro_entrepreneur', 'shg')
               AND n.status = 'active' AND s.status = 'active'
               AND NOT EXISTS (SELECT 1 FROM linkages l WHERE l.need_id = n.id AND l.status IN ('accepted', 'completed'))
             ORDER BY n.id"
        )))
        .bind(district)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(OpenNeedRecord {
                    open: OpenNeed {
                        need: Need::try_from(row.need)?,
                        profile: row
                            .profile
                            .as_deref()
                            .map(|p| from_json("profile", p))
                            .transpose()?
                            .unwrap_or_default(),
                    },
                    owner_name: row.owner_name,
                    owner_name_local: row.owner_name_local,
                })
            })
            .collect()
    }

    /// Active offerings of active providers that serve `district` (or name no district).
    pub async fn candidate_offerings(&mut self, district: &str) -> StoreResult<Vec<Candidate>> {
        let pattern = in_json_list(district);
        let rows: Vec<OfferingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OFFERING_COLUMNS} FROM offerings
             WHERE status = 'active' AND (districts LIKE $1 OR districts = '[]')
               AND stakeholder_id IN (SELECT id FROM stakeholders WHERE status = 'active')
             ORDER BY id"
        )))
        .bind(&pattern)
        .fetch_all(&mut *self.tx)
        .await?;
        let providers: Vec<(String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT id, name, district, linkage_limit FROM stakeholders WHERE id IN
               (SELECT stakeholder_id FROM offerings WHERE status = 'active' AND (districts LIKE $1 OR districts = '[]'))",
        )
        .bind(&pattern)
        .fetch_all(&mut *self.tx)
        .await?;
        let records = self.provider_records().await?;
        let providers: BTreeMap<String, Provider> = providers
            .into_iter()
            .map(|(id, name, district, linkage_limit)| {
                let record = records.get(&id).copied().unwrap_or_default();
                let provider = Provider {
                    id: id.clone(),
                    name,
                    district,
                    record,
                    linkage_limit,
                };
                (id, provider)
            })
            .collect();
        let mut candidates = Vec::new();
        for row in rows {
            let offering = Offering::try_from(row)?;
            // A provider archived between the two reads simply drops out.
            if let Some(provider) = providers.get(&offering.stakeholder_id) {
                candidates.push(Candidate {
                    provider: provider.clone(),
                    offering,
                });
            }
        }
        Ok(candidates)
    }

    /// Active offerings of `kind` that name `sector` but do not serve `district`, with their
    /// providers: where to look when nothing in the district meets a need.
    pub async fn offerings_elsewhere(
        &mut self,
        kind: LinkageKind,
        sector: &str,
        district: &str,
        limit: i64,
    ) -> StoreResult<Vec<Candidate>> {
        let rows: Vec<OfferingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OFFERING_COLUMNS} FROM offerings
             WHERE status = 'active' AND kind = $1 AND sectors LIKE $2
               AND districts NOT LIKE $3 AND districts <> '[]'
               AND stakeholder_id IN (SELECT id FROM stakeholders WHERE status = 'active')
             ORDER BY id LIMIT $4"
        )))
        .bind(kind.as_str())
        .bind(in_json_list(sector))
        .bind(in_json_list(district))
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?;
        let offerings = rows
            .into_iter()
            .map(Offering::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        let owners: BTreeSet<String> = offerings.iter().map(|o| o.stakeholder_id.clone()).collect();
        let providers = self.stakeholders(&owners).await?;
        Ok(offerings
            .into_iter()
            .filter_map(|offering| {
                let provider = providers.get(&offering.stakeholder_id)?;
                Some(Candidate {
                    provider: Provider {
                        id: provider.id.clone(),
                        name: provider.data.name.clone(),
                        district: provider.data.district.clone(),
                        linkage_limit: provider.data.linkage_limit,
                        ..Provider::default()
                    },
                    offering,
                })
            })
            .collect())
    }

    /// How each provider's decided linkages went (accepted, completed, declined), over every
    /// meeting, by provider id.
    pub async fn provider_records(&mut self) -> StoreResult<BTreeMap<String, TrackRecord>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT o.stakeholder_id, l.status, COUNT(*)
             FROM linkages l JOIN offerings o ON o.id = l.offering_id
             WHERE l.status IN ('accepted', 'completed', 'declined')
             GROUP BY o.stakeholder_id, l.status",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        let mut records: BTreeMap<String, TrackRecord> = BTreeMap::new();
        for (provider, status, count) in rows {
            let record = records.entry(provider).or_default();
            match linkage_status(&status)? {
                LinkageStatus::Accepted => record.accepted = count,
                LinkageStatus::Completed => record.completed = count,
                _ => record.declined = count,
            }
        }
        Ok(records)
    }

    /// Seats and rupees already taken from each offering serving `district` by linkages people
    /// have proposed, accepted or completed, in any meeting. A linkage takes the seats of
    /// everyone its need sends (an SHG's members; see [`crate::domain::need::NeedData::seats`]).
    pub async fn capacity_used(&mut self, district: &str) -> StoreResult<BTreeMap<String, Usage>> {
        // (offering, attendees, amount, owner's profile) of each linkage.
        type Row = (String, Option<i64>, Option<i64>, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT l.offering_id, n.attendees, n.amount_inr, s.profile
             FROM linkages l JOIN needs n ON n.id = l.need_id JOIN stakeholders s ON s.id = n.stakeholder_id
             WHERE l.status IN ('proposed', 'accepted', 'completed')
               AND l.offering_id IN (SELECT id FROM offerings WHERE districts LIKE $1 OR districts = '[]')",
        )
        .bind(in_json_list(district))
        .fetch_all(&mut *self.tx)
        .await?;
        let mut used: BTreeMap<String, Usage> = BTreeMap::new();
        for (offering_id, attendees, amount_inr, profile) in rows {
            let members = profile
                .as_deref()
                .map(|p| from_json::<Profile>("profile", p))
                .transpose()?
                .and_then(|p| p.members);
            let usage = used.entry(offering_id).or_default();
            usage.seats += seats_taken(attendees, members);
            usage.amount_inr += amount_inr.unwrap_or(0);
        }
        Ok(used)
    }

    /// (need, offering) pairs of `district`'s needs that people have proposed, accepted or
    /// completed at any meeting, with their status: a pair in play at one meeting is not
    /// suggested again at the next.
    pub async fn pairs_in_play(
        &mut self,
        district: &str,
    ) -> StoreResult<Vec<((String, String), LinkageStatus)>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT l.need_id, l.offering_id, l.status
             FROM linkages l JOIN needs n ON n.id = l.need_id JOIN stakeholders s ON s.id = n.stakeholder_id
             WHERE s.district = $1 AND l.status IN ('proposed', 'accepted', 'completed')
             ORDER BY l.id",
        )
        .bind(district)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter()
            .map(|(need, offering, status)| Ok(((need, offering), linkage_status(&status)?)))
            .collect()
    }

    pub async fn meeting_linkages(&mut self, meeting_id: &str) -> StoreResult<Vec<Linkage>> {
        let rows: Vec<LinkageRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LINKAGE_COLUMNS} FROM linkages l WHERE l.meeting_id = $1 ORDER BY l.id"
        )))
        .bind(meeting_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter().map(Linkage::try_from).collect()
    }

    /// The meeting's linkages with need, entrepreneur, offering and provider names; best first.
    pub async fn meeting_linkage_views(
        &mut self,
        meeting_id: &str,
    ) -> StoreResult<Vec<LinkageView>> {
        let rows: Vec<LinkageViewRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LINKAGE_COLUMNS}, n.title AS need_title, n.amount_inr AS need_amount_inr, n.sector AS need_sector,
               e.id AS owner_id, e.name AS owner_name, e.name_local AS owner_name_local,
               o.title AS offering_title, p.id AS provider_id, p.name AS provider_name
             FROM linkages l
               JOIN needs n ON n.id = l.need_id JOIN stakeholders e ON e.id = n.stakeholder_id
               JOIN offerings o ON o.id = l.offering_id JOIN stakeholders p ON p.id = o.stakeholder_id
             WHERE l.meeting_id = $1
             ORDER BY l.score DESC, l.id"
        )))
        .bind(meeting_id)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(LinkageView {
                    linkage: Linkage::try_from(row.linkage)?,
                    need_title: row.need_title,
                    need_amount_inr: row.need_amount_inr,
                    need_sector: row.need_sector,
                    owner_id: row.owner_id,
                    owner_name: row.owner_name,
                    owner_name_local: row.owner_name_local,
                    offering_title: row.offering_title,
                    provider_id: row.provider_id,
                    provider_name: row.provider_name,
                })
            })
            .collect()
    }
}
