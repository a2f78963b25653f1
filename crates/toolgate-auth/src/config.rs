//! What a resource server is configured with. Field names follow Kong's `ai-mcp-oauth2`
//! plugin where the concept is the same.

use std::time::Duration;

use jsonwebtoken::Algorithm;
use url::Url;

use crate::{ConfigError, ConsumerStore, SecretString};

/// How the resource server authenticates itself to the introspection endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth {
    /// HTTP Basic with the client id and secret (RFC 6749 §2.3.1).
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// `client_id` only.
    None,
}

impl std::str::FromStr for ClientAuth {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "client_secret_basic" | "basic" => Ok(Self::ClientSecretBasic),
            "client_secret_post" | "post" => Ok(Self::ClientSecretPost),
            "none" => Ok(Self::None),
            other => Err(format!(
                "'{other}' is not a client authentication method (client_secret_basic, client_secret_post, none)"
            )),
        }
    }
}

/// RFC 7662 introspection settings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct IntrospectionConfig {
    /// The introspection endpoint; discovered from the authorization server when absent.
    pub endpoint: Option<Url>,
    /// The resource server's client id.
    pub client_id: String,
    /// Its secret (not for `ClientAuth::None`).
    pub client_secret: Option<SecretString>,
    /// How it authenticates.
    pub client_auth: ClientAuth,
    /// Whether answers are cached (keyed by a hash of the token).
    pub cache: bool,
    /// Longest time an active answer is cached (also bounded by the token's `exp`).
    pub cache_ttl: Duration,
    /// How long an inactive answer is cached.
    pub negative_cache_ttl: Duration,
}

impl IntrospectionConfig {
    /// Introspection as `client_id` with `client_secret` (HTTP Basic).
    #[must_use]
    pub fn new(client_id: impl Into<String>, client_secret: Option<SecretString>) -> Self {
        Self {
            endpoint: None,
            client_id: client_id.into(),
            client_secret,
            client_auth: ClientAuth::ClientSecretBasic,
            cache: true,
            cache_ttl: Duration::from_secs(300),
            negative_cache_ttl: Duration::from_secs(10),
        }
    }

    /// The endpoint, instead of discovering it.
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: Url) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// The client authentication method.
    #[must_use]
    pub fn with_client_auth(mut self, auth: ClientAuth) -> Self {
        self.client_auth = auth;
        self
    }
}

/// Which consumer field a claim value is compared with (Kong's `consumer_by`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConsumerRef {
    /// The consumer's username.
    Username,
    /// The consumer's custom id.
    CustomId,
    /// The consumer's id.
    Id,
}

/// Mapping tokens to consumers (Kong's `consumer_claim`, `consumer_by`, `consumer_optional`,
/// `consumer_groups_claim`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConsumerMapping {
    /// The claim path holding the consumer reference (`["sub"]`, `["ext", "user"]`).
    pub claim: Vec<String>,
    /// Consumer fields tried in order.
    pub by: Vec<ConsumerRef>,
    /// Whether a token that maps to no consumer is still accepted.
    pub optional: bool,
    /// The claim path holding group names, added to the consumer's groups.
    pub groups_claim: Option<Vec<String>>,
}

impl Default for ConsumerMapping {
    fn default() -> Self {
        Self {
            claim: vec!["sub".to_owned()],
            by: vec![ConsumerRef::Username, ConsumerRef::CustomId],
            optional: true,
            groups_claim: None,
        }
    }
}

/// A claim sent upstream as a header (Kong's `claim_to_header`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClaimToHeader {
    /// The claim path (`["email"]`, `["realm_access", "roles"]`).
    pub claim: Vec<String>,
    /// The header name.
    pub header: String,
}

impl ClaimToHeader {
    /// `claim` (dots separate path segments) sent as `header`.
    #[must_use]
    pub fn new(claim: &str, header: impl Into<String>) -> Self {
        Self {
            claim: claim.split('.').map(str::to_owned).collect(),
            header: header.into(),
        }
    }
}

/// API keys (Kong's `key-auth`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiKeyConfig {
    /// Headers a key is read from (default `apikey`).
    pub header_names: Vec<String>,
    /// Whether a valid key alone authenticates a request (no token needed). Otherwise a key
    /// only identifies the consumer beside a valid token.
    pub sufficient: bool,
}

impl Default for ApiKeyConfig {
    fn default() -> Self {
        Self {
            header_names: vec!["apikey".to_owned()],
            sufficient: true,
        }
    }
}

