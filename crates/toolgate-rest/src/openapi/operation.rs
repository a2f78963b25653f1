//! One OpenAPI operation → one [`RestToolSpec`]: name, description, annotations,
//! parameters, body, success response and credentials.

use std::{
    collections::HashSet,
    sync::{Arc, atomic::AtomicUsize},
};

use base64::Engine as _;
use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

use super::{
    ImportOptions, OpenApiDocument, OpenApiError, SkippedOperation,
    schema::{Resolver, strip_marked},
};
use crate::{
    AnnotationsSpec, FixedValue, MediaTypeSpec, ParameterLocation, ParameterSpec, RequestBodySpec,
    ResponseSpec, RestToolSpec, spec::Credential,
};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Longest tool description kept.
const MAX_DESCRIPTION_CHARS: usize = 1024;
/// Longest title kept (longer summaries are descriptions, not titles).
const MAX_TITLE_CHARS: usize = 80;

/// Which operation a tool came from.
#[derive(Clone, Debug)]
pub(crate) struct OperationRef {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) operation_id: Option<String>,
}

impl OperationRef {
    pub(crate) fn skip(&self, reason: String) -> SkippedOperation {
        SkippedOperation {
            method: self.method.clone(),
            path: self.path.clone(),
            operation_id: self.operation_id.clone(),
            reason,
        }
    }
}

/// The operations of a document as tool specs, and those that could not be.
pub(crate) struct Converted {
    pub(crate) tools: Vec<(OperationRef, RestToolSpec)>,
    pub(crate) skipped: Vec<SkippedOperation>,
    pub(crate) warnings: Vec<String>,
}

/// Escapes a JSON pointer token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

pub(crate) fn convert(
    document: &OpenApiDocument,
    options: &ImportOptions,
) -> Result<Converted, OpenApiError> {
    let mut converted = Converted {
        tools: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    let paths = match document.root.get("paths") {
        None => return Ok(converted),
        Some(Value::Object(paths)) => paths,
        Some(_) => {
            return Err(OpenApiError::Invalid {
                origin: document.origin(),
                pointer: "/paths".to_owned(),
                reason: "must be an object".to_owned(),
            });
        }
    };
    // Pass 1, in document order: the selected operations (cheap; `$ref`ed path items
    // followed).
    let budget = Arc::new(AtomicUsize::new(0));
    let resolver = Resolver::new(document, Arc::clone(&budget));
    let mut pending: Vec<Pending<'_>> = Vec::new();
    for (path, item) in paths {
        let item_pointer = format!("/paths/{}", escape(path));
        let (item, item_base) = match resolver.follow(item, &document.url) {
            Ok((item @ Value::Object(_), base)) => (item, base),
            Ok(_) => {
                converted.skipped.push(whole_path(
                    path,
                    format!("{item_pointer} is not a path item object"),
                ));
                continue;
            }
            Err(error) => {
                converted
                    .skipped
                    .push(whole_path(path, format!("{item_pointer}: {error}")));
                continue;
            }
        };
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let reference = OperationRef {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                operation_id: operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            };
            let pointer = format!("{item_pointer}/{method}");
            if !operation.is_object() {
                converted
                    .skipped
                    .push(reference.skip(format!("{pointer} is not an operation object")));
                continue;
            }
            let tags: Vec<&str> = operation
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let id = reference.operation_id.as_deref();
            let included = options.include.is_empty()
                || options
                    .include
                    .iter()
                    .any(|s| s.matches(method, path, id, &tags));
            let excluded = options
                .exclude
                .iter()
                .any(|s| s.matches(method, path, id, &tags));
            if included && !excluded {
                pending.push(Pending {
                    reference,
                    path,
                    method,
                    item,
                    item_base: item_base.clone(),
                    operation,
                    pointer,
                });
            }
        }
    }
    // Pass 2, on every core: each operation's schemas resolved and normalised. Each thread
    // has its own resolver (and memo of expanded components).
    let results = super::parallel_chunks(&pending, |chunk| {
        let mut resolver = Resolver::new(document, Arc::clone(&budget));
        let mut warnings = Vec::new();
        let specs: Vec<Result<RestToolSpec, String>> = chunk
            .iter()
            .map(|op| {
                OperationContext {
                    document,
                    options,
                    path: op.path,
                    method: op.method,
                    item: op.item,
                    item_base: &op.item_base,
                    operation: op.operation,
                    pointer: &op.pointer,
                }
                .convert(&mut resolver, &mut warnings)
            })
            .collect();
        (specs, warnings)
    });
    // Pass 3, in document order again: unique names.
    let mut names = NameAllocator::default();
    let mut outcomes = Vec::with_capacity(pending.len());
    for (specs, warnings) in results {
        outcomes.extend(specs);
        converted.warnings.extend(warnings);
    }
    for (op, outcome) in pending.into_iter().zip(outcomes) {
        match outcome {
            Ok(mut spec) => {
                let wanted = spec.name.take().unwrap_or_default();
                spec.name = Some(names.allocate(&wanted));
                converted.tools.push((op.reference, spec));
            }
            Err(reason) => converted.skipped.push(op.reference.skip(reason)),
        }
    }
    Ok(converted)
}

