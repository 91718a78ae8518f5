//! Error answers that many operations share, each once: `#[utoipa::path(responses(...))]` names
//! these types instead of repeating the status, description and examples. Every one carries the
//! contract's error body ([`ErrorReply`], the schema `Error`). An answer particular to one
//! operation stays written in its own attribute.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::RefOr;
use utoipa::openapi::response::Response;

use super::error::ErrorReply;

/// A request without a valid token where one is needed.
#[derive(IntoResponses)]
#[response(status = 401, description = r#"No token, or an unknown or revoked one."#, example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}}))]
pub struct Unauthorized(pub ErrorReply);

/// A body that is not JSON or UTF-8, or a query parameter of the wrong type.
#[derive(IntoResponses)]
#[response(status = 400, description = r#"Malformed request: the body is not valid JSON or UTF-8, or a query parameter has the wrong type."#, examples(("body" = (summary = r#"Broken JSON"#, value = json!({"error": {"code": "bad_request", "message": "the body is not valid JSON: EOF while parsing an object at line 1 column 9"}}))), ("query" = (summary = r#"limit=abc"#, value = json!({"error": {"code": "bad_request", "message": "bad query parameter: invalid digit found in string"}})))))]
pub struct Malformed(pub ErrorReply);

/// Well-formed input with wrong values, each named.
#[derive(IntoResponses)]
#[response(status = 422, description = r#"Well-formed JSON with wrong values. `fields` names every wrong field and why."#, examples(("stakeholder" = (summary = r#"Several fields wrong at once"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"contact.phone": "must be a 10-digit Indian mobile number, or a landline with its STD code (05442 252525), optionally with +91 or 0 before it", "district": "unknown district `up-atlantis`; see GET /api/v1/districts", "kind": "unknown kind `farmer`: must be one of micro_entrepreneur, shg, fpo, mfi, bank, rseti, line_department, ngo, buyer, other", "profile.age": "must be between 14 and 100"}}}))), ("offering" = (summary = r#"Amounts and ages"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"eligibility.max_age": "is below min_age (16 < 18)", "eligibility.min_amount_inr": "must be between ₹0 and ₹10 crore", "valid_until": "2020-03-31 is in the past"}}}))), ("query" = (summary = r#"limit=0"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"limit": "must be between 1 and 500"}}}))), ("patch" = (summary = r#"A typo in a PATCH"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"nmae": "unknown field; may be one of kind, name, name_local, district, districts_served, description, contact, profile, status"}}})))))]
pub struct Invalid(pub ErrorReply);

/// An id that names no record the caller may see.
#[derive(IntoResponses)]
#[response(status = 404, description = r#"No record with this id."#, example = json!({"error": {"code": "not_found", "message": "no stakeholder with this id"}}))]
pub struct NotFound(pub ErrorReply);

/// A role or district the token does not have.
#[derive(IntoResponses)]
#[response(status = 403, description = r#"The token's role may not do this, or the token is limited to districts and the record is in another."#, example = json!({"error": {"code": "forbidden", "message": "role `consultant` may not archive or approve records; ask a facilitator"}}))]
pub struct Forbidden(pub ErrorReply);

/// A body that is not JSON.
#[derive(IntoResponses)]
#[response(status = 415, description = r#"The body was not sent as JSON."#, example = json!({"error": {"code": "unsupported_media_type", "message": "send JSON with Content-Type: application/json"}}))]
pub struct NotJson(pub ErrorReply);

/// A JSON body over the limit.
#[derive(IntoResponses)]
#[response(status = 413, description = r#"The body is over 256 KiB."#, example = json!({"error": {"code": "payload_too_large", "message": "the request body is larger than 262144 bytes"}}))]
pub struct TooLarge(pub ErrorReply);

/// A write outside the token's districts or role.
#[derive(IntoResponses)]
#[response(status = 403, description = r#"The token is limited to districts and the record, or the district it names, is in another; or the token's role may not do this. Nothing changes."#, example = json!({"error": {"code": "forbidden", "message": "this token writes only in up-mirzapur; `up-bhadohi` is not one of them"}}))]
pub struct ForbiddenToWrite(pub ErrorReply);

/// A review by a role or district that may not do it.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = r#"The role may not review registrations (facilitators and admins do), or the registration is of a district the caller does not serve."#
)]
pub struct ForbiddenToReview(pub ErrorReply);

/// A query parameter of the wrong type, or one given twice.
#[derive(IntoResponses)]
#[response(status = 400, description = r#"Malformed query: a parameter of the wrong type, or one given twice."#, example = json!({"error": {"code": "bad_request", "message": "bad query parameter: duplicate field `lang`"}}))]
pub struct MalformedQuery(pub ErrorReply);

/// The database does not answer.
#[derive(IntoResponses)]
#[response(status = 503, description = r#"The database does not answer."#, example = json!({"error": {"code": "unavailable", "message": "the service is not ready: database error: pool timed out while waiting for an open connection"}}))]
pub struct Unavailable(pub ErrorReply);

/// An import file that is not what its type says.
#[derive(IntoResponses)]
#[response(status = 400, description = r#"The file is not what it claims: CSV not in UTF-8 (the message says how to save it), or a body that is not an Excel workbook (.xlsx)."#, example = json!({"error": {"code": "bad_request", "message": "the file is not UTF-8 (the first byte that is not is on line 3); in Excel choose Save As → \"CSV UTF-8 (Comma delimited)\""}}))]
pub struct UnreadableFile(pub ErrorReply);

