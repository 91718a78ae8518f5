//! `/api/v1/export/{stakeholders,offerings,needs}.{csv,xlsx}` and
//! `/api/v1/import/{stakeholders,offerings,needs}`: the registry as spreadsheets.
//!
//! Exports follow the visibility rules of the listings: without a token, active records only and
//! no contact or personal-profile columns at all (gender, age, social category, SHG membership,
//! block); with one, contact columns and `status=` as in the listings. The store is read 500
//! records at a time; CSV goes to the client page by page as it is read, an Excel workbook's rows
//! go to a temporary file as they are read and the workbook is zipped from it into the response:
//! memory stays flat either way. Imports (CSV or .xlsx) are checked whole before one
//! transaction stores them (see [`crate::interchange::import`]).

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, OriginalUri, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderName};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{
    Authenticated, MAX_CSV_BODY_BYTES, MaybeCaller, QueryParams, SpreadsheetBody, XLSX_MEDIA_TYPE,
};
use super::stakeholders::{shown, status_filter};
use crate::domain::access::Caller;
use crate::domain::need::Need;
use crate::domain::offering::LinkageKind;
use crate::domain::offering::Offering;
use crate::domain::record::Provenance;
use crate::domain::stakeholder::Stakeholder;
use crate::domain::stakeholder::StakeholderKind;
use crate::interchange::import::{self, ImportError, ImportOptions, MAX_HTTP_IMPORT_ROWS, Records};
use crate::interchange::table::{BYTE_ORDER_MARK, defuse};
use crate::interchange::xlsx::{self, XlsxWriter};
use crate::interchange::{needs, offerings, stakeholders};
use crate::store::StoreResult;
use crate::store::interchange::{NeedExport, OfferingExport, StakeholderExport};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/export/stakeholders.csv", get(export_stakeholders))
        .route("/export/stakeholders.xlsx", get(export_stakeholders))
        .route("/export/offerings.csv", get(export_offerings))
        .route("/export/offerings.xlsx", get(export_offerings))
        .route("/export/needs.csv", get(export_needs))
        .route("/export/needs.xlsx", get(export_needs))
        .route(
            "/import/stakeholders",
            post(import_stakeholders).layer(DefaultBodyLimit::max(MAX_CSV_BODY_BYTES)),
        )
        .route(
            "/import/offerings",
            post(import_offerings).layer(DefaultBodyLimit::max(MAX_CSV_BODY_BYTES)),
        )
        .route(
            "/import/needs",
            post(import_needs).layer(DefaultBodyLimit::max(MAX_CSV_BODY_BYTES)),
        )
}

/// Records read from the store at a time while exporting.
const EXPORT_PAGE: i64 = 500;

#[derive(Deserialize)]
struct ExportQuery {
    district: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    format: Option<String>,
}

fn trimmed(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn parse_kind<T>(
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
    expected: fn() -> String,
) -> AppResult<Option<T>> {
    match text {
        None => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| {
            AppError::field("kind", format!("unknown kind `{text}`: {}", expected()))
        }),
    }
}

/// How an export is written: CSV (streamed) or an Excel workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Csv,
    Xlsx,
}

/// `?format=csv|xlsx`; a path ending in `.xlsx` means xlsx too.
fn export_format(requested: Option<&str>, xlsx_path: bool) -> AppResult<ExportFormat> {
    match requested.map(|f| f.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") if xlsx_path => Ok(ExportFormat::Xlsx),
        None | Some("" | "csv") => Ok(ExportFormat::Csv),
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        Some(other) => Err(AppError::field(
            "format",
            format!("unknown format `{other}`: csv or xlsx"),
        )),
    }
}

/// What one export takes from the store and how it writes each record.
struct Export<T, Fetch> {
    /// `stakeholders`, `offerings`, `needs`: names the file and the worksheet.
    what: &'static str,
    district: Option<String>,
    columns: Vec<&'static str>,
    /// The next page: records after this id (`None` for the first page), in id order.
    fetch: Fetch,
    id_of: fn(&T) -> String,
    row_of: RowOf<T>,
}

/// How an export writes one record as cells.
type RowOf<T> = Box<dyn Fn(&T) -> Vec<String> + Send + Sync>;

type PageFuture<T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = StoreResult<Vec<T>>> + Send>>;

