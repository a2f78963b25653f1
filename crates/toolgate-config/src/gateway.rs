//! From a loaded configuration to running endpoints, and reloading them in place.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use toolgate_config::{Gateway, load_file};
//! use toolgate_tools::ToolSet;
//!
//! let config = load_file("toolgate.yaml".as_ref())?;
//! // Tools written in Rust, declared in the file as `toolsets: [{name: notes, rust: {}}]`.
//! let notes = ToolSet::new("notes");
//! let gateway = Gateway::builder(config).with_toolset(notes).build().await?;
//! let bound = gateway.bind().await?;
//! bound.serve(std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

mod auth;
mod cors;
mod endpoint;
mod limits;
mod observe;
mod serve;
mod toolsets;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
};

use axum::Router;
use tokio::{sync::watch, task::JoinHandle};
use toolgate_auth::{ResourceServer, SessionBindings};
use toolgate_server::{SessionStore, ToolServer};
use toolgate_tools::{Principal, ToolCatalog, ToolSet};
use url::Url;

pub use serve::{BoundGateway, Reloader};

use crate::{
    ConfigError, LoadedConfig, Problem,
    model::{Config, EndpointConfig, IdentityConfig},
    validate::endpoint_name,
};

/// The default listen address (Kong's proxy port, loopback only).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";

/// Per endpoint (listener, path): what survives a reload.
#[derive(Clone, Debug)]
struct Slot {
    sessions: SessionStore,
    catalog: watch::Sender<Arc<ToolCatalog>>,
}

/// What survives a reload, by endpoint (listener, path).
#[derive(Debug, Default)]
struct SlotTable {
    /// Tool endpoints' sessions and catalogs.
    tools: HashMap<(String, String), Slot>,
    /// Authenticated endpoints' session bindings (tool endpoints and passthroughs): a
    /// session opened before a reload stays bound to its opener.
    bindings: HashMap<(String, String), SessionBindings>,
}

type Slots = Arc<Mutex<SlotTable>>;

/// Builds a [`Gateway`].
#[derive(Debug)]
#[must_use]
pub struct GatewayBuilder {
    loaded: LoadedConfig,
    custom: HashMap<String, ToolSet>,
    listen: Option<SocketAddr>,
    slots: Slots,
    metrics: Option<toolgate_telemetry::Metrics>,
    admin_listen: Option<SocketAddr>,
}

/// What one endpoint serves.
#[derive(Debug, Clone)]
pub enum EndpointKind {
    /// Tools from toolsets.
    Tools {
        /// The MCP server (shared by HTTP sessions; also what `--stdio` serves).
        server: ToolServer,
    },
    /// A passthrough proxy.
    Passthrough {
        /// The upstream MCP endpoint.
        upstream: Url,
        /// Its ACL rules, for `toolgate tools`.
        acl: toolgate_tools::AclPolicy,
    },
}

/// One built endpoint.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EndpointInfo {
    /// Its name.
    pub name: String,
    /// Its path.
    pub path: String,
    /// The listener serving it.
    pub listener: String,
    /// What it serves.
    pub kind: EndpointKind,
    /// The resource server guarding it.
    pub auth: Option<Arc<ResourceServer>>,
}