/// Import rows that look like registered records.
#[derive(IntoResponses)]
#[response(status = 409, description = r#"Rows that look like registered stakeholders or earlier rows; nothing stored."#, example = json!({"error": {"code": "conflict", "message": "some rows look like stakeholders already registered (or like earlier rows); nothing was stored; repeat with ?allow_duplicate=true to import them anyway", "details": {"rows": [{"row": 3, "duplicates": [{"id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "name": "Sunita Devi", "reason": "same phone number"}]}, {"row": 5, "duplicates": [{"row": 2, "name": "Asha Devi", "reason": "same name in the same district as row 2 of this file"}]}]}}}))]
pub struct DuplicateRows(pub ErrorReply);

/// An import file over the limits.
#[derive(IntoResponses)]
#[response(status = 413, description = r#"Over 5 MiB, or over 5,000 rows."#, example = json!({"error": {"code": "payload_too_large", "message": "the file has more than 5000 rows; split it into files of at most 5000 rows"}}))]
pub struct FileTooLarge(pub ErrorReply);

/// An import body of another type.
#[derive(IntoResponses)]
#[response(status = 415, description = r#"Neither CSV nor an Excel workbook, and no `?format=`."#, example = json!({"error": {"code": "unsupported_media_type", "message": "send CSV with Content-Type: text/csv"}}))]
pub struct NotSpreadsheet(pub ErrorReply);

/// An id that names no registration under review.
#[derive(IntoResponses)]
#[response(
    status = 404,
    description = r#"No pending or reviewed registration with this id."#
)]
pub struct RegistrationNotFound(pub ErrorReply);

/// An import file with wrong shape or fields.
#[derive(IntoResponses)]
#[response(status = 422, description = r#"The file's shape (`file`, `header`, `rows[7]` for extra cells) or rows' fields are wrong; nothing stored."#, example = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"rows[4].contact.phone": "must be a 10-digit Indian mobile number, optionally with +91 or 0 before it", "rows[6].district": "unknown district `up-mirzpur`; see GET /api/v1/districts"}}}))]
pub struct InvalidFile(pub ErrorReply);

/// A record added to an archived stakeholder.
#[derive(IntoResponses)]
#[response(status = 409, description = r#"The stakeholder is archived; restore it first."#, example = json!({"error": {"code": "conflict", "message": "the stakeholder is archived; restore it first"}}))]
pub struct OwnerArchived(pub ErrorReply);

/// Writers queued longer than the store waits.
#[derive(IntoResponses)]
#[response(status = 503, description = r#"The registry is busy (other changes queued, or linkages kept moving while the round was planned); nothing was changed: send it again after `Retry-After` seconds."#, example = json!({"error": {"code": "busy", "message": "the registry is busy with other changes; nothing was changed, please send this again in a moment"}}))]
pub struct Busy(pub ErrorReply);

/// Too many requests from one address.
#[derive(IntoResponses)]
#[response(status = 429, description = r#"Too many requests from this address; wait a few seconds."#, example = json!({"error": {"code": "rate_limited", "message": "too many requests; wait a little and try again"}}))]
pub struct RateLimited(pub ErrorReply);

/// A body that is not JSON or UTF-8.
#[derive(IntoResponses)]
#[response(status = 400, description = r#"The body is not valid JSON or UTF-8."#)]
pub struct MalformedBody(pub ErrorReply);

/// A body that is not JSON (no example).
#[derive(IntoResponses)]
#[response(status = 415, description = r#"The body was not sent as JSON."#)]
pub struct NotJsonBody(pub ErrorReply);

/// A wrong field of a small body.
#[derive(IntoResponses)]
#[response(
    status = 422,
    description = r#"A field of the body is wrong; `fields` says which and why."#
)]
pub struct InvalidField(pub ErrorReply);

/// Answers that several operations give together, as one name in `responses(...)`.
macro_rules! answers {
    ($(#[$meta:meta])* $name:ident = $($part:ident),+) => {
        $(#[$meta])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                let mut all = BTreeMap::new();
                $(all.extend(<$part as IntoResponses>::responses());)+
                all
            }
        }
    };
}

answers!(
    /// What any write with a JSON body may be refused with.
    JsonWriteErrors = Malformed, Unauthorized, TooLarge, NotJson, Invalid
);
answers!(
    /// What an import of a CSV file or workbook may be refused with.
    ImportErrors = UnreadableFile, Unauthorized, Forbidden, DuplicateRows, FileTooLarge,
        NotSpreadsheet, InvalidFile
);

/// Every shared answer with its name, for the document's `components.responses`: an
/// operation's answer that is one of these is served as a `$ref` to it, so each is written once
/// in the document too (see `openapi::document`).
pub fn shared() -> Vec<(&'static str, BTreeMap<String, RefOr<Response>>)> {
    macro_rules! named {
        ($($name:ident),+ $(,)?) => {
            vec![$((stringify!($name), <$name as IntoResponses>::responses())),+]
        };
    }
    named![
        Unauthorized,
        Malformed,
        Invalid,
        NotFound,
        Forbidden,
        NotJson,
        TooLarge,
        ForbiddenToWrite,
        ForbiddenToReview,
        MalformedQuery,
        Unavailable,
        UnreadableFile,
        DuplicateRows,
        FileTooLarge,
        NotSpreadsheet,
        RegistrationNotFound,
        InvalidFile,
        OwnerArchived,
        Busy,
        RateLimited,
        MalformedBody,
        NotJsonBody,
        InvalidField,
    ]
}
