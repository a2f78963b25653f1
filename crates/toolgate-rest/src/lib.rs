//! REST tools: HTTP API operations described as data become MCP tools.
//!
//! A toolset document lists tools field for field as Kong's `ai-mcp-proxy` `tools[]` does
//! (`name`, `description`, `method`, `path`, `host`, `scheme`, fixed `query` and `headers`,
//! `parameters`, `request_body`, `responses`, `annotations`). [`RestToolsetSpec`] parses it;
//! [`build_toolset`] turns it into a [`toolgate_tools::ToolSet`] of [`RestTool`]s that call
//! the upstream through one pooled [`UpstreamClient`].
//!
//! Arguments are named `{in}_{name}` (`query_q`, `path_id`, `header_x_trace`), the JSON body
//! is `body`. Fixed query and header values are never arguments, never logged, and redacted
//! in `Debug`.
//!
//! ```no_run
//! use toolgate_rest::{RestToolsetSpec, UpstreamClient, build_toolset};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let spec = RestToolsetSpec::from_yaml(
//!     "name: echo\nbase_url: http://127.0.0.1:9000\ntools:\n  - name: get-thing\n    description: Gets a thing.\n    path: /things/{id}\n    parameters:\n      - {name: id, in: path, required: true, type: string}\n",
//!     "inline",
//! )?;
//! let client = UpstreamClient::new()?;
//! let toolset = build_toolset(&spec, &client)?;
//! assert_eq!(toolset.tools()[0].descriptor().name, "get-thing");
//! # Ok(())
//! # }
//! ```

mod build;
mod error;
mod executor;
pub mod openapi;
mod request;
mod secret;
mod spec;
mod style;
mod tool;

pub use build::{ToolsetOptions, build_toolset, build_toolset_with};
pub use error::RestSpecError;
pub use executor::{DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, UpstreamClient, UpstreamError};
pub use secret::{FixedValue, SecretString};
pub use spec::{
    AnnotationsSpec, DefaultAclSpec, MediaTypeSpec, OneOrMany, ParameterLocation, ParameterSpec,
    RequestBodySpec, ResponseSpec, RestToolSpec, RestToolsetSpec, Scalar,
};
pub use tool::RestTool;
