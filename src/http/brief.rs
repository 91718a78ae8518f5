//! The printable meeting briefing, in English and Hindi: as an HTML page for the facilitator's
//! printer, as CSV for a spreadsheet, or as JSON.
//!
//! Contact details (person and phone beside each name) appear only for readers with a token, as
//! everywhere else in the API.
//!
//! HTML is written through [`Html`], whose only way to emit text from data escapes it; markup
//! comes only from `&'static str`, so no registry text can become markup.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{AppError, AppResult};
use crate::domain::geography::{District, Sector};
use crate::domain::meeting::{LinkageStatus, Meeting};
use crate::domain::offering::LinkageKind;
use crate::domain::stakeholder::Stakeholder;
use crate::matching::eligibility::rupees;
use crate::matching::suggest::{Gap, Invitation};
use crate::store::meetings::{LinkageView, OpenNeedRecord};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Json,
}

/// A gap with the need and who has it.
pub struct GapView<'a> {
    pub gap: &'a Gap,
    pub need: &'a OpenNeedRecord,
}

/// Everything a briefing shows.
pub struct Briefing<'a> {
    pub meeting: &'a Meeting,
    pub district: &'a District,
    pub sectors: &'a BTreeMap<String, Sector>,
    pub invitees: &'a [Stakeholder],
    /// Best first; declined ones left out.
    pub linkages: Vec<&'a LinkageView>,
    pub gaps: Vec<GapView<'a>>,
    pub invite: &'a [Invitation],
    /// How to reach people, by stakeholder id ("Branch Manager, +919415000000"); empty for
    /// readers without a token.
    pub contacts: &'a BTreeMap<String, String>,
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

