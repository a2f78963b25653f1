//! The [`Tool`] trait every tool source implements, and [`FnTool`] for tools written as a
//! closure.

use std::{fmt, future::Future, sync::Arc};

use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;

use crate::{CallContext, JsonObject, ToolDescriptor, ToolError};

/// The future a tool call returns.
pub type ToolFuture<'a> = BoxFuture<'a, Result<CallToolResult, ToolError>>;

/// One callable tool.
///
/// Implementations return `Ok(CallToolResult)` for everything the tool itself decided,
/// failures included: an upstream 500 is `Ok` with `is_error: Some(true)`, so the model sees
/// it. `Err(ToolError)` is for calls that cannot be served at all and becomes a JSON-RPC
/// error.
///
/// Arguments reach [`Tool::call`] already validated against the descriptor's input schema.
pub trait Tool: Send + Sync + 'static {
    /// The tool as `tools/list` describes it.
    fn descriptor(&self) -> &ToolDescriptor;

    /// Runs the tool with validated arguments.
    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_>;
}

impl fmt::Debug for dyn Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tool")
            .field("name", &self.descriptor().name)
            .finish_non_exhaustive()
    }
}

type Handler = dyn Fn(JsonObject, CallContext) -> ToolFuture<'static> + Send + Sync;

/// A tool whose behaviour is an async closure: the quickest way to write a custom Rust tool.
///
/// ```
/// use toolgate_tools::{FnTool, ToolDescriptor, schema_object, text_result};
///
/// let tool = FnTool::new(
///     ToolDescriptor::new("ping", "Answers pong.", schema_object(serde_json::json!({"type": "object"}))),
///     |_args, _ctx| async { Ok(text_result("pong")) },
/// );
/// # let _ = tool;
/// ```
pub struct FnTool {
    descriptor: ToolDescriptor,
    handler: Arc<Handler>,
}

impl FnTool {
    /// Wraps `handler` as a tool described by `descriptor`.
    #[must_use]
    pub fn new<F, Fut>(descriptor: ToolDescriptor, handler: F) -> Self
    where
        F: Fn(JsonObject, CallContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CallToolResult, ToolError>> + Send + 'static,
    {
        Self {
            descriptor,
            handler: Arc::new(move |args, ctx| Box::pin(handler(args, ctx))),
        }
    }
}

impl fmt::Debug for FnTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTool")
            .field("name", &self.descriptor.name)
            .finish_non_exhaustive()
    }
}

impl Tool for FnTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        (self.handler)(arguments, context)
    }
}

/// Turns a JSON value into the `Arc<JsonObject>` a [`ToolDescriptor`] holds; a value that is
/// not an object becomes `{"type": "object"}` wrapped around nothing, so a descriptor is
/// always well formed.
#[must_use]
pub fn schema_object(schema: Value) -> Arc<JsonObject> {
    match schema {
        Value::Object(map) => Arc::new(map),
        _ => {
            let mut map = JsonObject::new();
            map.insert("type".into(), Value::String("object".into()));
            Arc::new(map)
        }
    }
}

/// A successful result holding one text block.
#[must_use]
pub fn text_result(text: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text.into())])
}
