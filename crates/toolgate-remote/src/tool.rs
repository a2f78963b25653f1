//! [`RemoteTool`]: one upstream tool, called through the toolset's current connection.

use std::{
    fmt,
    sync::{Arc, PoisonError},
};

use rmcp::{
    ServiceError,
    model::{
        CallToolRequest, CallToolRequestParams, CallToolResult, CancelledNotificationParam,
        ClientRequest, ContentBlock, ErrorCode, ServerResult,
    },
    service::PeerRequestOptions,
};
use toolgate_tools::{
    CallContext, JsonObject, Tool, ToolDescriptor, ToolError, ToolFuture, UpstreamFailure,
    UpstreamReport,
};

use crate::toolset::Shared;

/// An upstream tool served under its (possibly prefixed) name.
pub struct RemoteTool {
    descriptor: ToolDescriptor,
    upstream_name: String,
    shared: Arc<Shared>,
}

impl fmt::Debug for RemoteTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteTool")
            .field("name", &self.descriptor.name)
            .field("upstream_name", &self.upstream_name)
            .field("upstream", &self.shared.name)
            .finish_non_exhaustive()
    }
}

impl RemoteTool {
    pub(crate) fn new(
        descriptor: ToolDescriptor,
        upstream_name: String,
        shared: Arc<Shared>,
    ) -> Self {
        Self {
            descriptor,
            upstream_name,
            shared,
        }
    }

    /// The tool's name on the upstream.
    #[must_use]
    pub fn upstream_name(&self) -> &str {
        &self.upstream_name
    }

    /// The remote toolset's name.
    #[must_use]
    pub fn upstream(&self) -> &str {
        &self.shared.name
    }

    /// Tells the server the upstream failed `failure`-wise, for the call's audit event.
    fn report(&self, context: &CallContext, failure: UpstreamFailure) {
        context
            .report_upstream(UpstreamReport::new(self.shared.name.clone()).with_failure(failure));
    }

    fn unavailable(&self, context: &CallContext, detail: &dyn fmt::Display) -> CallToolResult {
        self.report(context, UpstreamFailure::Unreachable);
        error_result(format!(
            "the upstream MCP server '{}' is unavailable: {detail}",
            self.shared.name
        ))
    }

    async fn forward(
        &self,
        arguments: JsonObject,
        context: CallContext,
    ) -> Result<CallToolResult, ToolError> {
        let connection = self
            .shared
            .connection
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let Some(connection) = connection else {
            return Ok(self.unavailable(&context, &"not connected, reconnecting"));
        };
        let params =
            CallToolRequestParams::new(self.upstream_name.clone()).with_arguments(arguments);
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        // rmcp puts a fresh progress token of its own on every request.
        let handle = match connection
            .peer
            .send_request_with_option(request, PeerRequestOptions::no_options())
            .await
        {
            Ok(handle) => handle,
            Err(error) => {
                connection.lost.notify_one();
                return Ok(self.unavailable(&context, &error));
            }
        };
        let request_id = handle.id.clone();
        let mut progress = context
            .progress_token()
            .map(|_| self.shared.progress.register(handle.progress_token.clone()));
        let response = handle.await_response();
        tokio::pin!(response);
        let deadline = tokio::time::sleep(self.shared.timeout);
        tokio::pin!(deadline);
        let outcome = loop {
            tokio::select! {
                biased;
                Some(update) = async {
                    match progress.as_mut() {
                        Some(route) => route.receiver.recv().await,
                        None => std::future::pending().await,
                    }
                } => {
                    context.progress(update.progress, update.total, update.message.as_deref()).await;
                }
                outcome = &mut response => break outcome,
                () = context.cancellation().cancelled() => {
                    cancel_upstream(&connection.peer, request_id, "the client cancelled the call").await;
                    return Ok(error_result("the call was cancelled".to_owned()));
                }
                () = &mut deadline => {
                    cancel_upstream(&connection.peer, request_id, "timeout").await;
                    self.report(&context, UpstreamFailure::Timeout);
                    return Ok(error_result(format!(
                        "the upstream MCP server '{}' did not answer within {} ms",
                        self.shared.name,
                        self.shared.timeout.as_millis()
                    )));
                }
            }
        };
        if let Some(mut route) = progress {
            // rmcp hands each notification to the handler on its own task, spawned before
            // the response is delivered: let those run, then relay what they routed.
            tokio::task::yield_now().await;
            while let Ok(update) = route.receiver.try_recv() {
                context
                    .progress(update.progress, update.total, update.message.as_deref())
                    .await;
            }
        }
        match outcome {
            Ok(ServerResult::CallToolResult(result)) => Ok(result),
            Ok(ServerResult::InputRequiredResult(_) | ServerResult::CreateTaskResult(_)) => {
                Ok(error_result(format!(
                    "the upstream MCP server '{}' asked for input or started a task; toolgate does not relay those yet",
                    self.shared.name
                )))
            }
            Ok(_) => Ok(error_result(format!(
                "the upstream MCP server '{}' sent an unexpected response to tools/call",
                self.shared.name
            ))),
            Err(ServiceError::McpError(error)) if error.code == ErrorCode::INVALID_PARAMS => {
                Err(ToolError::InvalidArguments {
                    tool: self.descriptor.name.to_string(),
                    problems: error.message.into_owned(),
                })
            }
            Err(ServiceError::McpError(error)) => {
                self.report(&context, UpstreamFailure::Status);
                Ok(error_result(error.message.into_owned()))
            }
            Err(error @ (ServiceError::TransportClosed | ServiceError::TransportSend(_))) => {
                connection.lost.notify_one();
                Ok(self.unavailable(&context, &error))
            }
            Err(error) => Ok(error_result(format!(
                "the call to the upstream MCP server '{}' failed: {error}",
                self.shared.name
            ))),
        }
    }
}

impl Tool for RemoteTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(self.forward(arguments, context))
    }
}

async fn cancel_upstream(
    peer: &rmcp::service::Peer<rmcp::RoleClient>,
    request_id: rmcp::model::RequestId,
    reason: &str,
) {
    let params = CancelledNotificationParam::new(Some(request_id), Some(reason.to_owned()));
    if let Err(error) = peer.notify_cancelled(params).await {
        tracing::debug!(%error, "cancellation not delivered upstream");
    }
}

fn error_result(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}
