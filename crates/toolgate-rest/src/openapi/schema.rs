//! `$ref` resolution and schema normalisation.
//!
//! Schemas are inlined: a tool's schema never holds a `$ref` (clients handle them poorly and
//! a root `$ref` is not an object schema). A reference met again while it is being expanded
//! is a cycle: it is cut there, replaced by a schema that says what it stood for. Nesting and
//! total size are bounded, so no document can exhaust the stack or the memory.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};
use toolgate_tools::ToolDescriptor;
use url::Url;

use super::{OpenApiDocument, SpecVersion};

/// Deepest schema nesting kept; deeper parts are cut.
const MAX_DEPTH: usize = 48;
/// Most schema nodes the schemas of one operation may expand to, all together; references
/// past it are cut. The largest operation of GitHub's REST description needs about 22,000.
const MAX_NODES: usize = 50_000;
/// Most schema nodes one import expands, all threads together; operations past it are
/// skipped. GitHub's REST description (1,223 operations) needs about a quarter of it.
pub(crate) const MAX_TOTAL_NODES: usize = 2_000_000;
/// Most hops when following a chain of references.
const MAX_HOPS: usize = 32;

/// Keywords whose value is a map of name → schema.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keywords whose value is one schema.
const SCHEMA_VALUES: &[&str] = &[
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
    "items",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// OpenAPI keywords that are not JSON Schema and are dropped.
const OPENAPI_ONLY: &[&str] = &[
    "discriminator",
    "xml",
    "externalDocs",
    "nullable",
    "example",
];

/// A reference that could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefError {
    pub(crate) reference: String,
    pub(crate) reason: String,
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "$ref '{}' {}", self.reference, self.reason)
    }
}

/// Resolves references in one document set; memoises expanded schemas.
pub(crate) struct Resolver<'d> {
    document: &'d OpenApiDocument,
    cache: HashMap<String, Arc<Value>>,
    stack: Vec<String>,
    /// Nodes expanded for the current operation.
    nodes: usize,
    /// Nodes expanded by every resolver of this import, this one's current operation excepted.
    total: Arc<AtomicUsize>,
}

impl<'d> Resolver<'d> {
    /// A resolver drawing on the import-wide node budget `total`.
    pub(crate) fn new(document: &'d OpenApiDocument, total: Arc<AtomicUsize>) -> Self {
        Self {
            document,
            cache: HashMap::new(),
            stack: Vec::new(),
            nodes: 0,
            total,
        }
    }

