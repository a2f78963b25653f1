//! rmcp `#[tool_router]` servers as a tool source: every route of a `ToolRouter` becomes a
//! [`Tool`], served beside generated tools under the same auth, ACLs and audit.
//!
//! ```
//! use rmcp::{
//!     handler::server::{router::tool::ToolRouter, wrapper::Parameters},
//!     schemars::JsonSchema,
//!     tool, tool_router,
//! };
//! use serde::Deserialize;
//!
//! #[derive(Clone, Default)]
//! struct Calculator;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct SumArgs {
//!     a: i64,
//!     b: i64,
//! }
//!
//! #[tool_router]
//! impl Calculator {
//!     #[tool(description = "Adds two integers")]
//!     fn sum(&self, Parameters(SumArgs { a, b }): Parameters<SumArgs>) -> String {
//!         (a + b).to_string()
//!     }
//! }
//!
//! let toolset = toolgate_tools::rmcp_toolset("calculator", Calculator, Calculator::tool_router());
//! assert_eq!(toolset.tools()[0].descriptor().name, "sum");
//! ```
//!
//! # The context a routed tool sees
//!
//! Calls go through `ToolRouter::call` with a `ToolCallContext` whose `RequestContext` is
//! rebuilt from the call's [`CallContext`]:
//!
//! - `peer`: the client's peer (progress, logging, sampling, elicitation, roots all work);
//! - `ct`: the call's cancellation token;
//! - `id`, `meta` (the progress token among it) and `extensions` (the HTTP request's
//!   `http::request::Parts` over streamable HTTP) of the `tools/call` request;
//! - added to `extensions`: the caller as `Arc<Principal>` and the toolgate [`CallContext`],
//!   so a handler can take `Extension(principal): Extension<Arc<Principal>>` or
//!   `Extension(context): Extension<CallContext>` (`rmcp::handler::server::tool::Extension`).
//!
//! What cannot be provided:
//!
//! - A call with no client behind it ([`CallContext::detached`], tests and calls from code)
//!   gets a peer whose connection is already closed: notifications and requests to the
//!   client fail at once with `TransportClosed`. Its request id is `0`, its `meta` and
//!   `extensions` empty but for the two additions above.
//! - Multi-round-trip requests (`InputResponses` and `RequestState` extractors) are always
//!   `None`: a [`Tool`] receives the arguments only. A route answering
//!   `CallToolResponse::InputRequired` or `CallToolResponse::Task` (or any later kind of
//!   response) is refused with an
//!   internal JSON-RPC error, since those answers cannot be relayed.
//! - The router's `list_changed` notifier and `disable_route` after mounting do nothing: the
//!   routes are read once, when the toolset is built.
//!
//! Arguments are validated against each route's input schema before the call, like every
//! other tool's.

use std::{fmt, sync::Arc};

use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    handler::server::{router::tool::ToolRouter, tool::ToolCallContext},
    model::{CallToolRequestParams, CallToolResponse},
    service::{Peer, RxJsonRpcMessage, TxJsonRpcMessage, serve_directly},
};

use crate::{
    CallContext, JsonObject, Tool, ToolDescriptor, ToolError, ToolFuture, ToolSet,
    typed::inline_local_refs,
};

/// One route of an rmcp `ToolRouter`, served as a [`Tool`].
pub struct RmcpTool<S> {
    descriptor: ToolDescriptor,
    service: Arc<S>,
    router: Arc<ToolRouter<S>>,
}

/// Every enabled route of `router`, each a tool calling `service` through
/// `ToolRouter::call`, in the order of their names.
///
/// The routes' descriptors are rmcp's, with one change: `$ref`s into `$defs` are inlined
/// (except for recursive types), as for [`typed_tool`](crate::typed_tool)s, so that
/// clients which cannot resolve references read the schemas.
///
/// `service` is the value the routes' `&self` is: the struct of the `#[tool_router]` impl.
/// Pass it by value or as an `Arc` you keep a handle to.
pub fn rmcp_tools<S>(service: impl Into<Arc<S>>, router: ToolRouter<S>) -> Vec<Arc<dyn Tool>>
where
    S: Send + Sync + 'static,
{
    let service = service.into();
    let descriptors = router.list_all().into_iter().map(|mut descriptor| {
        descriptor.input_schema = Arc::new(inline_local_refs(&descriptor.input_schema));
        descriptor.output_schema = descriptor
            .output_schema
            .map(|schema| Arc::new(inline_local_refs(&schema)));
        descriptor
    });
    let router = Arc::new(router);
    descriptors
        .map(|descriptor| {
            Arc::new(RmcpTool {
                descriptor,
                service: Arc::clone(&service),
                router: Arc::clone(&router),
            }) as Arc<dyn Tool>
        })
        .collect()
}

/// A toolset called `name` holding [`rmcp_tools`]`(service, router)`.
///
/// In a gateway configuration, the file's toolset of the same name (`rust: {}`) gives it
/// its tags and ACL.
#[must_use]
pub fn rmcp_toolset<S>(
    name: impl Into<String>,
    service: impl Into<Arc<S>>,
    router: ToolRouter<S>,
) -> ToolSet
where
    S: Send + Sync + 'static,
{
    ToolSet::new(name).with_tools(rmcp_tools(service, router))
}

impl<S> fmt::Debug for RmcpTool<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RmcpTool")
            .field("name", &self.descriptor.name)
            .finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> Tool for RmcpTool<S> {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let peer = match context.peer() {
                Some(peer) => peer.clone(),
                None => closed_peer().await,
            };
            let request_context = context.rmcp_request_context(peer);
            let request =
                CallToolRequestParams::new(self.descriptor.name.clone()).with_arguments(arguments);
            let call = ToolCallContext::new(self.service.as_ref(), request, request_context);
            match self.router.call(call).await {
                Ok(CallToolResponse::Complete(result)) => Ok(result),
                Ok(CallToolResponse::InputRequired(_)) => Err(unrelayable(
                    &self.descriptor.name,
                    "asked for client input (multi-round-trip request)",
                )),
                Ok(CallToolResponse::Task(_)) => {
                    Err(unrelayable(&self.descriptor.name, "answered with a task"))
                }
                Ok(_) => Err(unrelayable(
                    &self.descriptor.name,
                    "answered with a kind of result",
                )),
                Err(error) => Err(ToolError::Rpc(error)),
            }
        })
    }
}

fn unrelayable(tool: &str, what: &str) -> ToolError {
    tracing::warn!(tool, "an rmcp tool {what}, which toolgate cannot relay");
    ToolError::Rpc(ErrorData::internal_error(
        format!("tool '{tool}' {what}, which this server cannot relay"),
        None,
    ))
}

/// A server handler that does nothing, behind the closed peer of a detached call.
#[derive(Debug, Clone, Copy)]
struct Detached;

impl ServerHandler for Detached {}

/// A peer whose connection is closed: what a detached call's rmcp handler talks to. Its
/// service task has ended before it is returned, so every message to the client fails at
/// once rather than waiting for an answer.
async fn closed_peer() -> Peer<RoleServer> {
    let transport = (
        futures::sink::drain::<TxJsonRpcMessage<RoleServer>>(),
        futures::stream::empty::<RxJsonRpcMessage<RoleServer>>(),
    );
    let service = serve_directly(Detached, transport, None);
    let peer = service.peer().clone();
    if let Err(error) = service.waiting().await {
        tracing::debug!(%error, "detached rmcp service task did not end cleanly");
    }
    peer
}

#[cfg(test)]
mod tests;
