//! [`RestTool`]: one HTTP operation as an MCP tool.

use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::Duration,
};

use http::{HeaderName, HeaderValue};
use jsonschema::Validator;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;
use toolgate_tools::{CallContext, JsonObject, Tool, ToolDescriptor, ToolError, ToolFuture};
use tracing::Instrument;
use url::Url;

use crate::{
    FixedValue, ParameterLocation, UpstreamClient,
    request::{ArgumentRefused, PathPart, check_header_text, check_segment, encode_segment_text},
    style::{self, Style},
};

/// How an argument reaches the request.
#[derive(Clone, Debug)]
pub(crate) struct Binding {
    /// The argument name (`query_q`).
    pub(crate) argument: String,
    /// The name on the wire (`q`).
    pub(crate) wire: String,
    pub(crate) location: ParameterLocation,
    pub(crate) style: Style,
    pub(crate) explode: bool,
}

impl Binding {
    /// A binding with the location's default style.
    pub(crate) fn new(argument: String, wire: String, location: ParameterLocation) -> Self {
        let style = Style::default_for(location);
        Self {
            argument,
            wire,
            location,
            style,
            explode: style.default_explode(),
        }
    }
}

/// How the `body` argument is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyEncoding {
    /// `application/json` (or the `+json` media type the operation names).
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// The tool's declared output: JSON answers become `structuredContent`, checked against the
/// schema (a mismatch is logged, never a failed call). The validator is compiled at the first
/// answer, not at start-up: large APIs declare many big output schemas few calls will use.
#[derive(Clone)]
pub(crate) struct OutputShape {
    /// The upstream answer is not an object: it is wrapped as `{"result": …}`.
    pub(crate) wrapped: bool,
    pub(crate) schema: Arc<JsonObject>,
    pub(crate) validator: Arc<OnceLock<Option<Validator>>>,
}

impl OutputShape {
    pub(crate) fn new(schema: Arc<JsonObject>, wrapped: bool) -> Self {
        Self {
            wrapped,
            schema,
            validator: Arc::new(OnceLock::new()),
        }
    }

    /// Whether `content` matches the schema; a schema that does not compile matches
    /// everything (and is logged once).
    pub(crate) fn accepts(&self, content: &Value) -> bool {
        let validator = self.validator.get_or_init(|| {
            let schema = Value::Object((*self.schema).clone());
            match jsonschema::validator_for(&schema) {
            Ok(validator) => Some(validator),
            Err(error) => {
                tracing::warn!(%error, "the output schema does not compile; answers are not checked");
                None
            }
            }
        });
        validator.as_ref().is_none_or(|v| v.is_valid(content))
    }
}

impl fmt::Debug for OutputShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputShape")
            .field("wrapped", &self.wrapped)
            .finish_non_exhaustive()
    }
}

/// Upstream limits shared by the tools of one toolset.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: usize,
}

/// A REST operation served as a tool. Built from a REST toolset document
/// ([`crate::build_toolset`]) or an OpenAPI document ([`crate::openapi`]).
pub struct RestTool {
    pub(crate) descriptor: ToolDescriptor,
    pub(crate) method: reqwest::Method,
    /// Scheme, host and base path; the path template is appended to it.
    pub(crate) base: Url,
    pub(crate) path: Vec<PathPart>,
    pub(crate) fixed_query: Vec<(String, FixedValue)>,
    pub(crate) fixed_headers: Vec<(HeaderName, FixedValue)>,
    pub(crate) fixed_cookies: Vec<(String, FixedValue)>,
    pub(crate) bindings: Vec<Binding>,
    pub(crate) body: Option<BodyEncoding>,
    /// The media type sent with a JSON body.
    pub(crate) body_media_type: Option<String>,
    pub(crate) output: Option<OutputShape>,
    pub(crate) client: UpstreamClient,
    pub(crate) limits: Arc<Limits>,
}

impl fmt::Debug for RestTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestTool")
            .field("name", &self.descriptor.name)
            .field("method", &self.method)
            .field("base", &upstream_label(&self.base))
            .field("path", &self.path)
            .field("fixed_query", &self.fixed_query)
            .field("fixed_headers", &self.fixed_headers)
            .field("fixed_cookies", &self.fixed_cookies)
            .finish_non_exhaustive()
    }
}

