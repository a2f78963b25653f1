//! From a [`RestToolsetSpec`] to a [`ToolSet`] of [`RestTool`]s: names, input and output
//! schemas, bindings of arguments to the request, and every consistency check, each error
//! naming its field path.

use std::{collections::HashSet, sync::Arc, time::Duration};

use http::HeaderName;
use serde_json::{Map, Value, json};
use toolgate_tools::{Tool, ToolAnnotations, ToolDescriptor, ToolSet, is_valid_tool_name, slugify};
use url::Url;

use crate::{
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, FixedValue, ParameterLocation, ParameterSpec,
    RestSpecError, RestToolSpec, RestToolsetSpec, UpstreamClient,
    request::{PathPart, parse_path_template},
    style::Style,
    tool::{Binding, BodyEncoding, Limits, OutputShape, RestTool},
};

/// What the code that loads a toolset adds to its document: a base URL override and
/// fixed values (credentials) that do not belong in the file.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ToolsetOptions {
    /// Replaces the document's `base_url`.
    pub base_url: Option<Url>,
    /// Fixed query values added to every tool.
    pub fixed_query: Vec<(String, FixedValue)>,
    /// Fixed headers added to every tool.
    pub fixed_headers: Vec<(String, FixedValue)>,
    /// Replaces the document's `timeout`.
    pub timeout: Option<Duration>,
}

impl ToolsetOptions {
    /// Replaces the base URL.
    #[must_use]
    pub fn with_base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    /// Replaces the upstream timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Adds a fixed query value.
    #[must_use]
    pub fn with_fixed_query(mut self, name: impl Into<String>, value: FixedValue) -> Self {
        self.fixed_query.push((name.into(), value));
        self
    }

    /// Adds a fixed header.
    #[must_use]
    pub fn with_fixed_header(mut self, name: impl Into<String>, value: FixedValue) -> Self {
        self.fixed_headers.push((name.into(), value));
        self
    }
}

/// Builds the tools of `spec`.
///
/// # Errors
/// [`RestSpecError::Invalid`] naming the field path and the reason.
pub fn build_toolset(
    spec: &RestToolsetSpec,
    client: &UpstreamClient,
) -> Result<ToolSet, RestSpecError> {
    build_toolset_with(spec, client, &ToolsetOptions::default(), &spec.name)
}

/// Builds the tools of `spec` with `options`; `origin` names the document in errors.
///
/// # Errors
/// As [`build_toolset`].
pub fn build_toolset_with(
    spec: &RestToolsetSpec,
    client: &UpstreamClient,
    options: &ToolsetOptions,
    origin: &str,
) -> Result<ToolSet, RestSpecError> {
    let acl_rules: Vec<Option<toolgate_tools::AclRule>> =
        spec.tools.iter().map(|tool| tool.acl.clone()).collect();
    let tools = build_tools(spec, client, options, origin)?;
    let mut acl = toolgate_tools::AclPolicy::default();
    acl.consumer_identifier = spec.consumer_identifier;
    acl.include_consumer_groups = spec.include_consumer_groups;
    for (index, entry) in spec.default_acl.iter().enumerate() {
        if entry.scope != "tools" {
            return Err(RestSpecError::Invalid {
                origin: origin.to_owned(),
                path: format!("default_acl[{index}].scope"),
                reason: format!("'{}' is not a scope; only `tools` is", entry.scope),
            });
        }
        let rule = acl
            .default
            .get_or_insert_with(toolgate_tools::AclRule::default);
        rule.allow.extend(entry.allow.iter().cloned());
        rule.deny.extend(entry.deny.iter().cloned());
    }
    for (tool, rule) in tools.iter().zip(acl_rules) {
        if let Some(rule) = rule {
            acl.tools.insert(tool.descriptor.name.to_string(), rule);
        }
    }
    Ok(ToolSet::new(spec.name.clone())
        .with_tags(spec.tags.iter().cloned())
        .with_acl(acl)
        .with_tools(
            tools
                .into_iter()
                .map(|tool| Arc::new(tool) as Arc<dyn Tool>),
        ))
}

