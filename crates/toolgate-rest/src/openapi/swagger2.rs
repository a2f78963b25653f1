//! Swagger 2.0 → OpenAPI 3.0.3, as a pure function on JSON values, so the rest of the importer
//! only ever sees 3.x.
//!
//! | Swagger 2.0 | OpenAPI 3.0 |
//! | --- | --- |
//! | `host`, `basePath`, `schemes` (also per operation) | `servers` (https first; none → `//host/base`) |
//! | `definitions`, `parameters`, `responses`, `securityDefinitions` | `components.*` |
//! | non-body parameter `type`, `items`, `enum`… | its `schema` |
//! | `collectionFormat` | `style`/`explode` (and `encoding` for urlencoded forms) |
//! | `in: body` / `in: formData` | `requestBody` by `consumes` |
//! | response `schema`, `examples`, `headers` | `content` by `produces`, `example`, `headers.*.schema` |
//! | `type: file` | `{type: string, format: binary}` |
//! | `x-nullable`, string `discriminator` | `nullable`, `{propertyName}` |
//!
//! Every `$ref` to `#/definitions/`, `#/parameters/` or `#/responses/` (also the fragment of a
//! ref into another file) is rewritten to its `#/components/…` place. Local refs to body and
//! formData parameters are resolved, because those become request bodies. Lossy steps are
//! reported as warnings that start with the Swagger document's JSON pointer.

use serde_json::{Map, Value, json};

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];
/// Parameter and header fields that move into `schema`.
const SCHEMA_KEYS: [&str; 16] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
];
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";
/// Schemas nested deeper than this are copied unconverted.
const MAX_DEPTH: usize = 200;
/// Longest chain of `#/parameters/` refs followed.
const MAX_REF_HOPS: usize = 32;

/// A converted document and the notes on what did not convert exactly.
#[derive(Clone, Debug)]
pub(crate) struct Converted {
    /// The OpenAPI 3.0.3 document.
    pub(crate) document: Value,
    /// Lossy conversions, each starting with the JSON pointer in the Swagger document.
    pub(crate) warnings: Vec<String>,
}

/// Converts a Swagger 2.0 document to OpenAPI 3.0 shape.
///
/// # Errors
/// When `doc` is not Swagger 2.0 at all: not an object, no `swagger: "2.0"`, `paths` not an
/// object, or a path item, operation, parameter list, parameter or response of the wrong
/// JSON type. The message starts with the JSON pointer of the problem.
pub(crate) fn to_openapi3(doc: &Value) -> Result<Converted, String> {
    let root = doc
        .as_object()
        .ok_or("not a Swagger 2.0 document: the root must be an object")?;
    match root.get("swagger") {
        Some(Value::String(v)) if v == "2.0" => {}
        Some(Value::Number(n)) if n.as_f64() == Some(2.0) => {}
        Some(other) => return Err(format!("/swagger: expected \"2.0\", found {other}")),
        None => return Err("/swagger: missing; not a Swagger 2.0 document".to_owned()),
    }
    match root.get("paths") {
        Some(Value::Object(_)) => {}
        Some(_) => return Err("/paths: must be an object".to_owned()),
        None => return Err("/paths: missing; a Swagger 2.0 document must have paths".to_owned()),
    }
    let mut converter = Converter::new(root);
    let document = converter.document()?;
    Ok(Converted {
        document,
        warnings: converter.warnings,
    })
}

/// A parameter of a path item or operation, sorted by where it ends up.
enum Param<'a> {
    /// Stays in `parameters`: converted, or a `$ref` to a component.
    Plain(Value),
    /// `in: body`, with the pointer of its definition.
    Body(&'a Map<String, Value>, String),
    /// `in: formData`: name, definition and its pointer.
    Form(&'a str, &'a Map<String, Value>, String),
}

struct Converter<'a> {
    root: &'a Map<String, Value>,
    consumes: Vec<String>,
    produces: Vec<String>,
    host: Option<&'a str>,
    /// `basePath` without its trailing `/` (`""` for `/`).
    base_path: String,
    warnings: Vec<String>,
}