impl Tool for RestTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let name = self.descriptor.name.as_ref();
            if let Some(hint) = self.missing_credential() {
                tracing::warn!(
                    tool.name = name,
                    "tool called without its configured credential"
                );
                return Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                    "The tool '{name}' is not configured yet: {hint}."
                ))]));
            }
            let request =
                self.build_request_with(&arguments, &context.principal().upstream_headers)?;
            let upstream = upstream_label(request.url());
            let span = tracing::info_span!(
                "upstream",
                tool.name = name,
                upstream = %upstream,
                http.method = %self.method
            );
            let call = self
                .client
                .execute(
                    request,
                    &upstream,
                    self.limits.timeout,
                    self.limits.max_response_bytes,
                    self.output.as_ref(),
                )
                .instrument(span);
            tokio::select! {
                (result, report) = call => {
                    context.report_upstream(report);
                    Ok(result)
                }
                () = context.cancellation().cancelled() => Ok(CallToolResult::error(vec![
                    ContentBlock::text(format!("The call of '{name}' was cancelled.")),
                ])),
            }
        })
    }
}

impl RestTool {
    fn missing_credential(&self) -> Option<&str> {
        self.fixed_query
            .iter()
            .map(|(_, v)| v)
            .chain(self.fixed_headers.iter().map(|(_, v)| v))
            .chain(self.fixed_cookies.iter().map(|(_, v)| v))
            .find_map(|value| match value {
                FixedValue::Missing { hint } => Some(hint.as_str()),
                FixedValue::Value(_) => None,
            })
    }

    /// The upstream request for validated `arguments`.
    #[cfg(test)]
    pub(crate) fn build_request(
        &self,
        arguments: &JsonObject,
    ) -> Result<reqwest::Request, ToolError> {
        self.build_request_with(arguments, &[])
    }

