//! Use cases of coalition meetings: creating and editing one, preparing it (suggestions, gaps,
//! whom to invite), the briefing, and moving linkages through their life.
//!
//! Preparing reads everything in one snapshot ([`Store::begin_reading`]), runs the planner, and
//! saves the round only when it differs from what is saved: asking twice with nothing changed
//! writes nothing, so reading suggestions or a briefing is safe to repeat.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::registry::require_district;
use super::{Error, Result};
use crate::domain::FieldErrors;
use crate::domain::access::Caller;
use crate::domain::geography::{District, Sector};
use crate::domain::meeting::{
    Linkage, LinkageEvent, LinkageMoveInput, LinkageStatus, Meeting, MeetingInput,
};
use crate::domain::planning::{Candidate, OpenNeed, Suggestion};
use crate::domain::record::parse_date;
use crate::domain::stakeholder::Stakeholder;
use crate::domain::visibility::Audience;
use crate::matching::suggest::{self, Commitments, GapCause, Plan, Table};
use crate::store::meetings::{LinkageCounts, LinkageMark, LinkageView, OpenNeedRecord};
use crate::store::planning::Reading;
use crate::store::{Store, StoreError};

/// Suggestions per need when the caller does not say, and the most it may ask for.
pub const DEFAULT_PER_NEED: usize = 3;
pub const MAX_PER_NEED: usize = 10;

/// How many offerings of other districts to look at for one trade when nothing local serves it.
const ELSEWHERE_LOOKED_AT: i64 = 20;

/// A page of the meetings of the caller's districts (or of `district`, when given and one of
/// them), newest first, with how many there are in all; filtered and paged by the store.
pub async fn meetings_of(
    store: &Store,
    caller: &Caller,
    district: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Meeting>, i64)> {
    let wanted: Option<Vec<String>> = match district {
        // A district the caller does not work in shows nothing rather than another's meetings.
        Some(code) => Some(
            Some(code.to_string())
                .filter(|code| caller.may_act_in(code))
                .into_iter()
                .collect(),
        ),
        None if caller.districts.is_empty() => None,
        None => Some(caller.districts.clone()),
    };
    Ok(store
        .list_meetings_in(wanted.as_deref(), limit, offset.max(0))
        .await?)
}

/// A new meeting in one of the caller's districts, inviting stakeholders that exist.
pub async fn create_meeting(
    store: &Store,
    caller: &Caller,
    input: MeetingInput,
) -> Result<Meeting> {
    let known = store.invitable_stakeholders(&input.invitee_ids()).await?;
    let data = input.validate_with(&store.catalog().await?, &known)?;
    require_district(caller, &data.district)?;
    Ok(store.insert_meeting(&data, &caller.name).await?)
}

/// A meeting edited from `input` (the whole meeting as the caller wants it). The caller must act
/// in the meeting's district before and after; an edit that changes nothing writes nothing.
pub async fn edit_meeting(
    store: &Store,
    caller: &Caller,
    current: &Meeting,
    input: MeetingInput,
) -> Result<Meeting> {
    require_district(caller, &current.data.district)?;
    let known = store.invitable_stakeholders(&input.invitee_ids()).await?;
    let data = input.validate_with(&store.catalog().await?, &known)?;
    require_district(caller, &data.district)?;
    if data == current.data {
        return Ok(current.clone());
    }
    Ok(store
        .update_meeting(&current.id, &data, &caller.name)
        .await?)
}

pub async fn find_meeting(store: &Store, id: &str) -> Result<Meeting> {
    store
        .get_meeting(id)
        .await?
        .ok_or(Error::NotFound("meeting"))
}

/// A meeting the caller may prepare: one of their districts. Another district's meeting is
/// refused (403), as the API refuses every write there.
pub async fn meeting_for(store: &Store, caller: &Caller, id: &str) -> Result<Meeting> {
    let meeting = find_meeting(store, id).await?;
    require_district(caller, &meeting.data.district)?;
    Ok(meeting)
}

