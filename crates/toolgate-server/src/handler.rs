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
use tokio::sync::watch;
use toolgate_auth::Identity;
use toolgate_tools::{CallContext, Principal, ToolCatalog};
use tracing::Instrument;

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

/// What is logged about each `tools/call` on the audit target (`toolgate::audit`), Kong's
/// `logging` block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallLogging {
    /// One event per call: tool, consumer, outcome, latency.
    pub statistics: bool,
    /// The call's arguments and result in that event (bounded to 4 KiB each). Fixed
    /// credentials are never arguments, so none appear.
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

/// The longest payload excerpt logged.
const MAX_LOGGED_PAYLOAD: usize = 4096;

fn excerpt(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string(value).unwrap_or_default();
    if text.len() > MAX_LOGGED_PAYLOAD {
        let mut cut = MAX_LOGGED_PAYLOAD;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
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
    call_logging: CallLogging,
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
            call_logging: CallLogging::default(),
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
            call_logging: CallLogging::default(),
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
            call_logging: self.call_logging,
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

    /// Logs every call on the audit target as `logging` says.
    #[must_use]
    pub fn with_call_logging(mut self, logging: CallLogging) -> Self {
        self.call_logging = logging;
        self
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
        let span = tracing::info_span!(
            "mcp",
            mcp.method = "tools/call",
            mcp.session = session_of(&context).as_deref(),
            tool.name = %request.name,
            consumer = principal.consumer.as_deref(),
        );
        let logging = self.call_logging;
        let consumer = principal.consumer.clone();
        let call_context = CallContext::from_request(&context, principal, self.log_level());
        async move {
            let started = std::time::Instant::now();
            let catalog = self.catalog.current();
            let arguments = logging.payloads.then(|| excerpt(&request.arguments));
            let outcome = catalog
                .call(&request.name, request.arguments, call_context)
                .await;
            let elapsed_ms = started.elapsed().as_millis();
            match &outcome {
                Ok(result) => tracing::info!(
                    is_error = result.is_error.unwrap_or(false),
                    elapsed_ms,
                    "tool call finished"
                ),
                Err(error) => tracing::info!(%error, "tool call refused"),
            }
            if logging.statistics {
                let (outcome_name, code) = match &outcome {
                    Ok(result) if result.is_error == Some(true) => ("tool_error", None),
                    Ok(_) => ("ok", None),
                    Err(error) => ("refused", Some(error.code())),
                };
                let result = match (&outcome, logging.payloads) {
                    (Ok(result), true) => Some(excerpt(result)),
                    _ => None,
                };
                tracing::info!(
                    target: "toolgate::audit",
                    event = "tool_call",
                    tool = %request.name,
                    consumer = consumer.as_deref(),
                    outcome = outcome_name,
                    jsonrpc_code = code,
                    elapsed_ms,
                    arguments = arguments.as_deref(),
                    result = result.as_deref(),
                );
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
        tokio::spawn(async move {
            while receiver.changed().await.is_ok() {
                if peer.is_transport_closed() || peer.notify_tool_list_changed().await.is_err() {
                    break;
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