    /// The upstream request for validated `arguments`, with the caller's claim headers
    /// (`claim_to_header`); those never replace a fixed header or an argument.
    pub(crate) fn build_request_with(
        &self,
        arguments: &JsonObject,
        caller_headers: &[(String, String)],
    ) -> Result<reqwest::Request, ToolError> {
        let tool = self.descriptor.name.as_ref();
        let refused = |refused: ArgumentRefused| ToolError::InvalidArguments {
            tool: tool.to_owned(),
            problems: format!("argument '{}' {}", refused.argument, refused.reason),
        };

        let mut path = String::new();
        for part in &self.path {
            match part {
                PathPart::Literal(text) => path.push_str(text),
                PathPart::Param(wire) => {
                    let binding = self.binding(ParameterLocation::Path, wire);
                    let value = binding
                        .and_then(|b| arguments.get(&b.argument))
                        .unwrap_or(&Value::Null);
                    let argument = binding.map_or(wire.as_str(), |b| b.argument.as_str());
                    let segment = match binding {
                        Some(b) => {
                            style::path_text(wire, value, b.style, b.explode, encode_segment_text)
                        }
                        None => encode_segment_text(&style::scalar_text(value)),
                    };
                    check_segment(argument, &segment).map_err(refused)?;
                    path.push_str(&segment);
                }
            }
        }
        let mut url = self.base.clone();
        let joined = format!("{}{}", url.path(), path.trim_start_matches('/'));
        url.set_path(&joined);
        {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in &self.fixed_query {
                if let FixedValue::Value(secret) = value {
                    pairs.append_pair(key, secret.expose());
                }
            }
            for binding in self.located(ParameterLocation::Query) {
                if let Some(value) = arguments.get(&binding.argument) {
                    for (key, text) in
                        style::query_pairs(&binding.wire, value, binding.style, binding.explode)
                    {
                        pairs.append_pair(&key, &text);
                    }
                }
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }

        let mut builder = self.client.http().request(self.method.clone(), url);
        for (name, value) in &self.fixed_headers {
            if let FixedValue::Value(secret) = value {
                let mut header = HeaderValue::from_str(secret.expose()).map_err(|_| {
                    ToolError::InvalidArguments {
                        tool: tool.to_owned(),
                        problems: format!(
                            "the fixed header '{name}' has a value that is not a valid header value"
                        ),
                    }
                })?;
                header.set_sensitive(true);
                builder = builder.header(name.clone(), header);
            }
        }
        for binding in self.located(ParameterLocation::Header) {
            if let Some(value) = arguments.get(&binding.argument) {
                let text = style::header_text(value, binding.explode);
                check_header_text(&binding.argument, &text).map_err(refused)?;
                let header =
                    HeaderValue::from_str(&text).map_err(|_| ToolError::InvalidArguments {
                        tool: tool.to_owned(),
                        problems: format!(
                            "argument '{}' is not a valid header value",
                            binding.argument
                        ),
                    })?;
                builder = builder.header(binding.wire.as_str(), header);
            }
        }
        for (name, value) in caller_headers {
            let (Ok(name), Ok(mut value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                tracing::warn!(
                    tool.name = tool,
                    "a claim header is not a valid header; not sent"
                );
                continue;
            };
            let taken = self.fixed_headers.iter().any(|(fixed, _)| *fixed == name)
                || self.located(ParameterLocation::Header).any(|b| {
                    b.wire.eq_ignore_ascii_case(name.as_str())
                        && arguments.contains_key(&b.argument)
                });
            if !taken {
                value.set_sensitive(true);
                builder = builder.header(name, value);
            }
        }
        if let Some(cookie) = self.cookie_header(arguments).map_err(refused)? {
            let mut header =
                HeaderValue::from_str(&cookie).map_err(|_| ToolError::InvalidArguments {
                    tool: tool.to_owned(),
                    problems: "the cookies do not form a valid Cookie header".to_owned(),
                })?;
            header.set_sensitive(true);
            builder = builder.header(http::header::COOKIE, header);
        }
        if let (Some(encoding), Some(body)) = (self.body, arguments.get("body")) {
            builder = match encoding {
                BodyEncoding::Json => builder
                    .header(
                        http::header::CONTENT_TYPE,
                        self.body_media_type
                            .as_deref()
                            .unwrap_or("application/json"),
                    )
                    .body(body.to_string()),
                BodyEncoding::Form => builder
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(
                        url::form_urlencoded::Serializer::new(String::new())
                            .extend_pairs(style::form_pairs(body))
                            .finish(),
                    ),
            };
        }
        builder
            .build()
            .map_err(|error| ToolError::InvalidArguments {
                tool: tool.to_owned(),
                problems: format!("the request cannot be built: {}", error.without_url()),
            })
    }

    /// `a=1; b=2` from fixed cookies and cookie arguments; values are percent-encoded so
    /// none can add a cookie or break the header.
    fn cookie_header(&self, arguments: &JsonObject) -> Result<Option<String>, ArgumentRefused> {
        let mut cookies: Vec<String> = Vec::new();
        for (name, value) in &self.fixed_cookies {
            if let FixedValue::Value(secret) = value {
                cookies.push(format!("{name}={}", encode_cookie(secret.expose())));
            }
        }
        for binding in self.located(ParameterLocation::Cookie) {
            if let Some(value) = arguments.get(&binding.argument) {
                for (name, text) in style::cookie_pairs(&binding.wire, value, binding.explode) {
                    cookies.push(format!("{}={}", encode_cookie(&name), encode_cookie(&text)));
                }
            }
        }
        Ok((!cookies.is_empty()).then(|| cookies.join("; ")))
    }

    fn located(&self, location: ParameterLocation) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.location == location)
    }

    fn binding(&self, location: ParameterLocation, wire: &str) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| b.location == location && b.wire == wire)
    }
}

/// Cookie names and values keep RFC 6265 cookie-octets; everything else is percent-encoded.
fn encode_cookie(text: &str) -> String {
    const COOKIE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b',')
        .add(b';')
        .add(b'\\')
        .add(b'%')
        .add(b'=');
    percent_encoding::utf8_percent_encode(text, COOKIE).to_string()
}

/// `https://api.weatherapi.com/v1/current.json`: scheme, authority and path, never the
/// query string (fixed query values hold keys).
pub(crate) fn upstream_label(url: &Url) -> String {
    let mut label = url.clone();
    label.set_query(None);
    label.set_fragment(None);
    let _ = label.set_password(None);
    let _ = label.set_username("");
    label.to_string()
}

#[cfg(test)]
mod tests;