impl<T, Fetch> Export<T, Fetch>
where
    T: Send + 'static,
    Fetch: Fn(Option<String>) -> PageFuture<T> + Send + Sync + 'static,
{
    /// A download named after what it holds: `sangam-stakeholders-up-mirzapur.csv`.
    fn headers(&self, extension: &str, content_type: &str) -> [(HeaderName, String); 2] {
        let place: String = self
            .district
            .as_deref()
            .unwrap_or("all")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        [
            (CONTENT_TYPE, content_type.to_string()),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"sangam-{}-{place}.{extension}\"",
                    self.what
                ),
            ),
        ]
    }

    async fn respond(self, format: ExportFormat) -> AppResult<Response> {
        match format {
            ExportFormat::Csv => self.csv().await,
            ExportFormat::Xlsx => self.xlsx().await,
        }
    }

    /// CSV sent page by page as it is read: memory stays flat however many records there are.
    /// The first page is read before answering, so a failing store is still a clean error; a
    /// failure later cuts the transfer short (the client sees an incomplete download, never a
    /// file that looks whole).
    async fn csv(self) -> AppResult<Response> {
        let first = (self.fetch)(None).await?;
        let headers = self.headers("csv", "text/csv; charset=utf-8");
        let mut head = BYTE_ORDER_MARK.as_bytes().to_vec();
        head.extend(csv_lines(std::iter::once(
            self.columns.iter().map(|c| c.to_string()).collect(),
        ))?);
        let head = Bytes::from(head);
        let export = std::sync::Arc::new(self);
        struct Cursor<T> {
            pending: Option<Vec<T>>,
            after: Option<String>,
            done: bool,
        }
        let start = Cursor {
            pending: Some(first),
            after: None,
            done: false,
        };
        let pages = futures_util::stream::unfold(start, move |mut cursor| {
            let export = export.clone();
            async move {
                if cursor.done {
                    return None;
                }
                let page = match cursor.pending.take() {
                    Some(page) => page,
                    None => match (export.fetch)(cursor.after.take()).await {
                        Ok(page) => page,
                        Err(error) => {
                            tracing::error!(%error, "an export failed part way; the transfer is cut short");
                            cursor.done = true;
                            return Some((Err(std::io::Error::other(error.to_string())), cursor));
                        }
                    },
                };
                cursor.done = (page.len() as i64) < EXPORT_PAGE;
                cursor.after = page.last().map(|last| (export.id_of)(last));
                let chunk = csv_lines(page.iter().map(|record| (export.row_of)(record)))
                    .map(Bytes::from)
                    .map_err(|e| std::io::Error::other(e.to_string()));
                if chunk.is_err() {
                    cursor.done = true;
                }
                Some((chunk, cursor))
            }
        });
        let body =
            futures_util::stream::once(async move { Ok::<_, std::io::Error>(head) }).chain(pages);
        Ok((headers, Body::from_stream(body)).into_response())
    }

    /// An Excel workbook of every record in bounded memory: the rows go to a temporary file
    /// (constant-memory mode, see [`crate::interchange::xlsx`]) page by page, then the workbook
    /// is zipped from that file straight into the response, in chunks. The work runs in its own
    /// task after the headers are sent (a state's registry takes longer than the request time
    /// limit); the first page is read before answering, so a failing store is still a clean
    /// error. A failure later, or more rows than a worksheet holds, cuts the transfer short (the
    /// client sees an incomplete download, never a file that looks whole); a client that goes
    /// away stops the work.
    async fn xlsx(self) -> AppResult<Response> {
        let first = (self.fetch)(None).await?;
        let writer = XlsxWriter::new(self.what, &self.columns)
            .map_err(|e| AppError::Internal(format!("starting a workbook: {e}")))?;
        let headers = self.headers("xlsx", XLSX_MEDIA_TYPE);
        let (chunks, received) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
        tokio::spawn(async move {
            let what = self.what;
            if let Err(error) = self.write_xlsx(first, writer, chunks.clone()).await {
                tracing::error!(%error, what, "an Excel export failed part way; the transfer is cut short");
                let _ = chunks.send(Err(std::io::Error::other(error))).await;
            }
        });
        let body = futures_util::stream::unfold(received, |mut received| async move {
            received.recv().await.map(|chunk| (chunk, received))
        });
        Ok((headers, Body::from_stream(body)).into_response())
    }

    /// Writes every page after `first` into `writer`, then the workbook into `chunks`.
    async fn write_xlsx(
        self,
        first: Vec<T>,
        mut writer: XlsxWriter,
        chunks: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    ) -> Result<(), String> {
        let mut page = first;
        let mut rows = 0usize;
        loop {
            if chunks.is_closed() {
                return Ok(()); // the client went away
            }
            rows += page.len();
            if rows > xlsx::MAX_ROWS {
                return Err(format!(
                    "more than {} rows do not fit in one Excel worksheet",
                    xlsx::MAX_ROWS
                ));
            }
            let cells: Vec<Vec<String>> = page.iter().map(|record| (self.row_of)(record)).collect();
            // Rows go to a file: off the async threads.
            writer = tokio::task::spawn_blocking(move || {
                for row in &cells {
                    writer.write_row(row)?;
                }
                Ok::<_, rust_xlsxwriter::XlsxError>(writer)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("writing a workbook: {e}"))?;
            let after = match page.last() {
                Some(last) if page.len() as i64 == EXPORT_PAGE => (self.id_of)(last),
                _ => break,
            };
            page = (self.fetch)(Some(after)).await.map_err(|e| e.to_string())?;
        }
        tokio::task::spawn_blocking(move || {
            let mut out = ChunkWriter::new(chunks);
            writer.finish_to(&mut out)?;
            out.send()?;
            Ok::<_, rust_xlsxwriter::XlsxError>(())
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("writing a workbook: {e}"))
    }
}

/// A `Write` that sends what is written to the response in chunks of [`ChunkWriter::CHUNK`]
/// bytes, waiting while the client is behind (so a slow client never makes the server hold the
/// file); on a blocking thread only.
struct ChunkWriter {
    chunks: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    pending: Vec<u8>,
}

impl ChunkWriter {
    const CHUNK: usize = 64 * 1024;

    fn new(chunks: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>) -> Self {
        ChunkWriter {
            chunks,
            pending: Vec::with_capacity(Self::CHUNK),
        }
    }

    /// Sends what is pending; an error when the client went away.
    fn send(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.pending,
            Vec::with_capacity(Self::CHUNK),
        ));
        self.chunks.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= Self::CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Sent in whole chunks; the rest goes when the workbook is finished.
        Ok(())
    }
}