impl<'a> Converter<'a> {
    fn new(root: &'a Map<String, Value>) -> Self {
        let mut cx = Self {
            root,
            consumes: Vec::new(),
            produces: Vec::new(),
            host: None,
            base_path: String::new(),
            warnings: Vec::new(),
        };
        cx.consumes = cx.media(root.get("consumes"), "/consumes").unwrap_or_default();
        cx.produces = cx.media(root.get("produces"), "/produces").unwrap_or_default();
        cx.host = match root.get("host") {
            None => None,
            Some(Value::String(host)) if !host.is_empty() => Some(host.as_str()),
            Some(_) => {
                cx.warn("/host", "must be a non-empty string; ignored");
                None
            }
        };
        let base = match root.get("basePath") {
            None => "/".to_owned(),
            Some(Value::String(base)) if base.starts_with('/') => base.clone(),
            Some(Value::String(base)) => {
                cx.warn("/basePath", "must start with `/`; one was added");
                format!("/{base}")
            }
            Some(_) => {
                cx.warn("/basePath", "must be a string; `/` used");
                "/".to_owned()
            }
        };
        cx.base_path = base.trim_end_matches('/').to_owned();
        cx
    }

    fn warn(&mut self, at: &str, message: impl std::fmt::Display) {
        self.warnings.push(format!("{at}: {message}"));
    }

    fn document(&mut self) -> Result<Value, String> {
        let root = self.root;
        let mut servers = Some(self.servers(root.get("schemes"), "/schemes"));
        let mut components = self.components()?;
        let servers_after_info = !["host", "basePath", "schemes"]
            .iter()
            .any(|key| root.contains_key(*key));
        let mut out = Map::new();
        for (key, value) in root {
            match key.as_str() {
                "swagger" => {
                    out.insert("openapi".to_owned(), json!("3.0.3"));
                }
                "host" | "basePath" | "schemes" => {
                    if let Some(servers) = servers.take() {
                        out.insert("servers".to_owned(), servers);
                    }
                }
                "definitions" | "parameters" | "responses" | "securityDefinitions" => {
                    if let Some(components) = components.take() {
                        out.insert("components".to_owned(), Value::Object(components));
                    }
                }
                "consumes" | "produces" => {}
                "paths" => {
                    if let Some(paths) = value.as_object() {
                        out.insert(key.clone(), self.paths(paths)?);
                    }
                }
                "info" | "tags" | "externalDocs" | "security" => {
                    out.insert(key.clone(), value.clone());
                }
                _ if key.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(&pointer("", key), "not a Swagger 2.0 field; dropped"),
            }
            if key == "info" && servers_after_info {
                if let Some(servers) = servers.take() {
                    out.insert("servers".to_owned(), servers);
                }
            }
        }
        if let Some(servers) = servers {
            out.insert("servers".to_owned(), servers);
        }
        Ok(Value::Object(out))
    }

    /// The server list for `schemes` (the document's, or an operation's).
    fn servers(&mut self, schemes: Option<&Value>, at: &str) -> Value {
        let mut listed = Vec::new();
        for scheme in self.media(schemes, at).unwrap_or_default() {
            if !matches!(scheme.as_str(), "http" | "https" | "ws" | "wss") {
                self.warn(at, format_args!("unknown scheme `{scheme}`; ignored"));
            } else if !listed.contains(&scheme) {
                listed.push(scheme);
            }
        }
        listed.sort_by_key(|scheme| scheme != "https");
        let base = &self.base_path;
        let urls: Vec<String> = match self.host {
            None => {
                if !listed.is_empty() {
                    self.warn(at, "schemes without a host cannot be expressed; the server URL is relative");
                }
                vec![if base.is_empty() { "/".to_owned() } else { base.clone() }]
            }
            Some(host) if listed.is_empty() => vec![format!("//{host}{base}")],
            Some(host) => listed.iter().map(|s| format!("{s}://{host}{base}")).collect(),
        };
        Value::Array(urls.into_iter().map(|url| json!({ "url": url })).collect())
    }

