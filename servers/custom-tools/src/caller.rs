//! `whoami`: what the gateway knows about the caller, as its tools see it. Handy to check
//! an auth setup (which consumer a key or token maps to, which groups and scopes it has).

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;
use toolgate_tools::{CallContext, Json, NoArguments, Tool, ToolFailure, typed_tool};

/// The caller, as the gateway identified it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Caller {
    /// Whether anybody authenticated the request.
    pub authenticated: bool,
    /// The token's subject, if a token was presented.
    pub subject: Option<String>,
    /// The consumer the request maps to.
    pub consumer: Option<String>,
    /// The consumer's groups.
    pub groups: Vec<String>,
    /// The scopes granted to the token.
    pub scopes: Vec<String>,
}

/// The `whoami` tool.
#[must_use]
pub fn tool() -> Arc<dyn Tool> {
    Arc::new(
        typed_tool(
            "whoami",
            "Tells who the gateway thinks is calling: subject, consumer, groups and scopes.",
            |_: NoArguments, ctx: CallContext| async move {
                let principal = ctx.principal();
                Ok::<_, ToolFailure>(Json(Caller {
                    authenticated: !principal.is_anonymous(),
                    subject: principal.subject.clone(),
                    consumer: principal.consumer.clone(),
                    groups: principal.groups.clone(),
                    scopes: principal.scopes.clone(),
                }))
            },
        )
        .with_title("Who am I?")
        .read_only()
        .open_world(false),
    )
}
