//! Assembly of one endpoint (tools or passthrough) from its `endpoints[]` entry.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, PoisonError},
    time::Duration,
};

use axum::Router;
use tokio::{sync::watch, task::JoinHandle};
use toolgate_auth::ResourceServer;
use toolgate_server::{
    HttpEndpoint, PassthroughEndpoint, ServerIdentity, SessionMode, SessionStore, ToolServer,
    UpstreamIdentity,
};
use toolgate_tools::{ConcurrencyLimit, ToolCatalog, ToolRegistry};
use url::Url;

use super::{EndpointKind, Slot, Slots, limits, observe, toolsets};
use crate::{
    Problem,
    model::{
        AuthConfig, Config, EndpointConfig, IdentityConfig, PassthroughConfig, SessionsConfig,
    },
};

/// How long a passthrough call over `max_concurrent_calls` waits for a slot when its
/// endpoint sets no `timeout`.
const PASSTHROUGH_CALL_WAIT_MS: u64 = 10_000;

/// What an endpoint's assembly needs from the gateway being built.
pub(super) struct Context<'a> {
    pub(super) config: &'a Config,
    pub(super) spec: &'a EndpointConfig,
    /// The entry's field path, `endpoints[i]`.
    pub(super) at: &'a str,
    pub(super) name: &'a str,
    /// The listener's address.
    pub(super) address: SocketAddr,
    pub(super) resource_server: Option<&'a Arc<ResourceServer>>,
    /// Whether the endpoint also serves the listener's root well-known metadata path.
    pub(super) root_metadata: bool,
    pub(super) allowed_hosts: &'a [String],
    pub(super) any_host: bool,
    pub(super) observability: &'a observe::Observability,
}

/// The router of the passthrough endpoint `passthrough` and what it serves.
pub(super) fn passthrough(
    context: &Context<'_>,
    passthrough: &PassthroughConfig,
) -> Result<(Router, EndpointKind), Problem> {
    let Context {
        config,
        spec,
        at,
        name,
        address,
        resource_server,
        root_metadata,
        allowed_hosts,
        any_host,
        observability,
    } = *context;
    let upstream = Url::parse(&passthrough.upstream)
        .map_err(|e| Problem::error(format!("{at}.passthrough.upstream"), e.to_string()))?;
    let policy = toolsets::acl_policy(
        &passthrough.default_acl,
        &passthrough.acl,
        passthrough.consumer_identifier,
        passthrough.include_consumer_groups,
    );
    let identity = match passthrough.identity {
        IdentityConfig::None => UpstreamIdentity::default(),
        IdentityConfig::UserToken => UpstreamIdentity::UserTokenPassthrough,
        IdentityConfig::TokenSwap => UpstreamIdentity::TokenSwap {
            credential: toolgate_auth::SecretString::new(
                passthrough.credential.clone().unwrap_or_default(),
            ),
        },
        IdentityConfig::Static => UpstreamIdentity::Static {
            headers: passthrough
                .headers
                .iter()
                .map(|(k, v)| {
                    http::HeaderName::try_from(k.as_str())
                        .map(|name| (name, toolgate_auth::SecretString::new(v.clone())))
                        .map_err(|e| {
                            Problem::error(format!("{at}.passthrough.headers.{k}"), e.to_string())
                        })
                })
                .collect::<Result<_, _>>()?,
        },
    };
    let resource = match (&passthrough.resource, resource_server) {
        (Some(url), _) => Url::parse(url)
            .map_err(|e| Problem::error(format!("{at}.passthrough.resource"), e.to_string()))?,
        (None, Some(server)) => server.config().resource.clone(),
        (None, None) => Url::parse(&format!("http://{address}{}", spec.path))
            .map_err(|e| Problem::error(at, e.to_string()))?,
    };
    let mut endpoint = PassthroughEndpoint::new(spec.path.clone(), upstream.clone())
        .with_telemetry(observability.endpoint(name, spec.logging.as_ref()))
        .with_deny_private_networks(
            passthrough
                .deny_private_networks
                .unwrap_or(config.deny_private_networks),
        )
        .with_root_metadata(root_metadata)
        .with_identity(identity)
        .with_resource(resource)
        .with_acl(policy.clone());
    if let Some(url) = &passthrough.upstream_metadata {
        endpoint = endpoint.with_upstream_metadata(Url::parse(url).map_err(|e| {
            Problem::error(format!("{at}.passthrough.upstream_metadata"), e.to_string())
        })?);
    }
    if any_host {
        endpoint = endpoint.allow_any_host();
    } else if !allowed_hosts.is_empty() {
        endpoint = endpoint.with_allowed_hosts(allowed_hosts.to_vec());
    }
    if let Some(bytes) = spec.max_request_body_size {
        endpoint = endpoint.with_max_request_body_bytes(bytes);
    }
    endpoint = endpoint.with_rate_limits(limits::rate_limits(spec.rate_limits.as_ref()));
    if let Some(max) = passthrough.max_concurrent_calls {
        let wait = Duration::from_millis(spec.timeout.unwrap_or(PASSTHROUGH_CALL_WAIT_MS));
        endpoint = endpoint.with_max_concurrent_calls(max, wait);
    }
    if let Some(server) = resource_server {
        endpoint = endpoint.with_auth(Arc::clone(server));
    }
    let router = endpoint
        .into_router()
        .map_err(|e| Problem::error(format!("{at}.passthrough"), e.to_string()))?;
    Ok((
        router,
        EndpointKind::Passthrough {
            upstream,
            acl: policy,
        },
    ))
}

