//! The printable meeting briefing, in English and Hindi: as an HTML page for the facilitator's
//! printer, as CSV for a spreadsheet, or as JSON.
//!
//! Contact details (person and phone beside each name) appear only for readers with a token, as
//! everywhere else in the API.
//!
//! The HTML page is the template `web/templates/brief.html`, rendered with minijinja's HTML
//! escaping: this module gives it only text (names, labels, reasons), never markup.

use axum::Json;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{AppError, AppResult};
use super::web;
use crate::app::planning::Briefing;
use crate::domain::geography::District;
use crate::domain::meeting::{LinkageStatus, Meeting};
use crate::domain::money::rupees;
use crate::domain::offering::LinkageKind;
use crate::domain::stakeholder::StakeholderKind;
use crate::matching::suggest::Gap;
use crate::store::meetings::OpenNeedRecord;

/// The printable page; its `<style>` is allowed by hash (see `security`).
pub(super) const TEMPLATE: &str = include_str!("web/templates/brief.html");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Json,
}

/// A gap with the need and who has it.
struct GapView<'a> {
    gap: &'a Gap,
    need: &'a OpenNeedRecord,
}

/// Headings, English then Hindi.
const TITLE: (&str, &str) = ("Coalition meeting briefing", "गठबंधन बैठक की तैयारी");
const DISTRICT: (&str, &str) = ("District", "ज़िला");
const DATE: (&str, &str) = ("Date", "तारीख़");
const INVITED: (&str, &str) = ("Invited", "आमंत्रित");
const LINKAGES: (&str, &str) = ("Suggested linkages", "सुझाए गए जुड़ाव");
const GAPS: (&str, &str) = (
    "Needs nothing registered can meet",
    "ज़रूरतें जिन्हें अभी कोई पूरा नहीं कर सकता",
);
const INVITE: (&str, &str) = ("Whom to invite", "किसे बुलाएँ");
const NEED: (&str, &str) = ("Need", "ज़रूरत");
const WHO: (&str, &str) = ("Entrepreneur / group", "उद्यमी / समूह");
const OFFERING: (&str, &str) = ("Offering", "पेशकश");
const PROVIDER: (&str, &str) = ("Provider", "देने वाला");
const KIND: (&str, &str) = ("Kind", "प्रकार");
const SCORE: (&str, &str) = ("Score", "अंक");
const STATUS: (&str, &str) = ("Status", "स्थिति");
const WHY: (&str, &str) = ("Why", "क्यों");
const NONE: (&str, &str) = ("None.", "कोई नहीं।");

fn kind_local(kind: LinkageKind) -> &'static str {
    match kind {
        LinkageKind::Finance => "वित्त",
        LinkageKind::Training => "प्रशिक्षण",
        LinkageKind::Market => "बाज़ार",
        LinkageKind::Scheme => "योजना",
    }
}

fn status_local(status: LinkageStatus) -> &'static str {
    match status {
        LinkageStatus::Suggested => "सुझाया गया",
        LinkageStatus::Proposed => "प्रस्तावित",
        LinkageStatus::Accepted => "स्वीकृत",
        LinkageStatus::Declined => "अस्वीकृत",
        LinkageStatus::Completed => "पूरा हुआ",
    }
}

fn bilingual(pair: (&str, &str)) -> String {
    format!("{} / {}", pair.0, pair.1)
}

/// "Rekha Bind (रेखा बिंद)", or the name alone.
fn with_local(name: &str, local: Option<&str>) -> String {
    match local {
        Some(local) if local != name => format!("{name} ({local})"),
        _ => name.to_string(),
    }
}

/// A date as people in India write it: 10-12-2026.
fn indian_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [year, month, day] => format!("{day}-{month}-{year}"),
        _ => iso.to_string(),
    }
}

/// What the three formats read from a briefing.
struct Brief<'a> {
    b: &'a Briefing,
    gaps: Vec<GapView<'a>>,
}

