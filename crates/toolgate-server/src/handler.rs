//! [`ToolServer`]: the rmcp `ServerHandler` over a tool catalog.

// `logging/setLevel` is deprecated by the 2026-07-28 protocol, but clients that negotiate
// 2025-11-25 use it.
#![allow(deprecated)]

use std::sync::{Arc, Mutex, PoisonError};

use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult, LoggingLevel,
        PaginatedRequestParams, ServerCapabilities, ServerConfig, SetLevelRequestParams, Tool,
    },
    service::{NotificationContext, RequestContext},
};
use serde_json::{Value, json};
use tokio::sync::watch;
use toolgate_auth::Identity;
use toolgate_telemetry::Outcome;
use toolgate_tools::{CallContext, Principal, ToolCatalog, ToolError};
use tracing::Instrument;

use crate::{
    EndpointTelemetry,
    telemetry::{error_result_outcome, failure_kind},
};

/// How often a session's tool-list relay checks that the session still exists.
const SESSION_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// The length of `value` as compact JSON.
fn json_len(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(0, |bytes| bytes.len())
}

/// How the server introduces itself in `initialize` / `server/discover`.
#[derive(Clone, Debug)]
pub struct ServerIdentity {
    name: String,
    version: String,
    title: Option<String>,
    instructions: Option<String>,
}

impl ServerIdentity {
    /// A server called `name` at `version`.
    #[must_use]
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            title: None,
            instructions: None,
        }
    }

    /// A human title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Instructions for the model.
    #[must_use]
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }
}

/// Where a server's tools come from: fixed at start-up, or published by a
/// [`LiveRegistry`](toolgate_tools::LiveRegistry) as toolsets change.
#[derive(Clone, Debug)]
enum CatalogSource {
    Fixed(Arc<ToolCatalog>),
    Live(watch::Receiver<Arc<ToolCatalog>>),
}

impl CatalogSource {
    fn current(&self) -> Arc<ToolCatalog> {
        match self {
            Self::Fixed(catalog) => Arc::clone(catalog),
            Self::Live(receiver) => Arc::clone(&receiver.borrow()),
        }
    }
}

/// Which `tools/call` audit events an endpoint writes (Kong's `logging` block); see
/// [`EndpointTelemetry`](crate::EndpointTelemetry) for where they go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallLogging {
    /// One event per call: endpoint, session, consumer, groups, tool, upstream, outcome,
    /// JSON-RPC code, upstream status, latency, sizes.
    pub statistics: bool,
    /// The call's arguments and result in that event, redacted and bounded to 4 KiB each.
    pub payloads: bool,
}

impl CallLogging {
    /// Statistics, and payloads when `payloads`.
    #[must_use]
    pub fn new(statistics: bool, payloads: bool) -> Self {
        Self {
            statistics,
            payloads,
        }
    }
}

/// The MCP server of one endpoint.
///
/// Cloning shares the catalog; [`ToolServer::for_new_session`] gives each session its own
/// logging level.
#[derive(Clone, Debug)]
pub struct ToolServer {
    catalog: CatalogSource,
    identity: Arc<ServerIdentity>,
    log_level: Arc<Mutex<Option<LoggingLevel>>>,
    telemetry: Arc<EndpointTelemetry>,
    fallback_principal: Option<Arc<Principal>>,
}

impl ToolServer {
    /// A server for `catalog`.
    #[must_use]
    pub fn new(catalog: Arc<ToolCatalog>, identity: ServerIdentity) -> Self {
        Self {
            catalog: CatalogSource::Fixed(catalog),
            identity: Arc::new(identity),
            log_level: Arc::new(Mutex::new(None)),
            telemetry: Arc::default(),
            fallback_principal: None,
        }
    }

    /// A server whose tools follow `catalog` (from
    /// [`LiveRegistry::endpoint`](toolgate_tools::LiveRegistry::endpoint)); sessions are told
    /// with `notifications/tools/list_changed` when it changes.
    #[must_use]
    pub fn live(catalog: watch::Receiver<Arc<ToolCatalog>>, identity: ServerIdentity) -> Self {
        Self {
            catalog: CatalogSource::Live(catalog),
            identity: Arc::new(identity),
            log_level: Arc::new(Mutex::new(None)),
            telemetry: Arc::default(),
            fallback_principal: None,
        }
    }

    /// The same server with fresh per-session state.
    #[must_use]
    pub fn for_new_session(&self) -> Self {
        Self {
            catalog: self.catalog.clone(),
            identity: Arc::clone(&self.identity),
            log_level: Arc::new(Mutex::new(None)),
            telemetry: Arc::clone(&self.telemetry),
            fallback_principal: self.fallback_principal.clone(),
        }
    }