/// A prepared meeting: the round of suggestions as saved, with what is needed to show it.
pub struct Round {
    pub meeting: Meeting,
    pub district: District,
    pub needs: Vec<OpenNeedRecord>,
    pub plan: Plan,
    /// Every linkage of the meeting after the round was saved, best first.
    pub linkages: Vec<LinkageView>,
    /// Index of `needs` by need id.
    need_index: HashMap<String, usize>,
}

impl Round {
    /// Linkages still in play or done: declined ones are left out.
    pub fn live_linkages(&self) -> impl Iterator<Item = &LinkageView> {
        self.linkages
            .iter()
            .filter(|view| view.linkage.status != LinkageStatus::Declined)
    }

    pub fn need(&self, id: &str) -> Option<&OpenNeedRecord> {
        self.need_index.get(id).map(|&at| &self.needs[at])
    }
}

/// A briefing: the round, and the people it names.
pub struct Briefing {
    pub round: Round,
    pub sectors: BTreeMap<String, Sector>,
    pub invitees: Vec<Stakeholder>,
    /// "Person, phone, email" by stakeholder id, for readers who may see contact details.
    pub contacts: BTreeMap<String, String>,
}

/// Prepares the meeting `id` for the caller: runs a round of suggestions and saves it if it
/// changed.
pub async fn prepare(store: &Store, caller: &Caller, id: &str, per_need: usize) -> Result<Round> {
    let (round, _) = prepare_reading(store, caller, id, per_need, false).await?;
    Ok(round)
}

/// Prepares the meeting and gathers who its briefing names, with contacts for callers who may
/// see them.
pub async fn briefing(
    store: &Store,
    caller: &Caller,
    id: &str,
    per_need: usize,
) -> Result<Briefing> {
    let (round, people) = prepare_reading(store, caller, id, per_need, true).await?;
    let sees_contacts = Audience::of(Some(caller.role)).sees_personal_data();
    let sectors = store
        .list_sectors()
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let invitees = round
        .meeting
        .data
        .invitees
        .iter()
        .filter_map(|id| people.get(id).cloned())
        .collect();
    let contacts = if sees_contacts {
        people
            .iter()
            .filter_map(|(id, stakeholder)| {
                let contact = &stakeholder.data.contact;
                let parts: Vec<&str> = [&contact.person, &contact.phone, &contact.email]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                (!parts.is_empty()).then(|| (id.clone(), parts.join(", ")))
            })
            .collect()
    } else {
        BTreeMap::new()
    };
    Ok(Briefing {
        round,
        sectors,
        invitees,
        contacts,
    })
}

/// The one flow behind [`prepare`] and [`briefing`]: read a snapshot, plan, save if changed.
/// With `with_people`, the stakeholders the briefing names are read in the same snapshot.
async fn prepare_reading(
    store: &Store,
    caller: &Caller,
    id: &str,
    per_need: usize,
    with_people: bool,
) -> Result<(Round, BTreeMap<String, Stakeholder>)> {
    // Geography is reference data loaded at start; it is read outside the snapshot.
    let district_names: BTreeMap<String, String> = store
        .list_districts(None, None)
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    for _ in 0..ROUND_ATTEMPTS {
        // Where linkages' moves stand before the snapshot: the round is saved only if none moved
        // since, so the seat counts it was planned on are still true when it is saved.
        let mark = store.linkage_mark().await?;
        if let Some(prepared) = prepare_once(
            store,
            caller,
            id,
            per_need,
            with_people,
            &district_names,
            mark,
        )
        .await?
        {
            return Ok(prepared);
        }
    }
    Err(StoreError::Busy("linkages kept moving while the round was planned".into()).into())
}

/// How often a round is planned again because linkages moved while it was being planned, before
/// the caller is told to retry (503).
const ROUND_ATTEMPTS: usize = 5;