impl<'a> Brief<'a> {
    fn new(b: &'a Briefing) -> Self {
        let gaps = b
            .round
            .plan
            .gaps
            .iter()
            .filter_map(|gap| {
                Some(GapView {
                    gap,
                    need: b.round.need(&gap.need_id)?,
                })
            })
            .collect();
        Brief { b, gaps }
    }

    fn linkages(&self) -> impl Iterator<Item = &'a crate::store::meetings::LinkageView> + use<'a> {
        self.b.round.live_linkages()
    }

    /// A name, with how to reach them when the reader may see it.
    fn reachable(&self, id: &str, name: String) -> String {
        match self.b.contacts.get(id) {
            Some(contact) => format!("{name} — {contact}"),
            None => name,
        }
    }

    fn contact(&self, id: &str) -> Option<&str> {
        self.b.contacts.get(id).map(String::as_str)
    }

    fn sector_label(&self, code: Option<&str>) -> Option<String> {
        let code = code?;
        Some(match self.b.sectors.get(code) {
            Some(sector) => with_local(&sector.name, sector.name_local.as_deref()),
            None => code.to_string(),
        })
    }

    /// "Loan for two sewing machines — Tailoring & garments (सिलाई), ₹45,000"
    fn need_label(&self, title: &str, sector: Option<&str>, amount: Option<i64>) -> String {
        let mut label = title.to_string();
        let details: Vec<String> = self
            .sector_label(sector)
            .into_iter()
            .chain(amount.map(rupees))
            .collect();
        if !details.is_empty() {
            label.push_str(" — ");
            label.push_str(&details.join(", "));
        }
        label
    }

    fn district_label(&self) -> String {
        let district = &self.b.round.district;
        format!(
            "{}, {}",
            with_local(&district.name, district.name_local.as_deref()),
            district.state
        )
    }
}

pub fn render(briefing: &Briefing, format: Format) -> AppResult<Response> {
    let brief = Brief::new(briefing);
    match format {
        Format::Json => Ok(Json(as_json(&brief)).into_response()),
        Format::Html => Ok((
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            as_html(&brief)?,
        )
            .into_response()),
        Format::Csv => {
            let body = as_csv(&brief)?;
            let disposition = format!(
                "attachment; filename=\"sangam-brief-{}.csv\"",
                briefing
                    .round
                    .meeting
                    .id
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            );
            Ok((
                [
                    (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response())
        }
    }
}

fn person<'a>(
    id: &'a str,
    name: &'a str,
    name_local: Option<&'a str>,
    contact: Option<&'a str>,
) -> BriefPerson<'a> {
    BriefPerson {
        id,
        name,
        name_local,
        contact,
    }
}

fn as_json<'a>(b: &'a Brief<'a>) -> BriefJson<'a> {
    let linkages = b
        .linkages()
        .map(|view| {
            let l = &view.linkage;
            BriefLinkage {
                id: &l.id,
                need_id: &l.need_id,
                offering_id: &l.offering_id,
                kind: l.kind,
                kind_local: kind_local(l.kind),
                score: l.score,
                reasons: &l.reasons,
                status: l.status,
                status_local: status_local(l.status),
                need_title: &view.need_title,
                sector: view.need_sector.as_deref(),
                amount_inr: view.need_amount_inr,
                entrepreneur: person(
                    &view.owner_id,
                    &view.owner_name,
                    view.owner_name_local.as_deref(),
                    b.contact(&view.owner_id),
                ),
                offering_title: &view.offering_title,
                provider: BriefProvider {
                    id: &view.provider_id,
                    name: &view.provider_name,
                    contact: b.contact(&view.provider_id),
                },
            }
        })
        .collect();
    let gaps = b
        .gaps
        .iter()
        .map(|g| {
            let need = &g.need.open.need;
            BriefGap {
                need_id: &g.gap.need_id,
                kind: g.gap.kind,
                kind_local: kind_local(g.gap.kind),
                why: &g.gap.why,
                need_title: &need.data.title,
                sector: need.data.sector.as_deref(),
                amount_inr: need.data.amount_inr,
                entrepreneur: person(
                    &need.stakeholder_id,
                    &g.need.owner_name,
                    g.need.owner_name_local.as_deref(),
                    b.contact(&need.stakeholder_id),
                ),
            }
        })
        .collect();
    let invite =
        b.b.round
            .plan
            .invite
            .iter()
            .map(|i| BriefInvitation {
                stakeholder_id: &i.stakeholder_id,
                name: &i.name,
                reason: &i.reason,
                open_needs: i.open_needs,
                contact: b.contact(&i.stakeholder_id),
            })
            .collect();
    let invitees =
        b.b.invitees
            .iter()
            .map(|s| BriefInvitee {
                id: &s.id,
                name: &s.data.name,
                name_local: s.data.name_local.as_deref(),
                kind: s.data.kind,
            })
            .collect();
    BriefJson {
        meeting: &b.b.round.meeting,
        district: &b.b.round.district,
        invitees,
        linkages,
        gaps,
        invite,
        headings: BriefHeadings {
            title: pair(TITLE),
            linkages: pair(LINKAGES),
            gaps: pair(GAPS),
            invite: pair(INVITE),
        },
    }
}

/// The briefing as data (`format=json`): what the printed page shows, with the bilingual
/// headings.
#[derive(Serialize, ToSchema)]
#[schema(as = Brief)]
pub(crate) struct BriefJson<'a> {
    meeting: &'a Meeting,
    district: &'a District,
    invitees: Vec<BriefInvitee<'a>>,
    linkages: Vec<BriefLinkage<'a>>,
    gaps: Vec<BriefGap<'a>>,
    invite: Vec<BriefInvitation<'a>>,
    headings: BriefHeadings,
}

