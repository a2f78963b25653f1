//! Redaction of logged payloads: configured field names, credential field names, the
//! secrets the gateway itself holds, and anything shaped like a bearer token or a JWT.

use std::fmt;

use serde_json::Value;

/// What a redacted value becomes.
pub const REDACTED: &str = "[redacted]";

/// Field names that always hold credentials (compared without case, `-` as `_`; an
/// argument named `{in}_{field}` such as `header_authorization` counts too).
pub const CREDENTIAL_FIELDS: &[&str] = &[
    "authorization",
    "proxy_authorization",
    "cookie",
    "set_cookie",
    "password",
    "passwd",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "bearer",
    "api_key",
    "apikey",
    "x_api_key",
    "private_key",
    "credential",
    "credentials",
];

/// Secrets shorter than this are not searched for inside strings (they would match too
/// much); fields holding them are still redacted by name.
const MIN_SECRET_LEN: usize = 6;

/// Redacts payloads before they are logged.
#[derive(Clone, Default)]
pub struct Redactor {
    fields: Vec<String>,
    secrets: Vec<String>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("fields", &self.fields)
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

fn normalise(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

impl Redactor {
    /// Redacts the [`CREDENTIAL_FIELDS`] and token-shaped strings.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Also redacts fields with these names (`logging.redact`), wherever they are nested.
    #[must_use]
    pub fn with_fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for field in fields {
            let field = normalise(field.as_ref());
            if !field.is_empty() && !self.fields.contains(&field) {
                self.fields.push(field);
            }
        }
        self
    }

    /// Also redacts these values wherever they appear inside a string: the gateway's own
    /// credentials (client secrets, API keys, upstream credentials).
    #[must_use]
    pub fn with_secrets<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for secret in secrets {
            let secret = secret.into();
            if secret.len() >= MIN_SECRET_LEN && !self.secrets.contains(&secret) {
                self.secrets.push(secret);
            }
        }
        // Longest first, so a secret containing another is replaced whole.
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        self
    }

    /// Whether a field of this name is redacted whole.
    #[must_use]
    pub fn redacts_field(&self, name: &str) -> bool {
        let name = normalise(name);
        let listed = |field: &str| {
            name == field
                || name
                    .strip_suffix(field)
                    .is_some_and(|head| head.ends_with('_'))
        };
        CREDENTIAL_FIELDS.iter().any(|f| listed(f)) || self.fields.iter().any(|f| listed(f))
    }

    /// `value` with redacted fields and secrets replaced by [`REDACTED`].
    #[must_use]
    pub fn redact(&self, value: &Value) -> Value {
        let mut value = value.clone();
        self.redact_in_place(&mut value);
        value
    }

    fn redact_in_place(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (name, field) in map.iter_mut() {
                    if self.redacts_field(name) && !field.is_null() {
                        *field = Value::String(REDACTED.to_owned());
                    } else {
                        self.redact_in_place(field);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.redact_in_place(item);
                }
            }
            Value::String(text) => {
                if let Some(clean) = self.redact_text(text) {
                    *text = clean;
                }
            }
            _ => {}
        }
    }

    /// `text` with secrets and token-shaped words replaced; `None` when nothing changed.
    /// A string holding JSON (a tool result's text content) is redacted as JSON too.
    #[must_use]
    pub fn redact_text(&self, text: &str) -> Option<String> {
        let mut out = text.to_owned();
        let mut changed = false;
        let trimmed = out.trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && let Ok(parsed) = serde_json::from_str::<Value>(&out)
        {
            let redacted = self.redact(&parsed);
            if redacted != parsed {
                out = redacted.to_string();
                changed = true;
            }
        }
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
                changed = true;
            }
        }
        if let Some(clean) = redact_tokens(&out) {
            out = clean;
            changed = true;
        }
        changed.then_some(out)
    }
}

/// Replaces JWT-shaped words (`eyJ…` with three dot-separated base64url parts) and the
/// credential after `Bearer ` / `Basic `.
fn redact_tokens(text: &str) -> Option<String> {
    let is_token =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '.' | '~' | '+' | '/');
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut previous: Option<&str> = None;
    let mut rest = text;
    while let Some(start) = rest.find(is_token) {
        let gap = &rest[..start];
        out.push_str(gap);
        let tail = &rest[start..];
        let end = tail.find(|c: char| !is_token(c)).unwrap_or(tail.len());
        let word = &tail[..end];
        let after_scheme = gap == " "
            && previous.is_some_and(|p| {
                p.eq_ignore_ascii_case("bearer") || p.eq_ignore_ascii_case("basic")
            })
            && word.len() >= 8;
        if after_scheme || is_jwt(word) {
            out.push_str(REDACTED);
            changed = true;
        } else {
            out.push_str(word);
        }
        previous = Some(word);
        rest = &tail[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

fn is_jwt(word: &str) -> bool {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=');
    let parts: Vec<&str> = word.split('.').collect();
    word.starts_with("eyJ")
        && parts.len() == 3
        && parts[..2]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(is_b64))
}

#[cfg(test)]
mod tests;
