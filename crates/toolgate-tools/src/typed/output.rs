//! What a typed tool returns: values that become a `CallToolResult` ([`IntoToolResult`]),
//! and failures ([`ToolFailure`]) that become an `isError` result or a JSON-RPC error.

use std::{error::Error as StdError, fmt, sync::Arc};

use rmcp::{
    ErrorData,
    model::{CallToolResult, ContentBlock},
};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::schema::{RESULT_PROPERTY, output_layout};
use crate::{JsonObject, ToolError};

pub use rmcp::handler::server::wrapper::Json;

/// A value a typed tool can return.
///
/// | returned | the client receives |
/// |---|---|
/// | `String`, `&'static str` | one text block |
/// | `ContentBlock`, `Vec<ContentBlock>` | those blocks |
/// | [`Json<T>`] (`T: Serialize + JsonSchema`) | `structuredContent` and its JSON as text; the tool declares `outputSchema` |
/// | `CallToolResult` | exactly that |
pub trait IntoToolResult {
    /// The `outputSchema` a tool returning this type declares; `None` when its results are
    /// not structured.
    fn output_schema() -> Option<Arc<JsonObject>> {
        None
    }

    /// The result sent to the client.
    fn into_tool_result(self) -> CallToolResult;
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> CallToolResult {
        self
    }
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text(self)])
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text(self)])
    }
}

impl IntoToolResult for ContentBlock {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(vec![self])
    }
}

impl IntoToolResult for Vec<ContentBlock> {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(self)
    }
}

/// Structured output. The schema describes `T` as it serializes; a `T` whose schema is not an
/// object (a list, a number, an enum) is reported as `{"result": value}` — clients of
/// protocol 2025-11-25 accept only objects as structured content — and the output schema
/// says so.
impl<T: Serialize + JsonSchema + 'static> IntoToolResult for Json<T> {
    fn output_schema() -> Option<Arc<JsonObject>> {
        Some(Arc::clone(&output_layout::<T>().schema))
    }

    fn into_tool_result(self) -> CallToolResult {
        match serde_json::to_value(&self.0) {
            Ok(value) if output_layout::<T>().wrapped => {
                let mut object = JsonObject::new();
                object.insert(RESULT_PROPERTY.into(), value);
                CallToolResult::structured(Value::Object(object))
            }
            Ok(value) => CallToolResult::structured(value),
            Err(error) => CallToolResult::error(vec![ContentBlock::text(format!(
                "the tool's result could not be serialized: {error}"
            ))]),
        }
    }
}

/// Why a typed tool did not produce its result.
///
/// Most failures are the tool's own (not found, out of range, an upstream refused): they
/// reach the model as a result with `isError: true`, so it can react. Use
/// [`ToolFailure::message`], or `?` on any error type — its message, with its sources,
/// becomes the result's text:
///
/// ```
/// use toolgate_tools::ToolFailure;
///
/// fn parse(text: &str) -> Result<u16, ToolFailure> {
///     if text.is_empty() {
///         return Err(ToolFailure::message("give a port number"));
///     }
///     Ok(text.parse::<u16>()?)
/// }
/// # assert!(parse("80").is_ok());
/// ```
///
/// A [`ToolError`] (for instance from [`CallContext::sample`](crate::CallContext::sample))
/// or an rmcp `ErrorData` passed with `?` stays what it is: a JSON-RPC error for the
/// client, as for every other tool source.
pub struct ToolFailure {
    // Boxed: a failure is rare, and a small error type keeps `Result<T, ToolFailure>` small.
    kind: Box<FailureKind>,
}

enum FailureKind {
    Result(CallToolResult),
    Refused(ToolError),
}

impl ToolFailure {
    /// A failure the model reads as `text`.
    #[must_use]
    pub fn message(text: impl Into<String>) -> Self {
        Self::result(CallToolResult::error(vec![ContentBlock::text(text.into())]))
    }

    /// A failure reported with this result (say, structured error details from
    /// `CallToolResult::structured_error`); it is marked `isError: true`.
    #[must_use]
    pub fn result(mut result: CallToolResult) -> Self {
        result.is_error = Some(true);
        Self {
            kind: Box::new(FailureKind::Result(result)),
        }
    }

    /// A call that cannot be served at all: a JSON-RPC error, as [`ToolError`] maps it.
    #[must_use]
    pub fn refuse(error: ToolError) -> Self {
        Self {
            kind: Box::new(FailureKind::Refused(error)),
        }
    }

    /// The result or the JSON-RPC error this failure becomes.
    ///
    /// # Errors
    /// The [`ToolError`] of a refused call.
    pub fn into_outcome(self) -> Result<CallToolResult, ToolError> {
        match *self.kind {
            FailureKind::Result(result) => Ok(result),
            FailureKind::Refused(error) => Err(error),
        }
    }
}

impl<E: StdError + Send + Sync + 'static> From<E> for ToolFailure {
    fn from(error: E) -> Self {
        let error: Box<dyn StdError + Send + Sync> = Box::new(error);
        let error = match error.downcast::<ToolError>() {
            Ok(error) => return Self::refuse(*error),
            Err(error) => error,
        };
        let error = match error.downcast::<ErrorData>() {
            Ok(error) => return Self::refuse(ToolError::Rpc(*error)),
            Err(error) => error,
        };
        // The message with its causes, as `anyhow` prints `{:#}`.
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::message(text)
    }
}

impl fmt::Debug for ToolFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            FailureKind::Result(result) => f.debug_tuple("ToolFailure").field(result).finish(),
            FailureKind::Refused(error) => f
                .debug_struct("ToolFailure")
                .field("refused", error)
                .finish(),
        }
    }
}

impl fmt::Display for ToolFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            FailureKind::Result(result) => {
                let mut first = true;
                for text in result.content.iter().filter_map(ContentBlock::as_text) {
                    if !first {
                        f.write_str("\n")?;
                    }
                    f.write_str(&text.text)?;
                    first = false;
                }
                Ok(())
            }
            FailureKind::Refused(error) => fmt::Display::fmt(error, f),
        }
    }
}
