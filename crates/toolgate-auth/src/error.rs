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

impl AuthError {
    /// Why, in one word: the `reason` label of `toolgate_auth_failures_total`.
    ///
    /// `missing_token`, `invalid_request`, `expired`, `not_yet_valid`, `audience`, `issuer`,
    /// `signature`, `unknown_key`, `algorithm`, `inactive`, `unknown_api_key`,
    /// `invalid_token` (any other token problem), `scope`, `forbidden`, `idp_unavailable`.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::MissingToken => "missing_token",
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidToken(detail) => token_reason(detail),
            Self::InsufficientScope { .. } => "scope",
            Self::Forbidden(_) => "forbidden",
            Self::Unavailable(_) => "idp_unavailable",
        }
    }
}

/// The reason of an invalid token, from the details this crate writes.
fn token_reason(detail: &str) -> &'static str {
    const REASONS: &[(&str, &str)] = &[
        ("expired", "expired"),
        ("not valid yet", "not_yet_valid"),
        ("issued in the future", "not_yet_valid"),
        ("audience", "audience"),
        ("issuer", "issuer"),
        ("bad signature", "signature"),
        ("no key with kid", "unknown_key"),
        ("names no kid", "unknown_key"),
        ("algorithm", "algorithm"),
        ("the key is for", "algorithm"),
        ("inactive", "inactive"),
        ("unknown API key", "unknown_api_key"),
    ];
    REASONS
        .iter()
        .find(|(needle, _)| detail.contains(needle))
        .map_or("invalid_token", |(_, reason)| reason)
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

#[cfg(test)]
mod tests;