/// Everything one protected resource is configured with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ResourceServerConfig {
    /// The resource identifier: the endpoint's URL as clients use it. Tokens must name it in
    /// `aud`; challenges and PRM are built from it, never from `Host`.
    pub resource: Url,
    /// Authorization servers (issuers) whose tokens are accepted.
    pub authorization_servers: Vec<Url>,
    /// Where the JWKS is; discovered from the authorization servers when absent.
    pub jwks_uri: Option<Url>,
    /// How long fetched keys are used before they are fetched again.
    pub jwks_cache_ttl: Duration,
    /// Signature algorithms accepted (never `none`, never HMAC).
    pub algorithms: Vec<Algorithm>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`.
    pub jwt_claims_leeway: Duration,
    /// Opaque-token introspection; also used for JWTs when no JWKS can be had.
    pub introspection: Option<IntrospectionConfig>,
    /// Scopes every request needs.
    pub required_scopes: Vec<String>,
    /// Scopes advertised in the PRM (default: the required ones).
    pub scopes_supported: Vec<String>,
    /// Scopes needed to call particular tools, by tool name: a `tools/call` without them is
    /// answered 403 `insufficient_scope` naming them, so the client can step up.
    pub tool_scopes: std::collections::HashMap<String, Vec<String>>,
    /// Largest request body inspected for `tools/call` when `tool_scopes` is set.
    pub max_inspected_body_bytes: usize,
    /// Accept tokens whose `aud` does not name the resource (for IdPs without RFC 8707).
    pub insecure_relaxed_audience_validation: bool,
    /// Path of the PRM document (default: `/.well-known/oauth-protected-resource` followed by
    /// the resource's path).
    pub metadata_endpoint: Option<String>,
    /// `resource_name` in the PRM.
    pub resource_name: Option<String>,
    /// `resource_documentation` in the PRM.
    pub resource_documentation: Option<Url>,
    /// Consumers, groups and API keys.
    pub consumers: ConsumerStore,
    /// How tokens map to consumers.
    pub consumer_mapping: ConsumerMapping,
    /// API key settings; `None` disables API keys.
    pub api_keys: Option<ApiKeyConfig>,
    /// Claims sent upstream as headers.
    pub claim_to_header: Vec<ClaimToHeader>,
    /// Claims copied into the identity for tools to read.
    pub forwarded_claims: Vec<String>,
    /// Whether the inbound `Authorization` header is left on the request (default false: it
    /// is removed, so no code behind the layer can forward it).
    pub passthrough_credentials: bool,
    /// Verify TLS certificates of the authorization server (default true).
    pub ssl_verify: bool,
    /// Extra CA certificates (PEM) trusted for the authorization server.
    pub ca_bundle: Option<Vec<u8>>,
    /// Timeout of each call to the authorization server.
    pub http_timeout: Duration,
    /// Largest accepted token, in bytes.
    pub max_token_bytes: usize,
}

impl ResourceServerConfig {
    /// A resource server for `resource` trusting tokens of `authorization_servers`.
    #[must_use]
    pub fn new(resource: Url, authorization_servers: Vec<Url>) -> Self {
        Self {
            resource,
            authorization_servers,
            jwks_uri: None,
            jwks_cache_ttl: Duration::from_secs(3600),
            algorithms: vec![
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
                Algorithm::ES256,
                Algorithm::ES384,
                Algorithm::EdDSA,
            ],
            jwt_claims_leeway: Duration::from_secs(30),
            introspection: None,
            required_scopes: Vec::new(),
            scopes_supported: Vec::new(),
            tool_scopes: std::collections::HashMap::new(),
            max_inspected_body_bytes: 4 * 1024 * 1024,
            insecure_relaxed_audience_validation: false,
            metadata_endpoint: None,
            resource_name: None,
            resource_documentation: None,
            consumers: ConsumerStore::default(),
            consumer_mapping: ConsumerMapping::default(),
            api_keys: None,
            claim_to_header: Vec::new(),
            forwarded_claims: Vec::new(),
            passthrough_credentials: false,
            ssl_verify: true,
            ca_bundle: None,
            http_timeout: Duration::from_secs(10),
            max_token_bytes: 16 * 1024,
        }
    }

    /// Checks the configuration as a whole.
    ///
    /// # Errors
    /// [`ConfigError`] naming the field and the problem.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field: &'static str, reason: String| ConfigError { field, reason };
        if !matches!(self.resource.scheme(), "http" | "https") {
            return Err(invalid(
                "resource",
                format!("'{}' must be an http or https URL", self.resource),
            ));
        }
        if self.resource.fragment().is_some() {
            return Err(invalid(
                "resource",
                "must not have a fragment (RFC 8707)".into(),
            ));
        }
        if self.authorization_servers.is_empty() && self.api_keys.is_none() {
            return Err(invalid(
                "authorization_servers",
                "at least one authorization server is required".into(),
            ));
        }
        for server in &self.authorization_servers {
            if !matches!(server.scheme(), "http" | "https") {
                return Err(invalid(
                    "authorization_servers",
                    format!("'{server}' must be an http or https URL"),
                ));
            }
        }
        if self
            .algorithms
            .iter()
            .any(|a| matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
        {
            return Err(invalid(
                "algorithms",
                "HMAC algorithms are not accepted: a resource server holds no shared secret".into(),
            ));
        }
        if let Some(introspection) = &self.introspection
            && introspection.client_auth != ClientAuth::None
            && introspection.client_secret.is_none()
        {
            return Err(invalid(
                "client_secret",
                "introspection with client_secret_basic or client_secret_post needs a client secret".into(),
            ));
        }
        if let Some(path) = &self.metadata_endpoint
            && !path.starts_with('/')
        {
            return Err(invalid(
                "metadata_endpoint",
                format!("'{path}' must be a path starting with '/'"),
            ));
        }
        for mapping in &self.claim_to_header {
            if http::HeaderName::from_bytes(mapping.header.as_bytes()).is_err() {
                return Err(invalid(
                    "claim_to_header",
                    format!("'{}' is not a valid header name", mapping.header),
                ));
            }
        }
        Ok(())
    }

    /// The path the PRM document is served at.
    #[must_use]
    pub fn metadata_path(&self) -> String {
        self.metadata_endpoint.clone().unwrap_or_else(|| {
            let path = self.resource.path().trim_end_matches('/');
            format!("/.well-known/oauth-protected-resource{path}")
        })
    }

    /// The absolute URL of the PRM document, built from `resource` (never from `Host`).
    #[must_use]
    pub fn metadata_url(&self) -> String {
        let mut url = self.resource.clone();
        url.set_path(&self.metadata_path());
        url.set_query(None);
        url.set_fragment(None);
        url.to_string()
    }
}