    /// The caller of requests that carry no identity of their own (stdio, where the client
    /// started the process): their ACLs and audit events name this principal instead of an
    /// anonymous caller.
    #[must_use]
    pub fn with_fallback_principal(mut self, principal: Principal) -> Self {
        self.fallback_principal = Some(Arc::new(principal));
        self
    }

    fn principal_of(&self, context: &RequestContext<RoleServer>) -> Arc<Principal> {
        let principal = principal_of(context);
        match &self.fallback_principal {
            Some(fallback) if context.extensions.get::<http::request::Parts>().is_none() => {
                Arc::clone(fallback)
            }
            _ => principal,
        }
    }

    /// Writes `tools/call` audit events as `logging` says.
    #[must_use]
    pub fn with_call_logging(mut self, logging: CallLogging) -> Self {
        Arc::make_mut(&mut self.telemetry).logging = logging;
        self
    }

    /// Audit events and metrics: the endpoint's name, where events go, what is counted.
    #[must_use]
    pub fn with_telemetry(mut self, telemetry: EndpointTelemetry) -> Self {
        self.telemetry = Arc::new(telemetry);
        self
    }

    /// The endpoint's audit and metrics settings.
    pub fn telemetry(&self) -> &EndpointTelemetry {
        &self.telemetry
    }

    /// The catalog served now.
    #[must_use]
    pub fn catalog(&self) -> Arc<ToolCatalog> {
        self.catalog.current()
    }

