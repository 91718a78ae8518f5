//! The JSON API: routes, extractors, and the error type clients see.

mod accounts;
mod admin;
mod brief;
pub mod client_address;
mod docs;
pub mod error;
pub mod extract;
mod geography;
mod health;
mod hsds;
mod interchange;
mod linkages;
mod meetings;
mod needs;
mod offerings;
pub mod openapi;
mod patch;
mod registrations;
pub mod responses;
mod search;
mod security;
pub mod session;
mod stakeholders;
mod timeouts;
mod web;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{Method, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder as ConnectionBuilder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::notify::Spool;
use crate::search::SearchIndex;
use crate::store::Store;
use error::AppError;
use registrations::PublicWriteBudget;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub limits: Arc<Limits>,
    /// The search index; `None` answers search with 503 (a process that does not index).
    pub search: Option<SearchIndex>,
    /// Registration forms already sent, so a double submit stores once.
    pub sent_forms: Arc<web::sent_forms::SentForms>,
    /// The SMS spool the outbox is sent into, rewritten when a person is erased.
    pub spool: Option<Spool>,
    /// Failed sign-ins lately, for the slow-down.
    pub sign_ins: Arc<session::SignInThrottle>,
}

/// Knobs that tests and deployments may turn.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Public writes (registrations by API and by form together) allowed per client address in
    /// a burst, then one per `registration_period`.
    pub registration_burst: u32,
    pub registration_period: Duration,
    /// Longest a request may take from its headers to the answer (then 408).
    pub request_timeout: Duration,
    /// Longest a client may take to send a request's body once its headers are in (then 408).
    pub body_timeout: Duration,
    /// Longest a client may take to send a request's headers (then the connection is closed:
    /// before the headers there is no request to answer).
    pub header_timeout: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see [`client_address`]).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// Whether the session cookie is `Secure` (off only for plain-HTTP localhost).
    pub secure_cookies: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            registration_burst: 20,
            registration_period: Duration::from_secs(3),
            request_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
            session_idle: Duration::from_secs(8 * 60 * 60),
            secure_cookies: true,
        }
    }
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            limits: Arc::new(Limits::default()),
            search: None,
            sent_forms: Arc::default(),
            spool: None,
            sign_ins: Arc::default(),
        }
    }

    pub fn with_search(mut self, index: SearchIndex) -> Self {
        self.search = Some(index);
        self
    }

    pub fn with_spool(mut self, spool: Spool) -> Self {
        self.spool = Some(spool);
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Arc::new(limits);
        self
    }
}

/// The whole application as one router, so tests and `serve` build the same thing.
pub fn app(state: AppState) -> Router {
    let budget = PublicWriteBudget::new(&state.limits);
    let (documented, _) = documented_routes(&budget).split_for_parts();
    let documented = documented.layer(middleware::from_fn_with_state(state.clone(), wake_indexer));
    let limits = state.limits.clone();
    let router = documented
        .merge(web::router(&budget))
        .fallback(|| async {
            AppError::NotFound("no such endpoint; see /api/v1/openapi.json".into())
        })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .with_state(state)
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(limits, timeouts::bounded))
        .layer(CatchPanicLayer::custom(|_| panic_response()))
        // Pages and JSON shrink to a fifth or less for phones on slow networks.
        .layer(CompressionLayer::new());
    security::headers(router).layer(TraceLayer::new_for_http().make_span_with(
        |request: &Request<_>| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        },
    ))
}

/// The JSON API and the health checks, each route with its OpenAPI description (see [`openapi`]).
pub fn documented_routes(budget: &PublicWriteBudget) -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .merge(docs::router())
        .merge(geography::router())
        .merge(stakeholders::router())
        .merge(offerings::router())
        .merge(needs::router())
        .merge(registrations::router(budget))
        .merge(search::router())
        .merge(meetings::router())
        .merge(linkages::router())
        .merge(hsds::router())
        .merge(interchange::router())
        .merge(admin::router())
        .merge(accounts::router());
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest("/api/v1", api)
        .merge(health::router())
}

/// After a write succeeds, tells the indexer to look at the change log now rather than at its
/// next poll, so the write is searchable at once.
async fn wake_indexer(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let response = next.run(request).await;
    if writes
        && response.status().is_success()
        && let Some(search) = &state.search
    {
        search.notify_write();
    }
    response
}

fn panic_response() -> Response {
    AppError::internal("a handler panicked").into_response()
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
///
/// Connections are served here rather than by `axum::serve` so that a client slow to send its
/// headers is cut off after [`Limits::header_timeout`] (axum's loop sets no timer, and such a
/// client held its connection for ever).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = state.limits.header_timeout;
    let app = app(state);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = tower::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            app.clone().oneshot(request.map(Body::new))
        });
        let mut builder = ConnectionBuilder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