/// The tools of `spec`, typed (tests inspect their requests); the first invalid tool fails
/// the whole toolset.
pub(crate) fn build_tools(
    spec: &RestToolsetSpec,
    client: &UpstreamClient,
    options: &ToolsetOptions,
    origin: &str,
) -> Result<Vec<RestTool>, RestSpecError> {
    let (tools, mut failures) = build_each(spec.clone(), client, options, origin)?;
    if failures.is_empty() {
        Ok(tools.into_iter().map(|(_, tool)| tool).collect())
    } else {
        Err(failures.swap_remove(0).1)
    }
}

/// Tools built and tools refused, each with its index in `spec.tools`; only toolset-wide
/// problems (base URL, limits, fixed headers) are an `Err`. Imported documents use this to
/// skip a bad operation rather than the whole document.
pub(crate) type BuiltTools = (Vec<(usize, RestTool)>, Vec<(usize, RestSpecError)>);

pub(crate) fn build_each(
    spec: RestToolsetSpec,
    client: &UpstreamClient,
    options: &ToolsetOptions,
    origin: &str,
) -> Result<BuiltTools, RestSpecError> {
    let invalid = |path: String, reason: String| RestSpecError::Invalid {
        origin: origin.to_owned(),
        path,
        reason,
    };
    let base_url = match (&options.base_url, &spec.base_url) {
        (Some(url), _) => Some(url.clone()),
        (None, Some(text)) => Some(
            Url::parse(text)
                .map_err(|e| invalid("base_url".into(), format!("'{text}' is not a URL: {e}")))?,
        ),
        (None, None) => None,
    };
    if let Some(url) = &base_url
        && !matches!(url.scheme(), "http" | "https")
    {
        return Err(invalid(
            "base_url".into(),
            format!("'{url}' must be an http or https URL"),
        ));
    }
    let timeout = match (options.timeout, spec.timeout) {
        (Some(timeout), _) if !timeout.is_zero() => timeout,
        (Some(_), _) | (None, Some(0)) => {
            return Err(invalid(
                "timeout".into(),
                "must be at least 1 millisecond".into(),
            ));
        }
        (None, Some(ms)) => Duration::from_millis(ms),
        (None, None) => DEFAULT_TIMEOUT,
    };
    let max_response_bytes = match spec.max_response_size {
        Some(0) => {
            return Err(invalid(
                "max_response_size".into(),
                "must be at least 1 byte".into(),
            ));
        }
        Some(bytes) => bytes,
        None => DEFAULT_MAX_RESPONSE_BYTES,
    };
    let limits = Arc::new(Limits {
        timeout,
        max_response_bytes,
    });

    let mut toolset_query: Vec<(String, FixedValue)> = spec
        .query
        .iter()
        .flat_map(|(k, v)| {
            v.values()
                .into_iter()
                .map(|v| (k.clone(), FixedValue::value(v)))
        })
        .collect();
    toolset_query.extend(options.fixed_query.iter().cloned());
    let mut toolset_headers = Vec::new();
    for (name, values) in &spec.headers {
        let header = header_name(name).map_err(|r| invalid(format!("headers.{name}"), r))?;
        toolset_headers.extend(
            values
                .values()
                .into_iter()
                .map(|v| (header.clone(), FixedValue::value(v))),
        );
    }
    for (name, value) in &options.fixed_headers {
        let header = header_name(name).map_err(|r| invalid(format!("headers.{name}"), r))?;
        toolset_headers.push((header, value.clone()));
    }

    let mut tools = Vec::with_capacity(spec.tools.len());
    let mut failures = Vec::new();
    let mut names = HashSet::new();
    for (index, tool_spec) in spec.tools.into_iter().enumerate() {
        let at = |field: &str| {
            if field.is_empty() {
                format!("tools[{index}]")
            } else {
                format!("tools[{index}].{field}")
            }
        };
        let built = build_tool(
            tool_spec,
            ToolContext {
                base_url: base_url.as_ref(),
                toolset_query: &toolset_query,
                toolset_headers: &toolset_headers,
                client,
                limits: &limits,
            },
        );
        match built {
            Err((field, reason)) => failures.push((index, invalid(at(&field), reason))),
            Ok(tool) if !names.insert(tool.descriptor.name.to_string()) => failures.push((
                index,
                invalid(
                    at("name"),
                    format!(
                        "the tool name '{}' is used twice in this toolset",
                        tool.descriptor.name
                    ),
                ),
            )),
            Ok(tool) => tools.push((index, tool)),
        }
    }
    Ok((tools, failures))
}