/// One round planned on a snapshot taken after `mark`; `None` when a linkage moved meanwhile.
async fn prepare_once(
    store: &Store,
    caller: &Caller,
    id: &str,
    per_need: usize,
    with_people: bool,
    district_names: &BTreeMap<String, String>,
    mark: LinkageMark,
) -> Result<Option<(Round, BTreeMap<String, Stakeholder>)>> {
    let mut reading = store.begin_reading().await?;
    let meeting = reading
        .meeting(id)
        .await?
        .ok_or(Error::NotFound("meeting"))?;
    require_district(caller, &meeting.data.district)?;
    let code = meeting.data.district.clone();
    let needs = reading.open_needs(&code).await?;
    let candidates = reading.candidate_offerings(&code).await?;
    let saved = reading.meeting_linkages(id).await?;
    let commitments = commitments(&mut reading, &code, &candidates, &saved).await?;
    let invitees: BTreeSet<String> = meeting.data.invitees.iter().cloned().collect();
    let date = parse_date(&meeting.data.date)
        .ok_or_else(|| StoreError::Corrupt(format!("meeting {id} has an unreadable date")))?;
    let table = Table {
        district: &code,
        date,
        invitees: &invitees,
        district_names,
        per_need,
    };
    let open: Vec<OpenNeed> = needs.iter().map(|n| n.open.clone()).collect();
    let mut plan = suggest::plan(&open, &candidates, &table, &commitments);
    point_gaps_elsewhere(&mut reading, &mut plan, &open, &table).await?;
    let changed = round_changes(&saved, &plan.suggestions);
    // The saved linkages name people too (those people moved on are not in the plan).
    let mut linkages = reading.meeting_linkage_views(id).await?;
    let people = if with_people {
        let ids = named_people(&plan, &linkages, &needs, &invitees);
        reading.stakeholders(&ids).await?
    } else {
        BTreeMap::new()
    };
    reading.finish().await?;
    if changed {
        if !store
            .save_suggestions_planned_on(id, &plan.suggestions, Some(mark))
            .await?
        {
            return Ok(None);
        }
        // Read again what was saved, for the new linkages' ids.
        let mut after = store.begin_reading().await?;
        linkages = after.meeting_linkage_views(id).await?;
        after.finish().await?;
    }
    let district = store.get_district(&code).await?.ok_or_else(|| {
        StoreError::Corrupt(format!("meeting {id} names unknown district {code}"))
    })?;
    let need_index = needs
        .iter()
        .enumerate()
        .map(|(at, n)| (n.open.need.id.clone(), at))
        .collect();
    Ok(Some((
        Round {
            meeting,
            district,
            needs,
            plan,
            linkages,
            need_index,
        },
        people,
    )))
}

/// What people have already done that the plan must respect: capacity used, pairs in play at
/// any meeting (this meeting's own status wins), and what this meeting holds per provider.
async fn commitments(
    reading: &mut Reading,
    district: &str,
    candidates: &[Candidate],
    saved: &[Linkage],
) -> Result<Commitments> {
    let mut held: BTreeMap<(String, String), LinkageStatus> =
        reading.pairs_in_play(district).await?.into_iter().collect();
    let provider_of: HashMap<&str, &str> = candidates
        .iter()
        .map(|c| (c.offering.id.as_str(), c.provider.id.as_str()))
        .collect();
    let mut held_by_provider: BTreeMap<String, i64> = BTreeMap::new();
    for linkage in saved.iter().filter(|l| l.status.is_held_by_people()) {
        if linkage.status.uses_capacity()
            && let Some(provider) = provider_of.get(linkage.offering_id.as_str())
        {
            *held_by_provider.entry(provider.to_string()).or_default() += 1;
        }
        held.insert(
            (linkage.need_id.clone(), linkage.offering_id.clone()),
            linkage.status,
        );
    }
    Ok(Commitments {
        used: reading.capacity_used(district).await?,
        held,
        held_by_provider,
    })
}

