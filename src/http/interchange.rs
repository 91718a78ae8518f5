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

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, OriginalUri, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderName};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{
    Authenticated, MAX_CSV_BODY_BYTES, MaybeCaller, QueryParams, SpreadsheetBody, XLSX_MEDIA_TYPE,
    query_word,
};
use super::stakeholders::status_filter;
use crate::app::interchange::{self, Export, ExportPage, ExportRequest, Imported};
use crate::domain::access::Caller;
use crate::interchange::import::{self, ImportOptions, MAX_HTTP_IMPORT_ROWS, Records};
use crate::interchange::table::{BYTE_ORDER_MARK, defuse};
use crate::interchange::xlsx::{self, XlsxWriter};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_stakeholders))
        .routes(routes!(export_stakeholders_xlsx))
        .routes(routes!(export_offerings))
        .routes(routes!(export_offerings_xlsx))
        .routes(routes!(export_needs))
        .routes(routes!(export_needs_xlsx))
        .routes(large_body(routes!(import_stakeholders)))
        .routes(large_body(routes!(import_offerings)))
        .routes(large_body(routes!(import_needs)))
}

/// Imports take files larger than the JSON API's body limit.
fn large_body(
    (schemas, paths, method_router): UtoipaMethodRouter<AppState>,
) -> UtoipaMethodRouter<AppState> {
    let method_router = method_router.layer(DefaultBodyLimit::max(MAX_CSV_BODY_BYTES));
    (schemas, paths, method_router)
}

#[derive(Deserialize)]
struct ExportQuery {
    district: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    format: Option<String>,
}

/// How an export is written: CSV (streamed) or an Excel workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Csv,
    Xlsx,
}

/// `?format=csv|xlsx`; a path ending in `.xlsx` means xlsx too.
fn export_format(requested: Option<&str>, xlsx_path: bool) -> AppResult<ExportFormat> {
    match query_word("format", requested)? {
        None if xlsx_path => Ok(ExportFormat::Xlsx),
        None | Some("csv") => Ok(ExportFormat::Csv),
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        Some(other) => Err(AppError::field(
            "format",
            format!("unknown format `{other}`: csv or xlsx"),
        )),
    }
}

/// Answers an export of `records` as the query asks: the use case decides what the caller sees,
/// this writes it as a download.
async fn export_file(
    app: &AppState,
    caller: Option<Caller>,
    uri: &axum::http::Uri,
    query: ExportQuery,
    records: Records,
) -> AppResult<Response> {
    let format = export_format(query.format.as_deref(), uri.path().ends_with(".xlsx"))?;
    let statuses = status_filter(&caller, query.status.as_deref())?;
    let request = ExportRequest {
        records,
        district: query.district,
        kind: query_word("kind", query.kind.as_deref())?.map(str::to_string),
        statuses,
    };
    let export = interchange::export(&app.store, caller.as_ref(), request)?;
    match format {
        ExportFormat::Csv => csv(export).await,
        ExportFormat::Xlsx => xlsx(export).await,
    }
}

/// A download named after what it holds: `sangam-stakeholders-up-mirzapur.csv`.
fn download_headers(
    export: &Export,
    extension: &str,
    content_type: &str,
) -> [(HeaderName, String); 2] {
    let place: String = export
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
                export.records().noun()
            ),
        ),
    ]
}