/// An operation selected for conversion.
struct Pending<'a> {
    reference: OperationRef,
    path: &'a str,
    method: &'static str,
    item: &'a Value,
    item_base: Url,
    operation: &'a Value,
    pointer: String,
}

fn whole_path(path: &str, reason: String) -> SkippedOperation {
    SkippedOperation {
        method: "*".to_owned(),
        path: path.to_owned(),
        operation_id: None,
        reason,
    }
}

struct OperationContext<'a> {
    document: &'a OpenApiDocument,
    options: &'a ImportOptions,
    path: &'a str,
    method: &'a str,
    item: &'a Value,
    item_base: &'a Url,
    operation: &'a Value,
    pointer: &'a str,
}

impl OperationContext<'_> {
    fn convert(
        &self,
        resolver: &mut Resolver<'_>,
        warnings: &mut Vec<String>,
    ) -> Result<RestToolSpec, String> {
        resolver.begin_operation()?;
        let credentials = self.credentials(resolver, warnings)?;
        let parameters = self.parameters(resolver, &credentials, warnings)?;
        let request_body = self.request_body(resolver)?;
        let responses = self.responses(resolver)?;
        let servers = self
            .operation
            .get("servers")
            .map(|_| self.operation)
            .or_else(|| self.item.get("servers").map(|_| self.item));
        let base_url = match servers {
            Some(holder) => Some(
                super::servers::server_url(self.document, holder, self.pointer)
                    .map_err(|e| e.to_string())?,
            ),
            None => None,
        };
        Ok(RestToolSpec {
            name: Some(self.name()),
            description: self.description(),
            method: Some(self.method.to_ascii_uppercase()),
            path: self.path.to_owned(),
            host: None,
            scheme: None,
            query: IndexMap::new(),
            headers: IndexMap::new(),
            parameters,
            request_body,
            responses: Some(responses),
            annotations: Some(self.annotations()),
            acl: None,
            credentials,
            base_url,
        })
    }

    fn operation_id(&self) -> Option<&str> {
        self.operation.get("operationId").and_then(Value::as_str)
    }

    /// Config override (by operationId or `METHOD /path`), `x-mcp-name`, operationId,
    /// method and path; made valid (`^[a-zA-Z0-9_-]{1,64}$`).
    fn name(&self) -> String {
        let by_path = format!("{} {}", self.method.to_ascii_uppercase(), self.path);
        let chosen = self
            .operation_id()
            .and_then(|id| self.options.names.get(id))
            .or_else(|| self.options.names.get(&by_path))
            .cloned()
            .or_else(|| {
                self.operation
                    .get("x-mcp-name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .or_else(|| self.operation_id().map(str::to_owned));
        chosen
            .and_then(|name| sanitize_name(&name))
            .or_else(|| sanitize_name(&format!("{}_{}", self.method, self.path)))
            .unwrap_or_else(|| self.method.to_owned())
    }

    fn description(&self) -> String {
        let text = |key: &str| {
            self.operation
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let joined = match (text("summary"), text("description")) {
            (Some(summary), Some(description)) if description.starts_with(summary) => {
                description.to_owned()
            }
            (Some(summary), Some(description)) => format!("{summary}\n\n{description}"),
            (Some(one), None) | (None, Some(one)) => one.to_owned(),
            (None, None) => format!("{} {}", self.method.to_ascii_uppercase(), self.path),
        };
        let joined = if self.operation.get("deprecated").and_then(Value::as_bool) == Some(true) {
            format!("(Deprecated.) {joined}")
        } else {
            joined
        };
        bounded(&joined, MAX_DESCRIPTION_CHARS)
    }

    /// From the method (GET → read-only, DELETE → destructive, PUT → idempotent) unless
    /// `x-mcp-annotations` says otherwise.
    fn annotations(&self) -> AnnotationsSpec {
        let mut annotations = AnnotationsSpec {
            title: self
                .operation
                .get("summary")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.chars().count() <= MAX_TITLE_CHARS)
                .map(str::to_owned),
            read_only_hint: Some(matches!(self.method, "get" | "head" | "options")),
            // Only DELETE is declared destructive; for other writes the hint is left out, so
            // clients assume the MCP default (may be destructive) rather than a false "no".
            destructive_hint: (self.method == "delete").then_some(true),
            idempotent_hint: Some(matches!(
                self.method,
                "get" | "head" | "options" | "put" | "delete"
            )),
            open_world_hint: Some(true),
        };
        if let Some(Value::Object(overrides)) = self.operation.get("x-mcp-annotations") {
            let flag = |snake: &str, camel: &str| {
                overrides
                    .get(snake)
                    .or_else(|| overrides.get(camel))
                    .and_then(Value::as_bool)
            };
            if let Some(title) = overrides.get("title").and_then(Value::as_str) {
                annotations.title = Some(title.to_owned());
            }
            annotations.read_only_hint =
                flag("read_only_hint", "readOnlyHint").or(annotations.read_only_hint);
            annotations.destructive_hint =
                flag("destructive_hint", "destructiveHint").or(annotations.destructive_hint);
            annotations.idempotent_hint =
                flag("idempotent_hint", "idempotentHint").or(annotations.idempotent_hint);
            annotations.open_world_hint =
                flag("open_world_hint", "openWorldHint").or(annotations.open_world_hint);
        }
        annotations
    }

    /// Path-level parameters overridden by operation-level ones with the same name and
    /// location.
    fn parameters(
        &self,
        resolver: &mut Resolver<'_>,
        credentials: &[Credential],
        warnings: &mut Vec<String>,
    ) -> Result<Vec<ParameterSpec>, String> {
        let mut merged: IndexMap<(String, String), (&Value, Url, String)> = IndexMap::new();
        for (holder, holder_pointer) in [
            (
                self.item,
                self.pointer.rsplit_once('/').map_or("", |(p, _)| p),
            ),
            (self.operation, self.pointer),
        ] {
            let Some(list) = holder.get("parameters") else {
                continue;
            };
            let Value::Array(list) = list else {
                return Err(format!("{holder_pointer}/parameters must be a list"));
            };
            for (index, parameter) in list.iter().enumerate() {
                let at = format!("{holder_pointer}/parameters/{index}");
                let (parameter, base) = resolver
                    .follow(parameter, self.item_base)
                    .map_err(|e| format!("{at}: {e}"))?;
                let name = parameter
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{at}: parameter has no `name`"))?;
                let location = parameter
                    .get("in")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{at}: parameter has no `in`"))?;
                merged.insert(
                    (name.to_owned(), location.to_owned()),
                    (parameter, base, at),
                );
            }
        }
        let mut parameters = Vec::with_capacity(merged.len());
        for ((name, location), (parameter, base, at)) in merged {
            let location = match location.as_str() {
                "query" => ParameterLocation::Query,
                "path" => ParameterLocation::Path,
                "header" => ParameterLocation::Header,
                "cookie" => ParameterLocation::Cookie,
                other => return Err(format!("{at}: parameters `in: {other}` are not supported")),
            };
            if location == ParameterLocation::Header
                && ["accept", "content-type", "authorization"]
                    .contains(&name.to_ascii_lowercase().as_str())
            {
                warnings.push(format!(
                    "{at}: header parameter '{name}' is ignored, as OpenAPI requires"
                ));
                continue;
            }
            if location == ParameterLocation::Header && crate::request::is_reserved_header(&name) {
                warnings.push(format!(
                    "{at}: header parameter '{name}' is ignored: an argument must not choose the upstream's host or the request's framing"
                ));
                continue;
            }
            if credentials
                .iter()
                .any(|c| c.location == location && c.name.eq_ignore_ascii_case(&name))
            {
                warnings.push(format!(
                    "{at}: parameter '{name}' is supplied by the security scheme, not by the model"
                ));
                continue;
            }
            let schema = match (parameter.get("schema"), parameter.get("content")) {
                (Some(schema), _) => resolver
                    .schema(schema, &base)
                    .map_err(|e| format!("{at}/schema: {e}"))?,
                (None, Some(Value::Object(content))) => match content.iter().next() {
                    Some((media, media_type)) => match media_type.get("schema") {
                        Some(schema) => resolver
                            .schema(schema, &base)
                            .map_err(|e| format!("{at}/content/{}/schema: {e}", escape(media)))?,
                        None => serde_json::json!({}),
                    },
                    None => serde_json::json!({}),
                },
                _ => serde_json::json!({}),
            };
            let mut schema = schema;
            strip_marked(&mut schema, "readOnly");
            parameters.push(ParameterSpec {
                name,
                location,
                description: parameter
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|d| bounded(d, MAX_DESCRIPTION_CHARS)),
                required: location == ParameterLocation::Path
                    || parameter
                        .get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                kind: None,
                format: None,
                allowed: None,
                default: None,
                items: None,
                schema: Some(schema),
                example: parameter.get("example").cloned(),
                deprecated: parameter
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                style: parameter
                    .get("style")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                explode: parameter.get("explode").and_then(Value::as_bool),
            });
        }
        Ok(parameters)
    }

    fn request_body(&self, resolver: &mut Resolver<'_>) -> Result<Option<RequestBodySpec>, String> {
        let Some(body) = self.operation.get("requestBody") else {
            return Ok(None);
        };
        let at = format!("{}/requestBody", self.pointer);
        let (body, base) = resolver
            .follow(body, self.item_base)
            .map_err(|e| format!("{at}: {e}"))?;
        let Some(Value::Object(content)) = body.get("content") else {
            return Err(format!("{at}: request body has no `content`"));
        };
        let supported = |media: &str| {
            let essence = media
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            essence == "application/json"
                || essence.ends_with("+json")
                || essence == "application/x-www-form-urlencoded"
        };
        let mut kept = IndexMap::new();
        for (media, media_type) in content.iter().filter(|(media, _)| supported(media)) {
            let schema = match media_type.get("schema") {
                Some(schema) => {
                    let mut schema = resolver
                        .schema(schema, &base)
                        .map_err(|e| format!("{at}/content/{}/schema: {e}", escape(media)))?;
                    strip_marked(&mut schema, "readOnly");
                    Some(schema)
                }
                None => None,
            };
            kept.insert(media.clone(), MediaTypeSpec { schema });
        }
        if kept.is_empty() {
            let found: Vec<&str> = content.keys().map(String::as_str).collect();
            return Err(format!(
                "request body type {} is not supported (only JSON and application/x-www-form-urlencoded bodies are)",
                found.join(", ")
            ));
        }
        Ok(Some(RequestBodySpec {
            description: body
                .get("description")
                .and_then(Value::as_str)
                .map(|d| bounded(d, MAX_DESCRIPTION_CHARS)),
            required: body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            content: kept,
            schema: None,
        }))
    }

    /// The first 2xx response with a JSON schema, `writeOnly` properties left out.
    fn responses(
        &self,
        resolver: &mut Resolver<'_>,
    ) -> Result<IndexMap<String, ResponseSpec>, String> {
        let mut out = IndexMap::new();
        let Some(Value::Object(responses)) = self.operation.get("responses") else {
            return Ok(out);
        };
        let mut codes: Vec<&String> = responses
            .keys()
            .filter(|code| code.starts_with('2'))
            .collect();
        codes.sort();
        for code in codes {
            let at = format!("{}/responses/{code}", self.pointer);
            let (response, base) = resolver
                .follow(&responses[code.as_str()], self.item_base)
                .map_err(|e| format!("{at}: {e}"))?;
            let Some(Value::Object(content)) = response.get("content") else {
                continue;
            };
            let json = content.iter().find(|(media, _)| {
                let essence = media
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            });
            let Some((media, media_type)) = json else {
                continue;
            };
            let Some(schema) = media_type.get("schema") else {
                continue;
            };
            let mut schema = resolver
                .schema(schema, &base)
                .map_err(|e| format!("{at}/content/{}/schema: {e}", escape(media)))?;
            strip_marked(&mut schema, "writeOnly");
            let mut media_types = IndexMap::new();
            media_types.insert(
                media.clone(),
                MediaTypeSpec {
                    schema: Some(schema),
                },
            );
            out.insert(
                code.clone(),
                ResponseSpec {
                    description: None,
                    content: media_types,
                },
            );
            break;
        }
        Ok(out)
    }

    /// The credentials of the first security requirement toolgate can satisfy: API keys in
    /// query, header or cookie, HTTP bearer and basic.
    fn credentials(
        &self,
        resolver: &mut Resolver<'_>,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<Credential>, String> {
        let requirements = match self
            .operation
            .get("security")
            .or_else(|| self.document.root.get("security"))
        {
            Some(Value::Array(requirements)) => requirements,
            Some(_) => return Err(format!("{}/security must be a list", self.pointer)),
            None => return Ok(Vec::new()),
        };
        if requirements.is_empty() {
            return Ok(Vec::new());
        }
        let schemes = self.document.root.pointer("/components/securitySchemes");
        let mut usable: Vec<Vec<Credential>> = Vec::new();
        let mut unusable: Vec<String> = Vec::new();
        for requirement in requirements {
            let Value::Object(requirement) = requirement else {
                continue;
            };
            if requirement.is_empty() {
                // Anonymous access is one of the alternatives.
                usable.push(Vec::new());
                continue;
            }
            let mut credentials = Vec::new();
            let mut complete = true;
            for name in requirement.keys() {
                let scheme = schemes
                    .and_then(|s| s.get(name))
                    .map(|s| resolver.follow(s, &self.document.url).map(|(s, _)| s))
                    .transpose()
                    .map_err(|e| format!("security scheme '{name}': {e}"))?;
                match scheme.and_then(|scheme| self.credential(name, scheme)) {
                    Some(credential) => credentials.push(credential),
                    None => {
                        complete = false;
                        unusable.push(describe_scheme(name, scheme));
                    }
                }
            }
            if complete {
                usable.push(credentials);
            }
        }
        let configured = |credentials: &Vec<Credential>| {
            credentials
                .iter()
                .all(|c| matches!(c.value, FixedValue::Value(_)))
        };
        if let Some(chosen) = usable
            .iter()
            .find(|c| !c.is_empty() && configured(c))
            .or_else(|| usable.iter().find(|c| c.is_empty()))
            .or_else(|| usable.first())
        {
            return Ok(chosen.clone());
        }
        warnings.push(format!(
            "{} {}: needs {}, which toolgate cannot supply; the tool calls without credentials",
            self.method.to_ascii_uppercase(),
            self.path,
            unusable.join(" or ")
        ));
        Ok(Vec::new())
    }

    fn credential(&self, name: &str, scheme: &Value) -> Option<Credential> {
        let configured = self.options.credentials.get(name).cloned();
        let missing = |what: &str| FixedValue::Missing {
            hint: format!("no credential is configured for the security scheme '{name}' ({what})"),
        };
        match scheme.get("type").and_then(Value::as_str)? {
            "apiKey" => {
                let location = match scheme.get("in").and_then(Value::as_str)? {
                    "query" => ParameterLocation::Query,
                    "header" => ParameterLocation::Header,
                    "cookie" => ParameterLocation::Cookie,
                    _ => return None,
                };
                let key = scheme.get("name").and_then(Value::as_str)?;
                Some(Credential {
                    location,
                    name: key.to_owned(),
                    value: configured.unwrap_or_else(|| {
                        missing(&format!("an API key in {} '{key}'", location.as_str()))
                    }),
                })
            }
            "http" => {
                let kind = scheme
                    .get("scheme")
                    .and_then(Value::as_str)?
                    .to_ascii_lowercase();
                let value = match (kind.as_str(), configured) {
                    ("bearer", Some(FixedValue::Value(token))) => {
                        FixedValue::value(format!("Bearer {}", token.expose()))
                    }
                    ("basic", Some(FixedValue::Value(pair))) => FixedValue::value(format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(pair.expose())
                    )),
                    ("bearer" | "basic", Some(missing @ FixedValue::Missing { .. })) => missing,
                    ("bearer", None) => missing("a bearer token"),
                    ("basic", None) => missing("a user:password pair"),
                    _ => return None,
                };
                Some(Credential {
                    location: ParameterLocation::Header,
                    name: "Authorization".to_owned(),
                    value,
                })
            }
            _ => None,
        }
    }
}