#[derive(Clone, Copy)]
struct ToolContext<'a> {
    base_url: Option<&'a Url>,
    toolset_query: &'a [(String, FixedValue)],
    toolset_headers: &'a [(HeaderName, FixedValue)],
    client: &'a UpstreamClient,
    limits: &'a Arc<Limits>,
}

/// A problem: (field path inside the tool, reason).
type Problem = (String, String);

fn build_tool(spec: RestToolSpec, cx: ToolContext<'_>) -> Result<RestTool, Problem> {
    let problem = |field: &str, reason: String| (field.to_owned(), reason);
    let method_text = spec.method.as_deref().unwrap_or("GET").to_ascii_uppercase();
    let method = match method_text.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => {
            reqwest::Method::from_bytes(method_text.as_bytes())
                .map_err(|e| problem("method", e.to_string()))?
        }
        other => {
            return Err(problem(
                "method",
                format!("'{other}' is not a supported HTTP method"),
            ));
        }
    };
    let name = tool_name(&spec, &method_text)?;
    let base = base_for(&spec, cx.base_url)?;
    let path = parse_path_template(&spec.path).map_err(|r| problem("path", r))?;
    let RestToolSpec {
        description,
        path: path_text,
        query,
        headers,
        parameters,
        request_body,
        responses,
        annotations,
        credentials,
        ..
    } = spec;

    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut bindings: Vec<Binding> = Vec::new();
    let mut seen = HashSet::new();
    for (index, parameter) in parameters.into_iter().enumerate() {
        let field = format!("parameters[{index}]");
        if !seen.insert((parameter.location, parameter.name.clone())) {
            return Err(problem(
                &field,
                format!(
                    "parameter '{}' in {} is declared twice",
                    parameter.name,
                    parameter.location.as_str()
                ),
            ));
        }
        if parameter.location == ParameterLocation::Header {
            let header =
                header_name(&parameter.name).map_err(|r| problem(&format!("{field}.name"), r))?;
            if crate::request::is_reserved_header(header.as_str()) {
                return Err(problem(
                    &format!("{field}.name"),
                    format!(
                        "header parameter '{}' is not allowed: an argument must not choose the upstream's host or the request's framing",
                        parameter.name
                    ),
                ));
            }
            if cx.toolset_headers.iter().any(|(fixed, _)| fixed == header) {
                return Err(problem(
                    &field,
                    format!(
                        "header parameter '{}' collides with a fixed header of the same name",
                        parameter.name
                    ),
                ));
            }
        }
        if parameter.location == ParameterLocation::Path
            && !path.contains(&PathPart::Param(parameter.name.clone()))
        {
            return Err(problem(
                &field,
                format!(
                    "path parameter '{}' does not appear in path '{}'",
                    parameter.name, path_text
                ),
            ));
        }
        if parameter.location == ParameterLocation::Query
            && (cx.toolset_query.iter().any(|(k, _)| k == &parameter.name)
                || query.contains_key(&parameter.name))
        {
            return Err(problem(
                &field,
                format!(
                    "query parameter '{}' collides with a fixed query value of the same name",
                    parameter.name
                ),
            ));
        }
        let argument = argument_name(&parameter);
        if properties.contains_key(&argument) {
            return Err(problem(
                &field,
                format!("two parameters map to the argument name '{argument}'"),
            ));
        }
        if parameter.required || parameter.location == ParameterLocation::Path {
            required.push(Value::String(argument.clone()));
        }
        let mut binding =
            Binding::new(argument.clone(), parameter.name.clone(), parameter.location);
        if let Some(name) = &parameter.style {
            binding.style = Style::parse(name, parameter.location).ok_or_else(|| {
                problem(
                    &format!("{field}.style"),
                    format!(
                        "style '{name}' is not supported for {} parameters",
                        parameter.location.as_str()
                    ),
                )
            })?;
            binding.explode = binding.style.default_explode();
        }
        if let Some(explode) = parameter.explode {
            binding.explode = explode;
        }
        properties.insert(argument, parameter_schema(parameter));
        bindings.push(binding);
    }
    for part in &path {
        if let PathPart::Param(wire) = part
            && !bindings
                .iter()
                .any(|b| b.location == ParameterLocation::Path && &b.wire == wire)
        {
            return Err(problem(
                "path",
                format!("placeholder '{{{wire}}}' has no `in: path` parameter"),
            ));
        }
    }
    let (body, body_media_type) = if let Some(body) = request_body {
        let required_body = body.required;
        let body_description = body.description.clone();
        let (mut schema, encoding, media_type) =
            body_schema(body).map_err(|r| problem("request_body", r))?;
        if let (Some(text), Value::Object(map)) = (body_description, &mut schema) {
            map.entry("description").or_insert(Value::String(text));
        }
        if required_body {
            required.push(Value::String("body".into()));
        }
        properties.insert("body".into(), schema);
        (Some(encoding), media_type)
    } else {
        (None, None)
    };

    let mut fixed_query = cx.toolset_query.to_vec();
    fixed_query.extend(query.iter().flat_map(|(k, v)| {
        v.values()
            .into_iter()
            .map(|v| (k.clone(), FixedValue::value(v)))
    }));
    let mut fixed_headers = cx.toolset_headers.to_vec();
    for (header, values) in &headers {
        let name = header_name(header).map_err(|r| problem(&format!("headers.{header}"), r))?;
        if bindings
            .iter()
            .any(|b| b.location == ParameterLocation::Header && b.wire.eq_ignore_ascii_case(header))
        {
            return Err(problem(
                &format!("headers.{header}"),
                format!("fixed header '{header}' is also declared as a parameter"),
            ));
        }
        fixed_headers.extend(
            values
                .values()
                .into_iter()
                .map(|v| (name.clone(), FixedValue::value(v))),
        );
    }

    let mut fixed_cookies = Vec::new();
    for credential in credentials {
        match credential.location {
            ParameterLocation::Query => {
                fixed_query.push((credential.name, credential.value));
            }
            ParameterLocation::Header => {
                let name = header_name(&credential.name).map_err(|r| problem("security", r))?;
                fixed_headers.push((name, credential.value));
            }
            ParameterLocation::Cookie => {
                fixed_cookies.push((credential.name, credential.value));
            }
            ParameterLocation::Path => {
                return Err(problem(
                    "security",
                    "a credential cannot go in the path".into(),
                ));
            }
        }
    }

    // Built by hand: `json!` would serialise (deep-copy) the property schemas.
    let mut input_schema = Map::with_capacity(4);
    input_schema.insert("type".into(), Value::String("object".into()));
    input_schema.insert("properties".into(), Value::Object(properties));
    input_schema.insert("required".into(), Value::Array(required));
    input_schema.insert("additionalProperties".into(), Value::Bool(false));
    let mut descriptor = ToolDescriptor::new(name, description, Arc::new(input_schema));
    if let Some(annotations) = &annotations {
        let mut mcp = ToolAnnotations::new();
        mcp.title.clone_from(&annotations.title);
        mcp.read_only_hint = annotations.read_only_hint;
        mcp.destructive_hint = annotations.destructive_hint;
        mcp.idempotent_hint = annotations.idempotent_hint;
        mcp.open_world_hint = annotations.open_world_hint;
        descriptor.title.clone_from(&annotations.title);
        descriptor = descriptor.with_annotations(mcp);
    }
    let output = match responses.and_then(output_schema) {
        Some((schema, wrapped)) => {
            let schema = toolgate_tools::schema_object(schema);
            descriptor = descriptor.with_raw_output_schema(Arc::clone(&schema));
            Some(OutputShape::new(schema, wrapped))
        }
        None => None,
    };

    Ok(RestTool {
        descriptor,
        method,
        base,
        path,
        fixed_query,
        fixed_headers,
        fixed_cookies,
        bindings,
        body,
        body_media_type,
        output,
        client: cx.client.clone(),
        limits: Arc::clone(cx.limits),
    })
}

