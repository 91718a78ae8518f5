//! The admin tokens page: machine tokens listed (holder, role, districts, made, last used — never
//! the secret), a form to make one (the secret shown this once), and a revoke button for each.
//! Every change goes through [`app::tokens`], which checks the role and has the store audit it.
//! A create form sent twice (a double tap) makes one token: the second is told so.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::account_texts;
use super::review::{base, message, signed_in};
use super::texts::Lang;
use super::token_texts::token_texts;
use super::{PageQuery, csrf, language, render, sent_forms};
use crate::app::{self, tokens};
use crate::domain::access::Role;
use crate::http::AppState;
use crate::http::error::AppError;
use crate::http::extract::{PathParam, QueryParams};
use crate::http::session::Session;
use crate::store::tokens::TokenInfo;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/tokens", get(tokens_page).post(create))
        .route("/admin/tokens/{id}/revoke", post(revoke))
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct TokenForm {
    name: String,
    role: String,
    districts: String,
    csrf_token: String,
    form_id: String,
}

#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    token: TokenInfo,
    role_label: &'static str,
}

/// What the page shows besides the list.
#[derive(Default)]
struct Shown {
    form: TokenForm,
    errors: BTreeMap<String, String>,
    /// The new token, this once.
    secret: Option<String>,
    /// The id of the token a form sent twice made the first time.
    twice: Option<String>,
}

fn role_label(lang: Lang, role: &str) -> &'static str {
    account_texts::texts(lang)
        .roles
        .iter()
        .find(|(code, _)| *code == role)
        .map_or("", |(_, label)| label)
}

/// A use case's refusal as a page; nothing changed.
fn refused(lang: Lang, error: app::Error) -> Response {
    let words = token_texts(lang);
    match error {
        app::Error::Forbidden(_) => message(
            lang,
            "/admin/tokens",
            words.admins_only,
            StatusCode::FORBIDDEN,
        ),
        app::Error::NotFound(_) => message(
            lang,
            "/admin/tokens",
            words.no_such_token,
            StatusCode::NOT_FOUND,
        ),
        other => AppError::from(other).into_response(),
    }
}

async fn page(
    app: &AppState,
    live: &Session,
    lang: Lang,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let listed = match tokens::list_tokens(&app.store, &live.caller).await {
        Ok(listed) => listed,
        Err(error) => return refused(lang, error),
    };
    let listed: Vec<Listed> = listed
        .into_iter()
        .map(|token| Listed {
            role_label: role_label(lang, &token.role),
            token,
        })
        .collect();
    // A form shown anew gets a new id; one sent back for correction keeps its own.
    let form_id = Some(shown.form.form_id.clone())
        .filter(|id| sent_forms::well_formed(id) && shown.secret.is_none())
        .unwrap_or_else(sent_forms::new_id);
    let form = if shown.secret.is_some() || shown.twice.is_some() {
        TokenForm {
            role: Role::Consultant.as_str().into(),
            ..TokenForm::default()
        }
    } else {
        shown.form
    };
    let context = context! {
        tokens => Value::from(Serde(listed)),
        roles => Value::from(Serde(account_texts::texts(lang).roles)),
        form => Value::from(Serde(form)),
        form_id => form_id,
        errors => shown.errors,
        secret => shown.secret,
        twice => shown.twice,
        csrf_token => live.csrf_token.clone(),
        k => Value::from(Serde(token_texts(lang))),
        ..base(lang, "/admin/tokens")
    };
    render("tokens.html", context, status)
}

async fn tokens_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let shown = Shown {
        form: TokenForm {
            role: Role::Consultant.as_str().into(),
            ..TokenForm::default()
        },
        ..Shown::default()
    };
    page(&app, &live, lang, shown, StatusCode::OK).await
}

/// District codes as an admin types them: separated by commas or spaces, any case.
fn district_codes(text: &str) -> Vec<String> {
    text.split([',', ' ', ';', '\n'])
        .map(|code| code.trim().to_lowercase())
        .filter(|code| !code.is_empty())
        .collect()
}

async fn create(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form: TokenForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !csrf::matches(&live.csrf_token, &form.csrf_token) {
        return message(
            lang,
            "/admin/tokens",
            token_texts(lang).form_expired,
            StatusCode::FORBIDDEN,
        );
    }
    // The same filled-in form sent twice makes one token; the second post waits for the first.
    let slot = app.sent_forms.slot(&form.form_id, &body);
    let mut sent = slot.lock().await;
    if let Some(id) = sent.as_ref() {
        let shown = Shown {
            twice: Some(id.clone()),
            ..Shown::default()
        };
        return page(&app, &live, lang, shown, StatusCode::OK).await;
    }
    let districts = district_codes(&form.districts);
    let new = tokens::NewToken {
        name: &form.name,
        role: &form.role,
        districts: &districts,
    };
    match tokens::create_token(&app.store, &live.caller, new).await {
        Ok((id, secret)) => {
            if sent_forms::well_formed(&form.form_id) {
                *sent = Some(id);
            }
            let shown = Shown {
                secret: Some(secret),
                ..Shown::default()
            };
            page(&app, &live, lang, shown, StatusCode::OK).await
        }
        Err(app::Error::Invalid(errors)) => {
            let shown = Shown {
                errors: errors.fields().clone(),
                form,
                ..Shown::default()
            };
            page(&app, &live, lang, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => refused(lang, error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    csrf_token: String,
}

async fn revoke(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form: RevokeForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !csrf::matches(&live.csrf_token, &form.csrf_token) {
        return message(
            lang,
            "/admin/tokens",
            token_texts(lang).form_expired,
            StatusCode::FORBIDDEN,
        );
    }
    match tokens::revoke_token(&app.store, &live.caller, &id).await {
        // 303: a reload shows the list rather than sending the form again.
        Ok(_) => {
            Redirect::to(&format!("/admin/tokens?lang={}#token-{id}", lang.code())).into_response()
        }
        Err(error) => refused(lang, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_codes_are_read_as_typed() {
        assert_eq!(
            district_codes(" BR-Gaya, br-nalanda;up-mirzapur "),
            ["br-gaya", "br-nalanda", "up-mirzapur"]
        );
        assert!(district_codes("  ,  ").is_empty());
    }
}
