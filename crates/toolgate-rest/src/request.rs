//! Turning validated arguments into an upstream request: path segments, query pairs and
//! header values, each checked so an argument can never change where the request goes.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters is encoded, `/`, `?`, `#` and `%` included,
/// so a path argument stays one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Headers no parameter may fill: they choose the host the upstream serves (`Host`, which
/// virtual hosts route on) or the framing of the request, which the client sets.
pub(crate) const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
];

/// Whether `name` (any case) is one of [`RESERVED_HEADERS`].
pub(crate) fn is_reserved_header(name: &str) -> bool {
    RESERVED_HEADERS
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(name))
}

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

/// One value percent-encoded for a path segment: `/`, `?`, `#` and `%` included.
pub(crate) fn encode_segment_text(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// Refuses a finished path segment that would change which resource the path names: empty,
/// `.` or `..`.
pub(crate) fn check_segment(argument: &str, segment: &str) -> Result<(), ArgumentRefused> {
    match segment {
        "" => Err(ArgumentRefused {
            argument: argument.to_owned(),
            reason: "must not be empty: it fills a path segment",
        }),
        "." | ".." => Err(ArgumentRefused {
            argument: argument.to_owned(),
            reason: "must not be '.' or '..': it fills a path segment",
        }),
        _ => Ok(()),
    }
}

/// Refuses CR, LF and other control characters in a header value (header injection).
pub(crate) fn check_header_text(argument: &str, text: &str) -> Result<(), ArgumentRefused> {
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
    Ok(())
}

#[cfg(test)]
mod tests;
