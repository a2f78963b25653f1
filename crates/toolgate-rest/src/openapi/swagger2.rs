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

type Obj = Map<String, Value>;
/// A parameter's `style` and `explode`.
type Style = (&'static str, Option<bool>);

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];
/// Parameter and header fields that move into `schema`.
#[rustfmt::skip]
const SCHEMA_KEYS: [&str; 16] = [
    "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
    "uniqueItems", "multipleOf",
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
    Body(&'a Obj, String),
    /// `in: formData`: name, definition and its pointer.
    Form(&'a str, &'a Obj, String),
}

struct Converter<'a> {
    root: &'a Obj,
    consumes: Vec<String>,
    produces: Vec<String>,
    host: Option<&'a str>,
    /// `basePath` without its trailing `/` (`""` for `/`).
    base_path: String,
    warnings: Vec<String>,
}

impl<'a> Converter<'a> {
    fn new(root: &'a Obj) -> Self {
        let mut cx = Self {
            root,
            consumes: Vec::new(),
            produces: Vec::new(),
            host: None,
            base_path: String::new(),
            warnings: Vec::new(),
        };
        cx.consumes = cx
            .strings(root.get("consumes"), "/consumes")
            .unwrap_or_default();
        cx.produces = cx
            .strings(root.get("produces"), "/produces")
            .unwrap_or_default();
        match root.get("host") {
            Some(Value::String(host)) if !host.is_empty() => cx.host = Some(host),
            Some(_) => cx.warn("/host", "must be a non-empty string; ignored"),
            None => {}
        }
        let base = match root.get("basePath") {
            None => "",
            Some(Value::String(base)) => base,
            Some(_) => {
                cx.warn("/basePath", "must be a string; ignored");
                ""
            }
        };
        if !base.is_empty() && !base.starts_with('/') {
            cx.warn("/basePath", "must start with `/`; one was added");
        }
        let base = format!("/{}", base.trim_start_matches('/'));
        cx.base_path = base.trim_end_matches('/').to_owned();
        cx
    }

    fn warn(&mut self, at: &str, message: impl std::fmt::Display) {
        self.warnings.push(format!("{at}: {message}"));
    }

    /// Copies an `x-` field at `at` into `out`, and warns that any other one is dropped.
    fn extra(&mut self, out: &mut Obj, key: &str, value: &Value, at: &str) {
        if key.starts_with("x-") {
            set(out, key, value.clone());
        } else {
            self.warn(at, "not a Swagger 2.0 field here; dropped");
        }
    }

    fn document(&mut self) -> Result<Value, String> {
        let root = self.root;
        let mut servers = Some(self.servers(root.get("schemes"), "/schemes"));
        let mut components = self.components()?;
        // Servers go where host/basePath/schemes were, or after info.
        let anchor = root
            .keys()
            .find(|k| matches!(k.as_str(), "host" | "basePath" | "schemes"))
            .or_else(|| root.keys().find(|k| *k == "info"));
        let mut out = Obj::new();
        for (key, value) in root {
            match key.as_str() {
                "swagger" => set(&mut out, "openapi", json!("3.0.3")),
                "definitions" | "parameters" | "responses" | "securityDefinitions" => {
                    if let Some(components) = components.take() {
                        set(&mut out, "components", Value::Object(components));
                    }
                }
                "host" | "basePath" | "schemes" | "consumes" | "produces" => {}
                "paths" => {
                    if let Some(paths) = value.as_object() {
                        set(&mut out, key, self.paths(paths)?);
                    }
                }
                "info" | "tags" | "externalDocs" | "security" => set(&mut out, key, value.clone()),
                _ => self.extra(&mut out, key, value, &pointer("", key)),
            }
            if anchor == Some(key)
                && let Some(servers) = servers.take()
            {
                set(&mut out, "servers", servers);
            }
        }
        if let Some(servers) = servers {
            set(&mut out, "servers", servers);
        }
        Ok(Value::Object(out))
    }

