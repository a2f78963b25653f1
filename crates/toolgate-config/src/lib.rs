//! `toolgate.yaml`: the one declarative file describing listeners, endpoints, toolsets, auth
//! profiles, consumers and ACLs, and everything that turns it into a running gateway.
//!
//! - [`load_file`] / [`load_str`]: environment interpolation (`${{ env "NAME" }}`,
//!   `${NAME}`, `${{ file "PATH" }}`) as a text pass before YAML parsing, as decK does; then
//!   parsing with every problem collected at once, each with its field path and line, unknown
//!   keys with a "did you mean"; then cross-field validation.
//! - [`schema`]: the JSON Schema of the file, generated from the types in [`model`].
//! - [`Gateway`]: building the endpoints' routers from a loaded configuration, custom Rust
//!   tool sets included, and rebuilding them on reload with live sessions kept.
//! - [`kong`]: a Kong decK state file translated into the equivalent `toolgate.yaml`
//!   (`serve --kong`, `validate --kong`, `import kong`).

mod diag;
mod gateway;
mod interpolate;
pub mod kong;
mod load;
pub mod model;
pub mod schema;
mod validate;

pub use diag::{ConfigError, Problem, Severity};
pub use gateway::{
    BoundGateway, DEFAULT_LISTEN, EndpointInfo, EndpointKind, Gateway, GatewayBuilder, Reloader,
};
pub use interpolate::{Environment, interpolate};
pub use load::{LineIndex, LoadedConfig, load_file, load_str, load_value};
pub use model::Config;
