//! Serving a gateway, and swapping in a rebuilt one without dropping connections or the
//! sessions of endpoints that still exist.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{Arc, PoisonError, RwLock},
    time::Duration,
};

use axum::{Router, body::Body, extract::Request};
use tokio::{net::TcpListener, sync::Mutex as AsyncMutex};
use toolgate_server::HttpServer;
use tower::ServiceExt as _;

use super::{Gateway, GatewayBuilder};
use crate::{ConfigError, Problem};

type SharedRouter = Arc<RwLock<Router>>;

/// A gateway bound to its listen addresses.
#[derive(Debug)]
pub struct BoundGateway {
    listeners: Vec<(String, TcpListener, SharedRouter, HttpServer)>,
    reloader: Reloader,
    drain_timeout: Duration,
}

/// Swaps a rebuilt gateway in while serving.
#[derive(Clone, Debug)]
pub struct Reloader {
    routers: Vec<(String, SocketAddr, SharedRouter)>,
    current: Arc<AsyncMutex<Option<Gateway>>>,
}

impl Gateway {
    /// Binds every listener and makes the catalogs current.
    ///
    /// # Errors
    /// When an address cannot be bound.
    pub async fn bind(mut self) -> Result<BoundGateway, ConfigError> {
        let mut listeners = Vec::new();
        let mut routers = Vec::new();
        for (name, address, router) in std::mem::take(&mut self.listeners) {
            let listener = TcpListener::bind(address)
                .await
                .map_err(|e| ConfigError::Build {
                    origin: self.origin.clone(),
                    path: format!("listeners.{name}"),
                    message: format!("cannot listen on {address}: {e}"),
                })?;
            let local = listener.local_addr().unwrap_or(address);
            let shared = Arc::new(RwLock::new(router));
            routers.push((name.clone(), local, Arc::clone(&shared)));
            let server =
                super::limits::http_server(self.config.listeners.iter().find(|l| l.name == name));
            listeners.push((name, listener, shared, server));
        }
        self.publish();
        Ok(BoundGateway {
            listeners,
            reloader: Reloader {
                routers,
                current: Arc::new(AsyncMutex::new(Some(self))),
            },
            drain_timeout: toolgate_server::DEFAULT_DRAIN_TIMEOUT,
        })
    }
}

impl BoundGateway {
    /// The bound addresses by listener name.
    #[must_use]
    pub fn local_addrs(&self) -> Vec<(String, SocketAddr)> {
        self.reloader
            .routers
            .iter()
            .map(|(n, a, _)| (n.clone(), *a))
            .collect()
    }

    /// A handle that swaps a rebuilt gateway in.
    #[must_use]
    pub fn reloader(&self) -> Reloader {
        self.reloader.clone()
    }

    /// How long a shutdown waits for tool calls in flight (default 30 s).
    #[must_use]
    pub fn with_drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Serves until `shutdown` completes, then drains: stops accepting, ends `GET` SSE
    /// streams, lets tool calls in flight finish and their answers reach the clients (at
    /// most the drain timeout), closes the sessions and stops remote connections.
    ///
    /// # Errors
    /// When a listener fails.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, _) = tokio::sync::watch::channel(false);
        let drain_timeout = self.drain_timeout;
        let mut servers = tokio::task::JoinSet::new();
        for (name, listener, shared, server) in self.listeners {
            let router =
                Router::new().fallback_service(tower::service_fn(move |request: Request<Body>| {
                    let router = shared
                        .read()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clone();
                    async move { router.oneshot(request).await }
                }));
            let mut stopped = stop.subscribe();
            servers.spawn(async move {
                let result = server
                    .with_drain_timeout(drain_timeout)
                    .serve(listener, router, async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    })
                    .await;
                (name, result)
            });
        }
        let mut result = Ok(());
        tokio::select! {
            () = shutdown => {}
            Some(joined) = servers.join_next() => {
                if let Ok((name, Err(error))) = joined {
                    tracing::error!(listener = %name, %error, "listener failed");
                    result = Err(error);
                }
            }
        }
        stop.send_replace(true);
        while let Some(joined) = servers.join_next().await {
            if let Ok((name, Err(error))) = joined {
                tracing::error!(listener = %name, %error, "listener failed while stopping");
            }
        }
        if let Some(gateway) = self.reloader.current.lock().await.take() {
            gateway.close_sessions().await;
            gateway.shutdown().await;
        }
        result
    }
}