/// CSV sent page by page as it is read: memory stays flat however many records there are.
/// The first page is read before answering, so a failing store is still a clean error; a
/// failure later cuts the transfer short (the client sees an incomplete download, never a
/// file that looks whole).
async fn csv(export: Export) -> AppResult<Response> {
    let first = export.page(None).await?;
    let headers = download_headers(&export, "csv", "text/csv; charset=utf-8");
    let mut head = BYTE_ORDER_MARK.as_bytes().to_vec();
    head.extend(csv_lines(std::iter::once(
        export.columns().iter().map(|c| c.to_string()).collect(),
    ))?);
    let head = Bytes::from(head);
    /// What the stream sends next.
    enum Next {
        Page(ExportPage),
        After(String),
        Done,
    }
    let pages = futures_util::stream::unfold(
        (export, Next::Page(first)),
        |(export, next)| async move {
            let page = match next {
                Next::Done => return None,
                Next::Page(page) => page,
                Next::After(after) => match export.page(Some(&after)).await {
                    Ok(page) => page,
                    Err(error) => {
                        tracing::error!(%error, "an export failed part way; the transfer is cut short");
                        let cut = Err(std::io::Error::other(error.to_string()));
                        return Some((cut, (export, Next::Done)));
                    }
                },
            };
            let chunk = csv_lines(page.rows.into_iter())
                .map(Bytes::from)
                .map_err(|e| std::io::Error::other(e.to_string()));
            let next = match (&chunk, page.next) {
                (Ok(_), Some(after)) => Next::After(after),
                _ => Next::Done,
            };
            Some((chunk, (export, next)))
        },
    );
    // Fused: the gzip layer polls the body once more after its end, which `unfold` answers
    // with a panic (the transfer was cut for every client that accepts gzip).
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(head) })
        .chain(pages)
        .fuse();
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
async fn xlsx(export: Export) -> AppResult<Response> {
    let first = export.page(None).await?;
    let what = export.records().noun();
    let writer = XlsxWriter::new(what, &export.columns())
        .map_err(|e| AppError::fault("starting a workbook", e))?;
    let headers = download_headers(&export, "xlsx", XLSX_MEDIA_TYPE);
    let (chunks, received) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    tokio::spawn(async move {
        if let Err(error) = write_xlsx(export, first, writer, chunks.clone()).await {
            tracing::error!(%error, what, "an Excel export failed part way; the transfer is cut short");
            let _ = chunks.send(Err(std::io::Error::other(error))).await;
        }
    });
    // Fused, as the CSV body is: the gzip layer polls once more after the end.
    let body = futures_util::stream::unfold(received, |mut received| async move {
        received.recv().await.map(|chunk| (chunk, received))
    })
    .fuse();
    Ok((headers, Body::from_stream(body)).into_response())
}

/// Writes `first` and every page after it into `writer`, then the workbook into `chunks`.
async fn write_xlsx(
    export: Export,
    first: ExportPage,
    mut writer: XlsxWriter,
    chunks: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
) -> Result<(), String> {
    let mut page = first;
    let mut rows = 0usize;
    loop {
        if chunks.is_closed() {
            return Ok(()); // the client went away
        }
        rows += page.rows.len();
        if rows > xlsx::MAX_ROWS {
            return Err(format!(
                "more than {} rows do not fit in one Excel worksheet",
                xlsx::MAX_ROWS
            ));
        }
        let cells = page.rows;
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
        let Some(after) = page.next else { break };
        page = export.page(Some(&after)).await.map_err(|e| e.to_string())?;
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
            .map_err(|e| AppError::fault("writing an export", e))?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::fault("writing an export", e))
}

