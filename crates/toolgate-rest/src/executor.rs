//! The upstream executor: one pooled HTTP client, bounded time and size, and the mapping
//! of every upstream outcome to a tool result.

use std::{error::Error as _, time::Duration};

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;
use toolgate_tools::{UpstreamFailure, UpstreamReport};

use crate::tool::OutputShape;

/// Upstream calls time out after this long unless a toolset says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest upstream response body read, unless a toolset says otherwise.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// How much of a failed upstream body an error result quotes.
const ERROR_EXCERPT_CHARS: usize = 1024;

/// The HTTP client every REST tool shares: connection pooling across toolsets.
///
/// Redirects are not followed: a redirect could carry fixed credentials to another host.
/// A 3xx answer becomes an error result naming the `Location`.
///
/// [`UpstreamClient::public_only`] adds the `deny_private_networks` guard
/// ([`toolgate_net`]): no connection to a loopback, private or link-local address.
#[derive(Clone, Debug)]
pub struct UpstreamClient {
    http: reqwest::Client,
    public_only: bool,
}

/// The client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the upstream HTTP client: {0}")]
pub struct UpstreamError(#[source] reqwest::Error);

impl UpstreamClient {
    /// Builds the client (and installs the process-wide TLS crypto provider if none is).
    ///
    /// # Errors
    /// [`UpstreamError`] when the TLS configuration cannot be loaded.
    pub fn new() -> Result<Self, UpstreamError> {
        Self::build(false)
    }

    /// A client that connects only to public addresses: host names are refused when any
    /// address they resolve to is loopback, private, link-local or otherwise not public,
    /// and so are such IP literals (`deny_private_networks`). It ignores proxy variables.
    ///
    /// # Errors
    /// As [`UpstreamClient::new`].
    pub fn public_only() -> Result<Self, UpstreamError> {
        Self::build(true)
    }

    fn build(public_only: bool) -> Result<Self, UpstreamError> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("toolgate/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60));
        if public_only {
            builder = toolgate_net::guard(builder);
        }
        let http = builder.build().map_err(UpstreamError)?;
        Ok(Self { http, public_only })
    }

    /// Whether this client refuses non-public addresses ([`UpstreamClient::public_only`]).
    #[must_use]
    pub fn is_public_only(&self) -> bool {
        self.public_only
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Refuses a URL whose host is a non-public IP literal, for a public-only client (names
    /// are checked by its resolver when it connects).
    pub(crate) fn check_url(&self, url: &url::Url) -> Result<(), toolgate_net::NetworkError> {
        if self.public_only {
            toolgate_net::check_url(url)
        } else {
            Ok(())
        }
    }

    /// Sends `request`, reads at most `max_bytes` of the answer within `timeout`, and turns
    /// whatever happened into a tool result, with what happened for the audit event.
    /// `upstream` names the upstream in messages (no query string, so no credential, ever).
    pub(crate) async fn execute(
        &self,
        request: reqwest::Request,
        upstream: &str,
        timeout: Duration,
        max_bytes: usize,
        output: Option<&OutputShape>,
    ) -> (CallToolResult, UpstreamReport) {
        let url = request.url();
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (host, None) => host.unwrap_or_default().to_owned(),
            (None, Some(_)) => String::new(),
        };
        let report = UpstreamReport::new(host);
        if let Err(refused) = self.check_url(request.url()) {
            tracing::warn!(upstream, error = %refused, "upstream refused by the network guard");
            let result = error_result(format!(
                "The upstream {upstream} was not called: {refused}."
            ));
            return (result, report.with_failure(UpstreamFailure::Unreachable));
        }
        let outcome = tokio::time::timeout(timeout, async {
            let response = self.http.execute(request).await?;
            let status = response.status();
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = read_bounded(response, max_bytes).await?;
            Ok::<_, reqwest::Error>((status, content_type, location, body))
        })
        .await;
        match outcome {
            Err(_elapsed) => {
                tracing::warn!(
                    upstream,
                    timeout_ms = timeout.as_millis(),
                    "upstream timed out"
                );
                let result = error_result(format!(
                    "The upstream {upstream} did not answer within {}.",
                    human_duration(timeout)
                ));
                (result, report.with_failure(UpstreamFailure::Timeout))
            }
            Ok(Err(error)) => {
                tracing::warn!(upstream, error = %root_cause(&error), "upstream request failed");
                let failure = if error.is_timeout() {
                    UpstreamFailure::Timeout
                } else {
                    UpstreamFailure::Unreachable
                };
                let result = error_result(describe_transport_error(&error, upstream));
                (result, report.with_failure(failure))
            }
            Ok(Ok((status, _, _, Body::TooLarge))) => {
                tracing::warn!(
                    upstream,
                    status = status.as_u16(),
                    max_bytes,
                    "upstream response too large"
                );
                let result = error_result(format!(
                    "The upstream {upstream} answered HTTP {status} with a body larger than the {max_bytes}-byte limit; it was not read."
                ));
                (
                    result,
                    report
                        .with_status(status.as_u16())
                        .with_failure(UpstreamFailure::Status),
                )
            }
            Ok(Ok((status, content_type, location, Body::Complete(bytes)))) => {
                tracing::debug!(
                    upstream,
                    status = status.as_u16(),
                    bytes = bytes.len(),
                    "upstream answered"
                );
                let result = to_result(
                    status,
                    content_type.as_deref(),
                    location.as_deref(),
                    &bytes,
                    upstream,
                    output,
                );
                let report = report.with_status(status.as_u16());
                let report = if result.is_error == Some(true) {
                    // A redirect is not followed: the call failed at the upstream.
                    report.with_failure(UpstreamFailure::Status)
                } else {
                    report
                };
                (result, report)
            }
        }
    }
}

enum Body {
    Complete(Vec<u8>),
    TooLarge,
}

async fn read_bounded(
    mut response: reqwest::Response,
    max_bytes: usize,
) -> Result<Body, reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > max_bytes))
    {
        return Ok(Body::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > max_bytes {
            return Ok(Body::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Body::Complete(body))
}

fn to_result(
    status: reqwest::StatusCode,
    content_type: Option<&str>,
    location: Option<&str>,
    body: &[u8],
    upstream: &str,
    output: Option<&OutputShape>,
) -> CallToolResult {
    let text = String::from_utf8_lossy(body);
    if !status.is_success() {
        let mut message = format!("The upstream {upstream} answered HTTP {status}");
        if let Some(location) = location.filter(|_| status.is_redirection()) {
            message.push_str(&format!(
                " redirecting to {location} (redirects are not followed)"
            ));
        }
        let excerpt = excerpt(&text);
        if excerpt.is_empty() {
            message.push('.');
        } else {
            message.push_str(&format!(": {excerpt}"));
        }
        return error_result(message);
    }
    if body.is_empty() {
        return CallToolResult::success(vec![ContentBlock::text(format!(
            "The upstream answered HTTP {status} with no content."
        ))]);
    }
    let looks_json = content_type.is_none_or(is_json_media_type);
    if looks_json && let Ok(value) = serde_json::from_slice::<Value>(body) {
        let mut result = CallToolResult::success(vec![ContentBlock::text(text.into_owned())]);
        result.structured_content = structured(value, output, upstream);
        return result;
    }
    CallToolResult::success(vec![ContentBlock::text(text.into_owned())])
}

/// The `structuredContent` of a JSON answer: the object itself, or `{"result": …}` when the
/// tool's output schema wraps a non-object answer. An answer the schema does not describe is
/// still returned (the model can use it) and logged, never turned into a failure.
fn structured(value: Value, output: Option<&OutputShape>, upstream: &str) -> Option<Value> {
    let structured = match output {
        Some(shape) if shape.wrapped => Some(serde_json::json!({ "result": value })),
        _ if value.is_object() => Some(value),
        _ => None,
    };
    if let Some(shape) = output {
        match &structured {
            Some(content) if shape.accepts(content) => {}
            Some(_) => tracing::warn!(
                upstream,
                "the upstream answer does not match the declared output schema; returned as is"
            ),
            None => tracing::warn!(
                upstream,
                "the upstream answered JSON that is not an object where the output schema promises one; returned as text"
            ),
        }
    }
    structured
}

/// `application/json`, `application/problem+json`, `text/json`…
fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

fn excerpt(text: &str) -> String {
    let trimmed = text.trim();
    let mut out: String = trimmed.chars().take(ERROR_EXCERPT_CHARS).collect();
    if trimmed.chars().count() > ERROR_EXCERPT_CHARS {
        out.push_str(" …(truncated)");
    }
    out
}

fn error_result(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

fn describe_transport_error(error: &reqwest::Error, upstream: &str) -> String {
    let cause = root_cause(error);
    if error.is_connect() {
        format!("Could not connect to the upstream {upstream}: {cause}.")
    } else if error.is_timeout() {
        format!("The upstream {upstream} timed out: {cause}.")
    } else if error.is_body() || error.is_decode() {
        format!("The upstream {upstream} broke off its answer: {cause}.")
    } else {
        format!("The request to the upstream {upstream} failed: {cause}.")
    }
}

/// The innermost error message (`Connection refused (os error 111)`). reqwest's own
/// message is never used: it contains the URL, query string and credentials included.
fn root_cause(error: &reqwest::Error) -> String {
    let mut innermost = None;
    let mut current = error.source();
    while let Some(source) = current {
        innermost = Some(source);
        current = source.source();
    }
    innermost.map_or_else(|| "no further detail".to_owned(), ToString::to_string)
}

fn human_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) {
        format!("{} s", millis / 1000)
    } else {
        format!("{millis} ms")
    }
}

fn install_crypto_provider() {
    // Another part of the process may have installed one already; either way one is set.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests;
