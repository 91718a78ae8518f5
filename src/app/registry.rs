//! Use cases of the registry: stakeholders, their offerings and needs, from registration and
//! review to edits and erasure.
//!
//! Each function checks the caller's role and districts, applies the visibility rule to what it
//! returns, and leaves version checks to the store's locked read-decide-write, so that the API
//! (`http/stakeholders.rs`, `http/registrations.rs`) and the pages (`http/web/`) cannot differ.

use crate::domain::FieldErrors;
use crate::domain::access::Caller;
use crate::domain::consent::ConsentInput;
use crate::domain::need::{Need, NeedInput};
use crate::domain::offering::{Offering, OfferingInput};
use crate::domain::record::{Provenance, RecordMeta, Status};
use crate::domain::stakeholder::{Stakeholder, StakeholderData, StakeholderInput};
use crate::domain::visibility::Audience;
use crate::notify::Spool;
use crate::search::SearchIndex;
use crate::store::erasure::Erased;
use crate::store::registry::{Change, OnDuplicate, Registered, StakeholderFilter, StatusFilter};
use crate::store::review::{Review, Reviewed};
use crate::store::{Store, StoreError};

use super::{Error, Result};

/// Writing a record of `district` is for callers of that district, or of every district.
pub fn require_district(caller: &Caller, district: &str) -> Result<()> {
    if caller.may_act_in(district) {
        return Ok(());
    }
    // A person signed in by cookie is told in their terms, a machine in its token's.
    let who = if caller.is_person() {
        "you write"
    } else {
        "this token writes"
    };
    Err(Error::Forbidden(format!(
        "{who} only in {}; `{district}` is not one of them",
        caller.districts.join(", ")
    )))
}

/// Archiving, approving and erasing are for facilitators and admins.
pub fn require_moderator(caller: &Caller) -> Result<()> {
    if caller.role.may_moderate() {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "role `{}` may not archive or approve records; ask a facilitator",
            caller.role
        )))
    }
}

/// The codes and names writes are checked against, with the spelling key search uses, so that
/// a block is found however it is spelled ([`crate::domain::geography::Catalog::resolve_block`]).
pub async fn catalog(store: &Store) -> Result<crate::domain::geography::Catalog> {
    let mut catalog = store.catalog().await?;
    catalog.spelling_key = Some(crate::search::analysis::phonetic_key);
    Ok(catalog)
}

/// Whom a view is for: the public without a caller (see [`Audience`], the one rule).
pub fn audience(caller: Option<&Caller>) -> Audience {
    Audience::of(caller.map(|caller| caller.role))
}

/// Registers a stakeholder for a caller who writes in its district. A lookalike of a record
/// already there is refused (the store's `Duplicate`) unless `allow_duplicate`, which stores it
/// flagged.
pub async fn create_stakeholder(
    store: &Store,
    caller: &Caller,
    input: StakeholderInput,
    allow_duplicate: bool,
) -> Result<Stakeholder> {
    let catalog = catalog(store).await?;
    let data = input.validate_with(&catalog)?;
    require_district(caller, &data.district)?;
    let on_duplicate = if allow_duplicate {
        OnDuplicate::Flag
    } else {
        OnDuplicate::Refuse
    };
    let stored = store
        .insert_stakeholder(
            &data,
            &[],
            &[],
            &Provenance::api(&caller.name),
            on_duplicate,
        )
        .await?;
    Ok(stored.stakeholder)
}

/// A page of stakeholders as `caller` may see them (see [`show_stakeholder`]); without a caller,
/// active records only, whatever statuses the filter asks for.
pub async fn list_stakeholders(
    store: &Store,
    caller: Option<&Caller>,
    mut filter: StakeholderFilter,
) -> Result<Vec<Stakeholder>> {
    let audience = audience(caller);
    if caller.is_none() {
        filter.statuses = StatusFilter::public();
    }
    let found = store.list_stakeholders(&filter).await?;
    Ok(found.into_iter().map(|s| audience.stakeholder(s)).collect())
}

/// A stakeholder as `caller` may see it: the public sees active records without contacts or a
/// person's profile facts; only facilitators and admins see the consent record.
pub async fn show_stakeholder(
    store: &Store,
    caller: Option<&Caller>,
    id: &str,
) -> Result<Stakeholder> {
    let audience = audience(caller);
    store
        .get_stakeholder(id)
        .await?
        .filter(|s| audience.sees_status(s.meta.status))
        .filter(|s| sees_registration(caller, s))
        .map(|s| audience.stakeholder(s))
        .ok_or(Error::NotFound("stakeholder"))
}

