//! The facilitator's dashboard at `/dashboard`: for the districts the signed-in person works in
//! (admins and people of every district: all), registrations waiting for review, open needs by
//! kind and sector, upcoming meetings, and the coalition's figures per meeting drawn as SVG bar
//! plots — linkages by status, rupees mobilised, people trained. The plots are drawn by the
//! server from a template (no script), each with a title and a table of the same figures beside
//! it for screen readers and for anyone who prefers numbers.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;

use super::meeting_texts::{kind_word, status_word, texts};
use super::meetings::{base, signed_in};
use super::texts::Lang;
use super::{PageQuery, language, render};
use crate::domain::access::Role;
use crate::domain::meeting::LinkageStatus;
use crate::domain::money::rupees;
use crate::domain::offering::{LinkageKind, OutcomeUnit};
use crate::domain::record::{format_date, today_in_india};
use crate::http::AppState;
use crate::http::error::AppError;
use crate::http::extract::QueryParams;
use crate::store::dashboard::MeetingFigure;

pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
}

/// How many past meetings the plots show.
const MEETINGS_PLOTTED: i64 = 8;
const UPCOMING_SHOWN: i64 = 10;

/// The statuses plotted, in their order along each meeting's group of bars.
const PLOTTED: [LinkageStatus; 4] = [
    LinkageStatus::Suggested,
    LinkageStatus::Proposed,
    LinkageStatus::Accepted,
    LinkageStatus::Completed,
];

/// One meeting's figures, as the tables and plots show them.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingTotals {
    pub id: String,
    pub title: String,
    pub date: String,
    /// Linkages by plotted status, in [`PLOTTED`] order.
    pub by_status: [i64; 4],
    /// Rupees from completed loans, orders and scheme benefits.
    pub loans_inr: i64,
    pub orders_inr: i64,
    pub schemes_inr: i64,
    pub trainees: i64,
}

impl MeetingTotals {
    pub fn rupees_inr(&self) -> i64 {
        self.loans_inr + self.orders_inr + self.schemes_inr
    }
}

/// Rows of (meeting, status, kind) folded into one total per meeting, in the rows' order.
pub fn totals(figures: &[MeetingFigure]) -> Vec<MeetingTotals> {
    let mut order: Vec<String> = Vec::new();
    let mut by_meeting: BTreeMap<String, MeetingTotals> = BTreeMap::new();
    for figure in figures {
        let totals = by_meeting
            .entry(figure.meeting_id.clone())
            .or_insert_with(|| {
                order.push(figure.meeting_id.clone());
                MeetingTotals {
                    id: figure.meeting_id.clone(),
                    title: figure.title.clone(),
                    date: figure.date.clone(),
                    ..MeetingTotals::default()
                }
            });
        if let Some(at) = PLOTTED.iter().position(|s| *s == figure.status) {
            totals.by_status[at] += figure.linkages;
        }
        if figure.status != LinkageStatus::Completed {
            continue;
        }
        match (figure.kind, figure.kind.outcome_unit()) {
            (LinkageKind::Finance, _) => totals.loans_inr += figure.outcome_total,
            (LinkageKind::Market, _) => totals.orders_inr += figure.outcome_total,
            (_, OutcomeUnit::People) => totals.trainees += figure.outcome_total,
            (_, OutcomeUnit::Rupees) => totals.schemes_inr += figure.outcome_total,
        }
    }
    order
        .into_iter()
        .filter_map(|id| by_meeting.remove(&id))
        .collect()
}

/// A bar of a plot, in the SVG's own units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Index of the series (its colour and legend entry).
    pub series: usize,
    /// What a pointer over the bar says.
    pub label: String,
}

