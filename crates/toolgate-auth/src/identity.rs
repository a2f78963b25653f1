//! Who a request comes from, as the resource server established it.

use serde_json::{Map, Value};

/// How the caller authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// A JWT checked against the JWKS.
    Jwt,
    /// An opaque (or JWT) token checked by introspection.
    Introspected,
    /// An API key.
    ApiKey,
}

/// The authenticated caller, put in the request's extensions by the layer.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Identity {
    /// The token's `sub`.
    pub subject: Option<String>,
    /// The token's `iss`.
    pub issuer: Option<String>,
    /// The consumer the caller maps to (username, else id).
    pub consumer: Option<String>,
    /// That consumer's id.
    pub consumer_id: Option<String>,
    /// That consumer's custom id.
    pub consumer_custom_id: Option<String>,
    /// Consumer groups: the consumer's own and those of the groups claim.
    pub groups: Vec<String>,
    /// Scopes granted.
    pub scopes: Vec<String>,
    /// Claims selected by configuration (`forwarded_claims`), for tools to read.
    pub claims: Map<String, Value>,
    /// Headers to add to upstream calls (`claim_to_header`).
    pub upstream_headers: Vec<(String, String)>,
    /// How the caller authenticated.
    pub kind: TokenKind,
    /// The client the token was issued to (`client_id` / `azp`), when known.
    pub client_id: Option<String>,
}

impl Identity {
    /// A stable key for the caller: a session opened by one key is refused to any other.
    #[must_use]
    pub fn owner_key(&self) -> String {
        format!(
            "iss={}|sub={}|consumer={}|client={}",
            self.issuer.as_deref().unwrap_or(""),
            self.subject.as_deref().unwrap_or(""),
            self.consumer.as_deref().unwrap_or(""),
            self.client_id.as_deref().unwrap_or("")
        )
    }

    /// Whether `scope` was granted.
    #[must_use]
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The value at a claim path (`["realm_access", "roles"]`).
pub(crate) fn claim_at<'a>(claims: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = claims.get(first)?;
    for segment in rest {
        value = value.get(segment)?;
    }
    Some(value)
}

/// Claim values as strings: a string, the items of an array (or of a space-separated
/// string, for `scope`), numbers and booleans as text.
pub(crate) fn claim_strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect(),
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        _ => Vec::new(),
    }
}

/// Scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (a list, Okta and Entra).
pub(crate) fn scopes_of(claims: &Map<String, Value>) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for key in ["scope", "scp"] {
        match claims.get(key) {
            Some(Value::String(s)) => scopes.extend(s.split_whitespace().map(str::to_owned)),
            Some(value @ Value::Array(_)) => scopes.extend(claim_strings(value)),
            _ => {}
        }
    }
    scopes.dedup();
    scopes
}