/// Whether saving `round` would change the meeting's saved linkages: a suggested pair new or
/// with another score or reasons, or a suggested pair the round no longer makes.
fn round_changes(saved: &[Linkage], round: &[Suggestion]) -> bool {
    let suggested: HashMap<(&str, &str), &Linkage> = saved
        .iter()
        .filter(|l| l.status == LinkageStatus::Suggested)
        .map(|l| ((l.need_id.as_str(), l.offering_id.as_str()), l))
        .collect();
    let saved_pairs: HashMap<(&str, &str), &Linkage> = saved
        .iter()
        .map(|l| ((l.need_id.as_str(), l.offering_id.as_str()), l))
        .collect();
    let mut wanted = 0;
    for suggestion in round {
        let pair = (suggestion.need_id.as_str(), suggestion.offering_id.as_str());
        match saved_pairs.get(&pair) {
            // A pair people moved on is left as it is: nothing to write.
            Some(linkage) if linkage.status != LinkageStatus::Suggested => continue,
            Some(linkage) => {
                wanted += 1;
                if linkage.score != suggestion.score
                    || linkage.reasons != suggestion.reasons
                    || linkage.reasons_hi != suggestion.reasons_hi
                {
                    return true;
                }
            }
            None => return true,
        }
    }
    wanted != suggested.len()
}

/// Everyone a briefing names: invitees, both sides of each linkage, those with gaps, and whom to
/// invite.
fn named_people(
    plan: &Plan,
    linkages: &[LinkageView],
    needs: &[OpenNeedRecord],
    invitees: &BTreeSet<String>,
) -> BTreeSet<String> {
    let owner_of: HashMap<&str, &str> = needs
        .iter()
        .map(|n| (n.open.need.id.as_str(), n.open.need.stakeholder_id.as_str()))
        .collect();
    let mut ids = invitees.clone();
    for view in linkages {
        ids.insert(view.owner_id.clone());
        ids.insert(view.provider_id.clone());
    }
    for suggestion in &plan.suggestions {
        ids.insert(suggestion.provider_id.clone());
        ids.extend(
            owner_of
                .get(suggestion.need_id.as_str())
                .map(|s| s.to_string()),
        );
    }
    for gap in &plan.gaps {
        ids.extend(owner_of.get(gap.need_id.as_str()).map(|s| s.to_string()));
    }
    ids.extend(plan.invite.iter().map(|i| i.stakeholder_id.clone()));
    ids
}

