//! The admin listener's routes: `/metrics` (Prometheus text), `/healthz` (the process
//! answers) and `/readyz` (every upstream and authorization server reachable).
//!
//! Serve them on their own address, never on a public listener: they carry no
//! authentication. Bind loopback (the default everywhere in toolgate) or a network only
//! the scraper reaches.
//!
//! ```no_run
//! use toolgate_server::AdminEndpoint;
//! use toolgate_telemetry::Metrics;
//!
//! # async fn run() -> std::io::Result<()> {
//! let metrics = Metrics::new();
//! let router = AdminEndpoint::new(metrics.clone()).into_router();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9100").await?;
//! toolgate_server::serve_http(listener, router, std::future::pending()).await
//! # }
//! ```

use std::{
    fmt,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::json;
use toolgate_auth::ResourceServer;
use toolgate_telemetry::Metrics;

/// Longest a readiness check may take; a component that has not answered by then is not
/// ready.
pub const READINESS_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a readiness verdict is reused by default: probes within it, or arriving while a
/// check runs, share one check instead of each fetching every authorization server.
pub const READINESS_CACHE: Duration = Duration::from_secs(1);

/// A component that is not ready, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotReady {
    /// `auth:<profile>` or `toolset:<name>`.
    pub component: String,
    /// What failed (no credentials in it).
    pub reason: String,
}

impl NotReady {
    /// `component` is not ready because of `reason`.
    #[must_use]
    pub fn new(component: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            component: component.into(),
            reason: reason.into(),
        }
    }
}

/// Checks readiness: the components that are not ready (none when ready).
pub type ReadinessCheck = Arc<dyn Fn() -> BoxFuture<'static, Vec<NotReady>> + Send + Sync>;

/// A readiness check's outcome, and when the check started and ended.
#[derive(Debug)]
struct Verdict {
    started: Instant,
    finished: Instant,
    not_ready: Vec<NotReady>,
}

/// The admin routes over a [`Metrics`] registry and a readiness check.
#[derive(Clone)]
#[must_use]
pub struct AdminEndpoint {
    metrics: Metrics,
    readiness: Option<ReadinessCheck>,
    cache_for: Duration,
    /// The last verdict; locked across a check, so concurrent probes wait for the running
    /// one.
    last: Arc<tokio::sync::Mutex<Option<Verdict>>>,
}

impl fmt::Debug for AdminEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminEndpoint")
            .field("readiness", &self.readiness.is_some())
            .finish_non_exhaustive()
    }
}

impl AdminEndpoint {
    /// `/metrics` renders `metrics`; `/readyz` is ready until a check is added.
    pub fn new(metrics: Metrics) -> Self {
        Self {
            metrics,
            readiness: None,
            cache_for: READINESS_CACHE,
            last: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// What `/readyz` asks (within [`READINESS_TIMEOUT`]; the verdict is reused for
    /// [`READINESS_CACHE`]).
    pub fn with_readiness(mut self, check: ReadinessCheck) -> Self {
        self.readiness = Some(check);
        self
    }

    /// Reuses a readiness verdict for `duration` (default [`READINESS_CACHE`]; zero checks
    /// at every probe, though concurrent probes still share one check).
    pub fn with_readiness_cache(mut self, duration: Duration) -> Self {
        self.cache_for = duration;
        self
    }

    /// The components not ready now: the cached verdict if recent enough, else a new check.
    async fn not_ready(&self) -> Vec<NotReady> {
        let Some(check) = &self.readiness else {
            return Vec::new();
        };
        let probe_arrived = Instant::now();
        let mut last = self.last.lock().await;
        if let Some(verdict) = last.as_ref() {
            // A check that ended after this probe arrived answers it (the probe waited for
            // that check); so does one that started recently enough.
            if verdict.finished >= probe_arrived || verdict.started.elapsed() < self.cache_for {
                return verdict.not_ready.clone();
            }
        }
        let started = Instant::now();
        let verdict = tokio::time::timeout(READINESS_TIMEOUT, check())
            .await
            .unwrap_or_else(|_| {
                vec![NotReady::new(
                    "readiness",
                    format!("the checks did not finish within {READINESS_TIMEOUT:?}"),
                )]
            });
        *last = Some(Verdict {
            started,
            finished: Instant::now(),
            not_ready: verdict.clone(),
        });
        verdict
    }

    /// `/metrics`, `/healthz` and `/readyz`.
    pub fn into_router(self) -> Router {
        Router::new()
            .route("/metrics", get(metrics))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .with_state(Arc::new(self))
    }
}

async fn metrics(State(admin): State<Arc<AdminEndpoint>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        admin.metrics.render(),
    )
        .into_response()
}

async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

async fn readyz(State(admin): State<Arc<AdminEndpoint>>) -> Response {
    let not_ready = admin.not_ready().await;
    if not_ready.is_empty() {
        return Json(json!({"status": "ready"})).into_response();
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "unready", "not_ready": not_ready})),
    )
        .into_response()
}

/// The readiness of resource servers: each named one's authorization servers reachable
/// now ([`ResourceServer::check_authorization_servers`]), checked concurrently.
pub async fn check_authorization_servers(
    servers: Vec<(String, Arc<ResourceServer>)>,
) -> Vec<NotReady> {
    let checks = servers.into_iter().map(|(name, server)| async move {
        server
            .check_authorization_servers()
            .await
            .err()
            .map(|reason| NotReady::new(format!("auth:{name}"), reason))
    });
    futures::future::join_all(checks)
        .await
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests;