/// Explicit `name`; else a slug of `annotations.title`; else method and path.
fn tool_name(spec: &RestToolSpec, method: &str) -> Result<String, Problem> {
    if let Some(name) = &spec.name {
        if !is_valid_tool_name(name) {
            return Err((
                "name".into(),
                format!(
                    "'{name}' is not a valid tool name: use 1 to 64 of a-z, A-Z, 0-9, '_' and '-'"
                ),
            ));
        }
        return Ok(name.clone());
    }
    if let Some(title) = spec.annotations.as_ref().and_then(|a| a.title.as_deref()) {
        return slugify(title).ok_or_else(|| {
            (
                "annotations.title".into(),
                format!("no tool name can be made from the title '{title}'; set `name`"),
            )
        });
    }
    slugify(&format!("{method} {}", spec.path)).ok_or_else(|| {
        (
            "name".into(),
            "no tool name can be made from method and path; set `name`".into(),
        )
    })
}

/// The tool's base URL: the toolset's, with `scheme` and `host` overrides applied; the
/// path always ends with `/` so the tool's path is appended, not substituted.
fn base_for(spec: &RestToolSpec, toolset: Option<&Url>) -> Result<Url, Problem> {
    let mut url = match (spec.base_url.as_ref().or(toolset), &spec.host) {
        (Some(url), _) => url.clone(),
        (None, Some(host)) => {
            let scheme = spec.scheme.as_deref().unwrap_or("https");
            Url::parse(&format!("{scheme}://{host}/")).map_err(|e| {
                (
                    "host".to_owned(),
                    format!("'{host}' is not a valid host: {e}"),
                )
            })?
        }
        (None, None) => {
            return Err((
                "path".into(),
                "no base_url for the toolset and no host for the tool".into(),
            ));
        }
    };
    if let Some(scheme) = &spec.scheme {
        if !matches!(scheme.as_str(), "http" | "https") {
            return Err(("scheme".into(), format!("'{scheme}' must be http or https")));
        }
        url.set_scheme(scheme)
            .map_err(|()| ("scheme".to_owned(), format!("cannot use scheme '{scheme}'")))?;
    }
    if let Some(host) = &spec.host {
        let (hostname, port) = match host.rsplit_once(':') {
            Some((h, p)) if !h.starts_with('[') || h.ends_with(']') => match p.parse::<u16>() {
                Ok(port) => (h, Some(port)),
                Err(_) => return Err(("host".into(), format!("'{host}' has an invalid port"))),
            },
            _ => (host.as_str(), None),
        };
        url.set_host(Some(hostname)).map_err(|e| {
            (
                "host".to_owned(),
                format!("'{host}' is not a valid host: {e}"),
            )
        })?;
        url.set_port(port).map_err(|()| {
            (
                "host".to_owned(),
                format!("cannot set the port of '{host}'"),
            )
        })?;
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// `{in}_{name}`: `query_q`, `path_id`; header names lower-cased; characters outside
/// `[A-Za-z0-9_]` become `_` (`X-Request-Id` → `header_x_request_id`).
fn argument_name(parameter: &ParameterSpec) -> String {
    let name = if parameter.location == ParameterLocation::Header {
        parameter.name.to_ascii_lowercase()
    } else {
        parameter.name.clone()
    };
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}_{clean}", parameter.location.as_str())
}

/// The parameter's JSON Schema: its `schema`, with top-level `type`, `format`, `enum`,
/// `items` and `default` merged in where the schema does not say otherwise.
fn parameter_schema(parameter: ParameterSpec) -> Value {
    let mut schema = match parameter.schema {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut merge = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            schema.entry(key).or_insert(value);
        }
    };
    merge("type", parameter.kind.map(Value::String));
    merge("format", parameter.format.map(Value::String));
    merge("enum", parameter.allowed.map(Value::Array));
    merge("items", parameter.items);
    merge("default", parameter.default);
    merge("description", parameter.description.map(Value::String));
    if let Some(example) = parameter.example {
        schema
            .entry("examples")
            .or_insert_with(|| Value::Array(vec![example]));
    }
    if parameter.deprecated {
        schema.insert("deprecated".into(), Value::Bool(true));
    }
    Value::Object(schema)
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence == "application/json" || essence.ends_with("+json")
}

