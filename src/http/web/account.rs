//! The account pages: sign in and out, choose a password from an invitation, see who you are
//! signed in as, and (admins) invite people, change their roles and districts, revoke them, and
//! read the audit log. Sign-in goes through [`session::sign_in`], as the API's does; a signed-in
//! person's role and districts are checked by the same rules as a token's (see `extract`).
//! Every post carries `csrf_token`: before sign-in the form's cookie token (as `/register`), after
//! it the session's.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{HOST, RETRY_AFTER, SET_COOKIE};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::account_texts::{AccountTexts, texts};
use super::texts::Lang;
use super::{PageQuery, csrf, language, render};
use crate::domain::access::Role;
use crate::domain::account::{self, Login};
use crate::http::AppState;
use crate::http::error::AppError;
use crate::http::extract::{PathParam, QueryParams};
use crate::http::session::{self, Refused, Session};
use crate::store::StoreError;
use crate::store::accounts::NewUser;

/// How long an invitation link works.
const INVITATION_HOURS: i64 = 72;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/sign-in", get(sign_in_page).post(sign_in))
        .route("/account/sign-out", post(sign_out))
        .route("/account/sign-out-everywhere", post(sign_out_everywhere))
        .route(
            "/account/set-password",
            get(set_password_page).post(set_password),
        )
        .route("/admin/people", get(people_page))
        .route("/admin/people/invite", post(invite))
        .route("/admin/people/{id}", post(change_role))
        .route("/admin/people/{id}/revoke", post(revoke))
        .route("/admin/audit", get(audit_page))
}

fn page_context(lang: Lang, switch_href: String) -> Value {
    context! {
        lang => lang.code(),
        switch_lang => lang.other().code(),
        switch_href => switch_href,
        t => Value::from(Serde(texts(lang))),
    }
}

fn base(lang: Lang, path: &str) -> Value {
    page_context(lang, format!("{path}?lang={}", lang.other().code()))
}

fn with_header(mut response: Response, name: axum::http::HeaderName, value: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(name, value);
    }
    response
}

fn message(lang: Lang, text: &str, status: StatusCode) -> Response {
    render(
        "message.html",
        context! { message => text, ..base(lang, "/account/sign-in") },
        status,
    )
}

fn to_sign_in(lang: Lang) -> Response {
    Redirect::to(&format!("/account/sign-in?lang={}", lang.code())).into_response()
}

fn role_label(t: &AccountTexts, role: Role) -> &'static str {
    t.roles
        .iter()
        .find(|(code, _)| *code == role.as_str())
        .map_or("", |(_, label)| label)
}

/// The signed-in person, or the response to send instead: the sign-in page for nobody.
async fn signed_in(app: &AppState, headers: &HeaderMap, lang: Lang) -> Result<Session, Response> {
    match session::resolve(app, headers).await {
        Ok(Some(live)) => Ok(live),
        Ok(None) => Err(to_sign_in(lang)),
        Err(error) => Err(error.into_response()),
    }
}

/// The signed-in admin, or the response to send instead.
async fn admin(app: &AppState, headers: &HeaderMap, lang: Lang) -> Result<Session, Response> {
    let live = signed_in(app, headers, lang).await?;
    if live.caller.role == Role::Admin {
        Ok(live)
    } else {
        Err(message(
            lang,
            texts(lang).admins_only,
            StatusCode::FORBIDDEN,
        ))
    }
}

/// The refusal of a post whose `csrf_token` field is not the session's (it changes nothing).
/// An admin's POST of a form `F`: signed in as an admin, the form read, its CSRF token checked;
/// otherwise the page that says which of these failed.
async fn admin_post<F: serde::de::DeserializeOwned + Default>(
    app: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    body: &Bytes,
    csrf_of: fn(&F) -> &str,
) -> Result<(Session, F), Response> {
    let live = admin(app, headers, lang).await?;
    let form: F = serde_urlencoded::from_bytes(body).unwrap_or_default();
    match refused_csrf(&live, csrf_of(&form), lang) {
        Some(refused) => Err(refused),
        None => Ok((live, form)),
    }
}

