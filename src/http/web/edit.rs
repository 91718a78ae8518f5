//! Signed-in pages that change a stakeholder: the edit form (validated as the API validates,
//! refused fields shown beside what was typed, a stale edit told who changed the record) and
//! erasure on the person's request behind a confirmation page. Both go through the use cases of
//! [`registry`], which check roles, districts and versions and write the audit entry.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::registry_texts::texts;
use super::review::{base, message, refusal, signed_in};
use super::texts::Lang;
use super::{PageQuery, csrf, language, render};
use crate::app::{self, registry};
use crate::domain::stakeholder::{ContactInput, Stakeholder, StakeholderInput};
use crate::http::AppState;
use crate::http::extract::{PathParam, QueryParams};
use crate::http::session::Session;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stakeholders/{id}/edit", get(edit_page).post(edit_submit))
        .route(
            "/stakeholders/{id}/erase",
            get(erase_page).post(erase_submit),
        )
}

/// The edit form as typed: every field a string, so nothing is lost on a refusal.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct EditForm {
    csrf_token: String,
    version: String,
    name: String,
    name_local: String,
    district: String,
    description: String,
    person: String,
    phone: String,
    email: String,
    block: String,
}

impl EditForm {
    fn of(stakeholder: &Stakeholder) -> EditForm {
        let data = &stakeholder.data;
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        EditForm {
            csrf_token: String::new(),
            version: stakeholder.meta.version.to_string(),
            name: data.name.clone(),
            name_local: text(&data.name_local),
            district: data.district.clone(),
            description: text(&data.description),
            person: text(&data.contact.person),
            phone: text(&data.contact.phone),
            email: text(&data.contact.email),
            block: data
                .profile
                .as_ref()
                .and_then(|p| p.block.clone())
                .unwrap_or_default(),
        }
    }

    /// The record's submission with this form's fields put in; the rest as stored.
    fn onto(&self, current: &Stakeholder) -> StakeholderInput {
        let given = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
        let mut input = current.data.to_input();
        input.name = given(&self.name);
        input.name_local = given(&self.name_local);
        input.district = given(&self.district);
        input.description = given(&self.description);
        input.contact = Some(ContactInput {
            person: given(&self.person),
            phone: given(&self.phone),
            email: given(&self.email),
        });
        if current.data.kind.has_profile() || given(&self.block).is_some() {
            let mut profile = input.profile.take().unwrap_or_default();
            profile.block = given(&self.block);
            input.profile = Some(profile);
        }
        registry::served_follows_home(&current.data, &mut input, false);
        input
    }
}

#[derive(Serialize)]
struct Field {
    name: &'static str,
    /// The field's name in the use case's errors.
    key: &'static str,
    label: &'static str,
    value: String,
    required: bool,
    max: usize,
}

fn fields(form: &EditForm, lang: Lang) -> Vec<Field> {
    let t = texts(lang);
    let field = |name, key, label, value: &str, required, max| Field {
        name,
        key,
        label,
        value: value.to_string(),
        required,
        max,
    };
    vec![
        field("name", "name", t.name, &form.name, true, 200),
        field(
            "name_local",
            "name_local",
            t.name_local,
            &form.name_local,
            false,
            200,
        ),
        field(
            "district",
            "district",
            t.district_code,
            &form.district,
            true,
            100,
        ),
        field(
            "description",
            "description",
            t.description,
            &form.description,
            false,
            5000,
        ),
        field(
            "person",
            "contact.person",
            t.contact_person,
            &form.person,
            false,
            200,
        ),
        field("phone", "contact.phone", t.phone, &form.phone, false, 30),
        field("email", "contact.email", t.email, &form.email, false, 254),
        field("block", "profile.block", t.block, &form.block, false, 200),
    ]
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    lang: Lang,
    id: &str,
    live: &Session,
    form: &EditForm,
    errors: BTreeMap<String, String>,
    stale: Option<String>,
    saved: bool,
    status: StatusCode,
) -> Response {
    let context = context! {
        id => id,
        form => Value::from(Serde(form)),
        fields => Value::from(Serde(fields(form, lang))),
        errors => Value::from(Serde(errors)),
        stale => stale,
        saved => saved,
        may_erase => live.caller.role.may_moderate(),
        csrf_token => live.csrf_token.clone(),
        ..base(lang, &format!("/stakeholders/{id}/edit"))
    };
    render("edit.html", context, status)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EditQuery {
    lang: Option<String>,
    saved: bool,
}

async fn edit_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<EditQuery>,
) -> Response {
    let lang = language(
        &PageQuery {
            lang: query.lang.clone(),
            reference: None,
        },
        &headers,
    );
    let path = format!("/stakeholders/{id}/edit");
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    // Only someone who may write in its district gets the form.
    match registry::writable_owner(&app.store, &live.caller, &id).await {
        Ok(current) => form_page(
            lang,
            &id,
            &live,
            &EditForm::of(&current),
            BTreeMap::new(),
            None,
            query.saved,
            StatusCode::OK,
        ),
        Err(error) => refusal(lang, &path, error),
    }
}

