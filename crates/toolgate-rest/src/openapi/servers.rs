//! Server URLs of OpenAPI documents: the first `servers` entry, its variables substituted in
//! one bounded pass, relative URLs resolved against the document's URL.

use serde_json::Value;
use url::Url;

use super::{OpenApiDocument, OpenApiError, document::display};

/// The base URL from `holder.servers[0]`, variables at their defaults; relative URLs resolve
/// against the document's URL.
pub(crate) fn server_url(
    document: &OpenApiDocument,
    holder: &Value,
    pointer: &str,
) -> Result<Url, OpenApiError> {
    let invalid = |at: String, reason: String| OpenApiError::Invalid {
        origin: document.origin(),
        pointer: at,
        reason,
    };
    let server = holder
        .get("servers")
        .and_then(Value::as_array)
        .and_then(|s| s.first());
    let at = format!("{pointer}/servers/0/url");
    let mut text = match server {
        Some(server) => server
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(at.clone(), "must be a string".into()))?
            .to_owned(),
        None => "/".to_owned(),
    };
    if let Some(Value::Object(variables)) = server.and_then(|s| s.get("variables")) {
        text = substitute_variables(&text, variables)
            .map_err(|reason| invalid(format!("{pointer}/servers/0/variables"), reason))?;
    }
    if text.contains('{') {
        return Err(invalid(
            at,
            format!("'{text}' has a variable with no definition"),
        ));
    }
    if let Ok(url) = Url::parse(&text) {
        return if matches!(url.scheme(), "http" | "https") {
            Ok(url)
        } else {
            Err(invalid(
                at,
                format!("'{text}' must be an http or https URL"),
            ))
        };
    }
    if document.located && matches!(document.url.scheme(), "http" | "https") {
        return document
            .url
            .join(&text)
            .map_err(|e| invalid(at, format!("'{text}' cannot be resolved: {e}")));
    }
    Err(invalid(
        at,
        format!(
            "the server URL '{text}' is relative and {} was not loaded from an http(s) URL; set a base URL",
            display(&document.url)
        ),
    ))
}

/// Longest server URL produced from a template.
const MAX_SERVER_URL_LEN: usize = 2048;

/// `{name}` placeholders replaced by their defaults in one pass over the template: text a
/// default inserts is never scanned again, and the result is bounded.
pub(crate) fn substitute_variables(
    template: &str,
    variables: &serde_json::Map<String, Value>,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &after[..close];
        match variables.get(name) {
            Some(variable) => {
                let default = variable
                    .get("default")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("variable '{name}' has no default"))?;
                out.push_str(default);
            }
            None => out.push_str(&rest[open..=open + 1 + close]),
        }
        if out.len() > MAX_SERVER_URL_LEN {
            return Err(format!(
                "the server URL grows past {MAX_SERVER_URL_LEN} characters"
            ));
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    if out.len() > MAX_SERVER_URL_LEN {
        return Err(format!(
            "the server URL grows past {MAX_SERVER_URL_LEN} characters"
        ));
    }
    Ok(out)
}
