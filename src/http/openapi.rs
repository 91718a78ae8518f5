//! The OpenAPI document served at `/api/v1/openapi.json`, generated from the code.
//!
//! Each API handler carries a `#[utoipa::path]` attribute (method, path, parameters, request
//! body, every status code it answers, security) and is registered with utoipa-axum's `routes!`,
//! which adds the route to the router and its description to the document in one step: a route
//! cannot be served undocumented. The schemas of bodies come from the Rust types themselves
//! (`#[derive(ToSchema)]`), named in each handler's attribute; this module adds what belongs to
//! the document as a whole (the introduction, tags, servers and security schemes) and the few
//! schemas that are not one Rust type: a merge patch of each record and the binary bodies.

use std::sync::OnceLock;

use serde_json::Value;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{KnownFormat, Ref, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use super::registrations::PublicWriteBudget;
use super::{Limits, documented_routes};
use crate::domain::access::Role;
use crate::domain::meeting::{LinkageStatus, MeetingInput};
use crate::domain::need::NeedInput;
use crate::domain::offering::{LinkageKind, OfferingInput};
use crate::domain::record::{Origin, Status};
use crate::domain::stakeholder::{
    Gender, SocialCategory, Stage, StakeholderInput, StakeholderKind,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sangam API",
        version = "0.1.0",
        description = include_str!("openapi/intro.md"),
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "http://127.0.0.1:8080", description = r#"`sangam serve` with its default `--bind`"#)),
    tags(
        (name = "sessions", description = r#"People signing in to the pages: a session cookie (`sangam_session`) instead of a bearer token. A signed-in person is checked by the same rules as a token of their role and districts. Any change made with the cookie must carry `X-CSRF-Token` (the `csrf_token` of `GET /api/v1/session`); bearer-token calls need none."#),
        (name = "health", description = r#"For process supervisors and load balancers."#),
        (name = "docs", description = r#"This document."#),
        (name = "geography", description = r#"States, districts, blocks and sectors: public reference data. Use these codes in stakeholders, offerings and needs."#),
        (name = "stakeholders", description = r#"Entrepreneurs, SHGs, FPOs, lenders, trainers, buyers, departments, NGOs."#),
        (name = "offerings", description = r#"What providers give: finance, training, market, scheme."#),
        (name = "needs", description = r#"What entrepreneurs and groups ask for: finance, training, market, scheme."#),
        (name = "registrations", description = r#"Public self-registration, e.g. from a web form on a phone."#),
        (name = "search", description = r#"Full-text search over offerings, needs and stakeholders."#),
        (name = "meetings", description = r#"Coalition meetings: suggested linkages with reasons, gaps, whom to invite, the printable briefing, and each linkage's lifecycle."#),
        (name = "interchange", description = r#"The registry as CSV files for spreadsheets: export, and import checked whole before anything is stored."#),
        (name = "hsds", description = r#"The offerings as an Open Referral HSDS 3.0 feed, for directories and referral tools."#),
        (name = "admin", description = r#"For admin tokens only: how notifications to people are being delivered, and which were given up."#)
    ),
    components(schemas(
        StakeholderKind, LinkageKind, Status, Origin, Role, Gender, SocialCategory, Stage,
        LinkageStatus,
    )),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

/// A bearer token (`sangam token create`) or the pages' session cookie.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "sessionCookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "sangam_session",
                r#"Set by `POST /api/v1/session` or the sign-in page. Accepted wherever a bearer token is, with the person's role and districts; a request that changes anything must also send `X-CSRF-Token` (the `csrf_token` of `GET /api/v1/session`), or it is refused 403 and changes nothing."#,
            ))),
        );
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("sgm_ followed by 64 hex characters".into());
        bearer.description = Some(
            r#"Make a token on the server's machine with `sangam token create --role admin|facilitator|consultant --name NAME [--district CODE ...]` (it is printed once, alone on the last line) and send `Authorization: Bearer <token>`. A token made with `--district` writes only records of those districts (403 elsewhere). Consultants create and edit; facilitators and admins also archive and change `status`. `sangam token revoke --name NAME` stops it."#
                .into(),
        );
        components.add_security_scheme("bearerAuth", SecurityScheme::Http(bearer));
    }
}

/// The document as served, built once.
pub fn document_json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document = document();
        if let Some(info) = document.get_mut("info").and_then(Value::as_object_mut) {
            info.insert(
                "summary".into(),
                "District coalition registry: stakeholders, what they offer, what they need."
                    .into(),
            );
        }
        serde_json::to_string(&document).expect("a JSON value serialises")
    })
}

/// The document from the routes as `serve` builds them.
pub fn document() -> Value {
    let budget = PublicWriteBudget::new(&Limits::default());
    let (_, openapi) = documented_routes(&budget).split_for_parts();
    let mut document = serde_json::to_value(openapi).expect("the OpenAPI document serialises");
    share_answers(&mut document);
    // Every route that reads a body refuses a request without one, so every body is marked
    // required, whatever utoipa infers from its content declaration (CSV text, several types).
    for item in document["paths"]
        .as_object_mut()
        .expect("paths")
        .values_mut()
    {
        for operation in item.as_object_mut().expect("path item").values_mut() {
            if let Some(body) = operation
                .get_mut("requestBody")
                .and_then(Value::as_object_mut)
            {
                body.insert("required".into(), Value::Bool(true));
            }
        }
    }
    document
}

/// Puts each shared answer (`super::responses`) once under `components.responses` and makes
/// every operation's identical answer a `$ref` to it.
fn share_answers(document: &mut Value) {
    let mut components = serde_json::Map::new();
    let mut by_status: Vec<(String, Value, String)> = Vec::new();
    for (name, answers) in super::responses::shared() {
        for (status, answer) in answers {
            let answer = serde_json::to_value(answer).expect("a response serialises");
            components.insert(name.to_string(), answer.clone());
            by_status.push((status, answer, name.to_string()));
        }
    }
    for item in document["paths"]
        .as_object_mut()
        .expect("paths")
        .values_mut()
    {
        for operation in item.as_object_mut().expect("path item").values_mut() {
            let Some(answers) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (status, answer) in answers.iter_mut() {
                if let Some((_, _, name)) = by_status
                    .iter()
                    .find(|(code, shared, _)| code == status && shared == answer)
                {
                    *answer = serde_json::json!({"$ref": format!("#/components/responses/{name}")});
                }
            }
        }
    }
    document["components"]
        .as_object_mut()
        .expect("components")
        .insert("responses".into(), Value::Object(components));
}

/// A file in the body, as it is sent or received (CSV or an Excel workbook).
pub struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Binary {}

/// A JSON merge patch (RFC 7396) over a record's input form `I`: the same fields, none
/// required, each may be `null` (removes it); `status` too where `with_status`; any other key is
/// refused. Built from `I`'s own schema, so a field added to the input is patchable in the
/// document as in the handler (which checks keys against the same list; see the tests).
fn merge_patch<I: ToSchema>(description: &str, with_status: bool) -> RefOr<Schema> {
    let mut schema = serde_json::to_value(I::schema()).expect("a schema serialises");
    let object = schema
        .as_object_mut()
        .expect("an input form is an object schema");
    object.remove("required");
    object.insert("description".into(), description.into());
    object.insert("additionalProperties".into(), Value::Bool(false));
    let properties = object
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .expect("an input form has properties");
    for property in properties.values_mut() {
        if !accepts_null(property) {
            let field = std::mem::take(property);
            *property = serde_json::json!({"anyOf": [field, {"type": "null"}]});
        }
    }
    if with_status {
        properties.insert(
            "status".into(),
            serde_json::json!({"anyOf": [
                {"$ref": format!("#/components/schemas/{}", Status::name()), "description": "Facilitators and admins only, when it differs from the current status. `active` approves or restores; `archived` archives."},
                {"type": "null"},
            ]}),
        );
    }
    serde_json::from_value(schema).expect("the patch schema is a schema")
}

/// Whether a property's schema already admits `null`.
fn accepts_null(property: &Value) -> bool {
    let null_type = |schema: &Value| match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => false,
    };
    null_type(property)
        || ["anyOf", "oneOf"].iter().any(|key| {
            property
                .get(*key)
                .and_then(Value::as_array)
                .is_some_and(|items| items.iter().any(null_type))
        })
}

macro_rules! merge_patch {
    ($name:ident, $input:ty, $with_status:expr, $description:literal) => {
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                merge_patch::<$input>($description, $with_status)
            }
        }

        impl ToSchema for $name {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                <$input as ToSchema>::schemas(schemas);
                schemas.push((Status::name().into(), Status::schema()));
            }
        }
    };
}

merge_patch!(
    StakeholderPatch,
    StakeholderInput,
    true,
    "A JSON merge patch over a stakeholder: any subset of the fields of `StakeholderInput`, plus `status`. `null` removes a field (`\"districts_served\": null` resets it to `[district]`); `contact` and `profile` merge key by key. Unknown keys are refused."
);
merge_patch!(
    OfferingPatch,
    OfferingInput,
    true,
    "A JSON merge patch over an offering: any subset of the fields of `OfferingInput`, plus `status`. `eligibility` and `terms` merge key by key; `null` removes (`\"districts\": null` goes back to the provider's `districts_served`). A new `valid_until` must not be in the past; the stored one may stay even if it has passed. Unknown keys are refused."
);
merge_patch!(
    NeedPatch,
    NeedInput,
    true,
    "A JSON merge patch over a need: any subset of the fields of `NeedInput`, plus `status`. `null` removes. Unknown keys are refused."
);
merge_patch!(
    MeetingPatch,
    MeetingInput,
    false,
    "A JSON merge patch over a meeting: any subset of the fields of `MeetingInput`. Unknown keys are refused."
);

/// A filter that may also be sent empty, which the handlers read as absent (HTML forms send
/// empty fields): the words of a domain enum, or "". For the document only.
macro_rules! or_empty {
    ($name:ident, $words:ty) => {
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                AnyOfBuilder::new()
                    .item(Ref::from_schema_name(<$words as ToSchema>::name()))
                    .item(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .enum_values(Some([""]))
                            .description(Some("Empty: the same as leaving it out.")),
                    )
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

or_empty!(StakeholderKindOrEmpty, StakeholderKind);
or_empty!(LinkageKindOrEmpty, LinkageKind);

// Values of query and path parameters that the handlers parse by hand, as word lists for the
// document only. "" where the handler reads an empty value as absent (HTML forms send them).
macro_rules! words {
    ($name:ident: $($word:literal),+) => {
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([$($word),+]))
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

words!(SearchTypeParam: "", "offering", "need", "stakeholder");
words!(StatusParam: "", "pending", "active", "archived", "all");
words!(ExportFormatParam: "", "csv", "xlsx");
words!(HsdsFormatParam: "", "json");
words!(BriefFormatParam: "", "html", "csv", "json");
words!(LanguageParam: "", "hi", "en");
words!(ChannelParam: "spool", "webhook", "sms");
words!(DeliveryStateParam: "dead", "pending", "delivered", "skipped", "all");
words!(SearchKindParam: "", "finance", "training", "market", "scheme", "micro_entrepreneur", "shg", "fpo", "mfi", "bank", "rseti", "line_department", "ngo", "buyer", "other");
