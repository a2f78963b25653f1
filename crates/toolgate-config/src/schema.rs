//! The JSON Schema of `toolgate.yaml`, generated from the types in [`crate::model`] and
//! committed as `schema/toolgate.schema.json` (`just schema` rewrites it; a test fails when
//! it is stale). Editors use it through a first line such as
//! `# yaml-language-server: $schema=../schema/toolgate.schema.json`.

use serde_json::Value;

use crate::model::Config;

/// The schema as pretty-printed JSON, with a trailing newline.
#[must_use]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Config);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The configuration reference (`docs/config-reference.md`): every section and field of the
/// schema with its type and description, as Markdown.
#[must_use]
pub fn reference_markdown() -> String {
    let schema: Value = serde_json::from_str(&json_schema()).unwrap_or_default();
    let mut out = String::from(
        "# toolgate.yaml reference\n\n\
         Generated from the JSON Schema (`schema/toolgate.schema.json`, `just schema`); the \
         descriptions are the doc comments of `crates/toolgate-config/src/model.rs` and of the \
         REST tool types. Every mapping refuses unknown keys. Values may use \
         `${{ env \"NAME\" }}`, `${NAME}` and `${{ file \"PATH\" }}`.\n",
    );
    section(&mut out, "Config", "the file", &schema);
    if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
        for (name, def) in defs {
            section(&mut out, name, name, def);
        }
    }
    out
}

fn section(out: &mut String, anchor: &str, title: &str, def: &Value) {
    out.push_str(&format!(
        "\n## {title}\n<a id=\"{}\"></a>\n\n",
        anchor.to_lowercase()
    ));
    if let Some(description) = def.get("description").and_then(Value::as_str) {
        out.push_str(&one_paragraph(description));
        out.push_str("\n\n");
    }
    if let Some(properties) = def.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = def
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push_str("| field | type | |\n| --- | --- | --- |\n");
        for (name, property) in properties {
            let marker = if required.contains(&name.as_str()) {
                " **required**"
            } else {
                ""
            };
            let description = property
                .get("description")
                .and_then(Value::as_str)
                .map(one_paragraph)
                .unwrap_or_default()
                .replace('|', "\\|");
            out.push_str(&format!(
                "| `{name}`{marker} | {} | {description} |\n",
                type_of(property)
            ));
        }
    } else if let Some(variants) = def
        .get("oneOf")
        .or_else(|| def.get("anyOf"))
        .and_then(Value::as_array)
    {
        out.push_str("One of:\n\n");
        for variant in variants {
            let text = variant
                .get("description")
                .and_then(Value::as_str)
                .map(one_paragraph)
                .unwrap_or_default();
            out.push_str(&format!("- {}: {text}\n", type_of(variant)));
        }
    } else if let Some(values) = def.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
            .collect();
        out.push_str(&format!("One of {}.\n", values.join(", ")));
    }
}

fn one_paragraph(text: &str) -> String {
    text.split("\n\n")
        .next()
        .unwrap_or_default()
        .replace('\n', " ")
}

fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("[{name}](#{})", name.to_lowercase());
    }
    if let Some(value) = schema.get("const") {
        return format!("`{value}`");
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    if let Some(options) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    {
        let parts: Vec<String> = options
            .iter()
            .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
            .map(type_of)
            .collect();
        return parts.join(" or ");
    }
    match schema.get("type") {
        Some(Value::String(kind)) if kind == "array" => {
            format!(
                "list of {}",
                schema
                    .get("items")
                    .map(type_of)
                    .unwrap_or_else(|| "any".into())
            )
        }
        Some(Value::String(kind)) if kind == "object" => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => format!("map of {}", type_of(values)),
            _ => "mapping".to_owned(),
        },
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .filter(|k| *k != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn repo_file(relative: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(relative)
    }

    /// The committed schema and reference match the types; `just schema` (which sets
    /// `TOOLGATE_UPDATE_SCHEMA=1`) rewrites them.
    #[test]
    fn committed_schema_and_reference_are_current_ok() {
        for (file, current) in [
            ("schema/toolgate.schema.json", super::json_schema()),
            ("docs/config-reference.md", super::reference_markdown()),
        ] {
            let path = repo_file(file);
            if std::env::var_os("TOOLGATE_UPDATE_SCHEMA").is_some() {
                std::fs::write(&path, &current).expect("written");
                continue;
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == current,
                "{file} is stale: run `just schema` and commit it"
            );
        }
    }
}