    /// The server list for `schemes` (the document's, or an operation's).
    fn servers(&mut self, schemes: Option<&Value>, at: &str) -> Value {
        let mut listed: Vec<String> = Vec::new();
        for scheme in self.strings(schemes, at).unwrap_or_default() {
            if !matches!(scheme.as_str(), "http" | "https" | "ws" | "wss") {
                self.warn(at, format_args!("unknown scheme `{scheme}`; ignored"));
            } else if !listed.contains(&scheme) {
                listed.push(scheme);
            }
        }
        listed.sort_by_key(|scheme| scheme != "https");
        let base = &self.base_path;
        let urls: Vec<String> = match self.host {
            Some(host) if listed.is_empty() => vec![format!("//{host}{base}")],
            Some(host) => listed
                .iter()
                .map(|s| format!("{s}://{host}{base}"))
                .collect(),
            None if base.is_empty() => vec!["/".to_owned()],
            None => vec![base.clone()],
        };
        if self.host.is_none() && !listed.is_empty() {
            self.warn(at, "schemes need a host; the server URL is relative");
        }
        Value::Array(urls.into_iter().map(|url| json!({ "url": url })).collect())
    }

    fn components(&mut self) -> Result<Option<Obj>, String> {
        let mut out = Obj::new();
        for (key, value) in self.root {
            let name = match key.as_str() {
                "definitions" => "schemas",
                "parameters" | "responses" => key.as_str(),
                "securityDefinitions" => "securitySchemes",
                _ => continue,
            };
            let at = pointer("", key);
            let mut converted = Obj::new();
            for (entry, value) in object(value, &at, key)? {
                let here = pointer(&at, entry);
                let result = match name {
                    "schemas" => Some(self.schema(value, &here, 0)),
                    // Body and formData parameters become request bodies where they are used.
                    "parameters" => match self.parameter(object(value, &here, "parameter")?, &here)
                    {
                        Some(Param::Plain(value)) => Some(value),
                        _ => None,
                    },
                    "responses" => {
                        let produces = effective(&self.produces);
                        let response = object(value, &here, "response")?;
                        Some(self.response(response, &here, &produces, false))
                    }
                    _ => self.security_scheme(value, &here),
                };
                if let Some(result) = result {
                    set(&mut converted, entry, result);
                }
            }
            if !converted.is_empty() {
                set(&mut out, name, Value::Object(converted));
            }
        }
        Ok(Some(out).filter(|out| !out.is_empty()))
    }

    fn security_scheme(&mut self, scheme: &Value, at: &str) -> Option<Value> {
        let Some(scheme) = scheme.as_object() else {
            self.warn(at, "security scheme must be an object; dropped");
            return None;
        };
        let (kind, flow) = (text(scheme, "type"), text(scheme, "flow"));
        let (name, urls): (&str, &[&str]) = match (kind, flow) {
            ("basic", _) => ("", &[]),
            ("apiKey", _) => ("", &["name", "in"]),
            ("oauth2", "implicit") => ("implicit", &["authorizationUrl"]),
            ("oauth2", "password") => ("password", &["tokenUrl"]),
            ("oauth2", "application") => ("clientCredentials", &["tokenUrl"]),
            ("oauth2", "accessCode") => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
            _ => {
                self.warn(at, format_args!("type `{kind}`, flow `{flow}`; dropped"));
                return None;
            }
        };
        let field = |key: &&str| Some(((*key).to_owned(), scheme.get(*key)?.clone()));
        let mut fields: Obj = urls.iter().filter_map(field).collect();
        let mut out = Obj::new();
        match kind {
            "basic" => {
                set(&mut out, "type", json!("http"));
                set(&mut out, "scheme", json!("basic"));
            }
            "apiKey" => {
                set(&mut out, "type", json!("apiKey"));
                out.extend(fields);
            }
            _ => {
                let scopes = scheme.get("scopes").filter(|s| s.is_object()).cloned();
                set(&mut fields, "scopes", scopes.unwrap_or(json!({})));
                set(&mut out, "type", json!("oauth2"));
                set(&mut out, "flows", json!({ name: fields }));
            }
        }
        let extra = scheme
            .iter()
            .filter(|(k, _)| *k == "description" || k.starts_with("x-"));
        out.extend(extra.map(|(k, v)| (k.clone(), v.clone())));
        Some(Value::Object(out))
    }

