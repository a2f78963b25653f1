//! [`RestTool`]: one HTTP operation as an MCP tool.

use std::{fmt, sync::Arc, time::Duration};

use http::{HeaderName, HeaderValue};
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;
use toolgate_tools::{CallContext, JsonObject, Tool, ToolDescriptor, ToolError, ToolFuture};
use tracing::Instrument;
use url::Url;

use crate::{
    FixedValue, ParameterLocation, UpstreamClient,
    request::{PathPart, encode_segment, header_text, query_values},
};

/// How an argument reaches the request.
#[derive(Clone, Debug)]
pub(crate) struct Binding {
    /// The argument name (`query_q`).
    pub(crate) argument: String,
    /// The name on the wire (`q`).
    pub(crate) wire: String,
    pub(crate) location: ParameterLocation,
}

/// Upstream limits shared by the tools of one toolset.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: usize,
}

/// A REST operation served as a tool. Built by [`crate::build_toolset`].
pub struct RestTool {
    pub(crate) descriptor: ToolDescriptor,
    pub(crate) method: reqwest::Method,
    /// Scheme, host and base path; the path template is appended to it.
    pub(crate) base: Url,
    pub(crate) path: Vec<PathPart>,
    pub(crate) fixed_query: Vec<(String, FixedValue)>,
    pub(crate) fixed_headers: Vec<(HeaderName, FixedValue)>,
    pub(crate) bindings: Vec<Binding>,
    pub(crate) has_body: bool,
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
            let request = self.build_request(&arguments)?;
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
                )
                .instrument(span);
            tokio::select! {
                result = call => Ok(result),
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
            .find_map(|value| match value {
                FixedValue::Missing { hint } => Some(hint.as_str()),
                FixedValue::Value(_) => None,
            })
    }

    /// The upstream request for validated `arguments`.
    pub(crate) fn build_request(
        &self,
        arguments: &JsonObject,
    ) -> Result<reqwest::Request, ToolError> {
        let tool = self.descriptor.name.as_ref();
        let refused = |refused: crate::request::ArgumentRefused| ToolError::InvalidArguments {
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
                    path.push_str(&encode_segment(argument, value).map_err(refused)?);
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
            for binding in self
                .bindings
                .iter()
                .filter(|b| b.location == ParameterLocation::Query)
            {
                if let Some(value) = arguments.get(&binding.argument) {
                    for text in query_values(value) {
                        pairs.append_pair(&binding.wire, &text);
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
        for binding in self
            .bindings
            .iter()
            .filter(|b| b.location == ParameterLocation::Header)
        {
            if let Some(value) = arguments.get(&binding.argument) {
                let text = header_text(&binding.argument, value).map_err(refused)?;
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
        if self.has_body
            && let Some(body) = arguments.get("body")
        {
            builder = builder.json(body);
        }
        builder
            .build()
            .map_err(|error| ToolError::InvalidArguments {
                tool: tool.to_owned(),
                problems: format!("the request cannot be built: {}", error.without_url()),
            })
    }

    fn binding(&self, location: ParameterLocation, wire: &str) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| b.location == location && b.wire == wire)
    }
}

/// `https://api.weatherapi.com/v1/current.json`: scheme, authority and path, never the
/// query string (fixed query values hold keys).
fn upstream_label(url: &Url) -> String {
    let mut label = url.clone();
    label.set_query(None);
    label.set_fragment(None);
    let _ = label.set_password(None);
    let _ = label.set_username("");
    label.to_string()
}

#[cfg(test)]
mod tests;