    fn components(&mut self) -> Result<Option<Map<String, Value>>, String> {
        let mut out = Map::new();
        for (key, value) in self.root {
            let (name, section) = match key.as_str() {
                "definitions" => ("schemas", "definitions"),
                "parameters" => ("parameters", "parameters"),
                "responses" => ("responses", "responses"),
                "securityDefinitions" => ("securitySchemes", "security schemes"),
                _ => continue,
            };
            let at = pointer("", key);
            let entries = object(value, &at, section)?;
            let mut converted = Map::new();
            for (entry, value) in entries {
                let here = pointer(&at, entry);
                let result = match key.as_str() {
                    "definitions" => Some(self.schema(value, &here, 0)),
                    "parameters" => {
                        let param = object(value, &here, "parameter")?;
                        match self.parameter(param, &here) {
                            Some(Param::Plain(value)) => Some(value),
                            // Body and formData ones become request bodies where they are used.
                            _ => None,
                        }
                    }
                    "responses" => {
                        let produces = effective(&self.produces);
                        Some(self.response(object(value, &here, "response")?, &here, &produces, None))
                    }
                    _ => self.security_scheme(value, &here),
                };
                if let Some(result) = result {
                    converted.insert(entry.clone(), result);
                }
            }
            if !converted.is_empty() {
                out.insert(name.to_owned(), Value::Object(converted));
            }
        }
        Ok(Some(out).filter(|out| !out.is_empty()))
    }

    fn security_scheme(&mut self, scheme: &Value, at: &str) -> Option<Value> {
        let Some(scheme) = scheme.as_object() else {
            self.warn(at, "security scheme must be an object; dropped");
            return None;
        };
        let mut out = Map::new();
        match scheme.get("type").and_then(Value::as_str) {
            Some("basic") => {
                out.insert("type".to_owned(), json!("http"));
                out.insert("scheme".to_owned(), json!("basic"));
            }
            Some("apiKey") => {
                out.insert("type".to_owned(), json!("apiKey"));
                for key in ["name", "in"] {
                    if let Some(value) = scheme.get(key) {
                        out.insert(key.to_owned(), value.clone());
                    }
                }
            }
            Some("oauth2") => {
                let flow = scheme.get("flow").and_then(Value::as_str).unwrap_or_default();
                let (name, urls): (&str, &[&str]) = match flow {
                    "implicit" => ("implicit", &["authorizationUrl"]),
                    "password" => ("password", &["tokenUrl"]),
                    "application" => ("clientCredentials", &["tokenUrl"]),
                    "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                    _ => {
                        self.warn(at, format_args!("unknown oauth2 flow `{flow}`; scheme dropped"));
                        return None;
                    }
                };
                let mut converted = Map::new();
                for url in urls {
                    let value = scheme.get(*url).cloned().unwrap_or_else(|| {
                        self.warn(at, format_args!("oauth2 flow `{flow}` without `{url}`"));
                        json!("")
                    });
                    converted.insert((*url).to_owned(), value);
                }
                let scopes = scheme.get("scopes").filter(|s| s.is_object());
                converted.insert("scopes".to_owned(), scopes.cloned().unwrap_or_else(|| json!({})));
                out.insert("type".to_owned(), json!("oauth2"));
                out.insert("flows".to_owned(), json!({ name: converted }));
            }
            other => {
                let other = other.map_or_else(|| "none".to_owned(), |t| format!("`{t}`"));
                self.warn(at, format_args!("unknown security scheme type {other}; dropped"));
                return None;
            }
        }
        for (key, value) in scheme {
            if key == "description" || key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Some(Value::Object(out))
    }

    fn paths(&mut self, paths: &'a Map<String, Value>) -> Result<Value, String> {
        let mut out = Map::new();
        for (path, item) in paths {
            let at = pointer("/paths", path);
            if path.starts_with("x-") {
                out.insert(path.clone(), item.clone());
                continue;
            }
            let item = object(item, &at, "path item")?;
            let shared = self.parameter_list(item.get("parameters"), &pointer(&at, "parameters"))?;
            let mut converted = Map::new();
            for (key, value) in item {
                let here = pointer(&at, key);
                match key.as_str() {
                    "$ref" => {
                        converted.insert(key.clone(), rewrite_ref_value(value));
                    }
                    "parameters" => {
                        let plain: Vec<Value> = shared
                            .iter()
                            .filter_map(|p| match p {
                                Param::Plain(value) => Some(value.clone()),
                                _ => None,
                            })
                            .collect();
                        if !plain.is_empty() {
                            converted.insert(key.clone(), Value::Array(plain));
                        }
                    }
                    method if METHODS.contains(&method) => {
                        let operation = object(value, &here, "operation")?;
                        converted.insert(key.clone(), self.operation(operation, &here, &shared)?);
                    }
                    _ if key.starts_with("x-") => {
                        converted.insert(key.clone(), value.clone());
                    }
                    _ => self.warn(&here, "not a Swagger 2.0 path item field; dropped"),
                }
            }
            out.insert(path.clone(), Value::Object(converted));
        }
        Ok(Value::Object(out))
    }