/// What a tool endpoint's assembly takes from, and adds to, the gateway being built.
pub(super) struct ToolsBuild<'a> {
    /// The toolsets, by (index in `toolsets`, endpoint timeout).
    pub(super) built: &'a HashMap<(usize, Option<u64>), toolsets::Built>,
    /// A toolset's concurrency cap, waiting at most the endpoint's call timeout.
    pub(super) cap_for: &'a dyn Fn(usize, Option<u64>) -> Option<ConcurrencyLimit>,
    pub(super) slots: &'a Slots,
    /// The endpoint's slot: (listener, path).
    pub(super) key: (String, String),
    /// Tasks republishing the catalog when a remote toolset changes.
    pub(super) tasks: &'a mut Vec<JoinHandle<()>>,
    /// Catalogs to make current when the gateway is published.
    pub(super) publish: &'a mut Vec<(String, Slot, Arc<ToolCatalog>)>,
    /// The endpoint's auth profile, for tool scopes.
    pub(super) profile: Option<&'a AuthConfig>,
}

/// The router of a tool endpoint and what it serves.
pub(super) fn tools(
    context: &Context<'_>,
    build: ToolsBuild<'_>,
) -> Result<(Router, EndpointKind), Problem> {
    let Context {
        config,
        spec,
        at,
        name,
        resource_server,
        root_metadata,
        allowed_hosts,
        any_host,
        observability,
        ..
    } = *context;
    let ToolsBuild {
        built,
        cap_for,
        slots,
        key,
        tasks,
        publish,
        profile,
    } = build;
    let (scopes, hide) = profile.map_or_else(
        || (HashMap::new(), false),
        |p| {
            (
                p.tool_scopes
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                p.hide_tools_without_scopes,
            )
        },
    );
    let mut registry = ToolRegistry::new();
    let mut remote_changes = Vec::new();
    let mut remote_caps = HashMap::new();
    for (index, toolset) in config.toolsets.iter().enumerate() {
        let selected = spec.toolsets.contains(&toolset.name)
            || toolset.tags.iter().any(|t| spec.tags.contains(t));
        if !selected {
            continue;
        }
        match built.get(&(index, spec.timeout)) {
            Some(toolsets::Built::Fixed(set)) => {
                registry.add(toolsets::with_scopes(set, &scopes, hide));
            }
            Some(toolsets::Built::Remote(remote, policy)) => {
                let cap = cap_for(index, spec.timeout);
                let current =
                    toolsets::capped(remote.toolset().with_acl(policy.clone()), cap.as_ref());
                if let Some(cap) = cap {
                    remote_caps.insert(remote.name().to_owned(), cap);
                }
                registry.add(toolsets::with_scopes(&current, &scopes, hide));
                remote_changes.push((remote.name().to_owned(), remote.changes(), policy.clone()));
            }
            None => {}
        }
    }
    let catalog = Arc::new(
        registry
            .catalog_all()
            .map_err(|e| Problem::error(at, e.to_string()))?,
    );
    let slot = {
        let mut slots = slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots
            .tools
            .entry(key)
            .or_insert_with(|| Slot {
                sessions: SessionStore::default(),
                catalog: watch::channel(Arc::clone(&catalog)).0,
            })
            .clone()
    };
    slot.sessions.set_limits(limits::session_limits(spec));
    if !remote_changes.is_empty() {
        tasks.push(toolsets::republish(
            registry,
            remote_changes,
            remote_caps,
            slot.catalog.clone(),
            scopes,
            hide,
            name.to_owned(),
        ));
    }
    publish.push((name.to_owned(), slot.clone(), Arc::clone(&catalog)));
    let info = spec.server.clone().unwrap_or_default();
    let mut identity = ServerIdentity::new(
        info.name.unwrap_or_else(|| "toolgate".to_owned()),
        env!("CARGO_PKG_VERSION"),
    );
    if let Some(title) = info.title {
        identity = identity.with_title(title);
    }
    if let Some(instructions) = info.instructions {
        identity = identity.with_instructions(instructions);
    }
    let server = ToolServer::live(slot.catalog.subscribe(), identity)
        .with_telemetry(observability.endpoint(name, spec.logging.as_ref()));
    let mut endpoint = HttpEndpoint::new(spec.path.clone(), server.clone())
        .with_session_store(slot.sessions)
        .with_root_metadata(root_metadata)
        .with_session_mode(match spec.sessions {
            SessionsConfig::Stateful => SessionMode::Sessions,
            SessionsConfig::Stateless => SessionMode::Stateless,
        })
        .with_json_response(spec.json_response)
        .with_rate_limits(limits::rate_limits(spec.rate_limits.as_ref()));
    if any_host {
        endpoint = endpoint.allow_any_host();
    } else if !allowed_hosts.is_empty() {
        endpoint = endpoint.with_allowed_hosts(allowed_hosts.to_vec());
    }
    if let Some(bytes) = spec.max_request_body_size {
        endpoint = endpoint.with_max_request_body_bytes(bytes);
    }
    if let Some(cors) = &spec.cors {
        let origins: Vec<String> = cors.origins.iter().filter(|o| *o != "*").cloned().collect();
        if !origins.is_empty() && !cors.origins.iter().any(|o| o == "*") {
            endpoint = endpoint.with_allowed_origins(origins);
        }
    }
    if let Some(server) = resource_server {
        endpoint = endpoint.with_auth(Arc::clone(server));
    }
    Ok((endpoint.into_router(), EndpointKind::Tools { server }))
}