/// Someone invited to the meeting.
#[derive(Serialize, ToSchema)]
struct BriefInvitee<'a> {
    id: &'a str,
    name: &'a str,
    #[schema(required = true)]
    name_local: Option<&'a str>,
    kind: StakeholderKind,
}

/// A person in the briefing; `contact` (a phone) only for callers who may see it.
#[derive(Serialize, ToSchema)]
struct BriefPerson<'a> {
    id: &'a str,
    name: &'a str,
    #[schema(required = true)]
    name_local: Option<&'a str>,
    #[schema(required = true)]
    contact: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
struct BriefProvider<'a> {
    id: &'a str,
    name: &'a str,
    #[schema(required = true)]
    contact: Option<&'a str>,
}

/// A linkage with the need, the entrepreneur, the offering and its provider.
#[derive(Serialize, ToSchema)]
struct BriefLinkage<'a> {
    id: &'a str,
    need_id: &'a str,
    offering_id: &'a str,
    kind: LinkageKind,
    /// The kind in Hindi.
    kind_local: &'static str,
    score: f64,
    #[schema(value_type = Vec<String>)]
    reasons: &'a [String],
    status: LinkageStatus,
    /// The status in Hindi.
    status_local: &'static str,
    need_title: &'a str,
    #[schema(required = true)]
    sector: Option<&'a str>,
    #[schema(required = true)]
    amount_inr: Option<i64>,
    entrepreneur: BriefPerson<'a>,
    offering_title: &'a str,
    provider: BriefProvider<'a>,
}

/// A need that nothing registered meets.
#[derive(Serialize, ToSchema)]
struct BriefGap<'a> {
    need_id: &'a str,
    kind: LinkageKind,
    kind_local: &'static str,
    why: &'a str,
    need_title: &'a str,
    #[schema(required = true)]
    sector: Option<&'a str>,
    #[schema(required = true)]
    amount_inr: Option<i64>,
    entrepreneur: BriefPerson<'a>,
}