/// `/export/stakeholders.xlsx`: the same export, a workbook unless `format=csv`.
#[utoipa::path(
    get,
    path = "/export/stakeholders.xlsx",
    tag = "interchange",
    operation_id = "exportStakeholdersXlsx",
    summary = r#"Stakeholders as an Excel workbook"#,
    description = r#"The same rows and columns as the CSV export, as an Excel workbook (.xlsx): a bold header row frozen in view, columns sized to what they hold (up to 60 characters), text as text (Devanagari; phone numbers keep their `+91`; a cell starting with `=` stays text, with no apostrophe), counts and rupee amounts as numbers (amounts grouped in lakhs and crores), dates (`valid_until`, `starts_on`) as dates shown dd-mm-yyyy, `created_at`/`updated_at` as date-times (UTC). The workbook is written row by row to a temporary file (constant memory) and then streamed in chunks; the first bytes come once every row is written. More rows than one worksheet holds (1,048,575) cut the transfer short (an incomplete download; the 200 has been sent): narrow the export or take CSV. Same filters and visibility as the CSV export."#,
    params(
        ("district" = Option<String>, Query, description = r#"District code. Stakeholders based in or serving it; offerings serving it. An unknown code gives a header row only."#, example = json!("up-mirzapur")),
        ("kind" = inline(Option<crate::http::openapi::StakeholderKindOrEmpty>), Query, description = r#"Only this kind."#),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
    ),
    responses(
        (status = 200, description = r#"The workbook."#, content((crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = r#"`attachment; filename="sangam-stakeholders-<district or all>.xlsx"`"#))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn export_stakeholders_xlsx(
    state: State<AppState>,
    caller: MaybeCaller,
    uri: OriginalUri,
    query: QueryParams<ExportQuery>,
) -> AppResult<Response> {
    export_stakeholders(state, caller, uri, query).await
}

#[utoipa::path(
    get,
    path = "/export/stakeholders.csv",
    tag = "interchange",
    operation_id = "exportStakeholdersCsv",
    summary = r#"Stakeholders as a CSV file for Excel"#,
    description = r#"One row per stakeholder, oldest first. UTF-8 with a byte-order mark (so Excel shows Devanagari), CRLF line ends, a header row of stable snake_case names: `id, kind, name, name_local, district, districts_served, description, [contact_person, contact_phone, contact_email, gender, age, social_category, shg_member, block,] sector, stage, members, linkage_limit, status, created_via, created_by, created_at, updated_at, demo`. Lists (`districts_served`) are joined with `;`, yes/no cells are `yes`/`no`, and a cell starting with `=`, `+`, `-` or `@` (phones included) gets a leading `'` so a spreadsheet does not run it as a formula. Without a token: active records only and none of the bracketed columns (contact details, and a person's gender, age, social category, SHG membership and block, which are personal data); with one, every column, and `status=` as in the listing. The same columns import with `POST /api/v1/import/stakeholders`. CSV is sent page by page as the store is read (500 records at a time), so memory stays flat however large the export; should the store fail part way, the transfer is cut short rather than ending like a whole file."#,
    params(
        ("district" = Option<String>, Query, description = r#"District code. Stakeholders based in or serving it; offerings serving it. An unknown code gives a header row only."#, example = json!("up-mirzapur")),
        ("kind" = inline(Option<crate::http::openapi::StakeholderKindOrEmpty>), Query, description = r#"Only this kind."#),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
        ("format" = inline(Option<crate::http::openapi::ExportFormatParam>), Query, description = r#"`xlsx` answers an Excel workbook instead of CSV (the `.xlsx` path does too)."#),
    ),
    responses(
        (status = 200, description = r#"The CSV file."#, content((String = "text/csv", example = json!("﻿id,kind,name,name_local,district,districts_served,description,sector,stage,members,linkage_limit,status,created_via,created_by,created_at,updated_at,demo\r\nst_01936b2f5c8e7a41b9d2e3f4a5b6c7d8,micro_entrepreneur,Sunita Devi,सुनीता देवी,up-mirzapur,up-mirzapur,Runs a tailoring unit from home.,tailoring,early,,,active,api,MEC Mirzapur,2026-11-23T07:41:12.345Z,2026-11-23T07:41:12.345Z,no\r\n")), (crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = r#"`attachment; filename="sangam-…-<district or all>.csv"`"#))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn export_stakeholders(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    OriginalUri(uri): OriginalUri,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    export_file(&app, caller, &uri, query, Records::Stakeholders).await
}

/// `/export/offerings.xlsx`: the same export, a workbook unless `format=csv`.
#[utoipa::path(
    get,
    path = "/export/offerings.xlsx",
    tag = "interchange",
    operation_id = "exportOfferingsXlsx",
    summary = r#"Offerings as an Excel workbook"#,
    description = r#"The same rows and columns as the CSV export, as an Excel workbook (.xlsx): a bold header row frozen in view, columns sized to what they hold (up to 60 characters), text as text (Devanagari; phone numbers keep their `+91`; a cell starting with `=` stays text, with no apostrophe), counts and rupee amounts as numbers (amounts grouped in lakhs and crores), dates (`valid_until`, `starts_on`) as dates shown dd-mm-yyyy, `created_at`/`updated_at` as date-times (UTC). The workbook is written row by row to a temporary file (constant memory) and then streamed in chunks; the first bytes come once every row is written. More rows than one worksheet holds (1,048,575) cut the transfer short (an incomplete download; the 200 has been sent): narrow the export or take CSV. Same filters and visibility as the CSV export."#,
    params(
        ("district" = Option<String>, Query, description = r#"District code. Stakeholders based in or serving it; offerings serving it. An unknown code gives a header row only."#, example = json!("up-mirzapur")),
        ("kind" = inline(Option<crate::http::openapi::LinkageKindOrEmpty>), Query, description = r#"Only this linkage kind."#),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
    ),
    responses(
        (status = 200, description = r#"The workbook."#, content((crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = r#"`attachment; filename="sangam-offerings-<district or all>.xlsx"`"#))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn export_offerings_xlsx(
    state: State<AppState>,
    caller: MaybeCaller,
    uri: OriginalUri,
    query: QueryParams<ExportQuery>,
) -> AppResult<Response> {
    export_offerings(state, caller, uri, query).await
}

#[utoipa::path(
    get,
    path = "/export/offerings.csv",
    tag = "interchange",
    operation_id = "exportOfferingsCsv",
    summary = r#"Offerings as a CSV file for Excel"#,
    description = r#"One row per offering, oldest first, in the same file conventions as the stakeholder export. Columns: `id, provider_id, provider_name, kind, title, description, sectors, districts, gender, min_age, max_age, social_categories, shg_member_required, min_amount_inr, max_amount_inr, stages, interest_rate_pct, tenure_months, duration_days, seats, starts_on, budget_inr, valid_until, status, created_via, created_by, created_at, updated_at, demo` (lists joined with `;`). Without a token: active offerings of active providers; with one, `status=` as in the listings. Offerings carry no contact details. The same columns import with `POST /api/v1/import/offerings`. CSV is sent page by page as the store is read (500 records at a time), so memory stays flat however large the export; should the store fail part way, the transfer is cut short rather than ending like a whole file."#,
    params(
        ("district" = Option<String>, Query, description = r#"District code. Stakeholders based in or serving it; offerings serving it. An unknown code gives a header row only."#, example = json!("up-mirzapur")),
        ("kind" = inline(Option<crate::http::openapi::LinkageKindOrEmpty>), Query, description = r#"Only this linkage kind."#),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
        ("format" = inline(Option<crate::http::openapi::ExportFormatParam>), Query, description = r#"`xlsx` answers an Excel workbook instead of CSV (the `.xlsx` path does too)."#),
    ),
    responses(
        (status = 200, description = r#"The CSV file."#, content((String = "text/csv", example = json!("﻿id,provider_id,provider_name,kind,title,…\r\nof_0193…,st_0193…,\"State Bank of India, Gyanpur\",finance,MUDRA Shishu loan,…\r\n")), (crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = r#"`attachment; filename="sangam-…-<district or all>.csv"`"#))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn export_offerings(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    OriginalUri(uri): OriginalUri,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    export_file(&app, caller, &uri, query, Records::Offerings).await
}

/// `/export/needs.xlsx`: the same export, a workbook unless `format=csv`.
#[utoipa::path(
    get,
    path = "/export/needs.xlsx",
    tag = "interchange",
    operation_id = "exportNeedsXlsx",
    summary = r#"Needs as an Excel workbook"#,
    description = r#"The same rows and columns as the CSV export, as an Excel workbook (.xlsx): a bold header row frozen in view, columns sized to what they hold (up to 60 characters), text as text (Devanagari; phone numbers keep their `+91`; a cell starting with `=` stays text, with no apostrophe), counts and rupee amounts as numbers (amounts grouped in lakhs and crores), dates (`valid_until`, `starts_on`) as dates shown dd-mm-yyyy, `created_at`/`updated_at` as date-times (UTC). The workbook is written row by row to a temporary file (constant memory) and then streamed in chunks; the first bytes come once every row is written. More rows than one worksheet holds (1,048,575) cut the transfer short (an incomplete download; the 200 has been sent): narrow the export or take CSV. Same filters and visibility as the CSV export."#,
    params(
        ("district" = Option<String>, Query, description = r#"District code of the stakeholders with the needs."#, example = json!("up-mirzapur")),
        ("kind" = inline(Option<crate::http::openapi::LinkageKindOrEmpty>), Query, description = r#"Only this linkage kind."#),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
    ),
    responses(
        (status = 200, description = r#"The workbook."#, content((crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = r#"`attachment; filename="sangam-needs-<district or all>.xlsx"`"#))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn export_needs_xlsx(
    state: State<AppState>,
    caller: MaybeCaller,
    uri: OriginalUri,
    query: QueryParams<ExportQuery>,
) -> AppResult<Response> {
    export_needs(state, caller, uri, query).await
}

#[utoipa::path(
    get,
    path = "/export/needs.csv",
    tag = "interchange",
    operation_id = "exportNeedsCsv",
    summary = r#"Needs as a CSV file for Excel"#,
    description = r#"One row per need, oldest first, in the same file conventions as the stakeholder export. Columns: `id, stakeholder_id, stakeholder_name, district, kind, title, description, sector, amount_inr, status, created_via, created_by, created_at, updated_at, demo`. `district` filters by the district the stakeholder with the need is based in. Without a token: active needs of active stakeholders; with one, `status=` as in the listings. CSV is sent page by page as the store is read (500 records at a time), so memory stays flat however large the export; should the store fail part way, the transfer is cut short rather than ending like a whole file."#,
    params(
        ("district" = Option<String>, Query, description = r#"District code of the stakeholders with the needs."#, example = json!("up-mirzapur")),
        ("kind" = inline(Option<crate::http::openapi::LinkageKindOrEmpty>), Query, description = r#"Only this linkage kind."#),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
        ("format" = inline(Option<crate::http::openapi::ExportFormatParam>), Query, description = r#"`xlsx` answers an Excel workbook instead of CSV (the `.xlsx` path does too)."#),
    ),
    responses(
        (status = 200, description = r#"The CSV file."#, content((String = "text/csv", example = json!("﻿id,stakeholder_id,stakeholder_name,district,kind,title,description,sector,amount_inr,status,created_via,created_by,created_at,updated_at,demo\r\nne_0193…,st_0193…,Sunita Devi,up-mirzapur,finance,Loan for two sewing machines,,tailoring,45000,active,api,MEC Mirzapur,2026-11-23T07:41:12.345Z,2026-11-23T07:41:12.345Z,no\r\n")), (crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = r#"`attachment; filename="sangam-needs-<district or all>.csv"`"#))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn export_needs(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    OriginalUri(uri): OriginalUri,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    export_file(&app, caller, &uri, query, Records::Needs).await
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    allow_duplicate: bool,
}

#[utoipa::path(
    post,
    path = "/import/stakeholders",
    tag = "interchange",
    operation_id = "importStakeholders",
    summary = r#"Create and change stakeholders from a CSV or Excel file, all or nothing"#,
    description = r#"Stakeholders from a CSV or Excel file with the columns of the stakeholders export (`kind`, `name` and `district` required; `status`, `created_*`, `updated_at` and `demo` accepted and ignored). Rows are validated exactly as `POST /api/v1/stakeholders` validates them; a new row with the same phone, or the same name in the same district, as a registered stakeholder or an earlier row is refused as a duplicate unless `allow_duplicate=true` (then stored with `possible_duplicates`). A row whose `id` names an existing record changes it: the row's columns are laid over the record as a merge patch (a column the file lacks leaves its field alone, an empty cell clears it) and validated as `PATCH` validates it; a row that changes nothing is left alone; one record named by two rows is refused. Any other row creates a record (an `id` naming no record, as in a file exported from another server, is not kept). A file with an `id` column need not have the required columns (rows that create still need their values). Errors are keyed by row and field (`rows[4].contact.phone`). If any row is refused nothing is stored (422, or 409 for duplicates); otherwise everything is stored in one transaction (change-log entries included, so search sees it). At most 5 MiB and 5,000 rows (the command line takes 100,000)."#,
    params(
        ("dry_run" = Option<bool>, Query, description = r#"`true` checks the file and answers what each row would do (created, changed field by field, unchanged, refused), storing nothing; a dry run answers 200 even when rows would be refused."#),
        ("allow_duplicate" = Option<bool>, Query, description = r#"`true` stores new rows that look like registered records too."#),
        ("format" = inline(Option<crate::http::openapi::ExportFormatParam>), Query, description = r#"`xlsx` reads the body as an Excel workbook whatever its content type; `csv` as CSV."#),
    ),
    request_body(description = r#"CSV (`text/csv`; also `application/csv`, `text/plain`, `application/vnd.ms-excel`), UTF-8; or an Excel workbook (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, or any type with `?format=xlsx`; a zip body is taken for a workbook), whose first sheet is read: numbers as shown (whole numbers without a decimal point, so a phone typed as a number keeps its digits), dates as `YYYY-MM-DD`, TRUE/FALSE as yes/no; a cell showing a spreadsheet error (`#N/A`) is refused by row."#, content((String = "text/csv", example = json!("kind,name,name_local,district,contact_phone,gender,age,sector,block\nmicro_entrepreneur,Sunita Devi,सुनीता देवी,up-mirzapur,98765 43210,female,31,tailoring,Chhanbey\nbank,\"Bank of Baroda, Gyanpur\",,up-bhadohi,,,,,\n")), (crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (crate::http::openapi::Binary = "application/octet-stream"))),
    responses(
        (status = 200, description = r#"A dry run's report; or, stored for real, a file that only changed (or left alone) existing records."#, content((ImportReply = "application/json"))),
        (status = 201, description = r#"Every row stored in one transaction; at least one record created."#, content((ImportResult = "application/json"))),
        crate::http::responses::UnreadableFile,
        crate::http::responses::Unauthorized,
        crate::http::responses::Forbidden,
        crate::http::responses::DuplicateRows,
        crate::http::responses::FileTooLarge,
        crate::http::responses::NotSpreadsheet,
        (status = 422, description = r#"The file's shape (`file`, `header`, `rows[7]` for extra cells) or rows' fields are wrong; nothing stored."#, content((crate::http::error::ErrorReply = "application/json", example = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"rows[4].contact.phone": "must be a 10-digit Indian mobile number, or a landline with its STD code (05442 252525), optionally with +91 or 0 before it", "rows[6].district": "unknown district `up-mirzpur`; see GET /api/v1/districts"}}})))),
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
async fn import_stakeholders(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<ImportQuery>,
    body: SpreadsheetBody,
) -> AppResult<Response> {
    import_file(&app, &caller, Records::Stakeholders, &query, body).await
}

#[utoipa::path(
    post,
    path = "/import/offerings",
    tag = "interchange",
    operation_id = "importOfferings",
    summary = r#"Create and change offerings from a CSV or Excel file, all or nothing"#,
    description = r#"Offerings from a CSV or Excel file with the columns of the offerings export (`kind` and `title` required; `provider_id` for new rows: a stakeholder that exists and is not archived). New rows are validated as `POST /api/v1/stakeholders/{provider_id}/offerings` validates them and start in the provider's status; a new row with the same provider, kind and title (case and spacing ignored) as an offering that is not archived, or as an earlier row, is refused as a duplicate unless `allow_duplicate=true`. An offering cannot move to another provider. A row whose `id` names an existing record changes it: the row's columns are laid over the record as a merge patch (a column the file lacks leaves its field alone, an empty cell clears it) and validated as `PATCH` validates it; a row that changes nothing is left alone; one record named by two rows is refused. Any other row creates a record (an `id` naming no record, as in a file exported from another server, is not kept). A file with an `id` column need not have the required columns (rows that create still need their values). Errors are keyed by row and field (`rows[4].contact.phone`). If any row is refused nothing is stored (422, or 409 for duplicates); otherwise everything is stored in one transaction (change-log entries included, so search sees it). At most 5 MiB and 5,000 rows (the command line takes 100,000)."#,
    params(
        ("dry_run" = Option<bool>, Query, description = r#"`true` checks the file and answers what each row would do (created, changed field by field, unchanged, refused), storing nothing; a dry run answers 200 even when rows would be refused."#),
        ("allow_duplicate" = Option<bool>, Query, description = r#"`true` stores new rows that look like registered records too."#),
        ("format" = inline(Option<crate::http::openapi::ExportFormatParam>), Query, description = r#"`xlsx` reads the body as an Excel workbook whatever its content type; `csv` as CSV."#),
    ),
    request_body(description = r#"CSV (`text/csv`; also `application/csv`, `text/plain`, `application/vnd.ms-excel`), UTF-8; or an Excel workbook (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, or any type with `?format=xlsx`; a zip body is taken for a workbook), whose first sheet is read: numbers as shown (whole numbers without a decimal point, so a phone typed as a number keeps its digits), dates as `YYYY-MM-DD`, TRUE/FALSE as yes/no; a cell showing a spreadsheet error (`#N/A`) is refused by row."#, content((String = "text/csv", example = json!("provider_id,kind,title,sectors,gender,min_amount_inr,max_amount_inr,stages,interest_rate_pct,tenure_months,valid_until\nst_01936b2f5c8e7a41b9d2e3f4a5b6c7d8,finance,MUDRA Shishu loan for women tailors,tailoring,female,10000,50000,idea;early,9.5,36,2027-03-31\n")), (crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (crate::http::openapi::Binary = "application/octet-stream"))),
    responses(
        (status = 200, description = r#"A dry run's report; or, stored for real, a file that only changed (or left alone) existing records."#, content((ImportReply = "application/json"))),
        (status = 201, description = r#"Every row stored in one transaction; at least one record created."#, content((ImportResult = "application/json"))),
        crate::http::responses::ImportErrors,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
async fn import_offerings(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<ImportQuery>,
    body: SpreadsheetBody,
) -> AppResult<Response> {
    import_file(&app, &caller, Records::Offerings, &query, body).await
}

#[utoipa::path(
    post,
    path = "/import/needs",
    tag = "interchange",
    operation_id = "importNeeds",
    summary = r#"Create and change needs from a CSV or Excel file, all or nothing"#,
    description = r#"Needs from a CSV or Excel file with the columns of the needs export (`kind` and `title` required). The owner of a new need is named by `stakeholder_id`, or by `stakeholder_phone`: the phone (any common spelling) of exactly one registered stakeholder that is not archived. New rows are validated as `POST /api/v1/stakeholders/{id}/needs` validates them and start in the owner's status. A need cannot move to another stakeholder. A row whose `id` names an existing record changes it: the row's columns are laid over the record as a merge patch (a column the file lacks leaves its field alone, an empty cell clears it) and validated as `PATCH` validates it; a row that changes nothing is left alone; one record named by two rows is refused. Any other row creates a record (an `id` naming no record, as in a file exported from another server, is not kept). A file with an `id` column need not have the required columns (rows that create still need their values). Errors are keyed by row and field (`rows[4].contact.phone`). If any row is refused nothing is stored (422, or 409 for duplicates); otherwise everything is stored in one transaction (change-log entries included, so search sees it). At most 5 MiB and 5,000 rows (the command line takes 100,000)."#,
    params(
        ("dry_run" = Option<bool>, Query, description = r#"`true` checks the file and answers what each row would do (created, changed field by field, unchanged, refused), storing nothing; a dry run answers 200 even when rows would be refused."#),
        ("allow_duplicate" = Option<bool>, Query, description = r#"`true` stores new rows that look like registered records too."#),
        ("format" = inline(Option<crate::http::openapi::ExportFormatParam>), Query, description = r#"`xlsx` reads the body as an Excel workbook whatever its content type; `csv` as CSV."#),
    ),
    request_body(description = r#"CSV (`text/csv`; also `application/csv`, `text/plain`, `application/vnd.ms-excel`), UTF-8; or an Excel workbook (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, or any type with `?format=xlsx`; a zip body is taken for a workbook), whose first sheet is read: numbers as shown (whole numbers without a decimal point, so a phone typed as a number keeps its digits), dates as `YYYY-MM-DD`, TRUE/FALSE as yes/no; a cell showing a spreadsheet error (`#N/A`) is refused by row."#, content((String = "text/csv", example = json!("stakeholder_id,stakeholder_phone,kind,title,sector,amount_inr\nst_01936b2f5c8e7a41b9d2e3f4a5b6c7d8,,finance,Loan for a buffalo,dairy,60000\n,+91 98765 43210,training,सिलाई प्रशिक्षण,tailoring,\n")), (crate::http::openapi::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (crate::http::openapi::Binary = "application/octet-stream"))),
    responses(
        (status = 200, description = r#"A dry run's report; or, stored for real, a file that only changed (or left alone) existing records."#, content((ImportReply = "application/json"))),
        (status = 201, description = r#"Every row stored in one transaction; at least one record created."#, content((ImportResult = "application/json"))),
        crate::http::responses::ImportErrors,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
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
    let options = ImportOptions {
        allow_duplicate: query.allow_duplicate,
        max_rows: MAX_HTTP_IMPORT_ROWS,
        format: body.format,
    };
    let imported = interchange::import_file(
        &app.store,
        caller,
        records,
        &body.bytes,
        options,
        query.dry_run,
        &mut |_| {},
    )
    .await?;
    let stored = match imported {
        Imported::Checked(plan) => {
            return Ok(Json(ImportReply::Report(plan.report())).into_response());
        }
        Imported::Stored(stored) => stored,
    };
    let status = if stored.created.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(ImportReply::Result(ImportResult {
            created: stored.created.len(),
            ids: stored.created,
            changed: stored.changed.len(),
            changed_ids: stored.changed,
            unchanged: stored.unchanged,
        })),
    )
        .into_response())
}

/// What a stored import did.
#[derive(Serialize, ToSchema)]
struct ImportResult {
    created: usize,
    /// New ids in row order.
    ids: Vec<String>,
    changed: usize,
    /// Ids of the changed records in row order.
    changed_ids: Vec<String>,
    unchanged: usize,
}

/// An import's answer: a dry run's report, or what was stored.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
enum ImportReply<'a> {
    Report(import::ImportReport<'a>),
    Result(ImportResult),
}
