//! Errors of connecting a remote toolset.

/// Why a remote toolset could not be set up.
///
/// Failures after set-up (an upstream that goes away, a call that times out) are never
/// `RemoteError`s: the supervisor reconnects and calls answer `isError` results.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The prefix would make invalid tool names.
    #[error(
        "remote toolset '{name}': prefix '{prefix}' is not valid: prefixes must match ^[a-zA-Z0-9_-]{{1,63}}$"
    )]
    InvalidPrefix {
        /// The toolset.
        name: String,
        /// The prefix.
        prefix: String,
    },
    /// An include or exclude glob is empty.
    #[error("remote toolset '{name}': an empty glob in include or exclude matches nothing")]
    EmptyGlob {
        /// The toolset.
        name: String,
    },
    /// A configured header name is not a valid HTTP header name.
    #[error("remote toolset '{name}': '{header}' is not a valid HTTP header name: {source}")]
    InvalidHeaderName {
        /// The toolset.
        name: String,
        /// The header.
        header: String,
        /// What `http` said.
        #[source]
        source: http::header::InvalidHeaderName,
    },
    /// A configured header value is not a valid HTTP header value (the value is not shown).
    #[error(
        "remote toolset '{name}': the value of header '{header}' is not a valid HTTP header value"
    )]
    InvalidHeaderValue {
        /// The toolset.
        name: String,
        /// The header.
        header: String,
        /// What `http` said.
        #[source]
        source: http::header::InvalidHeaderValue,
    },
    /// The upstream is on a non-public address and `deny_private_networks` is on.
    #[error("remote toolset '{name}': {source}")]
    PrivateNetwork {
        /// The toolset.
        name: String,
        /// The refused address.
        #[source]
        source: toolgate_net::NetworkError,
    },
    /// The HTTP client could not be built.
    #[error("remote toolset '{name}': cannot build the HTTP client")]
    Client {
        /// The toolset.
        name: String,
        /// What reqwest said.
        #[source]
        source: reqwest::Error,
    },
    /// No token could be had from the upstream's authorization server.
    #[error("remote toolset '{name}': no access token from the authorization server: {reason}")]
    Token {
        /// The toolset.
        name: String,
        /// Why (never the secret).
        reason: String,
    },
    /// The environment variable `bearer_env` names is not set (or not Unicode).
    #[error(
        "remote toolset '{name}': environment variable '{variable}' (bearer_env) is not usable: {source}"
    )]
    BearerEnv {
        /// The toolset.
        name: String,
        /// The variable.
        variable: String,
        /// Why it cannot be read.
        #[source]
        source: std::env::VarError,
    },
    /// The child process could not be started.
    #[error("remote toolset '{name}': cannot start '{command}': {source}")]
    Spawn {
        /// The toolset.
        name: String,
        /// The program.
        command: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The MCP handshake with the upstream failed.
    #[error("remote toolset '{name}': MCP handshake with the upstream failed: {source}")]
    Handshake {
        /// The toolset.
        name: String,
        /// What rmcp said.
        #[source]
        source: Box<rmcp::service::ClientInitializeError>,
    },
    /// `tools/list` failed.
    #[error("remote toolset '{name}': listing the upstream's tools failed: {source}")]
    ListTools {
        /// The toolset.
        name: String,
        /// What rmcp said.
        #[source]
        source: Box<rmcp::ServiceError>,
    },
    /// The upstream did not complete the handshake and `tools/list` in time.
    #[error("remote toolset '{name}': the upstream did not answer within {timeout_ms} ms")]
    Timeout {
        /// The toolset.
        name: String,
        /// The configured timeout.
        timeout_ms: u64,
    },
}