    fn operation(
        &mut self,
        op: &'a Map<String, Value>,
        at: &str,
        shared: &[Param<'a>],
    ) -> Result<Value, String> {
        let own = self.parameter_list(op.get("parameters"), &pointer(at, "parameters"))?;
        let op_consumes = self.media(op.get("consumes"), &pointer(at, "consumes"));
        let consumes = op_consumes.unwrap_or_else(|| self.consumes.clone());
        let op_produces = self.media(op.get("produces"), &pointer(at, "produces"));
        let produces = effective(op_produces.as_ref().unwrap_or(&self.produces));
        let own_produces = op_produces.is_some_and(|p| effective(&p) != effective(&self.produces));

        // Operation-level parameters override path-level ones of the same name and location.
        let own_has_body = own.iter().any(|p| matches!(p, Param::Body(..)));
        let mut bodies = Vec::new();
        let mut forms: Vec<(&str, &Map<String, Value>, &str)> = Vec::new();
        let mut plain = Vec::new();
        for (is_own, param) in shared.iter().map(|p| (false, p)).chain(own.iter().map(|p| (true, p))) {
            match param {
                Param::Plain(value) if is_own => plain.push(value.clone()),
                Param::Plain(_) => {}
                Param::Body(source, src_at) if is_own || !own_has_body => bodies.push((*source, src_at)),
                Param::Body(..) => {}
                Param::Form(name, source, src_at) => {
                    forms.retain(|(other, ..)| other != name);
                    forms.push((name, source, src_at));
                }
            }
        }
        if bodies.len() > 1 {
            self.warn(at, "more than one body parameter; the first is used");
        }
        let mut request_body = match bodies.first() {
            Some((source, src_at)) => {
                if !forms.is_empty() {
                    self.warn(at, "body and formData parameters together; formData ones dropped");
                }
                Some(self.body(source, src_at, &effective(&consumes)))
            }
            None if !forms.is_empty() => Some(self.form_body(&forms, &consumes, at)),
            None => None,
        };

        let mut out = Map::new();
        for (key, value) in op {
            let here = pointer(at, key);
            match key.as_str() {
                "parameters" | "responses" => {
                    if key == "parameters" && !plain.is_empty() {
                        out.insert(key.clone(), Value::Array(std::mem::take(&mut plain)));
                    }
                    if let Some(body) = request_body.take() {
                        out.insert("requestBody".to_owned(), body);
                    }
                    if key == "responses" {
                        let responses = object(value, &here, "responses")?;
                        let converted = self.responses(responses, &here, &produces, own_produces)?;
                        out.insert(key.clone(), converted);
                    }
                }
                "consumes" | "produces" => {}
                "schemes" => {
                    let servers = self.servers(Some(value), &here);
                    out.insert("servers".to_owned(), servers);
                }
                "tags" | "summary" | "description" | "externalDocs" | "operationId" | "deprecated"
                | "security" => {
                    out.insert(key.clone(), value.clone());
                }
                _ if key.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(&here, "not a Swagger 2.0 operation field; dropped"),
            }
        }
        if let Some(body) = request_body {
            out.insert("requestBody".to_owned(), body);
        }
        Ok(Value::Object(out))
    }

    fn parameter_list(&mut self, list: Option<&'a Value>, at: &str) -> Result<Vec<Param<'a>>, String> {
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        let list = list
            .as_array()
            .ok_or_else(|| format!("{at}: parameters must be an array"))?;
        let mut out = Vec::new();
        for (index, param) in list.iter().enumerate() {
            let here = pointer(at, &index.to_string());
            let param = object(param, &here, "parameter")?;
            out.extend(self.parameter(param, &here));
        }
        Ok(out)
    }

    /// Sorts one parameter, following a local `#/parameters/` ref to learn where it goes.
    fn parameter(&mut self, param: &'a Map<String, Value>, at: &str) -> Option<Param<'a>> {
        let reference = param.get("$ref");
        let (target, target_at) = match reference {
            None => (param, at.to_owned()),
            Some(Value::String(reference)) => match self.resolve_parameter(reference, at) {
                Some(found) => found,
                None => return Some(Param::Plain(json!({ "$ref": rewrite_ref(reference) }))),
            },
            Some(_) => {
                self.warn(at, "`$ref` must be a string; parameter dropped");
                return None;
            }
        };
        let name = target.get("name").and_then(Value::as_str);
        let Some(location) = target.get("in").and_then(Value::as_str).filter(|_| name.is_some()) else {
            self.warn(&target_at, "parameter without a string `name` and `in`; dropped");
            return None;
        };
        match location {
            "body" => Some(Param::Body(target, target_at)),
            "formData" => Some(Param::Form(name.unwrap_or_default(), target, target_at)),
            "query" | "header" | "path" | "cookie" => Some(Param::Plain(match reference {
                Some(reference) => rewrite_ref_value(reference),
                None => self.plain_parameter(target, &target_at),
            })),
            other => {
                self.warn(&target_at, format_args!("unknown parameter location `{other}`; dropped"));
                None
            }
        }
    }

    /// The definition a local `#/parameters/…` ref names, following chains of refs.
    fn resolve_parameter(&mut self, reference: &str, at: &str) -> Option<(&'a Map<String, Value>, String)> {
        let mut current = reference.to_owned();
        for _ in 0..MAX_REF_HOPS {
            let name = current.strip_prefix("#/parameters/")?;
            let found = self.root.get("parameters").and_then(|p| p.get(unescape(name).as_str()));
            let Some(target) = found.and_then(Value::as_object) else {
                self.warn(at, format_args!("`{reference}` does not name a parameter object; kept as a ref"));
                return None;
            };
            match target.get("$ref").and_then(Value::as_str) {
                Some(next) => next.clone_into(&mut current),
                None => return Some((target, format!("/parameters/{name}"))),
            }
        }
        self.warn(at, format_args!("`{reference}` is a ref chain too long to follow"));
        None
    }

    fn plain_parameter(&mut self, param: &Map<String, Value>, at: &str) -> Value {
        let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
        let mut out = Map::new();
        for (key, value) in param {
            match key.as_str() {
                "name" | "in" | "description" | "required" | "allowEmptyValue" => {
                    out.insert(key.clone(), value.clone());
                }
                "collectionFormat" | "schema" => {}
                _ if key.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ if SCHEMA_KEYS.contains(&key.as_str()) => {}
                _ => self.warn(&pointer(at, key), "not a Swagger 2.0 parameter field; dropped"),
            }
        }
        if is_array(param) {
            let (style, explode) = self.style(param.get("collectionFormat"), location, at);
            out.insert("style".to_owned(), json!(style));
            if let Some(explode) = explode {
                out.insert("explode".to_owned(), json!(explode));
            }
        }
        out.insert("schema".to_owned(), self.parameter_schema(param, at));
        Value::Object(out)
    }

    /// The `schema` built from a parameter's or header's schema fields (or its `schema`).
    fn parameter_schema(&mut self, param: &Map<String, Value>, at: &str) -> Value {
        let mut schema = match param.get("schema") {
            Some(Value::Object(schema)) if !param.contains_key("type") => schema.clone(),
            _ => Map::new(),
        };
        for key in SCHEMA_KEYS {
            if let Some(value) = param.get(key) {
                schema.insert(key.to_owned(), value.clone());
            }
        }
        self.schema(&Value::Object(schema), at, 0)
    }

    /// `style` and `explode` for a `collectionFormat` in `location`.
    fn style(&mut self, format: Option<&Value>, location: &str, at: &str) -> (&'static str, Option<bool>) {
        let simple = matches!(location, "path" | "header");
        let format = match format {
            None => "csv",
            Some(Value::String(format)) => format.as_str(),
            Some(other) => {
                self.warn(at, format_args!("collectionFormat {other} is not a string; csv used"));
                "csv"
            }
        };
        let (style, explode) = match format {
            "csv" => ("form", false),
            "multi" => ("form", true),
            "ssv" => ("spaceDelimited", false),
            "pipes" => ("pipeDelimited", false),
            other => {
                self.warn(at, format_args!("collectionFormat `{other}` has no OpenAPI 3 equivalent; csv used"));
                ("form", false)
            }
        };
        if !simple {
            return (style, Some(explode));
        }
        if style != "form" || explode {
            self.warn(at, format_args!("collectionFormat `{format}` is not possible in {location}; csv used"));
        }
        ("simple", None)
    }

    fn body(&mut self, source: &Map<String, Value>, at: &str, media: &[String]) -> Value {
        let schema = match source.get("schema") {
            Some(schema) => self.schema(schema, &pointer(at, "schema"), 0),
            None => {
                self.warn(at, "body parameter without a schema; any value accepted");
                json!({})
            }
        };
        let mut out = Map::new();
        if let Some(description) = source.get("description") {
            out.insert("description".to_owned(), description.clone());
        }
        let content = media.iter().map(|m| (m.clone(), json!({ "schema": schema })));
        out.insert("content".to_owned(), Value::Object(content.collect()));
        if let Some(required) = source.get("required").filter(|r| r.is_boolean()) {
            out.insert("required".to_owned(), required.clone());
        }
        for (key, value) in source.iter().filter(|(key, _)| key.starts_with("x-")) {
            out.insert(key.clone(), value.clone());
        }
        Value::Object(out)
    }

    fn form_body(&mut self, forms: &[(&str, &Map<String, Value>, &str)], consumes: &[String], at: &str) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        let mut has_file = false;
        let mut not_multi = Vec::new();
        for (name, source, src_at) in forms {
            let mut property = Map::new();
            if let Some(description) = source.get("description") {
                property.insert("description".to_owned(), description.clone());
            }
            if let Value::Object(schema) = self.parameter_schema(source, src_at) {
                property.extend(schema);
            }
            for (key, value) in source.iter() {
                if key.starts_with("x-") {
                    property.insert(key.clone(), value.clone());
                } else if key == "allowEmptyValue" {
                    self.warn(src_at, "allowEmptyValue has no OpenAPI 3 equivalent in a request body; dropped");
                }
            }
            has_file |= source.get("type").and_then(Value::as_str) == Some("file");
            if source.get("required") == Some(&Value::Bool(true)) {
                required.push(json!(name));
            }
            if is_array(source) {
                let format = source.get("collectionFormat");
                if format.is_some_and(|f| f.as_str() != Some("multi")) {
                    not_multi.push(*src_at);
                }
                let (style, explode) = self.style(format, "formData", src_at);
                encoding.insert((*name).to_owned(), json!({ "style": style, "explode": explode }));
            }
            properties.insert((*name).to_owned(), Value::Object(property));
        }
        let listed = |wanted: &str| consumes.iter().any(|m| media_is(m, wanted));
        let types: Vec<&str> = if has_file {
            if listed(FORM) && !listed(MULTIPART) {
                self.warn(at, "a file upload cannot be urlencoded; multipart/form-data used");
            }
            vec![MULTIPART]
        } else {
            let mut types: Vec<&str> = consumes
                .iter()
                .filter_map(|m| [FORM, MULTIPART].into_iter().find(|w| media_is(m, w)))
                .collect();
            types.dedup();
            if types.is_empty() { vec![FORM] } else { types }
        };
        if types.contains(&MULTIPART) {
            for src_at in not_multi {
                self.warn(src_at, "collectionFormat other than multi cannot be expressed in multipart/form-data");
            }
        }
        let mut schema = Map::new();
        schema.insert("type".to_owned(), json!("object"));
        schema.insert("properties".to_owned(), Value::Object(properties));
        let any_required = !required.is_empty();
        if any_required {
            schema.insert("required".to_owned(), Value::Array(required));
        }
        let mut content = Map::new();
        for media in types {
            let mut entry = Map::new();
            entry.insert("schema".to_owned(), Value::Object(schema.clone()));
            if media == FORM && !encoding.is_empty() {
                entry.insert("encoding".to_owned(), Value::Object(encoding.clone()));
            }
            content.insert(media.to_owned(), Value::Object(entry));
        }
        let mut out = Map::new();
        out.insert("content".to_owned(), Value::Object(content));
        if any_required {
            out.insert("required".to_owned(), json!(true));
        }
        Value::Object(out)
    }

    fn responses(
        &mut self,
        responses: &Map<String, Value>,
        at: &str,
        produces: &[String],
        own_produces: bool,
    ) -> Result<Value, String> {
        let mut out = Map::new();
        for (code, response) in responses {
            let here = pointer(at, code);
            if code.starts_with("x-") {
                out.insert(code.clone(), response.clone());
                continue;
            }
            let response = object(response, &here, "response")?;
            let converted = self.response(response, &here, produces, Some(own_produces));
            out.insert(code.clone(), converted);
        }
        Ok(Value::Object(out))
    }

    /// One response; `own_produces` is `Some(true)` in an operation with its own `produces`.
    fn response(&mut self, response: &Map<String, Value>, at: &str, produces: &[String], own_produces: Option<bool>) -> Value {
        if let Some(reference) = response.get("$ref") {
            let shared = reference.as_str().and_then(|r| r.strip_prefix("#/responses/"));
            let shared = shared.and_then(|name| self.root.get("responses")?.get(unescape(name).as_str()));
            if own_produces == Some(true) && shared.is_some_and(|r| r.get("schema").is_some()) {
                self.warn(at, "the shared response keeps the document's produces, not the operation's");
            }
            return json!({ "$ref": rewrite_ref_value(reference) });
        }
        let description = response.get("description").cloned().unwrap_or_else(|| json!(""));
        let mut out = Map::from_iter([("description".to_owned(), description)]);
        let examples = response.get("examples").and_then(Value::as_object);
        for (key, value) in response {
            let here = pointer(at, key);
            match key.as_str() {
                "description" => {}
                "schema" => {
                    let schema = self.schema(value, &here, 0);
                    let mut content = Map::new();
                    for media in produces {
                        let mut entry = Map::new();
                        entry.insert("schema".to_owned(), schema.clone());
                        if let Some(example) = examples.and_then(|e| e.get(media)) {
                            entry.insert("example".to_owned(), example.clone());
                        }
                        content.insert(media.clone(), Value::Object(entry));
                    }
                    out.insert("content".to_owned(), Value::Object(content));
                }
                "examples" => {
                    let Some(examples) = examples else {
                        self.warn(&here, "must be an object; dropped");
                        continue;
                    };
                    let has_schema = response.contains_key("schema");
                    for media in examples.keys() {
                        if !has_schema || !produces.contains(media) {
                            let why = "the response has no schema or does not produce this type";
                            self.warn(&pointer(&here, media), format_args!("example dropped: {why}"));
                        }
                    }
                }
                "headers" => {
                    let converted = self.headers(value, &here);
                    out.insert(key.clone(), converted);
                }
                _ if key.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => self.warn(&here, "not a Swagger 2.0 response field; dropped"),
            }
        }
        Value::Object(out)
    }

    fn headers(&mut self, headers: &Value, at: &str) -> Value {
        let mut out = Map::new();
        let Some(headers) = headers.as_object() else {
            self.warn(at, "must be an object; dropped");
            return Value::Object(out);
        };
        for (name, header) in headers {
            let here = pointer(at, name);
            let Some(header) = header.as_object() else {
                self.warn(&here, "header must be an object; dropped");
                continue;
            };
            let mut converted = Map::new();
            for (key, value) in header {
                match key.as_str() {
                    "description" => {
                        converted.insert(key.clone(), value.clone());
                    }
                    "collectionFormat" => {
                        if value.as_str() != Some("csv") {
                            self.warn(&pointer(&here, key), "headers are always csv in OpenAPI 3; dropped");
                        }
                    }
                    _ if key.starts_with("x-") => {
                        converted.insert(key.clone(), value.clone());
                    }
                    _ if SCHEMA_KEYS.contains(&key.as_str()) => {}
                    _ => self.warn(&pointer(&here, key), "not a Swagger 2.0 header field; dropped"),
                }
            }
            converted.insert("schema".to_owned(), self.parameter_schema(header, &here));
            out.insert(name.clone(), Value::Object(converted));
        }
        Value::Object(out)
    }

    fn schema(&mut self, schema: &Value, at: &str, depth: usize) -> Value {
        let Some(schema) = schema.as_object() else {
            return schema.clone();
        };
        if depth > MAX_DEPTH {
            self.warn(at, "schema nested too deeply; kept unconverted");
            return Value::Object(schema.clone());
        }
        let is_file = schema.get("type").and_then(Value::as_str) == Some("file");
        let mut out = Map::new();
        for (key, value) in schema {
            let here = pointer(at, key);
            let converted = match key.as_str() {
                "$ref" => rewrite_ref_value(value),
                "type" if is_file => {
                    out.insert("type".to_owned(), json!("string"));
                    out.insert("format".to_owned(), json!("binary"));
                    continue;
                }
                "format" if is_file => continue,
                "x-nullable" if value.is_boolean() => {
                    out.insert("nullable".to_owned(), value.clone());
                    continue;
                }
                "discriminator" => match value {
                    Value::String(name) => json!({ "propertyName": name }),
                    Value::Object(_) => value.clone(),
                    _ => {
                        self.warn(&here, "discriminator must be a property name; dropped");
                        continue;
                    }
                },
                "properties" | "patternProperties" | "definitions" => match value {
                    Value::Object(map) => Value::Object(
                        map.iter()
                            .map(|(k, v)| (k.clone(), self.schema(v, &pointer(&here, k), depth + 1)))
                            .collect(),
                    ),
                    _ => value.clone(),
                },
                "items" | "allOf" | "anyOf" | "oneOf" => match value {
                    Value::Array(list) => Value::Array(
                        list.iter()
                            .enumerate()
                            .map(|(i, v)| self.schema(v, &pointer(&here, &i.to_string()), depth + 1))
                            .collect(),
                    ),
                    _ => self.schema(value, &here, depth + 1),
                },
                "not" | "additionalProperties" => self.schema(value, &here, depth + 1),
                "collectionFormat" => {
                    if value.as_str() != Some("csv") {
                        self.warn(&here, "nested collectionFormat cannot be expressed in OpenAPI 3; dropped");
                    }
                    continue;
                }
                "example" | "default" | "enum" => value.clone(),
                _ if key.starts_with("x-") => value.clone(),
                _ => rewrite_refs(value, depth + 1),
            };
            out.insert(key.clone(), converted);
        }
        Value::Object(out)
    }

    /// A list of strings (`consumes`, `produces`, `schemes`); `None` when absent or malformed.
    fn media(&mut self, value: Option<&Value>, at: &str) -> Option<Vec<String>> {
        let Some(list) = value?.as_array() else {
            self.warn(at, "must be an array of strings; ignored");
            return None;
        };
        let mut out = Vec::new();
        for (index, item) in list.iter().enumerate() {
            match item.as_str() {
                Some(item) => out.push(item.to_owned()),
                None => self.warn(&pointer(at, &index.to_string()), "not a string; ignored"),
            }
        }
        Some(out)
    }
}

fn object<'v>(value: &'v Value, at: &str, what: &str) -> Result<&'v Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{at}: {what} must be an object"))
}