    /// Follows `node`'s `$ref` chain (for parameters, responses, bodies, path items):
    /// the object it ends at, and the document that holds it.
    pub(crate) fn follow(&self, node: &'d Value, base: &Url) -> Result<(&'d Value, Url), RefError> {
        let mut current = node;
        let mut base = base.clone();
        for _ in 0..MAX_HOPS {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                return Ok((current, base));
            };
            let (target, url) = self.lookup(reference, &base)?;
            current = target;
            base = url;
        }
        Err(RefError {
            reference: node
                .get("$ref")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            reason: format!("is a chain of more than {MAX_HOPS} references"),
        })
    }

    /// The value a reference names, and its document's URL.
    fn lookup(&self, reference: &str, base: &Url) -> Result<(&'d Value, Url), RefError> {
        let error = |reason: String| RefError {
            reference: reference.to_owned(),
            reason,
        };
        let url = base
            .join(reference)
            .map_err(|e| error(format!("is not a valid reference: {e}")))?;
        let mut document_url = url.clone();
        document_url.set_fragment(None);
        let document = self.document.document(&document_url).ok_or_else(|| {
            if self.document.located {
                error(format!("names a document that was not loaded ({document_url})"))
            } else {
                error("names another document, which cannot be followed from a document held in memory".to_owned())
            }
        })?;
        let fragment = url.fragment().unwrap_or_default();
        let pointer = percent_decode_str(fragment).decode_utf8_lossy();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(error(
                "has a fragment that is not a JSON pointer".to_owned(),
            ));
        }
        let target = document
            .pointer(&pointer)
            .ok_or_else(|| error("points nowhere".to_owned()))?;
        Ok((target, document_url))
    }

    /// Starts the budget of one operation.
    ///
    /// # Errors
    /// A reason when the whole import has used its budget (a document built to amplify
    /// references): the operation is skipped.
    pub(crate) fn begin_operation(&mut self) -> Result<(), String> {
        let spent = self.total.fetch_add(self.nodes, Ordering::Relaxed) + self.nodes;
        self.nodes = 0;
        if spent > MAX_TOTAL_NODES {
            return Err(format!(
                "the document's schemas expand to more than {MAX_TOTAL_NODES} nodes; later operations are skipped"
            ));
        }
        Ok(())
    }

    /// The schema at `node` with every reference inlined and normalised to 2020-12.
    pub(crate) fn schema(&mut self, node: &Value, base: &Url) -> Result<Value, RefError> {
        self.stack.clear();
        self.walk(node, base, 0).map(|(value, _)| value)
    }

    /// Returns the schema and the lowest stack index a cycle cut inside it refers to
    /// (`usize::MAX` for none): an expansion with no cut below its own index does not depend
    /// on where it was reached and can be memoised.
    fn walk(&mut self, node: &Value, base: &Url, depth: usize) -> Result<(Value, usize), RefError> {
        self.nodes += 1;
        let Value::Object(map) = node else {
            return Ok((node.clone(), usize::MAX));
        };
        if depth > MAX_DEPTH {
            return Ok((
                json!({"description": "(schema nested too deeply; cut)"}),
                usize::MAX,
            ));
        }
        if let Some(Value::String(reference)) = map.get("$ref") {
            return self.reference(reference, map, base, depth);
        }
        let mut out = Map::with_capacity(map.len());
        let mut lowest_cut = usize::MAX;
        for (key, value) in map {
            if key.starts_with("x-") {
                continue;
            }
            let walked = if SCHEMA_MAPS.contains(&key.as_str()) {
                match value {
                    Value::Object(entries) => {
                        let mut walked = Map::with_capacity(entries.len());
                        for (name, schema) in entries {
                            let (schema, cut) = self.walk(schema, base, depth + 1)?;
                            lowest_cut = lowest_cut.min(cut);
                            walked.insert(name.clone(), schema);
                        }
                        Value::Object(walked)
                    }
                    other => other.clone(),
                }
            } else if SCHEMA_LISTS.contains(&key.as_str()) || (key == "items" && value.is_array()) {
                match value {
                    Value::Array(items) => {
                        let mut walked = Vec::with_capacity(items.len());
                        for item in items {
                            let (schema, cut) = self.walk(item, base, depth + 1)?;
                            lowest_cut = lowest_cut.min(cut);
                            walked.push(schema);
                        }
                        Value::Array(walked)
                    }
                    other => other.clone(),
                }
            } else if SCHEMA_VALUES.contains(&key.as_str()) {
                let (schema, cut) = self.walk(value, base, depth + 1)?;
                lowest_cut = lowest_cut.min(cut);
                schema
            } else {
                value.clone()
            };
            out.insert(key.clone(), walked);
        }
        normalize(&mut out, self.document.version);
        Ok((Value::Object(out), lowest_cut))
    }

    fn reference(
        &mut self,
        reference: &str,
        siblings: &Map<String, Value>,
        base: &Url,
        depth: usize,
    ) -> Result<(Value, usize), RefError> {
        let (target, target_base) = self.lookup(reference, base)?;
        let mut key = target_base.to_string();
        key.push('#');
        key.push_str(
            base.join(reference)
                .ok()
                .as_ref()
                .and_then(Url::fragment)
                .unwrap_or_default(),
        );
        let name = reference.rsplit('/').next().unwrap_or(reference).to_owned();

        let (mut value, cut) = if let Some(position) = self.stack.iter().position(|k| *k == key) {
            (
                cut_schema(
                    target,
                    &format!("recursive reference to '{name}', not expanded again"),
                ),
                position,
            )
        } else if self.nodes > MAX_NODES {
            (
                cut_schema(
                    target,
                    &format!("'{name}' not expanded: the schema is too large"),
                ),
                usize::MAX,
            )
        } else if let Some(cached) = self.cache.get(&key) {
            self.nodes += count_nodes(cached);
            ((**cached).clone(), usize::MAX)
        } else {
            let index = self.stack.len();
            self.stack.push(key.clone());
            let walked = self.walk(target, &target_base, depth + 1);
            self.stack.pop();
            let (value, cut) = walked?;
            if cut >= index {
                self.cache.insert(key, Arc::new(value.clone()));
                (value, usize::MAX)
            } else {
                (value, cut)
            }
        };
        // 3.1 allows keywords beside a $ref (a description, most often): they refine it.
        let extras: Vec<(&String, &Value)> = siblings
            .iter()
            .filter(|(k, _)| k.as_str() != "$ref" && !k.starts_with("x-"))
            .collect();
        if !extras.is_empty()
            && let Value::Object(map) = &mut value
        {
            for (k, v) in extras {
                if !SCHEMA_MAPS.contains(&k.as_str())
                    && !SCHEMA_LISTS.contains(&k.as_str())
                    && !SCHEMA_VALUES.contains(&k.as_str())
                {
                    map.insert(k.clone(), v.clone());
                }
            }
            normalize(map, self.document.version);
        }
        Ok((value, cut))
    }
}