/// A registration waiting for review is for the people of its district (and those of all
/// districts) only: a facilitator of Gaya does not see who registered in Mirzapur before
/// Mirzapur's facilitators have looked at it. Answered as unknown, not as forbidden: the
/// answer does not tell that it exists.
fn sees_registration(caller: Option<&Caller>, stakeholder: &Stakeholder) -> bool {
    stakeholder.meta.status != Status::Pending
        || caller.is_some_and(|caller| caller.may_act_in(&stakeholder.data.district))
}

/// An edit of a record (stakeholder, offering, need): new content worked out from the record as
/// stored (a merge patch from the API, a filled-in form from a page), a status move, or both.
pub struct RecordEdit<F> {
    /// The version the editor saw (`If-Match`, or the form's hidden field); `None` for any.
    pub based_on: Option<i64>,
    /// Makes the new submission from the stored one; `None` leaves the content alone.
    pub content: Option<F>,
    pub status: Option<Status>,
}

/// A record that served only its home district moves with it, unless the edit names the
/// districts served itself.
pub fn served_follows_home(
    current: &StakeholderData,
    input: &mut StakeholderInput,
    names_served: bool,
) {
    if !names_served && current.districts_served == [current.district.clone()] {
        input.districts_served = None;
    }
}

/// Edits a stakeholder in one transaction on the record as stored: the caller must write in its
/// district (and in the district it moves to), a status move is for moderators, the new content
/// is validated like a new record, and an edit based on an older version is refused with who
/// changed it and when (the store's `Stale`). Nothing is written when nothing changes.
pub async fn edit_stakeholder<F>(
    store: &Store,
    caller: &Caller,
    id: &str,
    edit: RecordEdit<F>,
) -> Result<Stakeholder>
where
    F: FnOnce(&Stakeholder) -> Result<StakeholderInput>,
{
    let catalog = &catalog(store).await?;
    let RecordEdit {
        based_on,
        content,
        status,
    } = edit;
    store
        .edit_stakeholder_with(id, &caller.name, |current| {
            require_district(caller, &current.data.district)?;
            let content = content.map(|make| {
                move || {
                    let data = make(current)?.validate_with(catalog)?;
                    // Moving a record to another district is writing there too.
                    require_district(caller, &data.district)?;
                    Ok(data)
                }
            });
            decide(
                caller,
                based_on,
                status,
                &current.meta,
                &current.data,
                content,
            )
        })
        .await
}

/// What an edit of a record as stored comes to, for the three kinds of record alike: the stale
/// and moderator checks ([`status_move`]), then the new content `content` makes (`None` leaves
/// it alone), and nothing when nothing changes ([`change_of`]).
fn decide<D: PartialEq>(
    caller: &Caller,
    based_on: Option<i64>,
    asked: Option<Status>,
    meta: &RecordMeta,
    current: &D,
    content: Option<impl FnOnce() -> Result<D>>,
) -> Result<Option<Change<D>>> {
    let status = status_move(caller, based_on, meta, asked)?;
    let data = content.map(|make| make()).transpose()?;
    Ok(change_of(current, data, status))
}

/// The status an edit moves a record to, if it moves it: a stale edit is refused first, then a
/// move by a caller who may not moderate. Asking for the status it has is no move.
fn status_move(
    caller: &Caller,
    based_on: Option<i64>,
    current: &RecordMeta,
    asked: Option<Status>,
) -> Result<Option<Status>> {
    still_at(based_on, current)?;
    let status = asked.filter(|s| *s != current.status);
    if status.is_some() {
        require_moderator(caller)?;
    }
    Ok(status)
}

/// What an edit changes, or nothing when the content equals what is stored and no status moves.
fn change_of<D: PartialEq>(
    current: &D,
    data: Option<D>,
    status: Option<Status>,
) -> Option<Change<D>> {
    let data = data.filter(|d| d != current);
    (data.is_some() || status.is_some()).then_some(Change { data, status })
}

/// Refuses an edit based on a version that is not the record's current one, naming who changed
/// it and when.
fn still_at(based_on: Option<i64>, current: &RecordMeta) -> Result<()> {
    match based_on {
        Some(expected) if expected != current.version => Err(Error::Store(StoreError::Stale {
            version: current.version,
            changed_by: current.updated_by.clone(),
            changed_at: current.updated_at.clone(),
        })),
        _ => Ok(()),
    }
}

