//! Structure-aware fuzzing of the OpenAPI importer.
//!
//! The fuzz input does not hold a document: it drives edits of a known-good one. A seed (the
//! fixtures of `openapi-specs/` and the hand-made edge cases of `seeds/openapi_import/`,
//! compiled in) is parsed to a `serde_json::Value`, then the bytes choose edits: replace a
//! node by another node of any seed, by a `$ref` to any node (or a broken one), by an odd
//! scalar; add keywords; make reference cycles and self references; nest deeply; widen
//! arrays and objects; delete and swap nodes; change the version. The result is written out
//! as JSON or YAML text and goes through `OpenApiDocument::from_text` and `import_toolset`
//! with options also chosen by the bytes, then through `ToolCatalog::build`, which compiles
//! every imported input schema as the gateway does when it serves them.
//!
//! Set `TOOLGATE_FUZZ_DUMP=<dir>` to write each generated document there (as
//! `<dir>/last.json` or `last.yaml`) before it is imported: running the target on a crash
//! artifact with it set leaves the document that crashed, usable with `openapi_import`.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::{
    arbitrary::{Result, Unstructured},
    fuzz_target,
};
use serde_json::{Map, Value, json};
use toolgate_rest::{
    FixedValue, UpstreamClient,
    openapi::{ImportOptions, OpenApiDocument, Selector, import_toolset},
};
use url::Url;

/// Seeds, compiled in so the target does not depend on the working directory.
const SEEDS: &[&str] = &[
    include_str!("../../openapi-specs/petstore-3.0.yaml"),
    include_str!("../../openapi-specs/petstore-3.1.yaml"),
    include_str!("../../openapi-specs/petstore-swagger2.json"),
    include_str!("../../openapi-specs/weatherapi.yaml"),
    include_str!("../../openapi-specs/refs/main.yaml"),
    include_str!("../../openapi-specs/refs/broken.yaml"),
    include_str!("../seeds/openapi_import/self-ref.yaml"),
    include_str!("../seeds/openapi_import/ref-loop.yaml"),
    include_str!("../seeds/openapi_import/root-refs.yaml"),
    include_str!("../seeds/openapi_import/swagger2-minimal.json"),
    include_str!("../seeds/openapi_import/server-variables.yaml"),
    include_str!("../seeds/openapi_import/exponential-cycles.json"),
    include_str!("../seeds/openapi_import/ref-hops.json"),
];

/// Largest generated document (serialised); bigger ones are not imported, to keep runs fast.
const MAX_TEXT: usize = 4 * 1024 * 1024;
/// Deepest nesting one edit adds.
const MAX_WRAP: usize = 60;

#[rustfmt::skip]
const KEYS: &[&str] = &[
    "$ref", "type", "properties", "items", "allOf", "anyOf", "oneOf", "not",
    "additionalProperties", "prefixItems", "patternProperties", "$defs", "definitions",
    "dependentSchemas", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedProperties", "unevaluatedItems", "additionalItems", "required", "enum", "const",
    "nullable", "exclusiveMinimum", "exclusiveMaximum", "minimum", "maximum", "multipleOf",
    "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "example", "examples",
    "readOnly", "writeOnly", "discriminator", "format", "pattern", "default", "description",
    "title", "deprecated", "parameters", "requestBody", "responses", "content", "schema",
    "servers", "url", "variables", "security", "securitySchemes", "components", "schemas",
    "paths", "get", "put", "post", "delete", "options", "head", "patch", "trace", "in", "name",
    "style", "explode", "allowReserved", "operationId", "x-mcp-name", "x-mcp-annotations",
    "summary", "tags", "200", "201", "204", "2XX", "default", "0", "1", "", "~", "/",
    "application/json", "application/x-www-form-urlencoded", "multipart/form-data",
    "application/problem+json", "host", "basePath", "schemes", "consumes", "produces",
    "collectionFormat", "securityDefinitions", "allowEmptyValue", "webhooks", "callbacks",
    "headers", "encoding", "scheme", "bearerFormat", "flows", "openapi", "swagger", "info",
    "readOnlyHint", "destructiveHint", "$id", "$schema", "$anchor", "$dynamicRef",
];