impl Reloader {
    /// Builds `builder` and, when it succeeds and keeps the same listeners, serves it in
    /// place of the current gateway. Sessions of endpoints that still exist (same listener
    /// and path) go on with the new tools; the old gateway's remote connections are closed.
    ///
    /// # Errors
    /// The build's errors, or a listener change (which needs a restart); the current
    /// gateway keeps serving either way.
    pub async fn reload(&self, builder: GatewayBuilder) -> Result<Vec<Problem>, ConfigError> {
        let mut current = self.current.lock().await;
        let slots = current
            .as_ref()
            .map(|g| Arc::clone(&g.slots))
            .unwrap_or_default();
        let metrics = current.as_ref().map(|g| g.metrics.clone());
        let builder = match metrics {
            Some(metrics) => builder.with_metrics(metrics),
            None => builder,
        };
        let mut next = builder.with_slots(slots).build().await?;
        let wanted: Vec<(String, SocketAddr)> = next.listeners();
        let serving: Vec<(&String, &SocketAddr)> =
            self.routers.iter().map(|(n, a, _)| (n, a)).collect();
        let same = wanted.len() == serving.len()
            && wanted.iter().all(|(name, address)| {
                serving.iter().any(|(n, a)| {
                    *n == name
                        && (*a == address
                            || address.port() == 0
                            || a.ip() == address.ip() && a.port() == address.port())
                })
            });
        if !same {
            return Err(ConfigError::Build {
                origin: next.origin.clone(),
                path: "listeners".to_owned(),
                message: "the listeners changed; restart toolgate to apply that (the running configuration keeps serving)".to_owned(),
            });
        }
        next.publish();
        for (name, _, router) in std::mem::take(&mut next.listeners) {
            if let Some((_, _, shared)) = self.routers.iter().find(|(n, _, _)| *n == name) {
                *shared.write().unwrap_or_else(PoisonError::into_inner) = router;
            }
        }
        let warnings = next.warnings.clone();
        if let Some(old) = current.replace(next) {
            old.shutdown().await;
        }
        Ok(warnings)
    }
}

impl Reloader {
    /// The admin routes of the gateway being served (`/metrics`, `/healthz`, `/readyz`),
    /// following reloads: ready when every remote toolset is connected and every auth
    /// profile's authorization servers answer. Serve them on their own address
    /// ([`Gateway::admin_address`]), never on a public listener.
    pub async fn admin_router(&self) -> Router {
        let metrics = match self.current.lock().await.as_ref() {
            Some(gateway) => gateway.metrics.clone(),
            None => toolgate_telemetry::Metrics::new(),
        };
        let current = Arc::clone(&self.current);
        let check: toolgate_server::ReadinessCheck = Arc::new(move || {
            let current = Arc::clone(&current);
            Box::pin(async move {
                let pending = {
                    let gateway = current.lock().await;
                    let Some(gateway) = gateway.as_ref() else {
                        return vec![toolgate_server::NotReady::new("gateway", "shutting down")];
                    };
                    let remotes = gateway
                        .remotes
                        .iter()
                        .map(|r| (r.name().to_owned(), r.is_connected()))
                        .collect();
                    gateway.readiness.check(remotes)
                };
                pending.await
            })
        });
        toolgate_server::AdminEndpoint::new(metrics)
            .with_readiness(check)
            .into_router()
    }
}