impl Briefing<'_> {
    /// A name, with how to reach them when the reader may see it.
    fn reachable(&self, id: &str, name: String) -> String {
        match self.contacts.get(id) {
            Some(contact) => format!("{name} — {contact}"),
            None => name,
        }
    }

    fn contact(&self, id: &str) -> Option<&str> {
        self.contacts.get(id).map(String::as_str)
    }

    fn sector_label(&self, code: Option<&str>) -> Option<String> {
        let code = code?;
        Some(match self.sectors.get(code) {
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
        format!(
            "{}, {}",
            with_local(&self.district.name, self.district.name_local.as_deref()),
            self.district.state
        )
    }
}

pub fn render(briefing: &Briefing, format: Format) -> AppResult<Response> {
    match format {
        Format::Json => Ok(Json(as_json(briefing)).into_response()),
        Format::Html => Ok((
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            as_html(briefing),
        )
            .into_response()),
        Format::Csv => {
            let body = as_csv(briefing)?;
            let disposition = format!(
                "attachment; filename=\"sangam-brief-{}.csv\"",
                briefing
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

fn person(id: &str, name: &str, name_local: Option<&str>, contact: Option<&str>) -> Value {
    json!({"id": id, "name": name, "name_local": name_local, "contact": contact})
}

fn as_json(b: &Briefing) -> Value {
    let linkages: Vec<Value> = b
        .linkages
        .iter()
        .map(|view| {
            let l = &view.linkage;
            json!({
                "id": l.id, "need_id": l.need_id, "offering_id": l.offering_id,
                "kind": l.kind, "kind_local": kind_local(l.kind),
                "score": l.score, "reasons": l.reasons,
                "status": l.status, "status_local": status_local(l.status),
                "need_title": view.need_title, "sector": view.need_sector, "amount_inr": view.need_amount_inr,
                "entrepreneur": person(&view.owner_id, &view.owner_name, view.owner_name_local.as_deref(), b.contact(&view.owner_id)),
                "offering_title": view.offering_title,
                "provider": {"id": view.provider_id, "name": view.provider_name, "contact": b.contact(&view.provider_id)},
            })
        })
        .collect();
    let gaps: Vec<Value> = b
        .gaps
        .iter()
        .map(|g| {
            let need = &g.need.open.need;
            json!({
                "need_id": g.gap.need_id, "kind": g.gap.kind, "kind_local": kind_local(g.gap.kind),
                "why": g.gap.why, "need_title": need.data.title, "sector": need.data.sector,
                "amount_inr": need.data.amount_inr,
                "entrepreneur": person(&need.stakeholder_id, &g.need.owner_name, g.need.owner_name_local.as_deref(), b.contact(&need.stakeholder_id)),
            })
        })
        .collect();
    let invite: Vec<Value> = b
        .invite
        .iter()
        .map(|i| json!({"stakeholder_id": i.stakeholder_id, "name": i.name, "reason": i.reason, "open_needs": i.open_needs, "contact": b.contact(&i.stakeholder_id)}))
        .collect();
    let invitees: Vec<Value> = b
        .invitees
        .iter()
        .map(|s| json!({"id": s.id, "name": s.data.name, "name_local": s.data.name_local, "kind": s.data.kind}))
        .collect();
    let heading = |pair: (&str, &str)| json!({"en": pair.0, "hi": pair.1});
    json!({
        "meeting": b.meeting,
        "district": b.district,
        "invitees": invitees,
        "linkages": linkages,
        "gaps": gaps,
        "invite": invite,
        "headings": {
            "title": heading(TITLE), "linkages": heading(LINKAGES), "gaps": heading(GAPS),
            "invite": heading(INVITE),
        },
    })
}

/// HTML built by appending: text from data always goes through [`Html::text`].
struct Html {
    out: String,
}

impl Html {
    fn markup(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    fn text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\'' => self.out.push_str("&#39;"),
                c => self.out.push(c),
            }
        }
        self
    }

    /// `<tag>text</tag>`, the tag given as its opening and closing markup.
    fn element(&mut self, open: &'static str, text: &str, close: &'static str) -> &mut Self {
        self.markup(open).text(text).markup(close)
    }

    /// An English heading with its Hindi beneath, in a smaller line.
    fn heading(&mut self, level: &'static str, pair: (&str, &str)) -> &mut Self {
        let (open, close) = match level {
            "h1" => ("<h1>", "</h1>"),
            _ => ("<h2>", "</h2>"),
        };
        self.markup(open)
            .text(pair.0)
            .markup(" <span class=\"hi\" lang=\"hi\">")
            .text(pair.1)
            .markup("</span>")
            .markup(close)
    }

    fn header_cell(&mut self, pair: (&str, &str)) -> &mut Self {
        self.markup("<th>")
            .text(pair.0)
            .markup("<br><span class=\"hi\" lang=\"hi\">")
            .text(pair.1)
            .markup("</span></th>")
    }
}

pub(super) const STYLE: &str = "<style>
body { font-family: 'Noto Sans', 'Noto Sans Devanagari', 'Mangal', Arial, sans-serif; margin: 1.5rem; color: #111; font-size: 14px; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; margin-top: 1.6rem; border-bottom: 2px solid #333; padding-bottom: 0.2rem; }
.hi { font-weight: normal; color: #444; }
h1 .hi, h2 .hi { display: block; font-size: 0.85em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { font-weight: bold; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 0.3rem 0.4rem; text-align: left; vertical-align: top; }
th { background: #eee; }
td ul { margin: 0; padding-left: 1.1rem; }
.score { text-align: right; white-space: nowrap; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; font-size: 11px; }
  th { background: none; }
  tr { page-break-inside: avoid; }
  h2 { page-break-after: avoid; }
}
</style>";

fn as_html(b: &Briefing) -> String {
    let mut page = Html { out: String::new() };
    page.markup("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .markup("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .element("<title>", &b.meeting.data.title, "</title>\n")
        .markup(STYLE)
        .markup("\n</head>\n<body>\n");
    page.element("<h1>", &b.meeting.data.title, "</h1>\n");
    page.markup("<p class=\"subtitle\">")
        .text(&bilingual(TITLE))
        .markup("</p>\n<dl>\n");
    page.element("<dt>", &bilingual(DISTRICT), "</dt>")
        .element("<dd>", &b.district_label(), "</dd>\n")
        .element("<dt>", &bilingual(DATE), "</dt>")
        .element("<dd>", &indian_date(&b.meeting.data.date), "</dd>\n")
        .element("<dt>", &bilingual(INVITED), "</dt>")
        .markup("<dd>");
    if b.invitees.is_empty() {
        page.text(&bilingual(NONE));
    } else {
        let names: Vec<String> = b
            .invitees
            .iter()
            .map(|s| with_local(&s.data.name, s.data.name_local.as_deref()))
            .collect();
        page.text(&names.join("; "));
    }
    page.markup("</dd>\n</dl>\n");

    page.heading("h2", LINKAGES).markup("\n");
    if b.linkages.is_empty() {
        page.element("<p>", &bilingual(NONE), "</p>\n");
    } else {
        page.markup("<table>\n<thead><tr><th>#</th>");
        for pair in [NEED, WHO, OFFERING, PROVIDER, SCORE, STATUS, WHY] {
            page.header_cell(pair);
        }
        page.markup("</tr></thead>\n<tbody>\n");
        for (index, view) in b.linkages.iter().enumerate() {
            let l = &view.linkage;
            page.markup("<tr>")
                .element("<td>", &(index + 1).to_string(), "</td>")
                .element(
                    "<td>",
                    &b.need_label(
                        &view.need_title,
                        view.need_sector.as_deref(),
                        view.need_amount_inr,
                    ),
                    "</td>",
                )
                .element(
                    "<td>",
                    &b.reachable(
                        &view.owner_id,
                        with_local(&view.owner_name, view.owner_name_local.as_deref()),
                    ),
                    "</td>",
                )
                .element(
                    "<td>",
                    &format!(
                        "{} ({} / {})",
                        view.offering_title,
                        l.kind,
                        kind_local(l.kind)
                    ),
                    "</td>",
                )
                .element(
                    "<td>",
                    &b.reachable(&view.provider_id, view.provider_name.clone()),
                    "</td>",
                )
                .element("<td class=\"score\">", &format!("{:.2}", l.score), "</td>")
                .element(
                    "<td>",
                    &format!("{} / {}", l.status, status_local(l.status)),
                    "</td>",
                )
                .markup("<td><ul>");
            for reason in &l.reasons {
                page.element("<li>", reason, "</li>");
            }
            page.markup("</ul></td></tr>\n");
        }
        page.markup("</tbody>\n</table>\n");
    }

    page.heading("h2", GAPS).markup("\n");
    if b.gaps.is_empty() {
        page.element("<p>", &bilingual(NONE), "</p>\n");
    } else {
        page.markup("<table>\n<thead><tr>");
        for pair in [NEED, WHO, KIND, WHY] {
            page.header_cell(pair);
        }
        page.markup("</tr></thead>\n<tbody>\n");
        for gap in &b.gaps {
            let need = &gap.need.open.need.data;
            page.markup("<tr>")
                .element(
                    "<td>",
                    &b.need_label(&need.title, need.sector.as_deref(), need.amount_inr),
                    "</td>",
                )
                .element(
                    "<td>",
                    &b.reachable(
                        &gap.need.open.need.stakeholder_id,
                        with_local(&gap.need.owner_name, gap.need.owner_name_local.as_deref()),
                    ),
                    "</td>",
                )
                .element(
                    "<td>",
                    &format!("{} / {}", gap.gap.kind, kind_local(gap.gap.kind)),
                    "</td>",
                )
                .element("<td>", &gap.gap.why, "</td>")
                .markup("</tr>\n");
        }
        page.markup("</tbody>\n</table>\n");
    }

    page.heading("h2", INVITE).markup("\n");
    if b.invite.is_empty() {
        page.element("<p>", &bilingual(NONE), "</p>\n");
    } else {
        page.markup("<table>\n<thead><tr>");
        for pair in [PROVIDER, WHY] {
            page.header_cell(pair);
        }
        page.markup("</tr></thead>\n<tbody>\n");
        for invitation in b.invite {
            page.markup("<tr>")
                .element(
                    "<td>",
                    &b.reachable(&invitation.stakeholder_id, invitation.name.clone()),
                    "</td>",
                )
                .element("<td>", &invitation.reason, "</td>")
                .markup("</tr>\n");
        }
        page.markup("</tbody>\n</table>\n");
    }
    page.markup("</body>\n</html>\n");
    page.out
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
fn as_csv(b: &Briefing) -> AppResult<Vec<u8>> {
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
    for view in &b.linkages {
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
    for invitation in b.invite {
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
    fn html_text_is_escaped_and_markup_is_only_static() {
        let mut page = Html { out: String::new() };
        page.element("<td>", "<script>alert('x')</script> & \"q\"", "</td>");
        assert_eq!(
            page.out,
            "<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</td>"
        );
    }

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