/// What stands in for a schema that is not expanded: its type when it names one, and why.
fn cut_schema(target: &Value, why: &str) -> Value {
    let mut cut = Map::new();
    if let Some(kind) = target.get("type").filter(|t| t.is_string()) {
        cut.insert("type".into(), kind.clone());
    }
    cut.insert("description".into(), Value::String(format!("({why})")));
    Value::Object(cut)
}

fn count_nodes(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(count_nodes).sum::<usize>(),
        Value::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// OpenAPI schema dialect → JSON Schema 2020-12, for one schema object whose children are
/// already normalised.
fn normalize(schema: &mut Map<String, Value>, version: SpecVersion) {
    // Tuple `items` (draft 4 style) is `prefixItems` in 2020-12.
    if schema.get("items").is_some_and(Value::is_array)
        && let Some(items) = schema.remove("items")
    {
        schema.insert("prefixItems".into(), items);
    }
    // `type: file` (Swagger 2.0).
    if schema.get("type").and_then(Value::as_str) == Some("file") {
        schema.insert("type".into(), json!("string"));
        schema.entry("format").or_insert_with(|| json!("binary"));
    }
    if version != SpecVersion::OpenApi31 {
        for (exclusive, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            match schema.get(exclusive) {
                Some(Value::Bool(true)) => match schema.remove(bound) {
                    Some(limit) => {
                        schema.insert(exclusive.into(), limit);
                    }
                    None => {
                        schema.remove(exclusive);
                    }
                },
                Some(Value::Bool(false)) => {
                    schema.remove(exclusive);
                }
                _ => {}
            }
        }
        if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
            make_nullable(schema);
        }
    }
    if let Some(example) = schema.get("example").cloned() {
        schema
            .entry("examples")
            .or_insert_with(|| Value::Array(vec![example]));
    }
    // An example holding a `$ref` (a documentation reference written where data belongs)
    // would look like an unresolved reference to clients: examples are only examples.
    if let Some(Value::Array(examples)) = schema.get_mut("examples") {
        examples.retain(|example| !holds_ref(example));
        if examples.is_empty() {
            schema.remove("examples");
        }
    }
    for keyword in OPENAPI_ONLY {
        schema.remove(*keyword);
    }
    merge_all_of(schema);
}

/// Whether a data value has a `$ref` key anywhere.
fn holds_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(holds_ref),
        Value::Array(items) => items.iter().any(holds_ref),
        _ => false,
    }
}

