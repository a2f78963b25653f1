//! What a tool call can reach besides its arguments: the caller, cancellation, and the
//! client on the other end (progress, log messages, sampling, elicitation).

// Logging and sampling are deprecated by the 2026-07-28 protocol but remain the way to reach
// clients that negotiated 2025-11-25, which is most of them.
#![allow(deprecated)]

use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use futures::future::BoxFuture;

use rmcp::{
    RoleServer,
    model::{
        CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
        Extensions, LoggingLevel, LoggingMessageNotificationParam, ProgressNotificationParam,
        ProgressToken, RequestId, RequestMetaObject,
    },
    service::{Peer, RequestContext},
};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::{Principal, ToolError};

/// The context of one tool call.
///
/// Cheap to clone. Built by the MCP server for every `tools/call`; tools never build one
/// except in tests, with [`CallContext::detached`].
#[derive(Clone)]
pub struct CallContext {
    principal: Arc<Principal>,
    cancellation: CancellationToken,
    progress_token: Option<ProgressToken>,
    min_log_level: Option<LoggingLevel>,
    peer: Option<Peer<RoleServer>>,
    response_stream: Option<Arc<dyn ResponseStream>>,
    request: Option<Arc<RequestParts>>,
    report: Arc<Mutex<Option<UpstreamReport>>>,
}

/// What a tool tells the server about the upstream exchange behind its result, for the
/// call's audit event and metrics ([`CallContext::report_upstream`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpstreamReport {
    /// The upstream's host (`api.weatherapi.com`), never a URL with credentials.
    pub upstream: Option<String>,
    /// The HTTP status it answered, if it answered.
    pub status: Option<u16>,
    /// How it failed, if it did.
    pub failure: Option<UpstreamFailure>,
}

impl UpstreamReport {
    /// An exchange with `upstream`.
    #[must_use]
    pub fn new(upstream: impl Into<String>) -> Self {
        Self {
            upstream: Some(upstream.into()),
            status: None,
            failure: None,
        }
    }

    /// It answered `status` (an error status also sets [`UpstreamFailure::Status`]).
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        if status >= 400 && self.failure.is_none() {
            self.failure = Some(UpstreamFailure::Status);
        }
        self
    }

    /// It failed this way.
    #[must_use]
    pub fn with_failure(mut self, failure: UpstreamFailure) -> Self {
        self.failure = Some(failure);
        self
    }
}

/// How an upstream exchange failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpstreamFailure {
    /// An HTTP error status, or an error answer of a remote MCP server.
    Status,
    /// No answer in time.
    Timeout,
    /// Not reachable (connection refused or reset, DNS, TLS, a broken body).
    Unreachable,
}

/// What an rmcp tool handler reads of the MCP request besides the peer and cancellation:
/// kept so [`rmcp_tools`](crate::rmcp_tools) can rebuild its `RequestContext`.
#[derive(Debug)]
struct RequestParts {
    id: RequestId,
    meta: RequestMetaObject,
    extensions: Extensions,
}

/// The HTTP stream a call's messages and result travel on, as the transport exposes it in
/// the request's extensions (streamable HTTP with sessions only).
pub trait ResponseStream: Send + Sync + fmt::Debug {
    /// Ends the SSE stream now (after a priming event carrying `retry`); later messages and
    /// the result wait in the session's replay cache until the client resumes with
    /// `Last-Event-ID` (SEP-1699 polling).
    fn close(&self, retry: Option<Duration>) -> BoxFuture<'_, Result<(), String>>;
}

impl fmt::Debug for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext")
            .field("principal", &self.principal)
            .field("progress_token", &self.progress_token)
            .field("connected", &self.peer.is_some())
            .finish_non_exhaustive()
    }
}

impl CallContext {
    /// The context of a call that arrived over MCP.
    ///
    /// `min_log_level` is what the client asked for with `logging/setLevel`, if anything;
    /// messages below it are not sent.
    #[must_use]
    pub fn from_request(
        request: &RequestContext<RoleServer>,
        principal: Arc<Principal>,
        min_log_level: Option<LoggingLevel>,
    ) -> Self {
        Self {
            principal,
            cancellation: request.ct.clone(),
            progress_token: request.meta.get_progress_token(),
            min_log_level: request.meta.log_level().or(min_log_level),
            peer: Some(request.peer.clone()),
            response_stream: request.extensions.get::<Arc<dyn ResponseStream>>().cloned(),
            request: Some(Arc::new(RequestParts {
                id: request.id.clone(),
                meta: request.meta.clone(),
                extensions: request.extensions.clone(),
            })),
            report: Arc::default(),
        }
    }

    /// A context with no client behind it: notifications go nowhere and client requests
    /// fail with [`ToolError::ClientUnavailable`]. For tests and for calls made from code.
    #[must_use]
    pub fn detached(principal: Principal) -> Self {
        Self {
            principal: Arc::new(principal),
            cancellation: CancellationToken::new(),
            progress_token: None,
            min_log_level: None,
            peer: None,
            response_stream: None,
            request: None,
            report: Arc::default(),
        }
    }