    fn paths(&mut self, paths: &'a Obj) -> Result<Value, String> {
        let mut out = Obj::new();
        for (path, item) in paths {
            let at = pointer("/paths", path);
            if path.starts_with("x-") {
                set(&mut out, path, item.clone());
                continue;
            }
            let item = object(item, &at, "path item")?;
            let shared =
                self.parameter_list(item.get("parameters"), &pointer(&at, "parameters"))?;
            let mut converted = Obj::new();
            for (key, value) in item {
                let here = pointer(&at, key);
                match key.as_str() {
                    "$ref" => set(&mut converted, key, rewrite_ref_value(value)),
                    "parameters" => {
                        let plain: Vec<Value> = shared.iter().filter_map(Param::plain).collect();
                        if !plain.is_empty() {
                            set(&mut converted, key, Value::Array(plain));
                        }
                    }
                    method if METHODS.contains(&method) => {
                        let op = object(value, &here, "operation")?;
                        set(&mut converted, key, self.operation(op, &here, &shared)?);
                    }
                    _ => self.extra(&mut converted, key, value, &here),
                }
            }
            set(&mut out, path, Value::Object(converted));
        }
        Ok(Value::Object(out))
    }

    fn operation(&mut self, op: &'a Obj, at: &str, shared: &[Param<'a>]) -> Result<Value, String> {
        let own = self.parameter_list(op.get("parameters"), &pointer(at, "parameters"))?;
        let consumes = self.strings(op.get("consumes"), &pointer(at, "consumes"));
        let consumes = consumes.unwrap_or_else(|| self.consumes.clone());
        let op_produces = self.strings(op.get("produces"), &pointer(at, "produces"));
        let produces = effective(op_produces.as_ref().unwrap_or(&self.produces));
        let own_produces = op_produces.is_some() && produces != effective(&self.produces);

        // Operation-level parameters override path-level ones of the same name and location.
        let own_body = own.iter().any(|p| matches!(p, Param::Body(..)));
        let mut bodies: Vec<(&Obj, &str)> = Vec::new();
        let mut forms: Vec<(&str, &Obj, &str)> = Vec::new();
        let mut plain = Vec::new();
        let all = shared
            .iter()
            .map(|p| (false, p))
            .chain(own.iter().map(|p| (true, p)));
        for (is_own, param) in all {
            match param {
                Param::Plain(value) if is_own => plain.push(value.clone()),
                Param::Body(source, src_at) if is_own || !own_body => {
                    bodies.push((*source, src_at.as_str()));
                }
                Param::Form(name, source, src_at) => {
                    forms.retain(|(other, ..)| other != name);
                    forms.push((*name, *source, src_at.as_str()));
                }
                Param::Plain(_) | Param::Body(..) => {}
            }
        }
        if bodies.len() > 1 {
            self.warn(at, "more than one body parameter; the first is used");
        }
        if !bodies.is_empty() && !forms.is_empty() {
            self.warn(at, "body and formData parameters; formData dropped");
        }
        let mut request_body = match bodies.first() {
            Some((source, src_at)) => Some(self.body(source, src_at, &effective(&consumes))),
            None if forms.is_empty() => None,
            None => Some(self.form_body(&forms, &consumes, at)),
        };

        let mut out = Obj::new();
        for (key, value) in op {
            let here = pointer(at, key);
            match key.as_str() {
                "parameters" => {
                    if !plain.is_empty() {
                        set(&mut out, key, Value::Array(std::mem::take(&mut plain)));
                    }
                    if let Some(body) = request_body.take() {
                        set(&mut out, "requestBody", body);
                    }
                }
                "responses" => {
                    if let Some(body) = request_body.take() {
                        set(&mut out, "requestBody", body);
                    }
                    let mut responses = Obj::new();
                    for (code, response) in object(value, &here, "responses")? {
                        let at = pointer(&here, code);
                        let converted = if code.starts_with("x-") {
                            response.clone()
                        } else {
                            let response = object(response, &at, "response")?;
                            self.response(response, &at, &produces, own_produces)
                        };
                        set(&mut responses, code, converted);
                    }
                    set(&mut out, key, Value::Object(responses));
                }
                "consumes" | "produces" => {}
                "schemes" => set(&mut out, "servers", self.servers(Some(value), &here)),
                "tags" | "summary" | "description" | "externalDocs" | "operationId"
                | "deprecated" | "security" => set(&mut out, key, value.clone()),
                _ => self.extra(&mut out, key, value, &here),
            }
        }
        if let Some(body) = request_body {
            set(&mut out, "requestBody", body);
        }
        Ok(Value::Object(out))
    }

    fn parameter_list(
        &mut self,
        list: Option<&'a Value>,
        at: &str,
    ) -> Result<Vec<Param<'a>>, String> {
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        let list = list
            .as_array()
            .ok_or_else(|| format!("{at}: parameters must be an array"))?;
        let mut out = Vec::new();
        for (index, param) in list.iter().enumerate() {
            let here = pointer(at, &index.to_string());
            out.extend(self.parameter(object(param, &here, "parameter")?, &here));
        }
        Ok(out)
    }

    /// Sorts one parameter, following a local `#/parameters/` ref to learn where it goes.
    fn parameter(&mut self, param: &'a Obj, at: &str) -> Option<Param<'a>> {
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
        let location = target.get("in").and_then(Value::as_str);
        let (Some(name), Some(location)) = (name, location) else {
            self.warn(&target_at, "no string `name` and `in`; dropped");
            return None;
        };
        match location {
            "body" => Some(Param::Body(target, target_at)),
            "formData" => Some(Param::Form(name, target, target_at)),
            "query" | "header" | "path" | "cookie" => Some(Param::Plain(match reference {
                Some(reference) => json!({ "$ref": rewrite_ref_value(reference) }),
                None => self.plain_parameter(target, location, &target_at),
            })),
            _ => {
                self.warn(&target_at, format_args!("`in: {location}`; dropped"));
                None
            }
        }
    }

    /// The definition a local `#/parameters/…` ref names, following chains of refs.
    fn resolve_parameter(&mut self, reference: &str, at: &str) -> Option<(&'a Obj, String)> {
        let mut current = reference.to_owned();
        for _ in 0..MAX_REF_HOPS {
            let name = current.strip_prefix("#/parameters/")?;
            let found = self
                .root
                .get("parameters")
                .and_then(|p| p.get(unescape(name)));
            let Some(target) = found.and_then(Value::as_object) else {
                self.warn(at, format_args!("`{reference}` names no parameter"));
                return None;
            };
            match target.get("$ref").and_then(Value::as_str) {
                Some(next) => next.clone_into(&mut current),
                None => return Some((target, format!("/parameters/{name}"))),
            }
        }
        self.warn(at, format_args!("`{reference}`: ref chain too long"));
        None
    }

    /// A non-body parameter, or a response header (`location` `header`), in 3.0 form.
    fn plain_parameter(&mut self, param: &Obj, location: &str, at: &str) -> Value {
        let mut out = Obj::new();
        for (key, value) in param {
            match key.as_str() {
                "name" | "in" | "description" | "required" | "allowEmptyValue" => {
                    set(&mut out, key, value.clone());
                }
                k if k == "collectionFormat" || k == "schema" || SCHEMA_KEYS.contains(&k) => {}
                _ => self.extra(&mut out, key, value, &pointer(at, key)),
            }
        }
        if is_array(param) {
            let (style, explode) = self.style(param.get("collectionFormat"), location, at);
            set(&mut out, "style", json!(style));
            if let Some(explode) = explode {
                set(&mut out, "explode", json!(explode));
            }
        }
        set(&mut out, "schema", self.parameter_schema(param, at));
        Value::Object(out)
    }

    /// The `schema` built from a parameter's or header's schema fields (or its `schema`).
    fn parameter_schema(&mut self, param: &Obj, at: &str) -> Value {
        let mut schema = match param.get("schema") {
            Some(Value::Object(schema)) if !param.contains_key("type") => schema.clone(),
            _ => Obj::new(),
        };
        for key in SCHEMA_KEYS {
            if let Some(value) = param.get(key) {
                set(&mut schema, key, value.clone());
            }
        }
        self.schema(&Value::Object(schema), at, 0)
    }

    /// `style` and `explode` for a `collectionFormat` in `location`.
    fn style(&mut self, format: Option<&Value>, location: &str, at: &str) -> Style {
        let format = format.map_or(Some("csv"), Value::as_str).unwrap_or("?");
        let (style, explode) = match format {
            "csv" => ("form", false),
            "multi" => ("form", true),
            "ssv" => ("spaceDelimited", false),
            "pipes" => ("pipeDelimited", false),
            _ => {
                self.warn(at, format_args!("collectionFormat `{format}`: csv used"));
                ("form", false)
            }
        };
        if !matches!(location, "path" | "header") {
            return (style, Some(explode));
        }
        if style != "form" || explode {
            let why = format!("collectionFormat `{format}` in {location}: csv used");
            self.warn(at, why);
        }
        ("simple", None)
    }

    fn body(&mut self, source: &Obj, at: &str, media: &[String]) -> Value {
        let schema = match source.get("schema") {
            Some(schema) => self.schema(schema, &pointer(at, "schema"), 0),
            None => {
                self.warn(at, "body parameter without a schema; any value accepted");
                json!({})
            }
        };
        let mut out = Obj::new();
        if let Some(description) = source.get("description") {
            set(&mut out, "description", description.clone());
        }
        let content = media
            .iter()
            .map(|m| (m.clone(), json!({ "schema": schema })));
        set(&mut out, "content", Value::Object(content.collect()));
        if let Some(required) = source.get("required").filter(|r| r.is_boolean()) {
            set(&mut out, "required", required.clone());
        }
        for (key, value) in source.iter().filter(|(key, _)| key.starts_with("x-")) {
            set(&mut out, key, value.clone());
        }
        Value::Object(out)
    }

    fn form_body(&mut self, forms: &[(&str, &Obj, &str)], consumes: &[String], at: &str) -> Value {
        let (mut properties, mut encoding) = (Obj::new(), Obj::new());
        let (mut required, mut not_multi) = (Vec::new(), Vec::new());
        let mut has_file = false;
        for &(name, source, src_at) in forms {
            let mut property = Obj::new();
            if let Some(description) = source.get("description") {
                set(&mut property, "description", description.clone());
            }
            if let Value::Object(schema) = self.parameter_schema(source, src_at) {
                property.extend(schema);
            }
            for (key, value) in source {
                if key.starts_with("x-") {
                    set(&mut property, key, value.clone());
                } else if key == "allowEmptyValue" {
                    self.warn(src_at, "allowEmptyValue in a request body is lost");
                }
            }
            has_file |= text(source, "type") == "file";
            if source.get("required") == Some(&Value::Bool(true)) {
                required.push(json!(name));
            }
            if is_array(source) {
                let format = source.get("collectionFormat");
                if format.is_some_and(|f| f.as_str() != Some("multi")) {
                    not_multi.push(src_at);
                }
                let (style, explode) = self.style(format, "formData", src_at);
                set(
                    &mut encoding,
                    name,
                    json!({ "style": style, "explode": explode }),
                );
            }
            set(&mut properties, name, Value::Object(property));
        }
        let mut types: Vec<&str> = Vec::new();
        for media in consumes {
            let known = [FORM, MULTIPART].into_iter().find(|w| media_is(media, w));
            if let Some(known) = known.filter(|k| !types.contains(k)) {
                types.push(known);
            }
        }
        if has_file {
            if types == [FORM] {
                self.warn(at, "a file upload cannot be urlencoded; multipart used");
            }
            types = vec![MULTIPART];
        } else if types.is_empty() {
            types = vec![FORM];
        }
        for src_at in not_multi.into_iter().filter(|_| types.contains(&MULTIPART)) {
            self.warn(src_at, "multipart/form-data arrays are always multi");
        }
        let mut schema = json!({ "type": "object", "properties": properties });
        let mut out = Obj::new();
        if !required.is_empty()
            && let Some(schema) = schema.as_object_mut()
        {
            set(schema, "required", Value::Array(required));
            set(&mut out, "required", json!(true));
        }
        let mut content = Obj::new();
        for media in types {
            let mut entry = Obj::new();
            set(&mut entry, "schema", schema.clone());
            if media == FORM && !encoding.is_empty() {
                set(&mut entry, "encoding", Value::Object(encoding.clone()));
            }
            set(&mut content, media, Value::Object(entry));
        }
        out.shift_insert(0, "content".to_owned(), Value::Object(content));
        Value::Object(out)
    }

    /// One response; `own` when its operation has a `produces` of its own.
    fn response(&mut self, response: &Obj, at: &str, produces: &[String], own: bool) -> Value {
        if let Some(reference) = response.get("$ref") {
            let name = reference
                .as_str()
                .and_then(|r| r.strip_prefix("#/responses/"));
            let shared = name.and_then(|n| self.root.get("responses")?.get(unescape(n)));
            if own && shared.is_some_and(|r| r.get("schema").is_some()) {
                self.warn(at, "shared response: the document's produces used");
            }
            return json!({ "$ref": rewrite_ref_value(reference) });
        }
        let description = response.get("description").cloned().unwrap_or(json!(""));
        let mut out = Obj::from_iter([("description".to_owned(), description)]);
        let examples = response.get("examples").and_then(Value::as_object);
        for (key, value) in response {
            let here = pointer(at, key);
            match key.as_str() {
                "description" => {}
                "schema" => {
                    let schema = self.schema(value, &here, 0);
                    let mut content = Obj::new();
                    for media in produces {
                        let mut entry = Obj::new();
                        set(&mut entry, "schema", schema.clone());
                        if let Some(example) = examples.and_then(|e| e.get(media)) {
                            set(&mut entry, "example", example.clone());
                        }
                        set(&mut content, media, Value::Object(entry));
                    }
                    set(&mut out, "content", Value::Object(content));
                }
                "examples" => {
                    let has_schema = response.contains_key("schema");
                    let Some(examples) = examples else {
                        self.warn(&here, "must be an object; dropped");
                        continue;
                    };
                    for media in examples.keys() {
                        if !has_schema || !produces.contains(media) {
                            let why = "example dropped: no schema or not produced";
                            self.warn(&pointer(&here, media), why);
                        }
                    }
                }
                "headers" => {
                    let mut headers = Obj::new();
                    for (name, header) in value.as_object().into_iter().flatten() {
                        let at = pointer(&here, name);
                        match header.as_object() {
                            Some(header) => set(
                                &mut headers,
                                name,
                                self.plain_parameter(header, "header", &at),
                            ),
                            None => self.warn(&at, "header must be an object; dropped"),
                        }
                    }
                    set(&mut out, key, Value::Object(headers));
                }
                _ => self.extra(&mut out, key, value, &here),
            }
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
        let is_file = text(schema, "type") == "file";
        let mut out = Obj::new();
        for (key, value) in schema {
            let here = pointer(at, key);
            let converted = match key.as_str() {
                "$ref" => rewrite_ref_value(value),
                "type" if is_file => {
                    set(&mut out, "type", json!("string"));
                    set(&mut out, "format", json!("binary"));
                    continue;
                }
                "format" if is_file => continue,
                "x-nullable" if value.is_boolean() => {
                    set(&mut out, "nullable", value.clone());
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
                "properties" | "patternProperties" | "definitions" | "allOf" | "anyOf"
                | "oneOf" => self.schemas(value, &here, depth + 1),
                "items" if value.is_array() => self.schemas(value, &here, depth + 1),
                "items" | "not" | "additionalProperties" => self.schema(value, &here, depth + 1),
                "collectionFormat" => {
                    if value.as_str() != Some("csv") {
                        self.warn(&here, "nested collectionFormat is lost");
                    }
                    continue;
                }
                "example" | "default" | "enum" => value.clone(),
                _ if key.starts_with("x-") => value.clone(),
                _ => rewrite_refs(value, depth + 1),
            };
            set(&mut out, key, converted);
        }
        Value::Object(out)
    }

    /// The members of an object or array of schemas, converted.
    fn schemas(&mut self, value: &Value, at: &str, depth: usize) -> Value {
        match value {
            Value::Object(map) => {
                let each = map
                    .iter()
                    .map(|(k, v)| (k.clone(), self.schema(v, &pointer(at, k), depth)));
                Value::Object(each.collect())
            }
            Value::Array(list) => {
                let each = list.iter().enumerate();
                Value::Array(
                    each.map(|(i, v)| self.schema(v, &pointer(at, &i.to_string()), depth))
                        .collect(),
                )
            }
            _ => value.clone(),
        }
    }

    /// A list of strings (`consumes`, `produces`, `schemes`); `None` when absent or malformed.
    fn strings(&mut self, value: Option<&Value>, at: &str) -> Option<Vec<String>> {
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

impl Param<'_> {
    fn plain(&self) -> Option<Value> {
        match self {
            Self::Plain(value) => Some(value.clone()),
            Self::Body(..) | Self::Form(..) => None,
        }
    }
}

fn set(map: &mut Obj, key: &str, value: Value) {
    map.insert(key.to_owned(), value);
}

fn object<'v>(value: &'v Value, at: &str, what: &str) -> Result<&'v Obj, String> {
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

fn is_array(param: &Obj) -> bool {
    text(param, "type") == "array"
}

/// The string at `key`, or `""`.
fn text<'v>(map: &'v Obj, key: &str) -> &'v str {
    map.get(key).and_then(Value::as_str).unwrap_or_default()
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
                    let v = if k == "$ref" {
                        rewrite_ref_value(v)
                    } else {
                        rewrite_refs(v, depth + 1)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(list) => {
            Value::Array(list.iter().map(|v| rewrite_refs(v, depth + 1)).collect())
        }
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests;
