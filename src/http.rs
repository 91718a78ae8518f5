//! The JSON API: routes, extractors, and the error type clients see.

mod admin;
mod brief;
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
mod patch;
mod registrations;
mod search;
mod stakeholders;
mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::search::SearchIndex;
use crate::store::Store;
use error::AppError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub limits: Arc<Limits>,
    /// The search index; `None` answers search with 503 (a process that does not index).
    pub search: Option<SearchIndex>,
}

/// Knobs that tests and deployments may turn.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Public registrations allowed per client address in a burst, then one per `registration_period`.
    pub registration_burst: u32,
    pub registration_period: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            registration_burst: 20,
            registration_period: Duration::from_secs(3),
        }
    }
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            limits: Arc::new(Limits::default()),
            search: None,
        }
    }

    pub fn with_search(mut self, index: SearchIndex) -> Self {
        self.search = Some(index);
        self
    }
}

/// The whole application as one router, so tests and `serve` build the same thing.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(docs::router())
        .merge(geography::router())
        .merge(stakeholders::router())
        .merge(offerings::router())
        .merge(needs::router())
        .merge(registrations::router(&state.limits))
        .merge(search::router())
        .merge(meetings::router())
        .merge(linkages::router())
        .merge(hsds::router())
        .merge(interchange::router())
        .merge(admin::router())
        .layer(middleware::from_fn_with_state(state.clone(), wake_indexer));
    Router::new()
        .nest("/api/v1", api)
        .merge(health::router())
        .merge(web::router(&state.limits))
        .fallback(|| async { AppError::NotFound("no such endpoint; see /api/v1/openapi.json".into()) })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .with_state(state)
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(|_| panic_response()))
        // Pages and JSON shrink to a fifth or less for phones on slow networks.
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
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
    AppError::Internal("a handler panicked".into()).into_response()
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
