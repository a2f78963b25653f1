//! Errors of the tool core: building a catalog, and calls that cannot be served.

use rmcp::ErrorData;

/// A tool call that cannot be served; becomes a JSON-RPC error.
///
/// Failures of the tool's own work (an upstream 500, a timeout) are not `ToolError`s: they
/// are `Ok(CallToolResult)` with `is_error` set, so the model sees them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// No tool of that name is served here.
    #[error("Unknown tool: '{name}'")]
    UnknownTool {
        /// The requested name.
        name: String,
    },
    /// The arguments do not satisfy the tool's input schema.
    #[error("Invalid arguments for tool '{tool}': {problems}")]
    InvalidArguments {
        /// The tool called.
        tool: String,
        /// Every violation, `argument: rule` each, joined by `; `.
        problems: String,
    },
    /// The tool's ACL refuses the caller.
    #[error("{0}")]
    Denied(crate::Denial),
    /// The call context has no client (a detached call) for a client request.
    #[error("no MCP client is connected to this call")]
    ClientUnavailable,
    /// A request to the client (sampling, elicitation) failed.
    #[error("the client did not complete {method}: {source}")]
    ClientRequest {
        /// The MCP method sent to the client.
        method: &'static str,
        /// What went wrong.
        #[source]
        source: Box<rmcp::ServiceError>,
    },
    /// A tool answered with a JSON-RPC error of its own (an rmcp `#[tool]` returning
    /// `Err(ErrorData)`); the client receives it unchanged, code and data included.
    #[error("{}", .0.message)]
    Rpc(ErrorData),
}

impl ToolError {
    /// The JSON-RPC error code the error is answered with.
    #[must_use]
    pub fn code(&self) -> i32 {
        match self {
            Self::UnknownTool { .. } | Self::InvalidArguments { .. } | Self::Denied(_) => {
                rmcp::model::ErrorCode::INVALID_PARAMS.0
            }
            Self::ClientUnavailable | Self::ClientRequest { .. } => {
                rmcp::model::ErrorCode::INTERNAL_ERROR.0
            }
            Self::Rpc(error) => error.code.0,
        }
    }
}

impl From<ToolError> for ErrorData {
    fn from(error: ToolError) -> Self {
        match error {
            ToolError::Rpc(error) => error,
            ToolError::UnknownTool { .. }
            | ToolError::InvalidArguments { .. }
            | ToolError::Denied(_) => ErrorData::invalid_params(error.to_string(), None),
            ToolError::ClientUnavailable | ToolError::ClientRequest { .. } => {
                ErrorData::internal_error(error.to_string(), None)
            }
        }
    }
}

/// A catalog that cannot be built: the endpoint must not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Two tools in one endpoint share a name.
    #[error(
        "duplicate tool name '{name}' in one endpoint: defined by toolset '{first_source}' and by toolset '{second_source}'"
    )]
    DuplicateName {
        /// The shared name.
        name: String,
        /// The toolset that defined it first.
        first_source: String,
        /// The toolset that defined it again.
        second_source: String,
    },
    /// A tool name outside `^[a-zA-Z0-9_-]{1,64}$`.
    #[error(
        "tool name '{name}' from toolset '{source_name}' is not valid: names must match ^[a-zA-Z0-9_-]{{1,64}}$"
    )]
    InvalidName {
        /// The name.
        name: String,
        /// The toolset that defined it.
        source_name: String,
    },
    /// A tool's input schema is not a valid JSON Schema.
    #[error("tool '{name}' from toolset '{source_name}' has an invalid input schema: {reason}")]
    InvalidSchema {
        /// The tool.
        name: String,
        /// The toolset that defined it.
        source_name: String,
        /// What the schema compiler said.
        reason: String,
    },
    /// An endpoint names a tag no toolset carries.
    #[error("no toolset carries the tag '{tag}'")]
    UnknownTag {
        /// The tag.
        tag: String,
    },
}