/// A built gateway: one router per listener, ready to bind.
#[derive(Debug)]
pub struct Gateway {
    origin: String,
    listeners: Vec<(String, SocketAddr, Router)>,
    endpoints: Vec<EndpointInfo>,
    remotes: Vec<toolgate_remote::RemoteToolset>,
    tasks: Vec<JoinHandle<()>>,
    /// Per tool endpoint: its name, slot and catalog, made current by `publish`.
    publish: Vec<(String, Slot, Arc<ToolCatalog>)>,
    slots: Slots,
    config: Config,
    warnings: Vec<Problem>,
    metrics: toolgate_telemetry::Metrics,
    admin: Option<SocketAddr>,
    readiness: observe::Readiness,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Gateway {
    /// Starts building from a loaded configuration.
    pub fn builder(loaded: LoadedConfig) -> GatewayBuilder {
        GatewayBuilder {
            loaded,
            custom: HashMap::new(),
            listen: None,
            slots: Slots::default(),
            metrics: None,
            admin_listen: None,
        }
    }

    /// The metrics every endpoint, resource server and upstream of the gateway counts in.
    #[must_use]
    pub fn metrics(&self) -> &toolgate_telemetry::Metrics {
        &self.metrics
    }

    /// Where the admin listener (`/metrics`, `/healthz`, `/readyz`) is to be bound.
    #[must_use]
    pub fn admin_address(&self) -> Option<SocketAddr> {
        self.admin
    }

    /// The endpoints.
    #[must_use]
    pub fn endpoints(&self) -> &[EndpointInfo] {
        &self.endpoints
    }

    /// The endpoint called `name`.
    #[must_use]
    pub fn endpoint(&self, name: &str) -> Option<&EndpointInfo> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// Listener names and addresses (as configured; `0` ports are chosen at bind time).
    #[must_use]
    pub fn listeners(&self) -> Vec<(String, SocketAddr)> {
        self.listeners
            .iter()
            .map(|(n, a, _)| (n.clone(), *a))
            .collect()
    }

    /// Warnings found while loading and building.
    #[must_use]
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The configuration it was built from.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The principal a configured consumer has (for `toolgate tools --consumer`), found by
    /// username, id or custom id.
    #[must_use]
    pub fn consumer_principal(&self, name: &str) -> Option<Principal> {
        let consumer = self.config.consumers.iter().find(|c| {
            c.username.as_deref() == Some(name)
                || c.id.as_deref() == Some(name)
                || c.custom_id.as_deref() == Some(name)
        })?;
        let id = consumer
            .id
            .clone()
            .or_else(|| consumer.username.clone())
            .or_else(|| consumer.custom_id.clone())
            .unwrap_or_default();
        let mut principal = Principal::anonymous()
            .with_subject(id.clone())
            .with_consumer(consumer.username.clone().unwrap_or_else(|| id.clone()))
            .with_groups(consumer.groups.iter().cloned());
        principal.consumer_id = Some(id);
        principal.consumer_custom_id.clone_from(&consumer.custom_id);
        Some(principal)
    }

    /// Makes the catalogs current (first build, or a reload), and reports each tool
    /// endpoint's open sessions as `toolgate_active_sessions` (endpoints gone in a reload stop
    /// being reported).
    fn publish(&mut self) {
        let mut names = std::collections::HashSet::new();
        for (name, slot, catalog) in self.publish.drain(..) {
            slot.catalog.send_replace(catalog);
            let sessions = slot.sessions.clone();
            self.metrics.track_sessions(&name, move || sessions.len());
            names.insert(name);
        }
        self.metrics.retain_sessions(|name| names.contains(name));
    }

    /// Closes every session of its endpoints (once their connections are drained).
    async fn close_sessions(&self) {
        let stores: Vec<SessionStore> = self
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .tools
            .values()
            .map(|slot| slot.sessions.clone())
            .collect();
        for store in stores {
            store.close_all().await;
        }
    }

    /// Stops remote connections.
    pub async fn shutdown(mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
        for remote in self.remotes.drain(..) {
            remote.shutdown().await;
        }
    }
}

impl GatewayBuilder {
    /// Registers a toolset of Rust tools, served where the file declares a toolset of the
    /// same name with `rust: {}` (its tags and ACL come from the file).
    pub fn with_toolset(mut self, toolset: ToolSet) -> Self {
        self.custom.insert(toolset.name().to_owned(), toolset);
        self
    }

    /// Serves every endpoint on `address` instead of the configured listeners (`--listen`).
    pub fn with_listen(mut self, address: SocketAddr) -> Self {
        self.listen = Some(address);
        self
    }

