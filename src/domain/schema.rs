//! Shapes for the OpenAPI document that no Rust type carries by itself: dates and times kept as
//! text, and inputs where an empty string means "not set" (HTML forms send empty fields). Fields
//! name them with `#[schema(value_type = ...)]`; each is written once here.

use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// A calendar day, `YYYY-MM-DD` (India time where "today" matters).
pub struct Date;

impl PartialSchema for Date {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .description(Some("`YYYY-MM-DD`."))
            .pattern(Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
            .examples(["2027-03-31"])
            .into()
    }
}

impl ToSchema for Date {}

/// An instant in UTC with milliseconds, as the store stamps records.
pub struct Timestamp;

impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .description(Some("UTC, with milliseconds."))
            .examples(["2026-11-23T07:41:12.345Z"])
            .into()
    }
}

impl ToSchema for Timestamp {}

/// The empty string that a form sends for a field left blank, read as absent.
fn empty_string() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([""]))
        .description(Some("Empty: the same as leaving it out."))
}

/// A date in a submission: a [`Date`], `null`, or "" (not set).
pub struct DateOrEmpty;

impl PartialSchema for DateOrEmpty {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(Date::name()))
            .item(empty_string())
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into()
    }
}

impl ToSchema for DateOrEmpty {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((Date::name().into(), Date::schema()));
    }
}

/// An e-mail address in a submission: an address, `null`, or "" (no e-mail).
pub struct EmailOrEmpty;

impl PartialSchema for EmailOrEmpty {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::Custom("email".into())))
                    .max_length(Some(254)),
            )
            .item(empty_string())
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into()
    }
}

impl ToSchema for EmailOrEmpty {}
