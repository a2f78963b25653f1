//! Turning validated arguments into an upstream request: path segments, query pairs and
//! header values, each checked so an argument can never change where the request goes.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Everything but RFC 3986 unreserved characters is encoded, `/`, `?`, `#` and `%` included,
/// so a path argument stays one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A piece of a path template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PathPart {
    /// Text kept as written.
    Literal(String),
    /// A `{name}` placeholder filled from an argument.
    Param(String),
}

/// Splits `/pets/{id}/toys` into literals and placeholders.
///
/// # Errors
/// A reason when a brace is unbalanced or a placeholder is empty.
pub(crate) fn parse_path_template(path: &str) -> Result<Vec<PathPart>, String> {
    let mut parts = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        if rest[..open].contains('}') {
            return Err(format!("unbalanced '}}' in path '{path}'"));
        }
        if open > 0 {
            parts.push(PathPart::Literal(rest[..open].to_owned()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed '{{' in path '{path}'"))?;
        let name = &after[..close];
        if name.is_empty() || name.contains('{') {
            return Err(format!("empty or nested placeholder in path '{path}'"));
        }
        parts.push(PathPart::Param(name.to_owned()));
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("unbalanced '}}' in path '{path}'"));
    }
    if !rest.is_empty() {
        parts.push(PathPart::Literal(rest.to_owned()));
    }
    Ok(parts)
}

/// Why an argument value was refused before any request was made.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ArgumentRefused {
    pub(crate) argument: String,
    pub(crate) reason: &'static str,
}

/// The text of a scalar or array argument for a path segment or header: arrays are
/// comma-joined (OpenAPI's `simple` style), objects are JSON text.
pub(crate) fn simple_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(simple_text).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The query values of an argument: arrays repeat the key (`form`, `explode: true`).
pub(crate) fn query_values(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(simple_text).collect(),
        Value::Null => Vec::new(),
        other => vec![simple_text(other)],
    }
}

/// One path segment, percent-encoded; `.`, `..` and empty values are refused because they
/// would change which resource the path names.
pub(crate) fn encode_segment(argument: &str, value: &Value) -> Result<String, ArgumentRefused> {
    let text = simple_text(value);
    if text.is_empty() {
        return Err(ArgumentRefused {
            argument: argument.to_owned(),
            reason: "must not be empty: it fills a path segment",
        });
    }
    if text == "." || text == ".." {
        return Err(ArgumentRefused {
            argument: argument.to_owned(),
            reason: "must not be '.' or '..': it fills a path segment",
        });
    }
    Ok(utf8_percent_encode(&text, SEGMENT).to_string())
}

/// A header value; CR, LF and other control characters are refused (header injection).
pub(crate) fn header_text(argument: &str, value: &Value) -> Result<String, ArgumentRefused> {
    let text = simple_text(value);
    if text.chars().any(|c| c == '\r' || c == '\n') {
        return Err(ArgumentRefused {
            argument: argument.to_owned(),
            reason: "must not contain CR or LF characters",
        });
    }
    if text.chars().any(|c| c.is_control() && c != '\t') {
        return Err(ArgumentRefused {
            argument: argument.to_owned(),
            reason: "must not contain control characters",
        });
    }
    Ok(text)
}

#[cfg(test)]
mod tests;