/// `list`, or `application/json` when it is empty.
fn effective(list: &[String]) -> Vec<String> {
    if list.is_empty() {
        vec![JSON.to_owned()]
    } else {
        list.to_vec()
    }
}

fn is_array(param: &Map<String, Value>) -> bool {
    param.get("type").and_then(Value::as_str) == Some("array")
}

/// Whether media type `media` (parameters and case ignored) is `wanted`.
fn media_is(media: &str, wanted: &str) -> bool {
    media
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(wanted))
}

/// `base` extended by one JSON-pointer token.
fn pointer(base: &str, token: &str) -> String {
    format!("{base}/{}", token.replace('~', "~0").replace('/', "~1"))
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// A ref with its fragment moved to the matching `#/components/…` place.
fn rewrite_ref(reference: &str) -> String {
    let Some((file, fragment)) = reference.split_once('#') else {
        return reference.to_owned();
    };
    for (old, new) in [
        ("/definitions/", "/components/schemas/"),
        ("/parameters/", "/components/parameters/"),
        ("/responses/", "/components/responses/"),
    ] {
        if let Some(rest) = fragment.strip_prefix(old) {
            return format!("{file}#{new}{rest}");
        }
    }
    reference.to_owned()
}

fn rewrite_ref_value(value: &Value) -> Value {
    value
        .as_str()
        .map_or_else(|| value.clone(), |r| Value::String(rewrite_ref(r)))
}

/// `value` with every `$ref` string inside it rewritten.
fn rewrite_refs(value: &Value, depth: usize) -> Value {
    match value {
        _ if depth > MAX_DEPTH => value.clone(),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if k == "$ref" { rewrite_ref_value(v) } else { rewrite_refs(v, depth + 1) };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(list) => Value::Array(list.iter().map(|v| rewrite_refs(v, depth + 1)).collect()),
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests;