async fn edit_submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let path = format!("/stakeholders/{id}/edit");
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form: EditForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !csrf::matches(&live.csrf_token, &form.csrf_token) {
        return message(lang, &path, texts(lang).form_expired, StatusCode::FORBIDDEN);
    }
    let edit = registry::RecordEdit {
        based_on: form.version.trim().parse::<i64>().ok(),
        content: Some(|current: &Stakeholder| -> app::Result<StakeholderInput> {
            Ok(form.onto(current))
        }),
        status: None,
    };
    match registry::edit_stakeholder(&app.store, &live.caller, &id, edit).await {
        // 303: a reload shows the saved record rather than sending the form again.
        Ok(_) => Redirect::to(&format!("{path}?lang={}&saved=true", lang.code())).into_response(),
        Err(app::Error::Invalid(errors)) => form_page(
            lang,
            &id,
            &live,
            &form,
            errors.fields().clone(),
            None,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(app::Error::Store(StoreError::Stale {
            changed_by,
            changed_at,
            ..
        })) => {
            // The record as it is now, with who changed it: nothing of the stale edit is written.
            let who = format!("{} · {changed_at}", changed_by.unwrap_or_default());
            match registry::writable_owner(&app.store, &live.caller, &id).await {
                Ok(current) => form_page(
                    lang,
                    &id,
                    &live,
                    &EditForm::of(&current),
                    BTreeMap::new(),
                    Some(who),
                    false,
                    StatusCode::CONFLICT,
                ),
                Err(error) => refusal(lang, &path, error),
            }
        }
        Err(error) => refusal(lang, &path, error),
    }
}

async fn erase_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let path = format!("/stakeholders/{id}/erase");
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    if let Err(error) = registry::require_moderator(&live.caller) {
        return refusal(lang, &path, error);
    }
    match registry::writable_owner(&app.store, &live.caller, &id).await {
        Ok(current) => {
            let context = context! {
                id => id,
                name => current.data.name,
                csrf_token => live.csrf_token.clone(),
                ..base(lang, &path)
            };
            render("erase.html", context, StatusCode::OK)
        }
        Err(error) => refusal(lang, &path, error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EraseForm {
    csrf_token: String,
}

async fn erase_submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let path = format!("/stakeholders/{id}/erase");
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form: EraseForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !csrf::matches(&live.csrf_token, &form.csrf_token) {
        return message(lang, &path, texts(lang).form_expired, StatusCode::FORBIDDEN);
    }
    let scrub = registry::Scrub {
        search: app.search.as_ref(),
        spool: app.spool.as_ref(),
    };
    match registry::erase_stakeholder(&app.store, &live.caller, &id, scrub).await {
        Ok(_) => message(lang, &path, texts(lang).erased, StatusCode::OK),
        Err(error) => refusal(lang, &path, error),
    }
}
