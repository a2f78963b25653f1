//! The one place where refusals become HTTP responses: status, `WWW-Authenticate`, body.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use crate::AuthError;

/// How long a client should wait before retrying when the authorization server is down.
const RETRY_AFTER_SECONDS: &str = "5";

/// Builds refusals for one resource.
#[derive(Clone, Debug)]
pub struct Challenge {
    metadata_url: String,
    required_scopes: Vec<String>,
}

impl Challenge {
    /// Challenges pointing at `metadata_url`, naming `required_scopes`.
    #[must_use]
    pub fn new(metadata_url: String, required_scopes: Vec<String>) -> Self {
        Self {
            metadata_url,
            required_scopes,
        }
    }

    /// The `WWW-Authenticate` value for `error`, if it has one.
    #[must_use]
    pub fn www_authenticate(&self, error: &AuthError) -> Option<String> {
        let mut parts = vec![format!("resource_metadata=\"{}\"", self.metadata_url)];
        let scope = |scopes: &[String]| format!("scope=\"{}\"", scopes.join(" "));
        match error {
            AuthError::MissingToken => {
                if !self.required_scopes.is_empty() {
                    parts.push(scope(&self.required_scopes));
                }
            }
            AuthError::InvalidRequest(_) => parts.push("error=\"invalid_request\"".into()),
            AuthError::InvalidToken(_) => {
                parts.push("error=\"invalid_token\"".into());
                parts.push("error_description=\"Invalid or inactive token\"".into());
            }
            AuthError::InsufficientScope { required } => {
                parts.push("error=\"insufficient_scope\"".into());
                parts.push(scope(required));
            }
            AuthError::Forbidden(_) | AuthError::Unavailable(_) => return None,
        }
        Some(format!("Bearer {}", parts.join(", ")))
    }

    /// The response for `error`: 400, 401, 403 or 503 with a generic JSON body; details stay
    /// in the log.
    #[must_use]
    pub fn response(&self, error: &AuthError) -> Response {
        let (status, code, description) = match error {
            AuthError::MissingToken => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "An access token is required.",
            ),
            AuthError::InvalidRequest(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The credentials are malformed.",
            ),
            AuthError::InvalidToken(_) => (
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "Invalid or inactive token.",
            ),
            AuthError::InsufficientScope { .. } => (
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                "The token lacks a required scope.",
            ),
            AuthError::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "The caller may not use this resource.",
            ),
            AuthError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "The authorization server cannot be reached; try again shortly.",
            ),
        };
        let body = serde_json::json!({"error": code, "error_description": description});
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(value) = self
            .www_authenticate(error)
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        if matches!(error, AuthError::Unavailable(_)) {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