/// Archives a stakeholder with its offerings and needs (restored by an edit to `active`): for
/// facilitators and admins of its district.
pub async fn archive_stakeholder(store: &Store, caller: &Caller, id: &str) -> Result<Stakeholder> {
    moderate_existing(store, caller, id).await?;
    Ok(store
        .set_stakeholder_status(id, Status::Archived, &caller.name)
        .await?)
}

/// Where erased text may still lie after the database has forgotten it.
pub struct Scrub<'a> {
    pub search: Option<&'a SearchIndex>,
    pub spool: Option<&'a Spool>,
}

/// Erases a person's personal data on their request ([`crate::store::erasure`]): for
/// facilitators and admins of the district, irreversible, audited; then makes the old text
/// leave the disk too (see [`scrub_after_erasure`]). Returns what is left.
pub async fn erase_stakeholder(
    store: &Store,
    caller: &Caller,
    id: &str,
    scrub: Scrub<'_>,
) -> Result<Stakeholder> {
    moderate_existing(store, caller, id).await?;
    let erased = store.erase_stakeholder(id, &caller.name).await?;
    scrub_after_erasure(store, &scrub, &erased).await;
    Ok(erased.stakeholder)
}

/// After an erasure, makes the old text leave the disk, not only the answers: the search index
/// rewrites the segments that held it, the SMS spool drops the messages to or about the person,
/// and SQLite's write-ahead log is emptied into the scrubbed database file. The erasure itself
/// is committed already, so a step that fails is logged and retried by the next erasure (each
/// step covers everything erased before it), not reported as a failed request.
async fn scrub_after_erasure(store: &Store, scrub: &Scrub<'_>, erased: &Erased) {
    if let Some(index) = scrub.search.filter(|index| index.is_writable()) {
        // The erasure's own place in the change log: on PostgreSQL the indexer reaches it only
        // once every transaction older than it has ended, so waiting for "the latest change"
        // could return before the erasure is applied and purge nothing.
        let erased_at = erased.change;
        index.notify_write();
        let mut cursor = index.watch_cursor();
        let indexed = tokio::time::timeout(
            ERASURE_INDEX_WAIT,
            cursor.wait_for(|reached| *reached >= erased_at),
        )
        .await
        .is_ok_and(|reached| reached.is_ok());
        if !indexed {
            tracing::warn!(
                "the search index did not reach the erasure in time; the indexer purges its old segments when it does"
            );
        } else if let Err(error) = index.purge_deleted().await {
            tracing::warn!(%error, "could not purge erased text from the search index");
        }
    }
    if let Some(spool) = scrub.spool
        && let Err(error) = spool.drop_messages(&erased.forgotten_messages).await
    {
        tracing::warn!(%error, "could not drop erased messages from the SMS spool");
    }
    match store.scrub_freed_space().await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            "readers held SQLite's write-ahead log; it is emptied at the next erasure or checkpoint"
        ),
        Err(error) => tracing::warn!(%error, "could not checkpoint the database after an erasure"),
    }
}

/// How long an erasure waits for the search index to apply it before purging old segments.
const ERASURE_INDEX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The stakeholder whose records (its offerings, its needs) the caller is about to write:
/// not found if there is none, forbidden if it is in a district the caller does not write in.
pub async fn writable_owner(store: &Store, caller: &Caller, id: &str) -> Result<Stakeholder> {
    let owner = store
        .get_stakeholder(id)
        .await?
        .ok_or(Error::NotFound("stakeholder"))?;
    require_district(caller, &owner.data.district)?;
    Ok(owner)
}

/// Archiving and erasing: only for facilitators and admins of the stakeholder's district, and
/// only for a stakeholder that is there.
async fn moderate_existing(store: &Store, caller: &Caller, id: &str) -> Result<Stakeholder> {
    require_moderator(caller)?;
    writable_owner(store, caller, id).await
}

/// A public registration: the fields of `StakeholderInput` at the top level, plus what the
/// stakeholder offers and needs and the person's consent. Offerings without `districts` cover
/// the stakeholder's `districts_served`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Registration {
    #[serde(flatten)]
    pub stakeholder: StakeholderInput,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub offerings: Vec<OfferingInput>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub needs: Vec<NeedInput>,
    /// Required: the person agreed to the notice of `GET /api/v1/consent-notice`.
    #[serde(default)]
    #[schema(required = true, nullable = false)]
    pub consent: Option<ConsentInput>,
}