/// 3.0 `nullable: true`: `null` joins the type (and the enum, if any).
fn make_nullable(schema: &mut Map<String, Value>) {
    match schema.get_mut("type") {
        Some(Value::String(kind)) => {
            let kind = kind.clone();
            schema.insert("type".into(), json!([kind, "null"]));
        }
        Some(Value::Array(kinds)) => {
            if !kinds.iter().any(|k| k == "null") {
                kinds.push(json!("null"));
            }
        }
        _ => {
            // No type: the schema accepts null unless a composition forbids it.
            let alternatives = ["allOf", "anyOf", "oneOf", "$ref"];
            if alternatives.iter().any(|k| schema.contains_key(*k)) {
                let inner = std::mem::take(schema);
                schema.insert(
                    "anyOf".into(),
                    json!([Value::Object(inner), {"type": "null"}]),
                );
                return;
            }
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.iter().any(Value::is_null)
    {
        values.push(Value::Null);
    }
}

/// `allOf` of plain object schemas whose properties do not conflict becomes one object
/// schema; anything else keeps its `allOf`.
fn merge_all_of(schema: &mut Map<String, Value>) {
    const MERGEABLE: &[&str] = &["type", "properties", "required", "description", "title"];
    let Some(Value::Array(parts)) = schema.get("allOf") else {
        return;
    };
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for part in parts {
        let Value::Object(part) = part else {
            return;
        };
        if part.keys().any(|k| !MERGEABLE.contains(&k.as_str())) {
            return;
        }
        if part.get("type").is_some_and(|t| t != "object") {
            return;
        }
        if let Some(Value::Object(props)) = part.get("properties") {
            for (name, prop) in props {
                match properties.get(name) {
                    Some(existing) if existing != prop => return,
                    _ => {
                        properties.insert(name.clone(), prop.clone());
                    }
                }
            }
        }
        if let Some(Value::Array(names)) = part.get("required") {
            for name in names {
                if !required.contains(name) {
                    required.push(name.clone());
                }
            }
        }
    }
    if schema.get("type").is_some_and(|t| t != "object") {
        return;
    }
    if let Some(Value::Object(own)) = schema.get("properties") {
        for (name, prop) in own {
            match properties.get(name) {
                Some(existing) if existing != prop => return,
                _ => {
                    properties.insert(name.clone(), prop.clone());
                }
            }
        }
    }
    if let Some(Value::Array(names)) = schema.get("required") {
        for name in names {
            if !required.contains(name) {
                required.push(name.clone());
            }
        }
    }
    schema.remove("allOf");
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    if required.is_empty() {
        schema.remove("required");
    } else {
        schema.insert("required".into(), Value::Array(required));
    }
}

/// Leaves out properties marked `keyword` (`readOnly` for inputs, `writeOnly` for outputs)
/// and takes them out of `required`, at every level.
pub(crate) fn strip_marked(schema: &mut Value, keyword: &str) {
    let Value::Object(map) = schema else {
        return;
    };
    let mut removed: Vec<String> = Vec::new();
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        properties.retain(|name, property| {
            let marked = property.get(keyword).and_then(Value::as_bool) == Some(true);
            if marked {
                removed.push(name.clone());
            }
            !marked
        });
        for property in properties.values_mut() {
            strip_marked(property, keyword);
        }
    }
    if !removed.is_empty()
        && let Some(Value::Array(required)) = map.get_mut("required")
    {
        required.retain(|name| {
            !name
                .as_str()
                .is_some_and(|n| removed.iter().any(|r| r == n))
        });
    }
    for key in SCHEMA_VALUES {
        if let Some(child) = map.get_mut(*key) {
            strip_marked(child, keyword);
        }
    }
    for key in SCHEMA_LISTS {
        if let Some(Value::Array(children)) = map.get_mut(*key) {
            children
                .iter_mut()
                .for_each(|child| strip_marked(child, keyword));
        }
    }
}

/// Every schema of a tool must be valid JSON Schema 2020-12.
pub(crate) fn check_meta(descriptor: &ToolDescriptor) -> Result<(), String> {
    let input = Value::Object((*descriptor.input_schema).clone());
    jsonschema::draft202012::meta::validate(&input)
        .map_err(|e| format!("the generated input schema is not valid JSON Schema 2020-12: {e}"))?;
    if let Some(output) = &descriptor.output_schema {
        let output = Value::Object((**output).clone());
        jsonschema::draft202012::meta::validate(&output).map_err(|e| {
            format!("the generated output schema is not valid JSON Schema 2020-12: {e}")
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
