//! Why a request was refused, and configuration errors.

/// A request the resource server refuses. [`crate::Challenge`] turns it into the response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No credentials at all.
    #[error("no access token")]
    MissingToken,
    /// The `Authorization` header is not `Bearer <token>`, or a token is in the query string,
    /// or it is too large.
    #[error("malformed request: {0}")]
    InvalidRequest(String),
    /// The token is not valid for this resource (signature, expiry, issuer, audience,
    /// inactive…). The reason goes to the log, never to the client.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// The token lacks scopes the request needs.
    #[error("insufficient scope: needs {}", .required.join(" "))]
    InsufficientScope {
        /// Every scope the request needs.
        required: Vec<String>,
    },
    /// The token or key is valid but the caller may not use this resource (no consumer, or
    /// a session opened by someone else).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The authorization server (JWKS, discovery, introspection) cannot be reached: fail
    /// closed.
    #[error("authorization server unavailable: {0}")]
    Unavailable(String),
}

/// A configuration the resource server cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ConfigError {
    /// The field at fault.
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}
