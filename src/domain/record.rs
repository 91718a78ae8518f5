//! What every record carries besides its content: status, provenance and times.

use serde::{Deserialize, Serialize};

use super::consent::ConsentGiven;

word_enum! {
    /// Where a record stands. Deleting archives; nothing is ever removed.
    #[schema(description = "`pending`: came in through public registration, not yet checked by a facilitator. `archived`: taken out of use (nothing is deleted).")]
    Status {
        /// Submitted through public registration; a facilitator has not yet checked it.
        Pending => "pending",
        Active => "active",
        Archived => "archived",
    }
}

word_enum! {
    /// How a record came in.
    #[schema(description = "How a record came in: through this API with a token, public registration, a bulk import, or the demo seed (`--demo`).")]
    #[schema(as = CreatedVia)]
    Origin {
        Api => "api",
        Registration => "registration",
        Import => "import",
        Seed => "seed",
    }
}

/// Status and provenance, on every stored stakeholder, offering and need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordMeta {
    pub status: Status,
    pub created_via: Origin,
    /// The name of the token that created the record, or `public` (registration) or `seed`.
    pub created_by: String,
    #[schema(value_type = super::schema::Timestamp)]
    pub created_at: String,
    #[schema(value_type = super::schema::Timestamp)]
    pub updated_at: String,
    /// Counts every stored change of the record, from 1 (also sent as the `ETag`, `"v3"`); an
    /// edit names the version it is based on (`If-Match`), and is refused (409) if the record
    /// moved on since.
    #[schema(minimum = 1)]
    pub version: i64,
    /// Who made the latest change (a token's or person's name); absent until the record is
    /// changed after creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub updated_by: Option<String>,
    /// An invented record loaded with `sangam serve --demo`.
    pub demo: bool,
}

/// Who is writing and how; the store stamps it on what it creates.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub origin: Origin,
    pub actor: String,
    pub status: Status,
    pub demo: bool,
    /// The consent a public registration was given with; the store keeps it with the time.
    pub consent: Option<ConsentGiven>,
}

impl Provenance {
    pub fn api(actor: &str) -> Self {
        Self {
            origin: Origin::Api,
            actor: actor.to_string(),
            status: Status::Active,
            demo: false,
            consent: None,
        }
    }

    /// A public registration, stored `pending` with the consent it was given with.
    pub fn registration_with(consent: ConsentGiven) -> Self {
        Self {
            consent: Some(consent),
            ..Self::registration()
        }
    }

    pub fn registration() -> Self {
        Self {
            origin: Origin::Registration,
            actor: "public".into(),
            status: Status::Pending,
            demo: false,
            consent: None,
        }
    }

    /// Rows of a spreadsheet imported by a facilitator (over HTTP or from the command line).
    pub fn import(actor: &str) -> Self {
        Self {
            origin: Origin::Import,
            actor: actor.to_string(),
            status: Status::Active,
            demo: false,
            consent: None,
        }
    }

    pub fn demo_seed() -> Self {
        Self {
            origin: Origin::Seed,
            actor: "seed".into(),
            status: Status::Active,
            demo: true,
            consent: None,
        }
    }
}

/// Instants as stored: RFC 3339 UTC with milliseconds, so text order is time order.
const STORED_INSTANT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

/// The current time as stored ([`STORED_INSTANT`]).
pub fn now_timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&STORED_INSTANT)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

/// The time `delay` from now, as stored ([`STORED_INSTANT`]).
pub fn timestamp_in(delay: std::time::Duration) -> String {
    let then = time::OffsetDateTime::now_utc() + delay;
    then.format(&STORED_INSTANT)
        .unwrap_or_else(|_| then.unix_timestamp().to_string())
}

/// An instant written as RFC 3339 (`2026-11-01T09:30:00+05:30`) or a date (`2026-11-01`,
/// midnight UTC), in the form [`now_timestamp`] writes, so that stored instants compare with it
/// as text; `None` if it is neither.
pub fn parse_instant(text: &str) -> Option<String> {
    let text = text.trim();
    let instant =
        match time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
            Ok(instant) => instant,
            Err(_) => parse_date(text)?.midnight().assume_utc(),
        };
    instant
        .to_offset(time::UtcOffset::UTC)
        .format(&STORED_INSTANT)
        .ok()
}

/// Today's date in India (IST), which is what "past" means for `valid_until`.
pub fn today_in_india() -> time::Date {
    let ist = time::UtcOffset::from_hms(5, 30, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc().to_offset(ist).date()
}

/// Parses an ISO `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).ok()
}

pub fn format_date(date: time::Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format).unwrap_or_default()
}
