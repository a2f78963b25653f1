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

use std::{fmt, sync::Arc, time::Duration};

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

/// The admin routes over a [`Metrics`] registry and a readiness check.
#[derive(Clone)]
#[must_use]
pub struct AdminEndpoint {
    metrics: Metrics,
    readiness: Option<ReadinessCheck>,
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
        }
    }

    /// What `/readyz` asks, at every request (within [`READINESS_TIMEOUT`]).
    pub fn with_readiness(mut self, check: ReadinessCheck) -> Self {
        self.readiness = Some(check);
        self
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
    let not_ready = match &admin.readiness {
        Some(check) => tokio::time::timeout(READINESS_TIMEOUT, check())
            .await
            .unwrap_or_else(|_| {
                vec![NotReady::new(
                    "readiness",
                    format!("the checks did not finish within {READINESS_TIMEOUT:?}"),
                )]
            }),
        None => Vec::new(),
    };
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