/// A bar plot laid out for the template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plot {
    pub id: &'static str,
    pub title: String,
    pub width: f64,
    pub height: f64,
    /// The baseline's y.
    pub base: f64,
    pub bars: Vec<Bar>,
    /// Under each group: (x of its middle, text).
    pub groups: Vec<(f64, String)>,
    /// The largest value, written at the top of the axis.
    pub top_label: String,
    pub legend: Vec<(String, &'static str)>,
    /// The same figures as a table beside the plot: its column headings and, per meeting, the
    /// meeting's title and the cells.
    pub headings: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 170.0;
const LEFT: f64 = 34.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 24.0;
const COLOURS: [&str; 4] = ["#9e9e9e", "#1f6fb2", "#e08a00", "#0b5d1e"];

/// Lays out groups of bars (one group per meeting, one bar per series) scaled to the largest
/// value; `label` says a value in words.
pub fn bar_plot(
    id: &'static str,
    title: String,
    groups: &[(String, Vec<i64>)],
    series: &[String],
    label: impl Fn(i64) -> String,
) -> Plot {
    let base = HEIGHT - BOTTOM;
    let max = groups
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = (WIDTH - LEFT) / groups.len().max(1) as f64;
    let bar_width = (slot * 0.8 / series.len().max(1) as f64).min(28.0);
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    for (g, (name, values)) in groups.iter().enumerate() {
        let start = LEFT + g as f64 * slot + (slot - bar_width * values.len() as f64) / 2.0;
        for (s, value) in values.iter().enumerate() {
            let height = (base - TOP) * (*value as f64) / max as f64;
            bars.push(Bar {
                x: round1(start + s as f64 * bar_width),
                y: round1(base - height),
                width: round1(bar_width - 1.0),
                height: round1(height),
                series: s,
                label: format!(
                    "{name}: {}{}",
                    series.get(s).map(|n| format!("{n} ")).unwrap_or_default(),
                    label(*value)
                ),
            });
        }
        labels.push((round1(LEFT + (g as f64 + 0.5) * slot), name.clone()));
    }
    Plot {
        id,
        title,
        width: WIDTH,
        height: HEIGHT,
        base,
        bars,
        groups: labels,
        top_label: label(max),
        legend: series
            .iter()
            .enumerate()
            // A single series takes the last colour (green), four take them all.
            .map(|(s, name)| {
                let at = (s + COLOURS.len() - series.len().min(COLOURS.len())) % COLOURS.len();
                (name.clone(), COLOURS[at])
            })
            .collect(),
        headings: Vec::new(),
        rows: Vec::new(),
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// A meeting's short name under its bars: its date as written in India, without the year.
fn short_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [_, month, day] => format!("{day}-{month}"),
        _ => iso.to_string(),
    }
}

#[derive(Serialize)]
struct NeedRow {
    kind: &'static str,
    sector: String,
    count: i64,
}

#[derive(Serialize)]
struct UpcomingRow {
    id: String,
    title: String,
    date: String,
    district: String,
}

async fn dashboard(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    match page(&app, &live.caller, lang).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn page(
    app: &AppState,
    caller: &crate::domain::access::Caller,
    lang: Lang,
) -> Result<Response, AppError> {
    let t = texts(lang);
    // Admins see every district; others theirs (an empty list is every district, too).
    let districts: Vec<String> = if caller.role == Role::Admin {
        Vec::new()
    } else {
        caller.districts.clone()
    };
    let store = &app.store;
    let pending = store.count_pending_registrations(&districts).await?;
    let sectors: BTreeMap<String, (String, Option<String>)> = store
        .list_sectors()
        .await?
        .into_iter()
        .map(|s| (s.code, (s.name, s.name_local)))
        .collect();
    let sector_name = |code: &Option<String>| -> String {
        let Some(code) = code else {
            return "—".to_string();
        };
        match (sectors.get(code), lang) {
            (Some((_, Some(local))), Lang::Hindi) => local.clone(),
            (Some((name, _)), _) => name.clone(),
            (None, _) => code.clone(),
        }
    };
    let needs: Vec<NeedRow> = store
        .open_need_counts(&districts)
        .await?
        .into_iter()
        .map(|row| NeedRow {
            kind: LinkageKind::parse(&row.kind).map_or("?", |k| kind_word(lang, k)),
            sector: sector_name(&row.sector),
            count: row.count,
        })
        .collect();
    let upcoming: Vec<UpcomingRow> = store
        .upcoming_meetings(&districts, &format_date(today_in_india()), UPCOMING_SHOWN)
        .await?
        .into_iter()
        .map(|m| UpcomingRow {
            id: m.id,
            title: m.data.title,
            date: m.data.date,
            district: m.data.district,
        })
        .collect();
    let totals = totals(&store.meeting_figures(&districts, MEETINGS_PLOTTED).await?);
    let statuses: Vec<String> = PLOTTED
        .iter()
        .map(|s| status_word(lang, *s).to_string())
        .collect();
    let linkage_groups: Vec<(String, Vec<i64>)> = totals
        .iter()
        .map(|m| (short_date(&m.date), m.by_status.to_vec()))
        .collect();
    let rupee_groups: Vec<(String, Vec<i64>)> = totals
        .iter()
        .map(|m| (short_date(&m.date), vec![m.rupees_inr()]))
        .collect();
    let trainee_groups: Vec<(String, Vec<i64>)> = totals
        .iter()
        .map(|m| (short_date(&m.date), vec![m.trainees]))
        .collect();
    let titled = |cells: fn(&MeetingTotals) -> Vec<String>| -> Vec<(String, Vec<String>)> {
        totals
            .iter()
            .map(|m| (format!("{} ({})", m.title, m.date), cells(m)))
            .collect()
    };
    let mut linkages_plot = bar_plot(
        "plot-linkages",
        t.linkages_plot.to_string(),
        &linkage_groups,
        &statuses,
        |v| v.to_string(),
    );
    linkages_plot.headings = statuses.clone();
    linkages_plot.rows = titled(|m| m.by_status.iter().map(|n| n.to_string()).collect());
    let mut rupees_plot = bar_plot(
        "plot-rupees",
        t.rupees_plot.to_string(),
        &rupee_groups,
        &[t.rupees_mobilised.to_string()],
        rupees,
    );
    rupees_plot.headings = vec![
        t.loans.to_string(),
        t.orders.to_string(),
        kind_word(lang, LinkageKind::Scheme).to_string(),
        t.rupees_mobilised.to_string(),
    ];
    rupees_plot.rows = titled(|m| {
        vec![
            rupees(m.loans_inr),
            rupees(m.orders_inr),
            rupees(m.schemes_inr),
            rupees(m.rupees_inr()),
        ]
    });
    let mut trainees_plot = bar_plot(
        "plot-trainees",
        t.trainees_plot.to_string(),
        &trainee_groups,
        &[t.trainees.to_string()],
        |v| v.to_string(),
    );
    trainees_plot.headings = vec![t.trainees.to_string()];
    trainees_plot.rows = titled(|m| vec![m.trainees.to_string()]);
    let plots = [linkages_plot, rupees_plot, trainees_plot];
    let scope = if districts.is_empty() {
        t.every_district.to_string()
    } else {
        districts.join(", ")
    };
    Ok(render(
        "dashboard.html",
        context! {
            scope => scope,
            pending => pending,
            needs => Value::from(Serde(needs)),
            upcoming => Value::from(Serde(upcoming)),
            plots => Value::from(Serde(plots)),
            ..base(lang, "/dashboard")
        },
        StatusCode::OK,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(
        meeting: &str,
        status: LinkageStatus,
        kind: LinkageKind,
        n: i64,
        sum: i64,
    ) -> MeetingFigure {
        MeetingFigure {
            meeting_id: meeting.into(),
            title: format!("Meeting {meeting}"),
            date: "2026-12-10".into(),
            status,
            kind,
            linkages: n,
            outcome_total: sum,
        }
    }

    #[test]
    fn completed_outcomes_add_up_by_kind_and_other_statuses_only_count() {
        let totals = totals(&[
            figure("a", LinkageStatus::Suggested, LinkageKind::Finance, 3, 0),
            figure(
                "a",
                LinkageStatus::Completed,
                LinkageKind::Finance,
                2,
                95_000,
            ),
            figure("a", LinkageStatus::Completed, LinkageKind::Training, 1, 12),
            figure(
                "a",
                LinkageStatus::Completed,
                LinkageKind::Market,
                1,
                30_000,
            ),
            figure("a", LinkageStatus::Declined, LinkageKind::Market, 4, 0),
            figure("b", LinkageStatus::Proposed, LinkageKind::Scheme, 1, 0),
        ]);
        assert_eq!(totals.len(), 2);
        assert_eq!(totals[0].by_status, [3, 0, 0, 4]);
        assert_eq!(
            (totals[0].loans_inr, totals[0].orders_inr),
            (95_000, 30_000)
        );
        assert_eq!(totals[0].trainees, 12);
        assert_eq!(totals[0].rupees_inr(), 125_000);
        assert_eq!(totals[1].by_status, [0, 1, 0, 0]);
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_stay_inside_the_plot() {
        let plot = bar_plot(
            "p",
            "t".into(),
            &[
                ("10-12".into(), vec![45_000]),
                ("11-01".into(), vec![90_000]),
            ],
            &["₹".into()],
            rupees,
        );
        assert_eq!(plot.bars.len(), 2);
        let tallest = &plot.bars[1];
        assert_eq!(tallest.y, TOP);
        assert!((plot.bars[0].height * 2.0 - tallest.height).abs() < 0.2);
        assert!(
            plot.bars
                .iter()
                .all(|b| b.x >= LEFT && b.x + b.width <= WIDTH)
        );
        assert_eq!(plot.top_label, "₹90,000");
        assert!(tallest.label.contains("₹90,000"));
    }

    #[test]
    fn an_empty_plot_has_no_bars_and_does_not_divide_by_zero() {
        let plot = bar_plot("p", "t".into(), &[], &["x".into()], |v| v.to_string());
        assert!(plot.bars.is_empty());
        assert_eq!(plot.top_label, "1");
    }
}