/// Someone to invite, and why.
#[derive(Serialize, ToSchema)]
struct BriefInvitation<'a> {
    stakeholder_id: &'a str,
    name: &'a str,
    reason: &'a str,
    open_needs: usize,
    #[schema(required = true)]
    contact: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
struct BriefHeadings {
    title: Pair,
    linkages: Pair,
    gaps: Pair,
    invite: Pair,
}

/// A heading in both languages, as the template shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = BriefHeading)]
struct Pair {
    en: &'static str,
    hi: &'static str,
}

fn pair((en, hi): (&'static str, &'static str)) -> Pair {
    Pair { en, hi }
}

#[derive(Serialize)]
struct LinkageRow<'a> {
    need: String,
    who: String,
    offering: String,
    provider: String,
    score: String,
    status: String,
    reasons: &'a [String],
    reasons_hi: &'a [String],
}

#[derive(Serialize)]
struct GapRow<'a> {
    need: String,
    who: String,
    kind: String,
    why: &'a str,
    why_hi: &'a str,
}

#[derive(Serialize)]
struct InviteRow<'a> {
    provider: String,
    why: &'a str,
    why_hi: &'a str,
}

fn as_html(b: &Brief) -> AppResult<String> {
    let round = &b.b.round;
    let linkages: Vec<LinkageRow> = b
        .linkages()
        .map(|view| {
            let l = &view.linkage;
            LinkageRow {
                need: b.need_label(
                    &view.need_title,
                    view.need_sector.as_deref(),
                    view.need_amount_inr,
                ),
                who: b.reachable(
                    &view.owner_id,
                    with_local(&view.owner_name, view.owner_name_local.as_deref()),
                ),
                offering: format!(
                    "{} ({} / {})",
                    view.offering_title,
                    l.kind,
                    kind_local(l.kind)
                ),
                provider: b.reachable(&view.provider_id, view.provider_name.clone()),
                score: format!("{:.2}", l.score),
                status: format!("{} / {}", l.status, status_local(l.status)),
                reasons: &l.reasons,
                reasons_hi: &l.reasons_hi,
            }
        })
        .collect();
    let gaps: Vec<GapRow> = b
        .gaps
        .iter()
        .map(|gap| {
            let need = &gap.need.open.need;
            GapRow {
                need: b.need_label(
                    &need.data.title,
                    need.data.sector.as_deref(),
                    need.data.amount_inr,
                ),
                who: b.reachable(
                    &need.stakeholder_id,
                    with_local(&gap.need.owner_name, gap.need.owner_name_local.as_deref()),
                ),
                kind: format!("{} / {}", gap.gap.kind, kind_local(gap.gap.kind)),
                why: &gap.gap.why,
                why_hi: &gap.gap.why_hi,
            }
        })
        .collect();
    let invite: Vec<InviteRow> = round
        .plan
        .invite
        .iter()
        .map(|invitation| InviteRow {
            provider: b.reachable(&invitation.stakeholder_id, invitation.name.clone()),
            why: &invitation.reason,
            why_hi: &invitation.reason_hi,
        })
        .collect();
    let invitees: Vec<String> =
        b.b.invitees
            .iter()
            .map(|s| with_local(&s.data.name, s.data.name_local.as_deref()))
            .collect();
    let headings = context! {
        title => minijinja::Value::from(Serde(pair(TITLE))), district => minijinja::Value::from(Serde(pair(DISTRICT))), date => minijinja::Value::from(Serde(pair(DATE))),
        invited => minijinja::Value::from(Serde(pair(INVITED))), linkages => minijinja::Value::from(Serde(pair(LINKAGES))), gaps => minijinja::Value::from(Serde(pair(GAPS))),
        invite => minijinja::Value::from(Serde(pair(INVITE))), need => minijinja::Value::from(Serde(pair(NEED))), who => minijinja::Value::from(Serde(pair(WHO))), offering => minijinja::Value::from(Serde(pair(OFFERING))),
        provider => minijinja::Value::from(Serde(pair(PROVIDER))), kind => minijinja::Value::from(Serde(pair(KIND))), score => minijinja::Value::from(Serde(pair(SCORE))),
        status => minijinja::Value::from(Serde(pair(STATUS))), why => minijinja::Value::from(Serde(pair(WHY))), none => minijinja::Value::from(Serde(pair(NONE))),
    };
    web::render_text(
        "brief.html",
        context! {
            title => &round.meeting.data.title,
            h => minijinja::Value::from(Serde(headings)),
            district => b.district_label(),
            date => indian_date(&round.meeting.data.date),
            invitees => minijinja::Value::from(Serde(invitees)),
            linkages => minijinja::Value::from(Serde(linkages)),
            gaps => minijinja::Value::from(Serde(gaps)),
            invite => minijinja::Value::from(Serde(invite)),
        },
    )
    .map_err(AppError::internal)
}

