//! OpenAPI parameter serialization: how a JSON argument becomes query pairs, a path segment,
//! a header value or a cookie, by the parameter's `style` and `explode`.
//!
//! | location | default style | styles |
//! | --- | --- | --- |
//! | query | `form`, explode | `form`, `spaceDelimited`, `pipeDelimited`, `deepObject` |
//! | path | `simple` | `simple`, `label`, `matrix` |
//! | header | `simple` | `simple` |
//! | cookie | `form`, explode | `form` |

use serde_json::Value;

use crate::ParameterLocation;

/// A serialization style (OpenAPI 3 `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    Simple,
    Label,
    Matrix,
}

impl Style {
    /// The style named in a document, if `location` allows it.
    pub(crate) fn parse(name: &str, location: ParameterLocation) -> Option<Self> {
        let style = match name {
            "form" => Self::Form,
            "spaceDelimited" => Self::SpaceDelimited,
            "pipeDelimited" => Self::PipeDelimited,
            "deepObject" => Self::DeepObject,
            "simple" => Self::Simple,
            "label" => Self::Label,
            "matrix" => Self::Matrix,
            _ => return None,
        };
        let allowed = match location {
            ParameterLocation::Query => matches!(
                style,
                Self::Form | Self::SpaceDelimited | Self::PipeDelimited | Self::DeepObject
            ),
            ParameterLocation::Path => matches!(style, Self::Simple | Self::Label | Self::Matrix),
            ParameterLocation::Header => style == Self::Simple,
            ParameterLocation::Cookie => style == Self::Form,
        };
        allowed.then_some(style)
    }

    /// The default style of a location.
    pub(crate) fn default_for(location: ParameterLocation) -> Self {
        match location {
            ParameterLocation::Query | ParameterLocation::Cookie => Self::Form,
            ParameterLocation::Path | ParameterLocation::Header => Self::Simple,
        }
    }

    /// The default `explode` of a style: true for `form`, false otherwise.
    pub(crate) fn default_explode(self) -> bool {
        self == Self::Form
    }
}

/// Text of a scalar; `null` is empty.
pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A value's pieces: `[("", v)]` for a scalar, `[("", a), ("", b)]` for an array,
/// `[(k, v)…]` for an object. Nested structures are JSON text.
fn pieces(value: &Value) -> Vec<(String, String)> {
    let nested = |v: &Value| match v {
        Value::Array(_) | Value::Object(_) => v.to_string(),
        other => scalar_text(other),
    };
    match value {
        Value::Array(items) => items.iter().map(|v| (String::new(), nested(v))).collect(),
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), nested(v))).collect(),
        other => vec![(String::new(), scalar_text(other))],
    }
}

/// Query pairs (unencoded; the URL encoder encodes them) for parameter `name`.
pub(crate) fn query_pairs(
    name: &str,
    value: &Value,
    style: Style,
    explode: bool,
) -> Vec<(String, String)> {
    if value.is_null() {
        return Vec::new();
    }
    let parts = pieces(value);
    match (value, style) {
        (Value::Object(_), Style::DeepObject) => parts
            .into_iter()
            .map(|(k, v)| (format!("{name}[{k}]"), v))
            .collect(),
        (Value::Object(_), _) if explode => parts,
        (Value::Object(_), _) => vec![(
            name.to_owned(),
            parts
                .into_iter()
                .flat_map(|(k, v)| [k, v])
                .collect::<Vec<_>>()
                .join(","),
        )],
        (Value::Array(_), Style::SpaceDelimited) => {
            vec![(name.to_owned(), join_values(parts, " "))]
        }
        (Value::Array(_), Style::PipeDelimited) => vec![(name.to_owned(), join_values(parts, "|"))],
        (Value::Array(_), _) if explode => parts
            .into_iter()
            .map(|(_, v)| (name.to_owned(), v))
            .collect(),
        (Value::Array(_), _) => vec![(name.to_owned(), join_values(parts, ","))],
        _ => parts
            .into_iter()
            .map(|(_, v)| (name.to_owned(), v))
            .collect(),
    }
}

fn join_values(parts: Vec<(String, String)>, separator: &str) -> String {
    parts
        .into_iter()
        .map(|(_, v)| v)
        .collect::<Vec<_>>()
        .join(separator)
}

/// A path segment's text for `simple`, `label` or `matrix`, each value encoded by `encode`
/// (which must keep it inside one segment); the separators are added raw.
pub(crate) fn path_text(
    name: &str,
    value: &Value,
    style: Style,
    explode: bool,
    encode: impl Fn(&str) -> String,
) -> String {
    let parts = pieces(value);
    let is_object = value.is_object();
    let items: Vec<String> = if is_object && explode {
        parts
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect()
    } else if is_object {
        parts
            .iter()
            .flat_map(|(k, v)| [encode(k), encode(v)])
            .collect()
    } else {
        parts.iter().map(|(_, v)| encode(v)).collect()
    };
    match style {
        Style::Label => {
            let separator = if explode { "." } else { "," };
            format!(".{}", items.join(separator))
        }
        Style::Matrix if explode && value.is_array() => {
            items.iter().map(|v| format!(";{name}={v}")).collect()
        }
        Style::Matrix if explode && is_object => format!(";{}", items.join(";")),
        Style::Matrix => format!(";{name}={}", items.join(",")),
        _ => items.join(","),
    }
}

/// A header value (`simple`): arrays comma-joined, objects `k,v,…` or `k=v,…` with explode.
pub(crate) fn header_text(value: &Value, explode: bool) -> String {
    let parts = pieces(value);
    if value.is_object() {
        if explode {
            parts
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            parts
                .into_iter()
                .flat_map(|(k, v)| [k, v])
                .collect::<Vec<_>>()
                .join(",")
        }
    } else {
        join_values(parts, ",")
    }
}

/// Cookie pairs (`form`): arrays repeat the name with explode, comma-join without.
pub(crate) fn cookie_pairs(name: &str, value: &Value, explode: bool) -> Vec<(String, String)> {
    if value.is_null() {
        return Vec::new();
    }
    let parts = pieces(value);
    match value {
        Value::Object(_) if explode => parts,
        Value::Object(_) => vec![(
            name.to_owned(),
            parts
                .into_iter()
                .flat_map(|(k, v)| [k, v])
                .collect::<Vec<_>>()
                .join(","),
        )],
        Value::Array(_) if explode => parts
            .into_iter()
            .map(|(_, v)| (name.to_owned(), v))
            .collect(),
        _ => vec![(name.to_owned(), join_values(parts, ","))],
    }
}

/// `application/x-www-form-urlencoded` pairs of a body object: arrays repeat the key,
/// nested objects are JSON text.
pub(crate) fn form_pairs(body: &Value) -> Vec<(String, String)> {
    match body {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, value)| match value {
                Value::Array(items) => items
                    .iter()
                    .map(|item| (key.clone(), scalar_or_json(item)))
                    .collect::<Vec<_>>(),
                Value::Null => Vec::new(),
                other => vec![(key.clone(), scalar_or_json(other))],
            })
            .collect(),
        Value::Null => Vec::new(),
        other => vec![("body".to_owned(), scalar_or_json(other))],
    }
}

fn scalar_or_json(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => value.to_string(),
        other => scalar_text(other),
    }
}

#[cfg(test)]
mod tests;