fn is_form(media_type: &str) -> bool {
    media_type.split(';').next().unwrap_or_default().trim() == "application/x-www-form-urlencoded"
}

/// The `body` argument's schema, how it is sent, and the JSON media type to send. JSON is
/// preferred; a form body is used when the operation takes no JSON.
fn body_schema(
    body: crate::RequestBodySpec,
) -> Result<(Value, BodyEncoding, Option<String>), String> {
    if let Some(schema) = body.schema {
        return Ok((schema, BodyEncoding::Json, None));
    }
    if body.content.is_empty() {
        return Err("needs `content` with an application/json schema, or a `schema`".into());
    }
    let found: Vec<String> = body.content.keys().cloned().collect();
    let mut content = body.content;
    let schema_of = |media: crate::MediaTypeSpec| media.schema.unwrap_or_else(|| json!({}));
    if let Some(index) = content.keys().position(|media| is_json(media))
        && let Some((media_type, media)) = content.swap_remove_index(index)
    {
        return Ok((schema_of(media), BodyEncoding::Json, Some(media_type)));
    }
    if let Some(index) = content.keys().position(|media| is_form(media))
        && let Some((_, media)) = content.swap_remove_index(index)
    {
        return Ok((schema_of(media), BodyEncoding::Form, None));
    }
    Err(format!(
        "only JSON and form-urlencoded request bodies are supported; found {}",
        found.join(", ")
    ))
}