const MAX_ITEMS: usize = 20;

/// Validates a registration as a whole and stores it `pending`, lookalikes flagged for the
/// facilitator (never refused: the person registering cannot tell whether a neighbour
/// registered them already). Invalid input names every field and stores nothing.
pub async fn register(store: &Store, registration: Registration) -> Result<Registered> {
    let catalog = catalog(store).await?;
    let mut errors = FieldErrors::new();
    let consent = ConsentInput::validate(registration.consent)
        .map_err(|refused| errors = refused)
        .ok();
    let stakeholder = registration
        .stakeholder
        .validate_with(&catalog)
        .map_err(|found| nest(&mut errors, "", found))
        .ok();
    if registration.offerings.len() > MAX_ITEMS {
        errors.add(
            "offerings",
            format!("at most {MAX_ITEMS} in one registration"),
        );
    }
    if registration.needs.len() > MAX_ITEMS {
        errors.add("needs", format!("at most {MAX_ITEMS} in one registration"));
    }
    let served = stakeholder
        .as_ref()
        .map(|s: &StakeholderData| s.districts_served.clone())
        .unwrap_or_default();
    let mut offerings = Vec::new();
    for (index, input) in registration
        .offerings
        .into_iter()
        .take(MAX_ITEMS)
        .enumerate()
    {
        match input.validate_with(&catalog, &served, None) {
            Ok(data) => offerings.push(data),
            Err(found) => nest(&mut errors, &format!("offerings[{index}]"), found),
        }
    }
    let mut needs = Vec::new();
    for (index, input) in registration.needs.into_iter().take(MAX_ITEMS).enumerate() {
        match input.validate_with(&catalog) {
            Ok(data) => needs.push(data),
            Err(found) => nest(&mut errors, &format!("needs[{index}]"), found),
        }
    }
    let (stakeholder, consent) = match (stakeholder, consent) {
        (Some(stakeholder), Some(consent)) if errors.is_empty() => (stakeholder, consent),
        _ => return Err(Error::Invalid(errors)),
    };
    Ok(store
        .insert_stakeholder(
            &stakeholder,
            &offerings,
            &needs,
            &Provenance::registration_with(consent),
            OnDuplicate::Flag,
        )
        .await?)
}

/// Adds `found` to `errors`, each field under `prefix` (none when it is empty).
fn nest(errors: &mut FieldErrors, prefix: &str, found: FieldErrors) {
    for (field, why) in found.fields() {
        let field = if prefix.is_empty() {
            field.clone()
        } else {
            format!("{prefix}.{field}")
        };
        errors.add(field, why.clone());
    }
}

/// A pending registration as a facilitator reviews it: beside the records it may duplicate.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub registration: Stakeholder,
    /// The records it may duplicate (same phone, or same name in the same district).
    pub lookalikes: Vec<Stakeholder>,
    pub offerings: Vec<Offering>,
    pub needs: Vec<Need>,
}

/// The review queue of a facilitator (their districts) or an admin (all): the oldest `limit`
/// pending registrations, each with the records it may duplicate that the caller may see.
pub async fn review_queue(store: &Store, caller: &Caller, limit: usize) -> Result<Vec<ReviewItem>> {
    require_moderator(caller)?;
    let pending = store
        .pending_registrations(&caller.districts, limit)
        .await?;
    let audience = audience(Some(caller));
    let mut items = Vec::with_capacity(pending.len());
    for registration in pending {
        let mut lookalikes = Vec::new();
        for id in &registration.possible_duplicates {
            if let Some(found) = store.get_stakeholder(id).await? {
                lookalikes.push(audience.stakeholder(found));
            }
        }
        let every = StatusFilter::only(Status::ALL.to_vec());
        let offerings = store.list_offerings_of(&registration.id, &every).await?;
        let needs = store.list_needs_of(&registration.id, &every).await?;
        items.push(ReviewItem {
            registration: audience.stakeholder(registration),
            lookalikes,
            offerings,
            needs,
        });
    }
    Ok(items)
}

/// The longest reason a rejection keeps.
const MAX_REASON: usize = 1_000;