/// A cell a spreadsheet will not run as a formula: text starting with `=`, `+`, `-`, `@` or a
/// control character gets a leading apostrophe.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// One row per linkage, gap and provider to invite. Headings are bilingual; the file starts with
/// a UTF-8 byte-order mark so that Excel shows Devanagari rather than mojibake.
fn as_csv(b: &Brief) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    let headings: Vec<String> = [
        ("section", "भाग"),
        KIND,
        ("need_id", "ज़रूरत आईडी"),
        NEED,
        WHO,
        ("offering_id", "पेशकश आईडी"),
        OFFERING,
        PROVIDER,
        SCORE,
        STATUS,
        WHY,
    ]
    .into_iter()
    .map(bilingual)
    .collect();
    let failed = |e: csv::Error| AppError::fault("writing the CSV brief", e);
    writer.write_record(&headings).map_err(failed)?;
    for view in b.linkages() {
        let l = &view.linkage;
        let row = [
            "linkage".to_string(),
            format!("{} / {}", l.kind, kind_local(l.kind)),
            l.need_id.clone(),
            b.need_label(
                &view.need_title,
                view.need_sector.as_deref(),
                view.need_amount_inr,
            ),
            b.reachable(
                &view.owner_id,
                with_local(&view.owner_name, view.owner_name_local.as_deref()),
            ),
            l.offering_id.clone(),
            view.offering_title.clone(),
            b.reachable(&view.provider_id, view.provider_name.clone()),
            format!("{:.2}", l.score),
            format!("{} / {}", l.status, status_local(l.status)),
            l.reasons.join("; "),
        ];
        writer
            .write_record(row.iter().map(|c| cell(c)))
            .map_err(failed)?;
    }
    for gap in &b.gaps {
        let need = &gap.need.open.need;
        let row = [
            "gap".to_string(),
            format!("{} / {}", gap.gap.kind, kind_local(gap.gap.kind)),
            need.id.clone(),
            b.need_label(
                &need.data.title,
                need.data.sector.as_deref(),
                need.data.amount_inr,
            ),
            b.reachable(
                &need.stakeholder_id,
                with_local(&gap.need.owner_name, gap.need.owner_name_local.as_deref()),
            ),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            gap.gap.why.clone(),
        ];
        writer
            .write_record(row.iter().map(|c| cell(c)))
            .map_err(failed)?;
    }
    for invitation in &b.b.round.plan.invite {
        let row = [
            "invite".to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            b.reachable(&invitation.stakeholder_id, invitation.name.clone()),
            String::new(),
            String::new(),
            invitation.reason.clone(),
        ];
        writer
            .write_record(row.iter().map(|c| cell(c)))
            .map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::fault("writing the CSV brief", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("Rekha Bind"), "Rekha Bind");
    }

    #[test]
    fn dates_are_shown_as_written_in_india() {
        assert_eq!(indian_date("2026-12-10"), "10-12-2026");
    }
}