/// Adds to each "nothing serves this district" gap the providers elsewhere that would take the
/// need if they served the district, so the facilitator knows whom to ask. One look-up per
/// (kind, trade), and needs found by id through a map.
async fn point_gaps_elsewhere(
    reading: &mut Reading,
    plan: &mut Plan,
    needs: &[OpenNeed],
    table: &Table<'_>,
) -> Result<()> {
    let by_id: HashMap<&str, &OpenNeed> = needs.iter().map(|n| (n.need.id.as_str(), n)).collect();
    let mut looked_up: BTreeMap<(&'static str, String), Vec<Candidate>> = BTreeMap::new();
    for gap in plan
        .gaps
        .iter_mut()
        .filter(|g| g.cause == GapCause::NothingServes)
    {
        let Some(need) = by_id.get(gap.need_id.as_str()) else {
            continue;
        };
        let Some(sector) = need.need.data.sector.clone() else {
            continue;
        };
        let key = (gap.kind.as_str(), sector);
        if !looked_up.contains_key(&key) {
            let found = reading
                .offerings_elsewhere(gap.kind, &key.1, table.district, ELSEWHERE_LOOKED_AT)
                .await?;
            looked_up.insert(key.clone(), found);
        }
        if let Some((hint, hint_hi)) = suggest::served_elsewhere(need, &looked_up[&key], table) {
            gap.why.push_str("; ");
            gap.why.push_str(&hint);
            gap.why_hi.push_str("; ");
            gap.why_hi.push_str(&hint_hi);
        }
    }
    Ok(())
}

/// Moves a linkage: suggested → proposed → accepted → completed, or declined from any of the
/// first three, by a caller of its meeting's district. A move to where it already is with no
/// note changes nothing (a form sent twice is harmless); a move not allowed is refused with the
/// moves that are, and changes nothing.
pub async fn move_linkage(
    store: &Store,
    caller: &Caller,
    id: &str,
    input: LinkageMoveInput,
) -> Result<Linkage> {
    let change = input.validate()?;
    let current = store
        .get_linkage(id)
        .await?
        .ok_or(Error::NotFound("linkage"))?;
    // A linkage belongs to its meeting's district.
    if let Some(meeting) = store.get_meeting(&current.meeting_id).await? {
        require_district(caller, &meeting.data.district)?;
    }
    current
        .status
        .check_move(change.status)
        .map_err(|why| FieldErrors::single("status", why))?;
    // The same move sent again (a form posted twice, a retry) changes nothing.
    let same_note = change.note.is_none() || change.note == current.note;
    let same_outcome =
        change.outcome_value.is_none() || change.outcome_value == current.outcome_value;
    if change.status == current.status && same_note && same_outcome {
        return Ok(current);
    }
    Ok(store
        .move_linkage(id, current.status, &change, &caller.name)
        .await?)
}

/// A linkage as `caller` may see it, with its history (who moved it when, and why) for a caller.
/// The public sees no reasons (they are the person's profile facts: "age 31 within 18–45") and
/// no history.
pub async fn show_linkage(
    store: &Store,
    caller: Option<&Caller>,
    id: &str,
) -> Result<(Linkage, Option<Vec<LinkageEvent>>)> {
    let linkage = store
        .get_linkage(id)
        .await?
        .ok_or(Error::NotFound("linkage"))?;
    let linkage = Audience::of(caller.map(|caller| caller.role)).linkage(linkage);
    let history = match caller {
        Some(_) => Some(store.linkage_history(id).await?),
        None => None,
    };
    Ok((linkage, history))
}

/// How a stakeholder's linkages stand, as provider and as the one with needs, if `caller` may
/// see the stakeholder.
pub async fn linkage_record(
    store: &Store,
    caller: Option<&Caller>,
    stakeholder_id: &str,
) -> Result<LinkageCounts> {
    super::registry::show_stakeholder(store, caller, stakeholder_id).await?;
    Ok(store.linkage_counts(stakeholder_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::offering::LinkageKind;

    fn saved(need: &str, status: LinkageStatus, score: f64) -> Linkage {
        Linkage {
            id: format!("lk_{need}"),
            meeting_id: "mt_1".into(),
            need_id: need.into(),
            offering_id: "of_1".into(),
            kind: LinkageKind::Finance,
            score,
            reasons: vec!["sector tailoring matches".into()],
            reasons_hi: vec!["क्षेत्र सिलाई मेल खाता है".into()],
            status,
            note: None,
            outcome_value: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn suggestion(need: &str, score: f64) -> Suggestion {
        Suggestion {
            need_id: need.into(),
            offering_id: "of_1".into(),
            provider_id: "st_bank".into(),
            kind: LinkageKind::Finance,
            score,
            reasons: vec!["sector tailoring matches".into()],
            reasons_hi: vec!["क्षेत्र सिलाई मेल खाता है".into()],
        }
    }

    #[test]
    fn the_same_round_again_changes_nothing() {
        let stored = [saved("nd_1", LinkageStatus::Suggested, 0.8)];
        assert!(!round_changes(&stored, &[suggestion("nd_1", 0.8)]));
    }

    #[test]
    fn a_new_pair_a_new_score_or_a_dropped_pair_is_a_change() {
        let stored = [saved("nd_1", LinkageStatus::Suggested, 0.8)];
        assert!(round_changes(&stored, &[suggestion("nd_1", 0.7)]));
        assert!(round_changes(
            &stored,
            &[suggestion("nd_1", 0.8), suggestion("nd_2", 0.5)]
        ));
        assert!(round_changes(&stored, &[]));
    }

    #[test]
    fn pairs_people_moved_on_are_not_changes() {
        let stored = [saved("nd_1", LinkageStatus::Proposed, 0.8)];
        assert!(!round_changes(&stored, &[suggestion("nd_1", 0.6)]));
        assert!(!round_changes(&stored, &[]));
    }
}