/// Approves, rejects (with a reason) or merges a pending registration: for facilitators and
/// admins of its district (and of the district of the record it merges into). Audited; a
/// registration reviewed already is left as it is, so a form sent twice does no harm.
pub async fn review_registration(
    store: &Store,
    caller: &Caller,
    id: &str,
    review: Review<'_>,
) -> Result<Reviewed> {
    require_moderator(caller)?;
    if let Review::Reject { reason } = review {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(
                FieldErrors::single("reason", "say why the registration is rejected").into(),
            );
        }
        if reason.chars().count() > MAX_REASON {
            return Err(
                FieldErrors::single("reason", format!("at most {MAX_REASON} characters")).into(),
            );
        }
    }
    if let Review::Merge { into } = review
        && into.trim().is_empty()
    {
        return Err(FieldErrors::single("into", "choose the record to merge into").into());
    }
    let review = match review {
        Review::Reject { reason } => Review::Reject {
            reason: reason.trim(),
        },
        Review::Merge { into } => Review::Merge { into: into.trim() },
        other => other,
    };
    store
        .review_registration(id, review, &caller.name, |pending, target| {
            require_district(caller, &pending.data.district)?;
            if let Some(target) = target {
                require_district(caller, &target.data.district)?;
            }
            Ok::<(), Error>(())
        })
        .await
        .map_err(|error| match error {
            Error::Store(StoreError::NotFound) => Error::NotFound("registration"),
            other => other,
        })
}

/// A stakeholder with its offerings and needs, as `caller` may see them.
#[derive(Debug, serde::Serialize)]
pub struct StakeholderView {
    pub stakeholder: Stakeholder,
    pub offerings: Vec<Offering>,
    pub needs: Vec<Need>,
    /// Whether contacts and a person's profile facts are shown.
    pub sees_personal_data: bool,
}

/// A stakeholder's page: the record (see [`show_stakeholder`]) with its offerings and needs —
/// active ones for the public, all for signed-in roles.
pub async fn stakeholder_view(
    store: &Store,
    caller: Option<&Caller>,
    id: &str,
) -> Result<StakeholderView> {
    let stakeholder = show_stakeholder(store, caller, id).await?;
    let audience = audience(caller);
    let statuses = if audience.sees_personal_data() {
        StatusFilter::only(Status::ALL.to_vec())
    } else {
        StatusFilter::public()
    };
    Ok(StakeholderView {
        offerings: store.list_offerings_of(id, &statuses).await?,
        needs: store.list_needs_of(id, &statuses).await?,
        sees_personal_data: audience.sees_personal_data(),
        stakeholder,
    })
}

/// A stakeholder's offerings or needs in `statuses`, if the stakeholder is one `caller` may see.
async fn visible_owner(store: &Store, caller: Option<&Caller>, stakeholder_id: &str) -> Result<()> {
    show_stakeholder(store, caller, stakeholder_id)
        .await
        .map(|_| ())
}

/// Adds an offering to a stakeholder the caller writes for; absent `districts` are the
/// provider's districts served.
pub async fn create_offering(
    store: &Store,
    caller: &Caller,
    stakeholder_id: &str,
    input: OfferingInput,
) -> Result<Offering> {
    let provider = writable_owner(store, caller, stakeholder_id).await?;
    let data = input.validate_with(
        &catalog(store).await?,
        &provider.data.districts_served,
        None,
    )?;
    Ok(store
        .insert_offering(stakeholder_id, &data, &Provenance::api(&caller.name))
        .await?)
}

/// A stakeholder's offerings in `statuses` (the caller's filter, checked by the front).
pub async fn offerings_of(
    store: &Store,
    caller: Option<&Caller>,
    stakeholder_id: &str,
    statuses: &StatusFilter,
) -> Result<Vec<Offering>> {
    visible_owner(store, caller, stakeholder_id).await?;
    Ok(store.list_offerings_of(stakeholder_id, statuses).await?)
}

/// An offering or need still pending came with a registration: it is seen where the
/// registration is (see [`sees_registration`]); any other status needs nothing more.
async fn pending_child_visible(
    store: &Store,
    caller: Option<&Caller>,
    status: Status,
    owner: &str,
) -> Result<()> {
    if status == Status::Pending {
        visible_owner(store, caller, owner).await?;
    }
    Ok(())
}

/// An offering, if `caller` may see a record in its status.
pub async fn show_offering(store: &Store, caller: Option<&Caller>, id: &str) -> Result<Offering> {
    let offering = store
        .get_offering(id)
        .await?
        .filter(|o| audience(caller).sees_status(o.meta.status))
        .ok_or(Error::NotFound("offering"))?;
    pending_child_visible(
        store,
        caller,
        offering.meta.status,
        &offering.stakeholder_id,
    )
    .await
    .map_err(|_| Error::NotFound("offering"))?;
    Ok(offering)
}