#[rustfmt::skip]
const STRINGS: &[&str] = &[
    "", "object", "array", "string", "integer", "number", "boolean", "null", "file", "{", "}",
    "{id}", "{}", "{{", "/", "//", "/{a}/{a}", "/x/{petId}", "application/json",
    "application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "*/*",
    "application/vnd.x+json; charset=utf-8", "query", "path", "header", "cookie", "body",
    "formData", "form", "simple", "label", "matrix", "deepObject", "pipeDelimited",
    "spaceDelimited", "http://", "http://[::1]:80/", "https://example.com/{v}/", "/relative",
    "ftp://x/", "apiKey", "http", "bearer", "basic", "oauth2", "openIdConnect",
    "Authorization", "Content-Type", "Accept", "X-Ä", "é", "\u{0}", "\r\n", "~0~1", "%", "%zz",
    "#", "3.0.0", "3.0.3", "3.1.0", "2.0", "^(a+)+$", "[", "(?<x>", "\\", "date-time", "binary",
    "uuid", "csv", "multi", "tsv", "pipes", "ssv", "GET /pets", "pet", "store", "user",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "\u{1F600}\u{1F600}\u{1F600}", " ", "\t", "-", "_", "__", "a b", "a.b",
];

#[rustfmt::skip]
const BROKEN_REFS: &[&str] = &[
    "", "#", "#/", "#/nowhere", "#/components/schemas/", "#a", "#//", "#/paths/~2",
    "other.yaml", "other.yaml#/a", "./schemas/common.yaml#/Error", "../x.json",
    "http://example.invalid/x.json#/a", "https://[::1]/#/", "file:///etc/passwd",
    "memory:///fuzz.yaml#/paths", "memory:///other#/", "//host/x", "#/components/schemas/%7B",
    "#%", "#%2Fpaths", "#/paths/~1pets", "#/info", "#/openapi", "#/components/schemas/Pet/properties/id",
    "#/components/schemas/0", "#/paths/~1pet~1{petId}/get", "\u{0}", "#/a b", "?q=1#/info",
];

/// Scheme names the fixtures use, and a few they do not.
#[rustfmt::skip]
const SCHEMES: &[&str] = &[
    "api_key", "petstore_auth", "apiKey", "key", "basic", "bearerAuth", "basicAuth", "none",
];

struct Seeds {
    values: Vec<Value>,
}

fn seeds() -> &'static Seeds {
    static SEEDS_PARSED: OnceLock<Seeds> = OnceLock::new();
    SEEDS_PARSED.get_or_init(|| Seeds {
        values: SEEDS
            .iter()
            .map(|text| {
                let trimmed = text.trim_start();
                if trimmed.starts_with('{') {
                    serde_json::from_str(text).expect("seed JSON parses")
                } else {
                    serde_norway::from_str(text).expect("seed YAML parses")
                }
            })
            .collect(),
    })
}

fn client() -> &'static UpstreamClient {
    static CLIENT: OnceLock<UpstreamClient> = OnceLock::new();
    CLIENT.get_or_init(|| UpstreamClient::new().expect("the upstream client builds"))
}

/// Escapes a JSON pointer token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Every JSON pointer in `value` (the root is "").
fn pointers(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), value)];
    while let Some((pointer, node)) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (key, child) in map {
                    stack.push((format!("{pointer}/{}", escape(key)), child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{index}"), child));
                }
            }
            _ => {}
        }
        out.push(pointer);
    }
    out
}

fn count_nodes(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(count_nodes).sum::<usize>(),
        Value::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

fn pick<'a, T>(u: &mut Unstructured<'_>, items: &'a [T]) -> Result<&'a T> {
    u.choose(items)
}

/// A node of the document, preferring schema-ish places (components, parameters, bodies).
fn pick_pointer(u: &mut Unstructured<'_>, all: &[String]) -> Result<String> {
    if u.ratio(1, 2)? {
        let schemaish: Vec<&String> = all
            .iter()
            .filter(|p| {
                p.contains("/schema")
                    || p.contains("/components/")
                    || p.contains("/definitions/")
                    || p.contains("/parameters")
                    || p.contains("/properties/")
            })
            .collect();
        if !schemaish.is_empty() {
            return Ok((*u.choose(&schemaish)?).clone());
        }
    }
    Ok(pick(u, all)?.clone())
}

fn scalar(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=9)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => json!(u.arbitrary::<i64>()?),
        3 => json!(u.arbitrary::<u64>()?),
        4 => {
            let f: f64 = u.arbitrary()?;
            serde_json::Number::from_f64(f).map_or(json!(0.5), Value::Number)
        }
        5 => json!(*pick(u, &[0, 1, 2, -1, 200, 201, 404, 65_536, 3][..])?),
        6 => json!(*pick(
            u,
            &[0.0, 1.5, -0.0, 1e308, -1e308, 2.0, 3.0, 3.1][..]
        )?),
        7 => {
            let s: String = u.arbitrary()?;
            Value::String(s.chars().take(64).collect())
        }
        _ => Value::String((*pick(u, STRINGS)?).to_owned()),
    })
}

fn reference(u: &mut Unstructured<'_>, all: &[String]) -> Result<String> {
    Ok(match u.int_in_range(0..=9)? {
        0 | 1 => (*pick(u, BROKEN_REFS)?).to_owned(),
        2 => {
            // A pointer into the document, percent-encoded in places.
            let pointer = pick_pointer(u, all)?;
            format!("#{}", pointer.replace('{', "%7B").replace('}', "%7D"))
        }
        _ => format!("#{}", pick_pointer(u, all)?),
    })
}

fn ref_object(u: &mut Unstructured<'_>, all: &[String]) -> Result<Value> {
    let mut map = Map::new();
    if u.ratio(1, 16)? {
        map.insert("$ref".into(), scalar(u)?);
    } else {
        map.insert("$ref".into(), Value::String(reference(u, all)?));
    }
    // Siblings: 3.1 refines a $ref with them; 3.0 ignores them. (Loops are bounded by a
    // count: `ratio` answers `true` forever once the input is used up.)
    for _ in 0..u.int_in_range(0..=2)? {
        let key = (*pick(u, KEYS)?).to_owned();
        let value = if u.ratio(1, 2)? {
            scalar(u)?
        } else {
            small_schema(u, all, 1)?
        };
        map.insert(key, value);
    }
    Ok(Value::Object(map))
}

fn small_schema(u: &mut Unstructured<'_>, all: &[String], depth: usize) -> Result<Value> {
    let mut map = Map::new();
    let kind = *pick(
        u,
        &[
            "object", "array", "string", "integer", "number", "boolean", "null", "file", "bogus",
        ][..],
    )?;
    if u.ratio(3, 4)? {
        map.insert("type".into(), json!(kind));
    } else if u.ratio(1, 2)? {
        map.insert("type".into(), json!([kind, "null"]));
    }
    let mut extra = u.int_in_range(0..=3)?;
    while extra > 0 {
        extra -= 1;
        let key = *pick(u, KEYS)?;
        let value = if depth < 3 && u.ratio(1, 3)? {
            match key {
                "allOf" | "anyOf" | "oneOf" | "prefixItems" | "required" | "enum" => Value::Array(
                    (0..u.int_in_range(0..=3)?)
                        .map(|_| small_schema(u, all, depth + 1))
                        .collect::<Result<_>>()?,
                ),
                "properties" | "patternProperties" | "$defs" | "dependentSchemas" => {
                    let mut props = Map::new();
                    for _ in 0..u.int_in_range(0..=3)? {
                        props.insert(
                            (*pick(u, STRINGS)?).to_owned(),
                            small_schema(u, all, depth + 1)?,
                        );
                    }
                    Value::Object(props)
                }
                _ if u.ratio(1, 2)? => ref_object(u, all)?,
                _ => small_schema(u, all, depth + 1)?,
            }
        } else {
            scalar(u)?
        };
        map.insert(key.to_owned(), value);
    }
    Ok(Value::Object(map))
}

/// A value to put somewhere: a copy of a node of any seed, a reference, a schema, a scalar.
fn any_value(u: &mut Unstructured<'_>, doc: &Value, all: &[String]) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => {
            let pointer = pick_pointer(u, all)?;
            doc.pointer(&pointer).cloned().unwrap_or(Value::Null)
        }
        1 => {
            let seed = pick(u, &seeds().values)?;
            let seed_pointers = pointers(seed);
            let pointer = pick_pointer(u, &seed_pointers)?;
            seed.pointer(&pointer).cloned().unwrap_or(Value::Null)
        }
        2 => ref_object(u, all)?,
        3 => small_schema(u, all, 0)?,
        4 => match u.int_in_range(0..=2)? {
            0 => json!({}),
            1 => json!([]),
            _ => json!([{}]),
        },
        _ => scalar(u)?,
    })
}

/// Replaces the node at `pointer` ("" is the root).
fn set(doc: &mut Value, pointer: &str, value: Value) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = value;
    }
}

fn parent_and_key(pointer: &str) -> Option<(&str, String)> {
    let (parent, token) = pointer.rsplit_once('/')?;
    Some((parent, token.replace("~1", "/").replace("~0", "~")))
}

fn remove(doc: &mut Value, pointer: &str) {
    let Some((parent, key)) = parent_and_key(pointer) else {
        return;
    };
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}

/// Wraps `value` in `levels` schema (or plain) layers.
fn wrap(u: &mut Unstructured<'_>, mut value: Value, levels: usize) -> Result<Value> {
    let style = u.int_in_range(0..=9)?;
    for level in 0..levels {
        let kind = if style == 9 { level % 9 } else { style };
        value = match kind {
            0 => json!({"type": "object", "properties": {"p": value}}),
            1 => json!({"type": "array", "items": value}),
            2 => json!({"allOf": [value]}),
            3 => json!({"anyOf": [value, {"type": "null"}]}),
            4 => json!({"not": value}),
            5 => json!({"additionalProperties": value}),
            6 => json!({"nullable": true, "oneOf": [value]}),
            7 => json!([value]),
            _ => json!({"properties": {"a": value}, "required": ["a"], "readOnly": level % 2 == 0}),
        };
    }
    Ok(value)
}

fn mutate(u: &mut Unstructured<'_>, doc: &mut Value) -> Result<()> {
    let all = pointers(doc);
    match u.int_in_range(0..=15)? {
        // Replace a node by another value.
        0 | 1 => {
            let target = pick_pointer(u, &all)?;
            let value = any_value(u, doc, &all)?;
            set(doc, &target, value);
        }
        // Replace a node by a reference.
        2 | 3 => {
            let target = pick_pointer(u, &all)?;
            let value = ref_object(u, &all)?;
            set(doc, &target, value);
        }
        // Add a `$ref` beside an object's other keys.
        4 => {
            let target = pick_pointer(u, &all)?;
            let reference = reference(u, &all)?;
            if let Some(Value::Object(map)) = doc.pointer_mut(&target) {
                map.insert("$ref".into(), Value::String(reference));
            }
        }
        // Add a keyword.
        5 | 6 => {
            let target = pick_pointer(u, &all)?;
            let key = if u.ratio(1, 8)? {
                let key: String = u.arbitrary()?;
                key.chars().take(16).collect()
            } else {
                (*pick(u, KEYS)?).to_owned()
            };
            let value = any_value(u, doc, &all)?;
            match doc.pointer_mut(&target) {
                Some(Value::Object(map)) => {
                    map.insert(key, value);
                }
                Some(Value::Array(items)) => items.push(value),
                _ => {}
            }
        }
        // A self reference, or a node referring to its parent.
        7 => {
            let target = pick_pointer(u, &all)?;
            let pointer = if u.ratio(1, 2)? {
                target.clone()
            } else {
                target.rsplit_once('/').map_or("", |(p, _)| p).to_owned()
            };
            set(doc, &target, json!({"$ref": format!("#{pointer}")}));
        }
        // A cycle of two or three references.
        8 => {
            let a = pick_pointer(u, &all)?;
            let b = pick_pointer(u, &all)?;
            if u.ratio(1, 2)? {
                let c = pick_pointer(u, &all)?;
                set(doc, &a, json!({"$ref": format!("#{b}")}));
                set(doc, &b, json!({"$ref": format!("#{c}")}));
                set(doc, &c, json!({"$ref": format!("#{a}")}));
            } else {
                set(doc, &a, json!({"$ref": format!("#{b}")}));
                set(
                    doc,
                    &b,
                    json!({"type": "object", "properties": {"x": {"$ref": format!("#{a}")}}}),
                );
            }
        }
        // Deep nesting.
        9 => {
            let target = pick_pointer(u, &all)?;
            let levels = if u.ratio(1, 8)? {
                u.int_in_range(60..=130)?
            } else {
                u.int_in_range(1..=MAX_WRAP)?
            };
            if let Some(node) = doc.pointer(&target).cloned() {
                let wrapped = wrap(u, node, levels)?;
                set(doc, &target, wrapped);
            }
        }
        // Widen an array or an object.
        10 => {
            let target = pick_pointer(u, &all)?;
            let copies = if u.ratio(1, 8)? {
                u.int_in_range(64..=2000)?
            } else {
                u.int_in_range(1..=32)?
            };
            // Keep the document below about a million nodes.
            let size = doc.pointer(&target).map_or(1, count_nodes);
            let copies = copies.min(1_000_000 / size.max(1));
            match doc.pointer_mut(&target) {
                Some(Value::Array(items)) if !items.is_empty() => {
                    let len = items.len();
                    for i in 0..copies {
                        let item = items[i % len].clone();
                        items.push(item);
                    }
                }
                Some(Value::Object(map)) if !map.is_empty() => {
                    let first = map.values().next().cloned().unwrap_or(Value::Null);
                    for i in 0..copies {
                        map.insert(format!("k{i}"), first.clone());
                    }
                }
                _ => {}
            }
        }
        // Delete a node.
        11 => {
            let target = pick_pointer(u, &all)?;
            remove(doc, &target);
        }
        // Swap two nodes.
        12 => {
            let a = pick_pointer(u, &all)?;
            let b = pick_pointer(u, &all)?;
            // Only swap disjoint nodes: neither may contain the other.
            if !a.starts_with(&b) && !b.starts_with(&a) {
                let va = doc.pointer(&a).cloned();
                let vb = doc.pointer(&b).cloned();
                if let (Some(va), Some(vb)) = (va, vb) {
                    set(doc, &a, vb);
                    set(doc, &b, va);
                }
            }
        }
        // A new component schema, referenced from somewhere.
        13 => {
            let name = (*pick(u, STRINGS)?).to_owned();
            let schema = small_schema(u, &all, 0)?;
            let target = pick_pointer(u, &all)?;
            if let Value::Object(root) = doc {
                let components = root.entry("components").or_insert_with(|| json!({}));
                if let Value::Object(components) = components {
                    let schemas = components.entry("schemas").or_insert_with(|| json!({}));
                    if let Value::Object(schemas) = schemas {
                        schemas.insert(name.clone(), schema);
                    }
                }
            }
            set(
                doc,
                &target,
                json!({"$ref": format!("#/components/schemas/{}", escape(&name))}),
            );
        }
        // Change a string.
        14 => {
            let target = pick_pointer(u, &all)?;
            let suffix = *pick(u, STRINGS)?;
            if let Some(Value::String(text)) = doc.pointer_mut(&target) {
                match u.int_in_range(0..=2)? {
                    0 => text.push_str(suffix),
                    1 => *text = suffix.to_owned(),
                    _ => *text = suffix.repeat(u.int_in_range(2..=64)?),
                }
            }
        }
        // Change the version.
        _ => {
            if let Value::Object(root) = doc {
                match u.int_in_range(0..=5)? {
                    0 => {
                        root.insert("openapi".into(), json!("3.0.3"));
                    }
                    1 => {
                        root.insert("openapi".into(), json!("3.1.0"));
                    }
                    2 => {
                        root.shift_remove("openapi");
                        root.insert("swagger".into(), json!("2.0"));
                    }
                    3 => {
                        root.shift_remove("openapi");
                        root.insert("swagger".into(), json!(2.0));
                    }
                    4 => {
                        root.insert("openapi".into(), json!("3.0"));
                    }
                    _ => {
                        root.insert("openapi".into(), scalar(u)?);
                    }
                }
            }
        }
    }
    Ok(())
}

fn options(u: &mut Unstructured<'_>, doc: &Value) -> Result<ImportOptions> {
    let mut options = ImportOptions::new("fuzz");
    match u.int_in_range(0..=7)? {
        // The document's own servers.
        0 => {}
        1 => {
            let url = *pick(
                u,
                &[
                    "https://[::1]:8443/a/b/?q=1#f",
                    "http://user:pw@h.invalid",
                    "http://h.invalid/x%2Fy/",
                ][..],
            )?;
            options = options.with_base_url(Url::parse(url).expect("a valid URL"));
        }
        _ => {
            options = options
                .with_base_url(Url::parse("http://upstream.invalid/api/").expect("a valid URL"));
        }
    }
    if u.ratio(1, 4)? {
        options = options.with_tags(["t1", "t2"]);
    }
    let selector = |u: &mut Unstructured<'_>| -> Result<Selector> {
        let mut selector = Selector::any();
        if u.ratio(1, 2)? {
            selector = selector.path(*pick(
                u,
                &[
                    "/pet/**",
                    "/pet/*",
                    "*",
                    "**",
                    "/**/{*}",
                    "?",
                    "/store/*/x",
                    "/*.json",
                ][..],
            )?);
        }
        if u.ratio(1, 3)? {
            selector = selector.method(*pick(u, &["get", "POST", "Delete", "trace", ""][..])?);
        }
        if u.ratio(1, 3)? {
            selector = selector.tag(*pick(u, &["pet", "store", "user", "weather", ""][..])?);
        }
        if u.ratio(1, 3)? {
            selector =
                selector.operation_id(*pick(u, &["get*", "*Pet*", "*", "?", "**", "x"][..])?);
        }
        Ok(selector)
    };
    for _ in 0..u.int_in_range(0..=2)? {
        options = options.include(selector(u)?);
    }
    for _ in 0..u.int_in_range(0..=1)? {
        options = options.exclude(selector(u)?);
    }
    // Tool names by operationId or `METHOD /path`, valid or not.
    for _ in 0..u.int_in_range(0..=2)? {
        let ids: Vec<String> = pointers(doc)
            .into_iter()
            .filter(|p| p.ends_with("/operationId"))
            .filter_map(|p| doc.pointer(&p).and_then(Value::as_str).map(str::to_owned))
            .collect();
        let operation = if !ids.is_empty() && u.ratio(2, 3)? {
            u.choose(&ids)?.clone()
        } else {
            (*pick(
                u,
                &["GET /pet/{petId}", "POST /pet", "GET /current.json", "x"][..],
            )?)
            .to_owned()
        };
        let name =
            (*pick(u, &["renamed", "", "a b", "dup", "getPetById", "x-y_z"][..])?).to_owned();
        options = options.with_name(operation, name);
    }
    for _ in 0..u.int_in_range(0..=2)? {
        let scheme = *pick(u, SCHEMES)?;
        let value = if u.ratio(3, 4)? {
            FixedValue::value(*pick(u, &["secret", "user:pw", "", "a\r\nb"][..])?)
        } else {
            FixedValue::Missing {
                hint: "set it".into(),
            }
        };
        options = options.with_credential(scheme, value);
    }
    Ok(options)
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let mut doc = pick(&mut u, &seeds().values)?.clone();
    let edits = u.int_in_range(0..=12)?;
    for _ in 0..edits {
        if u.is_empty() {
            break;
        }
        mutate(&mut u, &mut doc)?;
    }
    let options = options(&mut u, &doc)?;
    let yaml = u.ratio(1, 4)?;
    let text = if yaml {
        match serde_norway::to_string(&doc) {
            Ok(text) => text,
            Err(_) => return Ok(()),
        }
    } else if u.ratio(1, 2)? {
        serde_json::to_string(&doc).expect("a Value serialises")
    } else {
        serde_json::to_string_pretty(&doc).expect("a Value serialises")
    };
    drop(doc);
    if text.len() > MAX_TEXT {
        return Ok(());
    }
    if let Some(dir) = std::env::var_os("TOOLGATE_FUZZ_DUMP") {
        let name = if yaml { "last.yaml" } else { "last.json" };
        std::fs::write(std::path::Path::new(&dir).join(name), &text)
            .expect("the dump directory is writable");
    }
    import(&text, &options);
    Ok(())
}

fn import(text: &str, options: &ImportOptions) {
    let Ok(document) = OpenApiDocument::from_text(text, "fuzz.json") else {
        return;
    };
    let _ = document.version();
    let _ = document.title();
    let _ = document.server_url();
    let Ok(imported) = import_toolset(&document, options, client()) else {
        return;
    };
    assert_eq!(imported.toolset.tools().len(), imported.origins.len());
    for tool in imported.toolset.tools() {
        assert!(
            toolgate_tools::is_valid_tool_name(&tool.descriptor().name),
            "invalid tool name {:?}",
            tool.descriptor().name
        );
    }
    // What the gateway does next with the imported tools: compile every input schema.
    let _ = toolgate_tools::ToolCatalog::build([&imported.toolset]);
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