    fn log_level(&self) -> Option<LoggingLevel> {
        *self
            .log_level
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The caller: the principal a layer put in the HTTP request's extensions, or the identity
/// the resource server established; anonymous over stdio or where no auth layer runs.
fn principal_of(context: &RequestContext<RoleServer>) -> Arc<Principal> {
    let Some(parts) = context.extensions.get::<http::request::Parts>() else {
        return Arc::new(Principal::anonymous());
    };
    if let Some(principal) = parts.extensions.get::<Arc<Principal>>() {
        return Arc::clone(principal);
    }
    match parts.extensions.get::<Arc<Identity>>() {
        Some(identity) => Arc::new(principal_from(identity)),
        None => Arc::new(Principal::anonymous()),
    }
}

/// The principal of an identity the resource server established.
pub(crate) fn principal_from(identity: &Identity) -> Principal {
    let mut principal = Principal::anonymous()
        .with_groups(identity.groups.iter().cloned())
        .with_scopes(identity.scopes.iter().cloned());
    if let Some(subject) = &identity.subject {
        principal = principal.with_subject(subject.clone());
    }
    if let Some(consumer) = &identity.consumer {
        principal = principal.with_consumer(consumer.clone());
    }
    principal.consumer_id.clone_from(&identity.consumer_id);
    principal
        .consumer_custom_id
        .clone_from(&identity.consumer_custom_id);
    for (name, value) in &identity.claims {
        principal = principal.with_claim(name.clone(), value.clone());
    }
    for (name, value) in &identity.upstream_headers {
        principal = principal.with_upstream_header(name.clone(), value.clone());
    }
    principal
}

fn session_of(context: &RequestContext<RoleServer>) -> Option<String> {
    context
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.headers.get("mcp-session-id"))
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

impl ServerHandler for ToolServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = match self.catalog {
            CatalogSource::Fixed(_) => ServerCapabilities::builder()
                .enable_tools()
                .enable_logging()
                .build(),
            CatalogSource::Live(_) => ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_logging()
                .build(),
        };
        let mut implementation =
            Implementation::new(self.identity.name.clone(), self.identity.version.clone());
        if let Some(title) = &self.identity.title {
            implementation = implementation.with_title(title.clone());
        }
        let mut config = ServerConfig::new(capabilities).with_server_info(implementation);
        if let Some(instructions) = &self.identity.instructions {
            config = config.with_instructions(instructions.clone());
        }
        config
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        // Tools the caller may not call are not listed (ACLs).
        let principal = self.principal_of(&context);
        Ok(ListToolsResult::with_all_items(
            self.catalog
                .current()
                .visible_to(&principal)
                .cloned()
                .collect(),
        ))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.catalog
            .current()
            .get(name)
            .map(|entry| entry.descriptor().clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let principal = self.principal_of(&context);
        let session = session_of(&context);
        let telemetry = Arc::clone(&self.telemetry);
        let span = tracing::info_span!(
            "mcp",
            mcp.method = "tools/call",
            mcp.session = session.as_deref(),
            tool.name = %request.name,
            consumer = principal.consumer.as_deref(),
            endpoint = %telemetry.endpoint(),
        );
        let call_context =
            CallContext::from_request(&context, Arc::clone(&principal), self.log_level());
        let cancellation = context.ct.clone();
        async move {
            let started = std::time::Instant::now();
            let catalog = self.catalog.current();
            let entry = catalog.get(&request.name);
            let toolset = entry.map(|e| e.source().to_owned());
            if let Some(entry) = entry
                && entry.acl().governs(&request.name)
            {
                let denial = entry.permits(&principal).err();
                telemetry.acl_decision(
                    &request.name,
                    toolset.as_deref(),
                    &principal,
                    session.as_deref(),
                    denial.as_ref(),
                );
            }
            let logging = telemetry.logging;
            let arguments = request.arguments.clone().map(Value::Object);
            let outcome = catalog
                .call(&request.name, request.arguments, call_context.clone())
                .await;
            let elapsed = started.elapsed();
            let report = call_context.upstream_report();
            let (outcome_kind, code) = match &outcome {
                Ok(result) if result.is_error == Some(true) => (
                    error_result_outcome(report.as_ref(), cancellation.is_cancelled()),
                    None,
                ),
                Ok(_) => (Outcome::Ok, None),
                Err(error) => (
                    match error {
                        ToolError::Denied(_) => Outcome::Denied,
                        ToolError::UnknownTool { .. } | ToolError::InvalidArguments { .. } => {
                            Outcome::Invalid
                        }
                        _ => Outcome::Error,
                    },
                    Some(error.code()),
                ),
            };
            let upstream = report.as_ref().and_then(|r| r.upstream.clone()).or(toolset);
            match &outcome {
                Ok(result) => tracing::debug!(
                    is_error = result.is_error.unwrap_or(false),
                    elapsed_ms = elapsed.as_millis(),
                    "tool call finished"
                ),
                Err(error) => tracing::debug!(%error, "tool call refused"),
            }
            telemetry.count_call(entry.map(|_| request.name.as_ref()), outcome_kind, elapsed);
            if let (Some(failure), Some(upstream)) =
                (report.as_ref().and_then(|r| r.failure), upstream.as_deref())
            {
                telemetry.count_upstream_error(upstream, failure_kind(failure));
            }
            if logging.statistics {
                let mut event = telemetry.event("tool_call", &principal, session.as_deref());
                event.tool = Some(request.name.to_string());
                event.upstream = upstream;
                event.outcome = Some(outcome_kind);
                event.jsonrpc_code = code.map(i64::from);
                event.upstream_status = report.as_ref().and_then(|r| r.status);
                event.latency_ms = Some(elapsed.as_secs_f64() * 1000.0);
                event.request_bytes = Some(arguments.as_ref().map_or(2, json_len));
                let answer = match &outcome {
                    Ok(result) => serde_json::to_value(result).unwrap_or(Value::Null),
                    Err(error) => json!({"code": error.code(), "message": error.to_string()}),
                };
                event.response_bytes = Some(json_len(&answer));
                if logging.payloads {
                    event.arguments = Some(
                        arguments
                            .as_ref()
                            .map_or_else(|| json!({}), |a| telemetry.payload(a)),
                    );
                    event.result = Some(telemetry.payload(&answer));
                }
                telemetry.audit.record(&event);
            }
            outcome.map(Into::into).map_err(Into::into)
        }
        .instrument(span)
        .await
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let CatalogSource::Live(receiver) = &self.catalog else {
            return;
        };
        // Relay tool list changes to this session until it ends.
        let mut receiver = receiver.clone();
        receiver.mark_unchanged();
        let peer = context.peer;
        // The relay must end with the session, not with the next catalog change: a session
        // that ends while the catalog stays the same would otherwise keep this task and its
        // peer forever (one per session ever opened). rmcp exposes no "closed" future, so
        // the transport is checked every few seconds.
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    changed = receiver.changed() => {
                        if changed.is_err()
                            || peer.is_transport_closed()
                            || peer.notify_tool_list_changed().await.is_err()
                        {
                            break;
                        }
                    }
                    () = tokio::time::sleep(SESSION_CHECK_INTERVAL) => {
                        if peer.is_transport_closed() {
                            break;
                        }
                    }
                }
            }
        });
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        *self
            .log_level
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(request.level);
        Ok(())
    }
}