    /// Counts in `metrics` (default: a registry of its own; a reload keeps the one in use).
    pub fn with_metrics(mut self, metrics: toolgate_telemetry::Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Serves `/metrics`, `/healthz` and `/readyz` on `address` instead of `admin.listen`
    /// (`--admin-listen`).
    pub fn with_admin_listen(mut self, address: SocketAddr) -> Self {
        self.admin_listen = Some(address);
        self
    }

    fn with_slots(mut self, slots: Slots) -> Self {
        self.slots = slots;
        self
    }

    /// Builds every toolset, auth profile and endpoint.
    ///
    /// # Errors
    /// [`ConfigError::Build`] naming the part that failed, or [`ConfigError::Invalid`] with
    /// every problem found before any connection was made.
    pub async fn build(self) -> Result<Gateway, ConfigError> {
        let GatewayBuilder {
            loaded,
            mut custom,
            listen,
            slots,
            metrics,
            admin_listen,
        } = self;
        let origin = loaded.origin.clone();
        let config = loaded.config;
        let base_dir = loaded.base_dir.as_deref();
        let mut problems = Vec::new();
        let build_error = |problem: Problem| ConfigError::Build {
            origin: origin.clone(),
            path: problem.path,
            message: problem.message,
        };

        // Listeners.
        let mut listeners: Vec<(String, SocketAddr)> = if config.listeners.is_empty() {
            vec![(
                crate::model::default_listener_name(),
                DEFAULT_LISTEN.parse().map_err(|_| ConfigError::Build {
                    origin: origin.clone(),
                    path: "listeners".into(),
                    message: "bad default address".into(),
                })?,
            )]
        } else {
            config
                .listeners
                .iter()
                .map(|l| (l.name.clone(), l.listen))
                .collect()
        };
        if let Some(address) = listen {
            listeners.truncate(1);
            listeners[0].1 = address;
        }
        let listener_of = |endpoint: &EndpointConfig| -> (String, SocketAddr) {
            if listen.is_some() {
                return listeners[0].clone();
            }
            let name = endpoint
                .listener
                .clone()
                .unwrap_or_else(|| listeners[0].0.clone());
            listeners
                .iter()
                .find(|(n, _)| *n == name)
                .cloned()
                .unwrap_or_else(|| listeners[0].clone())
        };
        let allowed_hosts_of = |listener: &str| -> Vec<String> {
            config
                .listeners
                .iter()
                .find(|l| l.name == listener)
                .map(|l| l.allowed_hosts.clone())
                .unwrap_or_default()
        };

        let admin = admin_listen.or_else(|| config.admin.as_ref().map(|a| a.listen));
        if let Some(admin) = admin {
            observe::check_admin_address(admin, &listeners).map_err(build_error)?;
        }
        let observability =
            observe::Observability::new(&config, base_dir, metrics.unwrap_or_default())
                .map_err(build_error)?;
        let mut readiness = observe::Readiness::default();

        let consumers = auth::consumer_store(&config, &mut problems);
        if problems.iter().any(Problem::is_error) {
            return Err(ConfigError::Invalid { origin, problems });
        }

        // Toolsets, built once per distinct endpoint timeout, with their concurrency caps.
        let caps = toolsets::caps(&config);
        let cap_for = |index: usize, endpoint_timeout: Option<u64>| {
            toolsets::cap_for(&caps, &config, index, endpoint_timeout)
        };
        let built = toolsets::build_all(&config, base_dir, &mut custom, &caps)
            .await
            .map_err(build_error)?;
        let mut unused: Vec<&String> = custom.keys().collect();
        unused.sort();
        for name in unused {
            problems.push(Problem::warning(
                "toolsets",
                format!("the Rust toolset `{name}` is registered but no toolset of the file names it (`rust: {{}}`): not served"),
            ));
        }

        let mut endpoints = Vec::new();
        let mut routers: HashMap<String, Router> = HashMap::new();
        let mut publish = Vec::new();
        let mut tasks = Vec::new();
        let mut prm_paths: HashMap<(String, String), String> = HashMap::new();
        // The root well-known metadata path goes to the first endpoint of a listener that
        // serves metadata; two would overlap.
        let mut root_taken: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (i, spec) in config.endpoints.iter().enumerate() {
            let at = format!("endpoints[{i}]");
            let name = endpoint_name(spec);
            let (listener, address) = listener_of(spec);
            let passthrough_user_token = spec
                .passthrough
                .as_ref()
                .is_some_and(|p| p.identity == IdentityConfig::UserToken);
            let token_swap = spec
                .passthrough
                .as_ref()
                .is_some_and(|p| p.identity == IdentityConfig::TokenSwap);
            let auth_profile = spec
                .auth
                .as_ref()
                .and_then(|n| config.auth.get(n).map(|p| (n, p)));
            let resource_server = match auth_profile {
                Some((profile_name, profile)) => Some(
                    auth::resource_server(
                        profile_name,
                        profile,
                        &consumers,
                        address,
                        &spec.path,
                        base_dir,
                        passthrough_user_token,
                        token_swap,
                        spec.passthrough
                            .as_ref()
                            .and_then(|p| p.resource.as_deref()),
                    )
                    .map_err(build_error)
                    .map(|server| observe::count_auth(server, &observability.metrics, &name))
                    .map(|server| {
                        keep_bindings(server, &slots, (listener.clone(), spec.path.clone()))
                    })?,
                ),
                None => None,
            };
            if let (Some(server), Some((profile_name, _))) = (&resource_server, auth_profile) {
                readiness
                    .auth
                    .entry(profile_name.clone())
                    .or_insert_with(|| Arc::clone(server));
            }
            if let Some(server) = &resource_server {
                let path = server.config().metadata_path();
                if let Some(other) =
                    prm_paths.insert((listener.clone(), path.clone()), name.clone())
                {
                    return Err(build_error(Problem::error(
                        format!("{at}.auth"),
                        format!(
                            "its metadata would be served at {path}, like the endpoint `{other}`'s: give each endpoint's auth profile its own `resource` (or `metadata_endpoint`)"
                        ),
                    )));
                }
            }
            let mut allowed_hosts = allowed_hosts_of(&listener);
            if let Some(server) = &resource_server
                && let Some(host) = server.config().resource.host_str()
                && !allowed_hosts.is_empty()
            {
                allowed_hosts.push(host.to_owned());
            }
            let any_host = allowed_hosts.iter().any(|h| h == "*");
            let serves_metadata = resource_server.is_some() || passthrough_user_token;
            let root_metadata = serves_metadata && root_taken.insert(listener.clone());
            let key = (listener.clone(), spec.path.clone());
            let context = endpoint::Context {
                config: &config,
                spec,
                at: &at,
                name: &name,
                address,
                resource_server: resource_server.as_ref(),
                root_metadata,
                allowed_hosts: &allowed_hosts,
                any_host,
                observability: &observability,
            };
            let (router, kind) = if let Some(passthrough) = &spec.passthrough {
                endpoint::passthrough(&context, passthrough).map_err(build_error)?
            } else {
                endpoint::tools(
                    &context,
                    endpoint::ToolsBuild {
                        built: &built,
                        cap_for: &cap_for,
                        slots: &slots,
                        key,
                        tasks: &mut tasks,
                        publish: &mut publish,
                        profile: auth_profile.map(|(_, p)| p),
                    },
                )
                .map_err(build_error)?
            };
            let router = match &spec.cors {
                Some(cors) => router.layer(cors::layer(cors)),
                None => router,
            };
            let merged = routers.remove(&listener).unwrap_or_default().merge(router);
            routers.insert(listener.clone(), merged);
            tracing::debug!(endpoint = %name, path = %spec.path, %listener, "endpoint built");
            endpoints.push(EndpointInfo {
                name,
                path: spec.path.clone(),
                listener,
                kind,
                auth: resource_server,
            });
        }

        let mut remotes = Vec::new();
        for (_, toolset) in built {
            if let toolsets::Built::Remote(remote, _) = toolset {
                remotes.push(remote);
            }
        }
        let mut warnings = loaded.warnings;
        warnings.extend(problems);
        let listeners = listeners
            .into_iter()
            .map(|(name, address)| {
                let router = routers.remove(&name).unwrap_or_default();
                (name, address, router)
            })
            .collect();
        Ok(Gateway {
            origin,
            listeners,
            endpoints,
            remotes,
            tasks,
            publish,
            slots,
            config,
            warnings,
            metrics: observability.metrics,
            admin,
            readiness,
        })
    }
}

/// `server` binding sessions in the table its endpoint (`key`) had before a reload, or in a
/// new one kept for the next reload.
fn keep_bindings(
    server: Arc<ResourceServer>,
    slots: &Slots,
    key: (String, String),
) -> Arc<ResourceServer> {
    let mut slots = slots.lock().unwrap_or_else(PoisonError::into_inner);
    let bindings = slots
        .bindings
        .entry(key)
        .or_insert_with(|| server.session_bindings())
        .clone();
    match Arc::try_unwrap(server) {
        Ok(server) => Arc::new(server.with_session_bindings(bindings)),
        Err(shared) => shared,
    }
}