/// Rows as CSV lines for Excel: CRLF line ends, every cell defused.
fn csv_lines(rows: impl Iterator<Item = Vec<String>>) -> AppResult<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| defuse(cell)))
            .map_err(|e| AppError::Internal(format!("writing an export: {e}")))?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Internal(format!("writing an export: {e}")))
}

async fn export_stakeholders(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    OriginalUri(uri): OriginalUri,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    let format = export_format(query.format.as_deref(), uri.path().ends_with(".xlsx"))?;
    let kind = trimmed(query.kind);
    let filter = StakeholderExport {
        district: trimmed(query.district),
        kind: parse_kind(
            kind.as_deref(),
            StakeholderKind::parse,
            StakeholderKind::expected,
        )?,
        statuses: status_filter(&caller, query.status.as_deref())?,
    };
    let private = caller.is_some();
    let store = app.store.clone();
    let district = filter.district.clone();
    let filter = std::sync::Arc::new(filter);
    let export = Export {
        what: "stakeholders",
        district,
        columns: stakeholders::columns(private),
        fetch: move |after: Option<String>| -> PageFuture<Stakeholder> {
            let (store, filter) = (store.clone(), filter.clone());
            Box::pin(async move {
                store
                    .export_stakeholders_page(&filter, after.as_deref(), EXPORT_PAGE)
                    .await
            })
        },
        id_of: |stakeholder: &Stakeholder| stakeholder.id.clone(),
        row_of: Box::new(move |stakeholder: &Stakeholder| {
            stakeholders::row(&shown(&caller, stakeholder.clone()), private)
        }),
    };
    export.respond(format).await
}

async fn export_offerings(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    OriginalUri(uri): OriginalUri,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    let format = export_format(query.format.as_deref(), uri.path().ends_with(".xlsx"))?;
    let kind = trimmed(query.kind);
    let filter = OfferingExport {
        district: trimmed(query.district),
        kind: parse_kind(kind.as_deref(), LinkageKind::parse, LinkageKind::expected)?,
        statuses: status_filter(&caller, query.status.as_deref())?,
        active_providers_only: caller.is_none(),
    };
    let store = app.store.clone();
    let district = filter.district.clone();
    let filter = std::sync::Arc::new(filter);
    let export = Export {
        what: "offerings",
        district,
        columns: offerings::COLUMNS.to_vec(),
        fetch: move |after: Option<String>| -> PageFuture<(Offering, String)> {
            let (store, filter) = (store.clone(), filter.clone());
            Box::pin(async move {
                store
                    .export_offerings_page(&filter, after.as_deref(), EXPORT_PAGE)
                    .await
            })
        },
        id_of: |(offering, _): &(Offering, String)| offering.id.clone(),
        row_of: Box::new(|(offering, provider_name): &(Offering, String)| {
            offerings::row(offering, provider_name)
        }),
    };
    export.respond(format).await
}