/// Edits an offering in one transaction on the record as stored, as [`edit_stakeholder`] does a
/// stakeholder: the caller writes for its provider, a status move is for moderators, the content
/// is validated like a new offering, a stale edit is refused.
pub async fn edit_offering<F>(
    store: &Store,
    caller: &Caller,
    id: &str,
    edit: RecordEdit<F>,
) -> Result<Offering>
where
    F: FnOnce(&Offering) -> Result<OfferingInput>,
{
    let stakeholder_id = store
        .get_offering(id)
        .await?
        .ok_or(Error::NotFound("offering"))?
        .stakeholder_id;
    let provider = writable_owner(store, caller, &stakeholder_id).await?;
    let catalog = &catalog(store).await?;
    let RecordEdit {
        based_on,
        content,
        status,
    } = edit;
    store
        .edit_offering_with(id, &caller.name, |current| {
            let served = &provider.data.districts_served;
            let valid_until = current.data.valid_until.as_deref();
            let content = content.map(|make| {
                move || Ok(make(current)?.validate_with(catalog, served, valid_until)?)
            });
            decide(
                caller,
                based_on,
                status,
                &current.meta,
                &current.data,
                content,
            )
        })
        .await
}

/// Archives an offering: for facilitators and admins of its provider's district.
pub async fn archive_offering(store: &Store, caller: &Caller, id: &str) -> Result<Offering> {
    require_moderator(caller)?;
    let offering = store
        .get_offering(id)
        .await?
        .ok_or(Error::NotFound("offering"))?;
    writable_owner(store, caller, &offering.stakeholder_id).await?;
    Ok(store
        .set_offering_status(id, Status::Archived, &caller.name)
        .await?)
}

/// Adds a need to a stakeholder the caller writes for.
pub async fn create_need(
    store: &Store,
    caller: &Caller,
    stakeholder_id: &str,
    input: NeedInput,
) -> Result<Need> {
    writable_owner(store, caller, stakeholder_id).await?;
    let data = input.validate_with(&catalog(store).await?)?;
    Ok(store
        .insert_need(stakeholder_id, &data, &Provenance::api(&caller.name))
        .await?)
}

/// A stakeholder's needs in `statuses` (the caller's filter, checked by the front).
pub async fn needs_of(
    store: &Store,
    caller: Option<&Caller>,
    stakeholder_id: &str,
    statuses: &StatusFilter,
) -> Result<Vec<Need>> {
    visible_owner(store, caller, stakeholder_id).await?;
    Ok(store.list_needs_of(stakeholder_id, statuses).await?)
}

/// A need, if `caller` may see a record in its status.
pub async fn show_need(store: &Store, caller: Option<&Caller>, id: &str) -> Result<Need> {
    let need = store
        .get_need(id)
        .await?
        .filter(|n| audience(caller).sees_status(n.meta.status))
        .ok_or(Error::NotFound("need"))?;
    pending_child_visible(store, caller, need.meta.status, &need.stakeholder_id)
        .await
        .map_err(|_| Error::NotFound("need"))?;
    Ok(need)
}

/// Edits a need in one transaction on the record as stored (see [`edit_offering`]).
pub async fn edit_need<F>(
    store: &Store,
    caller: &Caller,
    id: &str,
    edit: RecordEdit<F>,
) -> Result<Need>
where
    F: FnOnce(&Need) -> Result<NeedInput>,
{
    let stakeholder_id = store
        .get_need(id)
        .await?
        .ok_or(Error::NotFound("need"))?
        .stakeholder_id;
    writable_owner(store, caller, &stakeholder_id).await?;
    let catalog = &catalog(store).await?;
    let RecordEdit {
        based_on,
        content,
        status,
    } = edit;
    store
        .edit_need_with(id, &caller.name, |current| {
            let content = content.map(|make| move || Ok(make(current)?.validate_with(catalog)?));
            decide(
                caller,
                based_on,
                status,
                &current.meta,
                &current.data,
                content,
            )
        })
        .await
}

/// Archives a need: for facilitators and admins of its stakeholder's district.
pub async fn archive_need(store: &Store, caller: &Caller, id: &str) -> Result<Need> {
    require_moderator(caller)?;
    let need = store.get_need(id).await?.ok_or(Error::NotFound("need"))?;
    writable_owner(store, caller, &need.stakeholder_id).await?;
    Ok(store
        .set_need_status(id, Status::Archived, &caller.name)
        .await?)
}