fn describe_scheme(name: &str, scheme: Option<&Value>) -> String {
    match scheme.and_then(|s| s.get("type")).and_then(Value::as_str) {
        Some(kind) => format!("security scheme '{name}' ({kind})"),
        None => format!("security scheme '{name}' (not defined in components.securitySchemes)"),
    }
}

/// A valid tool name from any text: invalid characters become `_`, runs collapse, and a name
/// over 64 characters keeps a readable head and gets a stable hash suffix
/// ([`toolgate_tools::fit_tool_name`]) so long names stay distinct.
fn sanitize_name(text: &str) -> Option<String> {
    let mut name = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            c
        } else {
            '_'
        };
        if c == '_' && name.ends_with('_') {
            continue;
        }
        name.push(c);
    }
    toolgate_tools::fit_tool_name(name.trim_matches('_'))
}

/// Unique names in document order: a clash gets `_2`, `_3`…, cut to fit 64 characters.
#[derive(Default)]
struct NameAllocator {
    taken: HashSet<String>,
}

impl NameAllocator {
    fn allocate(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        for n in 2_usize.. {
            let suffix = format!("_{n}");
            let keep = toolgate_tools::MAX_TOOL_NAME_LEN.saturating_sub(suffix.len());
            let candidate = format!("{}{suffix}", wanted.chars().take(keep).collect::<String>());
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("an unused suffix always exists")
    }
}

/// `text` cut to `max` characters at a word boundary, with an ellipsis.
fn bounded(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(space) if space > max / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}