fn refused_csrf(live: &Session, sent: &str, lang: Lang) -> Option<Response> {
    (!csrf::matches(&live.csrf_token, sent))
        .then(|| message(lang, texts(lang).form_expired, StatusCode::FORBIDDEN))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignInForm {
    login: String,
    password: String,
    csrf_token: String,
}

#[derive(Deserialize, Default)]
struct SignInQuery {
    lang: Option<String>,
    signed_out: Option<String>,
}

async fn sign_in_page(
    headers: HeaderMap,
    QueryParams(query): QueryParams<SignInQuery>,
) -> Response {
    let lang = Lang::choose(
        query.lang.as_deref(),
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let notice = query.signed_out.map(|_| texts(lang).signed_out);
    let token = csrf::from_cookie(&headers).unwrap_or_else(csrf::new_token);
    sign_in_form(lang, "", &token, notice, None, None, StatusCode::OK)
}

fn sign_in_form(
    lang: Lang,
    login: &str,
    token: &str,
    notice: Option<&str>,
    error: Option<&str>,
    wait: Option<u64>,
    status: StatusCode,
) -> Response {
    let context = context! {
        login => login,
        csrf_token => token,
        notice => notice,
        error => error,
        wait => wait,
        ..base(lang, "/account/sign-in")
    };
    let response = render("sign_in.html", context, status);
    with_header(
        response,
        SET_COOKIE,
        &csrf::set_cookie_at(token, "/account"),
    )
}

async fn sign_in(
    State(app): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let t = texts(lang);
    let form: SignInForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    // Signing in from another site's form would sign the browser in as the attacker: the form
    // must carry this browser's cookie token.
    let Some(token) =
        csrf::from_cookie(&headers).filter(|token| csrf::matches(token, &form.csrf_token))
    else {
        let token = csrf::new_token();
        return sign_in_form(
            lang,
            &form.login,
            &token,
            None,
            Some(t.form_expired),
            None,
            StatusCode::FORBIDDEN,
        );
    };
    let address = session::address(&extensions);
    let previous = session::id_from(&headers);
    match session::sign_in(
        &app,
        &form.login,
        &form.password,
        &address,
        previous.as_deref(),
    )
    .await
    {
        Ok(Ok(started)) => {
            let cookie = session::set_cookie(&started.cookie_id, app.limits.secure_cookies);
            let response = Redirect::to(&format!("/account?lang={}", lang.code())).into_response();
            with_header(response, SET_COOKIE, &cookie)
        }
        Ok(Err(Refused::Wrong)) => sign_in_form(
            lang,
            &form.login,
            &token,
            None,
            Some(t.wrong),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        Ok(Err(Refused::SlowDown(seconds))) => {
            let response = sign_in_form(
                lang,
                &form.login,
                &token,
                None,
                Some(t.wait),
                Some(seconds),
                StatusCode::TOO_MANY_REQUESTS,
            );
            with_header(response, RETRY_AFTER, &seconds.to_string())
        }
        Err(error) => error.into_response(),
    }
}

async fn account_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let context = context! {
        name => live.caller.name.clone(),
        districts => live.caller.districts.clone(),
        role_label => role_label(texts(lang), live.caller.role),
        is_admin => live.caller.role == Role::Admin,
        csrf_token => live.csrf_token,
        ..base(lang, "/account")
    };
    render("account.html", context, StatusCode::OK)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    csrf_token: String,
}

async fn sign_out(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    end_sessions(app, headers, query, body, false).await
}

async fn sign_out_everywhere(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    end_sessions(app, headers, query, body, true).await
}

async fn end_sessions(
    app: AppState,
    headers: HeaderMap,
    query: PageQuery,
    body: Bytes,
    everywhere: bool,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form: TokenForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if let Some(response) = refused_csrf(&live, &form.csrf_token, lang) {
        return response;
    }
    let ended = if everywhere {
        app.store
            .end_all_sessions(&live.user_id, &live.caller.name)
            .await
            .map(|_| ())
    } else {
        app.store
            .end_session(&live.id_hash, &live.caller.name)
            .await
    };
    if let Err(error) = ended {
        return AppError::from(error).into_response();
    }
    let response = Redirect::to(&format!(
        "/account/sign-in?lang={}&signed_out=1",
        lang.code()
    ))
    .into_response();
    with_header(
        response,
        SET_COOKIE,
        &session::clear_cookie(app.limits.secure_cookies),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InvitationQuery {
    lang: Option<String>,
    invitation: String,
}

async fn set_password_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<InvitationQuery>,
) -> Response {
    let lang = Lang::choose(
        query.lang.as_deref(),
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let token = csrf::from_cookie(&headers).unwrap_or_else(csrf::new_token);
    let invitee = match app
        .store
        .invitation_user(&account::digest(&query.invitation), session::unix_now())
        .await
    {
        Ok(invitee) => invitee,
        Err(error) => return AppError::from(error).into_response(),
    };
    set_password_form(
        lang,
        &query.invitation,
        invitee.map(|u| u.name),
        &token,
        None,
    )
}

fn set_password_form(
    lang: Lang,
    invitation: &str,
    name: Option<String>,
    token: &str,
    error: Option<&str>,
) -> Response {
    let status = match (&name, error) {
        (None, _) => StatusCode::NOT_FOUND,
        (Some(_), Some(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        (Some(_), None) => StatusCode::OK,
    };
    // The language switch keeps the invitation in the link.
    let switch = format!(
        "/account/set-password?lang={}&invitation={}",
        lang.other().code(),
        invitation
    );
    let context = context! {
        invalid => name.is_none(),
        name => name,
        invitation => invitation,
        csrf_token => token,
        error => error,
        ..page_context(lang, switch)
    };
    let response = render("set_password.html", context, status);
    with_header(
        response,
        SET_COOKIE,
        &csrf::set_cookie_at(token, "/account"),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SetPasswordForm {
    invitation: String,
    password: String,
    password_again: String,
    csrf_token: String,
}

async fn set_password(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let t = texts(lang);
    let form: SetPasswordForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let digest = account::digest(&form.invitation);
    let invitee = match app
        .store
        .invitation_user(&digest, session::unix_now())
        .await
    {
        Ok(invitee) => invitee.map(|user| user.name),
        Err(error) => return AppError::from(error).into_response(),
    };
    let Some(token) =
        csrf::from_cookie(&headers).filter(|token| csrf::matches(token, &form.csrf_token))
    else {
        let token = csrf::new_token();
        return set_password_form(
            lang,
            &form.invitation,
            invitee,
            &token,
            Some(t.form_expired),
        );
    };
    if invitee.is_none() {
        return set_password_form(lang, &form.invitation, None, &token, None);
    }
    if form.password != form.password_again {
        return set_password_form(
            lang,
            &form.invitation,
            invitee,
            &token,
            Some(t.passwords_differ),
        );
    }
    if account::check_new_password(&form.password).is_err() {
        return set_password_form(
            lang,
            &form.invitation,
            invitee,
            &token,
            Some(t.password_rule),
        );
    }
    let password = form.password.clone();
    let Ok(hash) = tokio::task::spawn_blocking(move || account::hash_password(&password)).await
    else {
        return AppError::internal("password hashing failed").into_response();
    };
    match app
        .store
        .accept_invitation(&digest, &hash, session::unix_now())
        .await
    {
        Ok(Some(_)) => message(lang, t.password_set, StatusCode::OK),
        // Used or expired between the check and now (a double submit): the first one counted.
        Ok(None) => set_password_form(lang, &form.invitation, None, &token, None),
        Err(error) => AppError::from(error).into_response(),
    }
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct InviteForm {
    name: String,
    email: String,
    phone: String,
    role: String,
    districts: String,
    #[serde(skip_serializing)]
    csrf_token: String,
}

#[derive(Serialize)]
struct Person {
    #[serde(flatten)]
    user: account::User,
    state_label: &'static str,
}

#[derive(Serialize)]
struct RoleChoice {
    value: &'static str,
    label: &'static str,
}

async fn people(
    app: &AppState,
    live: &Session,
    lang: Lang,
    form: &InviteForm,
    link: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = texts(lang);
    let users = match app.store.list_users().await {
        Ok(users) => users,
        Err(error) => return AppError::from(error).into_response(),
    };
    let people: Vec<Person> = users
        .into_iter()
        .map(|user| Person {
            state_label: if user.revoked {
                t.revoked
            } else if user.active {
                t.active
            } else {
                t.invited
            },
            user,
        })
        .collect();
    let roles: Vec<RoleChoice> = t
        .roles
        .iter()
        .map(|&(value, label)| RoleChoice { value, label })
        .collect();
    let context = context! {
        people => Value::from(Serde(people)),
        roles => Value::from(Serde(roles)),
        form => Value::from(Serde(form)),
        link => link,
        error => error,
        csrf_token => live.csrf_token.clone(),
        ..base(lang, "/admin/people")
    };
    render("people.html", context, status)
}

async fn people_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let live = match admin(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form = InviteForm {
        role: "facilitator".into(),
        ..InviteForm::default()
    };
    people(&app, &live, lang, &form, None, None, StatusCode::OK).await
}

/// District codes as an admin types them: separated by commas or spaces; each must exist.
async fn districts(app: &AppState, text: &str) -> Result<Vec<String>, String> {
    let codes: Vec<String> = text
        .split([',', ' ', ';'])
        .map(|code| code.trim().to_lowercase())
        .filter(|code| !code.is_empty())
        .collect();
    let catalog = app.store.catalog().await.map_err(|e| e.to_string())?;
    match codes.iter().find(|code| !catalog.has_district(code)) {
        Some(unknown) => Err(format!("unknown district `{unknown}`")),
        None => Ok(codes),
    }
}

/// Where the invitee goes: this server's address as the browser called it.
fn invitation_link(app: &AppState, headers: &HeaderMap, secret: &str, lang: Lang) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if app.limits.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!(
        "{scheme}://{host}/account/set-password?lang={}&invitation={secret}",
        lang.code()
    )
}

async fn invite(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let t = texts(lang);
    let (live, form) =
        match admin_post(&app, &headers, lang, &body, |f: &InviteForm| &f.csrf_token).await {
            Ok(posted) => posted,
            Err(response) => return response,
        };
    let refuse = |why: String| {
        people(
            &app,
            &live,
            lang,
            &form,
            None,
            Some(why),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let name = form.name.trim();
    let email = Some(form.email.trim()).filter(|e| !e.is_empty());
    let phone = Some(form.phone.trim()).filter(|p| !p.is_empty());
    if name.is_empty() || (email.is_none() && phone.is_none()) {
        return refuse(t.invite_needs.to_string()).await;
    }
    let email = match email.map(account::parse_email) {
        Some(None) => return refuse(format!("{}: {}", t.email, form.email.trim())).await,
        other => other.flatten(),
    };
    let phone = match phone.map(Login::parse) {
        Some(Some(Login::Phone(phone))) => Some(phone),
        Some(_) => return refuse(format!("{}: {}", t.phone, form.phone.trim())).await,
        None => None,
    };
    let Some(role) = Role::parse(&form.role) else {
        return refuse(format!("{}: {}", t.role, Role::expected())).await;
    };
    let districts = match districts(&app, &form.districts).await {
        Ok(districts) => districts,
        Err(why) => return refuse(why).await,
    };
    let secret = account::new_secret();
    let expires = session::unix_now() + INVITATION_HOURS * 3600;
    let new = NewUser {
        name,
        email: email.as_deref(),
        phone: phone.as_deref(),
        role,
        districts: &districts,
        password_hash: None,
    };
    match app
        .store
        .invite_user(&new, &account::digest(&secret), expires, &live.caller.name)
        .await
    {
        Ok(_) => {
            let link = invitation_link(&app, &headers, &secret, lang);
            let fresh = InviteForm {
                role: "facilitator".into(),
                ..InviteForm::default()
            };
            people(&app, &live, lang, &fresh, Some(link), None, StatusCode::OK).await
        }
        Err(StoreError::Conflict(why)) => refuse(why).await,
        Err(error) => AppError::from(error).into_response(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RoleForm {
    role: String,
    districts: String,
    csrf_token: String,
}

async fn change_role(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let (live, form) =
        match admin_post(&app, &headers, lang, &body, |f: &RoleForm| &f.csrf_token).await {
            Ok(posted) => posted,
            Err(response) => return response,
        };
    let blank = InviteForm {
        role: "facilitator".into(),
        ..InviteForm::default()
    };
    let refuse = |why: String| {
        people(
            &app,
            &live,
            lang,
            &blank,
            None,
            Some(why),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Some(role) = Role::parse(&form.role) else {
        return refuse(Role::expected()).await;
    };
    let districts = match districts(&app, &form.districts).await {
        Ok(districts) => districts,
        Err(why) => return refuse(why).await,
    };
    match app
        .store
        .change_role(&id, role, &districts, &live.caller.name)
        .await
    {
        Ok(_) => Redirect::to(&format!("/admin/people?lang={}", lang.code())).into_response(),
        Err(StoreError::NotFound) => refuse(format!("no person `{id}`")).await,
        Err(error) => AppError::from(error).into_response(),
    }
}

async fn revoke(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let (live, _form) =
        match admin_post(&app, &headers, lang, &body, |f: &TokenForm| &f.csrf_token).await {
            Ok(posted) => posted,
            Err(response) => return response,
        };
    // An admin cannot shut themselves out (nor the last admin out of the people page).
    if id == live.user_id {
        return message(
            lang,
            texts(lang).cannot_revoke_self,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match app.store.revoke_user(&id, &live.caller.name).await {
        Ok(()) => Redirect::to(&format!("/admin/people?lang={}", lang.code())).into_response(),
        Err(StoreError::NotFound) => AppError::not_found("person").into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}

async fn audit_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    if let Err(response) = admin(&app, &headers, lang).await {
        return response;
    }
    let entries = match app.store.audit_entries(500).await {
        Ok(entries) => entries,
        Err(error) => return AppError::from(error).into_response(),
    };
    let context = context! {
        entries => Value::from(Serde(entries)),
        ..base(lang, "/admin/audit")
    };
    render("audit.html", context, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn every_account_page_renders_in_both_languages_and_escapes_what_people_typed() {
        let hostile = "<script>alert(1)</script>";
        for lang in [Lang::Hindi, Lang::English] {
            let t = texts(lang);
            let page = sign_in_form(
                lang,
                hostile,
                &"a".repeat(64),
                None,
                Some(t.wrong),
                Some(4),
                StatusCode::UNAUTHORIZED,
            );
            assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
            let html = body(page).await;
            assert!(
                html.contains("&lt;script&gt;") && !html.contains(hostile),
                "{html}"
            );
            assert!(html.contains("id=\"errors\"") && html.contains("id=\"wait\""));

            let page = set_password_form(
                lang,
                hostile,
                Some(hostile.to_string()),
                &"a".repeat(64),
                None,
            );
            assert_eq!(page.status(), StatusCode::OK);
            let html = body(page).await;
            assert!(
                !html.contains(hostile) && html.contains(t.set_password_intro),
                "{html}"
            );

            let page = set_password_form(lang, "x", None, &"a".repeat(64), None);
            assert_eq!(page.status(), StatusCode::NOT_FOUND);
            assert!(body(page).await.contains(t.invitation_invalid));

            let page = message(lang, hostile, StatusCode::FORBIDDEN);
            assert!(!body(page).await.contains(hostile));
            for (name, extra) in [
                (
                    "account.html",
                    context! { name => hostile, districts => vec!["br-gaya"], role_label => "x", is_admin => true, csrf_token => "t" },
                ),
                (
                    "audit.html",
                    context! { entries => vec![context! { at => "now", actor => hostile, action => "sign_in" }] },
                ),
                (
                    "people.html",
                    context! { people => vec![context! { id => "us_1", name => hostile, districts => Vec::<String>::new() }], roles => Vec::<Value>::new(), form => context! {}, csrf_token => "t" },
                ),
            ] {
                let page = render(
                    name,
                    context! { ..extra, ..base(lang, "/x") },
                    StatusCode::OK,
                );
                assert_eq!(page.status(), StatusCode::OK, "{name}");
                let html = body(page).await;
                assert!(
                    !html.contains(hostile) && html.contains("&lt;script&gt;"),
                    "{name}: {html}"
                );
            }
        }
    }
}