    /// Tells the server about the upstream exchange behind this call's result (its audit
    /// event and metrics show it); the last report counts. Clones of the context share it.
    pub fn report_upstream(&self, report: UpstreamReport) {
        *self.report.lock().unwrap_or_else(PoisonError::into_inner) = Some(report);
    }

    /// What the tool reported with [`CallContext::report_upstream`].
    #[must_use]
    pub fn upstream_report(&self) -> Option<UpstreamReport> {
        self.report
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Closes the SSE stream of this call mid-call (SEP-1699); the client resumes it with
    /// `Last-Event-ID`. `false` where the transport offers no such stream.
    pub async fn close_response_stream(&self, retry: Option<Duration>) -> bool {
        let Some(stream) = &self.response_stream else {
            return false;
        };
        match stream.close(retry).await {
            Ok(()) => true,
            Err(error) => {
                tracing::debug!(%error, "response stream not closed");
                false
            }
        }
    }

    /// Who is calling.
    #[must_use]
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// Cancelled when the client cancels the request or the session ends.
    #[must_use]
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancellation
    }

    /// The progress token the client sent, if it asked for progress.
    #[must_use]
    pub fn progress_token(&self) -> Option<&ProgressToken> {
        self.progress_token.as_ref()
    }

    /// Sends `notifications/progress` when the client asked for progress; otherwise does
    /// nothing. A client that went away is not an error for the tool.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let (Some(peer), Some(token)) = (&self.peer, &self.progress_token) else {
            return;
        };
        let mut params = ProgressNotificationParam::new(token.clone(), progress);
        if let Some(total) = total {
            params = params.with_total(total);
        }
        if let Some(message) = message {
            params = params.with_message(message);
        }
        if let Err(error) = peer.notify_progress(params).await {
            tracing::debug!(%error, "progress notification not delivered");
        }
    }

    /// Sends `notifications/message` at `level` unless the client asked for a higher
    /// minimum level.
    pub async fn log(&self, level: LoggingLevel, logger: Option<&str>, data: Value) {
        let Some(peer) = &self.peer else {
            return;
        };
        if let Some(min) = self.min_log_level
            && level_rank(level) < level_rank(min)
        {
            return;
        }
        let mut params = LoggingMessageNotificationParam::new(level, data);
        if let Some(logger) = logger {
            params = params.with_logger(logger);
        }
        if let Err(error) = peer.notify_logging_message(params).await {
            tracing::debug!(%error, "log notification not delivered");
        }
    }

    /// Asks the client's model for a completion (`sampling/createMessage`).
    ///
    /// # Errors
    /// [`ToolError::ClientUnavailable`] without a client, [`ToolError::ClientRequest`] when
    /// the client refuses or fails.
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, ToolError> {
        let peer = self.peer.as_ref().ok_or(ToolError::ClientUnavailable)?;
        peer.create_message(params)
            .await
            .map_err(|source| ToolError::ClientRequest {
                method: "sampling/createMessage",
                source: Box::new(source),
            })
    }

    /// Asks the user for input through the client (`elicitation/create`).
    ///
    /// # Errors
    /// As for [`CallContext::sample`].
    pub async fn elicit(&self, params: ElicitRequestParams) -> Result<ElicitResult, ToolError> {
        let peer = self.peer.as_ref().ok_or(ToolError::ClientUnavailable)?;
        peer.create_elicitation(params)
            .await
            .map_err(|source| ToolError::ClientRequest {
                method: "elicitation/create",
                source: Box::new(source),
            })
    }
}

impl CallContext {
    /// The client's peer; `None` for a detached call.
    pub(crate) fn peer(&self) -> Option<&Peer<RoleServer>> {
        self.peer.as_ref()
    }

    /// The rmcp `RequestContext` of this call, as an rmcp tool handler expects it: the
    /// request's id, `_meta` and extensions (the HTTP request parts among them), this call's
    /// cancellation token, and `peer` (the client's, or a closed one for a detached call).
    /// The caller's principal (`Arc<Principal>`) and this context are added to the
    /// extensions.
    pub(crate) fn rmcp_request_context(
        &self,
        peer: Peer<RoleServer>,
    ) -> RequestContext<RoleServer> {
        let mut context = match &self.request {
            Some(request) => {
                let mut context = RequestContext::new(request.id.clone(), peer);
                context.meta = request.meta.clone();
                context.extensions = request.extensions.clone();
                context
            }
            None => RequestContext::new(RequestId::Number(0), peer),
        };
        context.ct = self.cancellation.clone();
        context.extensions.insert(Arc::clone(&self.principal));
        context.extensions.insert(self.clone());
        context
    }
}

/// Severity order of MCP log levels (RFC 5424's, lowest first).
fn level_rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}