async fn export_needs(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    OriginalUri(uri): OriginalUri,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    let format = export_format(query.format.as_deref(), uri.path().ends_with(".xlsx"))?;
    let kind = trimmed(query.kind);
    let filter = NeedExport {
        district: trimmed(query.district),
        kind: parse_kind(kind.as_deref(), LinkageKind::parse, LinkageKind::expected)?,
        statuses: status_filter(&caller, query.status.as_deref())?,
        active_owners_only: caller.is_none(),
    };
    let store = app.store.clone();
    let district = filter.district.clone();
    let filter = std::sync::Arc::new(filter);
    let export = Export {
        what: "needs",
        district,
        columns: needs::COLUMNS.to_vec(),
        fetch: move |after: Option<String>| -> PageFuture<(Need, String)> {
            let (store, filter) = (store.clone(), filter.clone());
            Box::pin(async move {
                store
                    .export_needs_page(&filter, after.as_deref(), EXPORT_PAGE)
                    .await
            })
        },
        id_of: |(need, _): &(Need, String)| need.id.clone(),
        row_of: Box::new(|(need, owner_name): &(Need, String)| needs::row(need, owner_name)),
    };
    export.respond(format).await
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    allow_duplicate: bool,
}

impl From<ImportError> for AppError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Unreadable(why) => AppError::BadRequest(why),
            ImportError::Invalid(errors) => AppError::Validation(errors),
            too_many @ ImportError::TooManyRows { .. } => AppError::TooLarge(too_many.to_string()),
            ImportError::Duplicates(rows) => AppError::Conflict {
                message: "some rows look like records already registered (or like earlier rows); nothing was stored; repeat with ?allow_duplicate=true to import them anyway".into(),
                details: Some(json!({"rows": rows})),
            },
            ImportError::Store(error) => error.into(),
        }
    }
}

/// Bulk imports are for facilitators and admins.
fn require_importer(caller: &Caller) -> AppResult<()> {
    if caller.role.may_moderate() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "role `{}` may not import files; ask a facilitator",
            caller.role
        )))
    }
}

async fn import_stakeholders(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<ImportQuery>,
    body: SpreadsheetBody,
) -> AppResult<Response> {
    import_file(&app, &caller, Records::Stakeholders, &query, body).await
}

async fn import_offerings(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<ImportQuery>,
    body: SpreadsheetBody,
) -> AppResult<Response> {
    import_file(&app, &caller, Records::Offerings, &query, body).await
}

async fn import_needs(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<ImportQuery>,
    body: SpreadsheetBody,
) -> AppResult<Response> {
    import_file(&app, &caller, Records::Needs, &query, body).await
}

/// Creates a record per new row and changes the record each `id` names, all or none
/// (facilitators and admins); a dry run answers what would happen, row by row.
async fn import_file(
    app: &AppState,
    caller: &Caller,
    records: Records,
    query: &ImportQuery,
    body: SpreadsheetBody,
) -> AppResult<Response> {
    require_importer(caller)?;
    let options = ImportOptions {
        allow_duplicate: query.allow_duplicate,
        max_rows: MAX_HTTP_IMPORT_ROWS,
        format: body.format,
    };
    let plan = import::check(&app.store, records, &body.bytes, options, &mut |_| {}).await?;
    for (row, districts) in plan.write_rows.iter().zip(&plan.write_districts) {
        if let Some(district) = districts.iter().find(|d| !caller.may_act_in(d)) {
            return Err(AppError::Forbidden(format!(
                "row {row}: this token writes only in {}; `{district}` is not one of them",
                caller.districts.join(", "),
            )));
        }
    }
    if query.dry_run {
        return Ok(Json(plan.report()).into_response());
    }
    let plan = plan.into_storable()?;
    let unchanged = plan.unchanged;
    let (created, changed) = import::commit(
        &app.store,
        &plan,
        &Provenance::import(&caller.name),
        &mut || {},
    )
    .await?;
    let status = if created.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(json!({
            "created": created.len(),
            "ids": created,
            "changed": changed.len(),
            "changed_ids": changed,
            "unchanged": unchanged,
        })),
    )
        .into_response())
}