/// The output schema of the first 2xx JSON response, and whether it is wrapped: an object
/// schema is used as is; any other root becomes `{"result": <schema>}` so the declared
/// `outputSchema` is always an object, as MCP requires.
fn output_schema(
    responses: indexmap::IndexMap<String, crate::spec::ResponseSpec>,
) -> Option<(Value, bool)> {
    let mut successes: Vec<(String, crate::spec::ResponseSpec)> = responses
        .into_iter()
        .filter(|(code, _)| code.starts_with('2'))
        .collect();
    successes.sort_by(|a, b| a.0.cmp(&b.0));
    let schema = successes.into_iter().find_map(|(_, response)| {
        response
            .content
            .into_iter()
            .find(|(media, _)| is_json(media))
            .and_then(|(_, media)| media.schema)
    })?;
    if is_object_schema(&schema) {
        Some((schema, false))
    } else {
        let mut properties = Map::with_capacity(1);
        properties.insert("result".into(), schema);
        let mut wrapper = Map::with_capacity(3);
        wrapper.insert("type".into(), Value::String("object".into()));
        wrapper.insert("properties".into(), Value::Object(properties));
        wrapper.insert("required".into(), json!(["result"]));
        Some((Value::Object(wrapper), true))
    }
}

/// Whether every value the schema accepts is an object (by `type`, or `properties` alone).
pub(crate) fn is_object_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(kind)) => kind == "object",
        Some(_) => false,
        None => {
            schema.get("properties").is_some()
                && !["anyOf", "oneOf", "allOf", "$ref", "enum", "const"]
                    .iter()
                    .any(|key| schema.get(key).is_some())
        }
    }
}

fn header_name(name: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("'{name}' is not a valid header name"))
}

#[cfg(test)]
mod tests;
