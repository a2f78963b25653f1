//! [`ResourceServer`]: everything needed to decide on one request, shared by the layer and
//! the PRM routes.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use http::{HeaderMap, header};
use serde_json::{Map, Value};
use toolgate_telemetry::Metrics;
use url::Url;

use crate::{
    AuthError, Challenge, ConfigError, Identity, ProtectedResourceMetadata, ResourceServerConfig,
    TokenKind,
    cache::{ExpiringCache, hash_token},
    discovery::Discovery,
    http_client,
    identity::{claim_at, claim_strings, scopes_of},
    introspection::Introspector,
    jwt::{self, JwksCache, KeyError, audience_variants, issuer_variants},
    sessions::SessionBindings,
};

/// Longest claim value sent upstream as a header.
const MAX_HEADER_VALUE_BYTES: usize = 4096;

/// A configured resource server. Build once, share with `Arc`.
#[derive(Debug)]
pub struct ResourceServer {
    config: ResourceServerConfig,
    client: reqwest::Client,
    challenge: Challenge,
    jwks: Option<Arc<JwksCache>>,
    discovered_jwks: Mutex<HashMap<Url, Arc<JwksCache>>>,
    discovery: Vec<Discovery>,
    introspector: Option<Introspector>,
    /// JWTs already verified, by token hash, until their `exp` (at most five minutes): the
    /// signature check is the costliest step and a client sends one token many times.
    verified: ExpiringCache<(u64, Arc<Map<String, Value>>)>,
    /// Bumped when any JWKS changes: verifications made with other keys no longer count.
    key_epoch: Arc<AtomicU64>,
    pub(crate) sessions: SessionBindings,
    /// Where refusals and cache use are counted, and the endpoint they are counted for.
    pub(crate) metrics: Option<(Metrics, String)>,
}

/// Longest a verified JWT is remembered.
const VERIFIED_JWT_TTL: std::time::Duration = std::time::Duration::from_secs(300);
/// Most verified JWTs remembered.
const VERIFIED_JWT_CAPACITY: usize = 100_000;

impl ResourceServer {
    /// Checks `config` and prepares the HTTP client and caches.
    ///
    /// # Errors
    /// [`ConfigError`] naming the field at fault.
    pub fn new(config: ResourceServerConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let client = http_client::build(&config)?;
        let challenge = Challenge::new(config.metadata_url(), config.required_scopes.clone());
        let key_epoch = Arc::new(AtomicU64::new(0));
        let jwks = config.jwks_uri.clone().map(|uri| {
            Arc::new(JwksCache::new(
                uri,
                config.jwks_cache_ttl,
                Arc::clone(&key_epoch),
            ))
        });
        let discovery = config
            .authorization_servers
            .iter()
            .cloned()
            .map(Discovery::new)
            .collect();
        let introspector = config.introspection.clone().map(Introspector::new);
        Ok(Self {
            config,
            client,
            challenge,
            jwks,
            discovered_jwks: Mutex::new(HashMap::new()),
            discovery,
            introspector,
            verified: ExpiringCache::new(VERIFIED_JWT_CAPACITY),
            key_epoch,
            sessions: SessionBindings::default(),
            metrics: None,
        })
    }

    /// Binds sessions in `bindings` (shared with the server this one replaces) instead of a
    /// table of its own.
    #[must_use]
    pub fn with_session_bindings(mut self, bindings: SessionBindings) -> Self {
        self.sessions = bindings;
        self
    }

    /// The table binding this server's sessions to their openers.
    #[must_use]
    pub fn session_bindings(&self) -> SessionBindings {
        self.sessions.clone()
    }

    /// Counts refusals (by [`AuthError::reason`]) and JWT and introspection cache use in
    /// `metrics`, labelled with `endpoint`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: Metrics, endpoint: impl Into<String>) -> Self {
        self.metrics = Some((metrics, endpoint.into()));
        self
    }

    /// Counts a refusal.
    pub(crate) fn count_refusal(&self, error: &AuthError) {
        if let Some((metrics, endpoint)) = &self.metrics {
            metrics.auth_failure(endpoint, error.reason());
        }
    }

    /// Whether the authorization servers can be reached now: every configured JWKS, and
    /// each issuer's metadata (RFC 8414 / OpenID discovery) with the JWKS it names. Fetched
    /// afresh, bypassing the caches; used by readiness checks. A profile without
    /// authorization servers (API keys only) is always ready.
    ///
    /// # Errors
    /// What could not be reached, one line per failure (no credentials in it).
    pub async fn check_authorization_servers(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if let Some(uri) = &self.config.jwks_uri
            && let Err(error) = http_client::get_json(&self.client, uri).await
        {
            problems.push(format!("JWKS {uri}: {error}"));
        }
        for discovery in &self.discovery {
            match discovery.fetch_now(&self.client).await {
                Ok(metadata) => {
                    if self.config.jwks_uri.is_none()
                        && let Some(uri) = metadata.jwks_uri
                        && let Err(error) = http_client::get_json(&self.client, &uri).await
                    {
                        problems.push(format!("JWKS {uri}: {error}"));
                    }
                }
                Err(error) => problems.push(format!(
                    "authorization server {}: {error}",
                    discovery.issuer()
                )),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &ResourceServerConfig {
        &self.config
    }

    /// Builds refusals for this resource.
    #[must_use]
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// The RFC 9728 document of this resource.
    #[must_use]
    pub fn metadata(&self) -> ProtectedResourceMetadata {
        ProtectedResourceMetadata::of(&self.config)
    }

    /// Decides on a request from its head: the caller's identity, or why it is refused.
    ///
    /// # Errors
    /// [`AuthError`]; [`Challenge::response`] turns it into the answer.
    pub async fn authenticate(&self, parts: &http::request::Parts) -> Result<Identity, AuthError> {
        if let Some(query) = parts.uri.query()
            && url::form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == "access_token")
        {
            return Err(AuthError::InvalidRequest(
                "access token in the query string".to_owned(),
            ));
        }
        let key_consumer = self.api_key_consumer(&parts.headers)?;
        if let Some(consumer) = &key_consumer
            && self.config.api_keys.as_ref().is_some_and(|k| k.sufficient)
        {
            return Ok(Identity {
                subject: None,
                issuer: None,
                consumer: Some(consumer.name().to_owned()),
                consumer_id: Some(consumer.id.clone()),
                consumer_custom_id: consumer.custom_id.clone(),
                groups: consumer.groups.clone(),
                scopes: Vec::new(),
                claims: Map::new(),
                upstream_headers: Vec::new(),
                kind: TokenKind::ApiKey,
                client_id: None,
            });
        }
        if self.config.authorization_servers.is_empty() {
            return Err(AuthError::MissingToken);
        }
        let token = bearer_token(&parts.headers, self.config.max_token_bytes)?;
        let (claims, kind) = self.validate(token).await?;
        let mut identity = self.identity(&claims, kind)?;
        if let Some(consumer) = key_consumer {
            identity.consumer = Some(consumer.name().to_owned());
            identity.consumer_id = Some(consumer.id.clone());
            identity.consumer_custom_id.clone_from(&consumer.custom_id);
            for group in &consumer.groups {
                if !identity.groups.contains(group) {
                    identity.groups.push(group.clone());
                }
            }
        }
        let missing: Vec<String> = self
            .config
            .required_scopes
            .iter()
            .filter(|scope| !identity.has_scope(scope))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(AuthError::InsufficientScope {
                required: self.config.required_scopes.clone(),
            });
        }
        Ok(identity)
    }

    fn api_key_consumer(&self, headers: &HeaderMap) -> Result<Option<crate::Consumer>, AuthError> {
        let Some(keys) = &self.config.api_keys else {
            return Ok(None);
        };
        for name in &keys.header_names {
            if let Some(value) = headers.get(name.as_str()) {
                let presented = value
                    .to_str()
                    .map_err(|_| AuthError::InvalidRequest("the API key is not text".to_owned()))?;
                return match self.config.consumers.by_key(presented) {
                    Some(consumer) => Ok(Some(consumer.clone())),
                    None => Err(AuthError::InvalidToken("unknown API key".to_owned())),
                };
            }
        }
        Ok(None)
    }

    /// Signature or introspection, then the claims every token must satisfy.
    async fn validate(&self, token: &str) -> Result<(Map<String, Value>, TokenKind), AuthError> {
        let hash = hash_token(token);
        let epoch = self.key_epoch.load(Ordering::Relaxed);
        // Only JWT-shaped tokens can be in the verified cache.
        let jwt_shaped = token.bytes().filter(|&b| b == b'.').count() == 2;
        if jwt_shaped
            && let Some((verified_at, claims)) = self.verified.get(&hash)
            && verified_at == epoch
        {
            self.count_cache(true, false);
            return Ok(((*claims).clone(), TokenKind::Jwt));
        }
        if let Some(header) = jwt::header_of(token)
            && let Some(keys) = self.jwks_for(token).await?
        {
            let key = keys
                .key(&self.client, header.kid.as_deref())
                .await
                .map_err(|error| match error {
                    KeyError::Unavailable(reason) => AuthError::Unavailable(reason),
                    KeyError::Unknown(reason) => AuthError::InvalidToken(reason),
                })?;
            self.count_cache(true, true);
            let claims = jwt::verify(token, &header, &key, &self.config)?;
            let remaining = claims
                .get("exp")
                .and_then(Value::as_u64)
                .map_or(std::time::Duration::ZERO, |exp| {
                    std::time::Duration::from_secs(exp.saturating_sub(jwt::now()))
                });
            self.verified.insert(
                hash,
                (epoch, Arc::new(claims.clone())),
                remaining.min(VERIFIED_JWT_TTL),
            );
            return Ok((claims, TokenKind::Jwt));
        }
        let Some(introspector) = &self.introspector else {
            return Err(AuthError::InvalidToken(
                "not a JWT this server can verify, and no introspection is configured".to_owned(),
            ));
        };
        let endpoint = match introspector.configured_endpoint() {
            Some(endpoint) => endpoint.clone(),
            None => self.discovered_introspection_endpoint().await?,
        };
        let (answer, cached) = introspector
            .introspect(&self.client, &endpoint, token, hash)
            .await;
        if let Some(cached) = cached {
            self.count_cache(false, !cached);
        }
        let claims = answer?;
        let claims = (*claims).clone();
        self.check_introspected(&claims)?;
        Ok((claims, TokenKind::Introspected))
    }

    /// Where the keys for this JWT come from: the configured JWKS, else the JWKS its issuer's
    /// metadata names. `None` sends the token to introspection: the issuer publishes no JWKS,
    /// or its metadata cannot be read while an introspection endpoint is configured.
    async fn jwks_for(&self, token: &str) -> Result<Option<Arc<JwksCache>>, AuthError> {
        if let Some(jwks) = &self.jwks {
            return Ok(Some(Arc::clone(jwks)));
        }
        let introspection_configured = self
            .introspector
            .as_ref()
            .is_some_and(|i| i.configured_endpoint().is_some());
        let issuer = jwt::unverified_issuer(token).unwrap_or_default();
        let Some(discovery) = self
            .discovery
            .iter()
            .find(|d| issuer_variants(std::slice::from_ref(d.issuer())).contains(&issuer))
        else {
            if introspection_configured {
                return Ok(None);
            }
            return Err(AuthError::InvalidToken(format!(
                "issuer '{issuer}' is not a configured authorization server"
            )));
        };
        let metadata = match discovery.metadata(&self.client).await {
            Ok(metadata) => metadata,
            Err(_) if introspection_configured => return Ok(None),
            Err(error) => return Err(AuthError::Unavailable(error)),
        };
        let Some(uri) = metadata.jwks_uri else {
            return Ok(None);
        };
        let mut caches = self
            .discovered_jwks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cache = caches.entry(uri.clone()).or_insert_with(|| {
            Arc::new(JwksCache::new(
                uri,
                self.config.jwks_cache_ttl,
                Arc::clone(&self.key_epoch),
            ))
        });
        Ok(Some(Arc::clone(cache)))
    }

    /// Counts a JWT (`jwt`) or introspection cache lookup: a hit unless `miss`.
    fn count_cache(&self, jwt: bool, miss: bool) {
        if let Some((metrics, endpoint)) = &self.metrics {
            if jwt {
                metrics.jwt_cache(endpoint, !miss);
            } else {
                metrics.introspection_cache(endpoint, !miss);
            }
        }
    }

    async fn discovered_introspection_endpoint(&self) -> Result<Url, AuthError> {
        let mut last_error = None;
        for discovery in &self.discovery {
            match discovery.metadata(&self.client).await {
                Ok(metadata) => {
                    if let Some(endpoint) = metadata.introspection_endpoint {
                        return Ok(endpoint);
                    }
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(match last_error {
            Some(error) => AuthError::Unavailable(error),
            None => {
                AuthError::InvalidToken("no authorization server offers introspection".to_owned())
            }
        })
    }

    /// Issuer, audience and time checks for an introspection answer.
    fn check_introspected(&self, claims: &Map<String, Value>) -> Result<(), AuthError> {
        if let Some(issuer) = claims.get("iss").and_then(Value::as_str)
            && !issuer_variants(&self.config.authorization_servers)
                .iter()
                .any(|i| i == issuer)
        {
            return Err(AuthError::InvalidToken(
                "issuer is not a configured authorization server".to_owned(),
            ));
        }
        if let Some(nbf) = claims.get("nbf").and_then(Value::as_u64)
            && nbf > jwt::now().saturating_add(self.config.jwt_claims_leeway.as_secs())
        {
            return Err(AuthError::InvalidToken("not valid yet (nbf)".to_owned()));
        }
        if !self.config.insecure_relaxed_audience_validation {
            let audiences = claims.get("aud").map(claim_strings).unwrap_or_default();
            let expected = audience_variants(&self.config.resource);
            if !audiences.iter().any(|a| expected.contains(a)) {
                return Err(AuthError::InvalidToken(
                    "audience does not name this resource".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// The identity of validated claims: consumer mapping, groups, scopes, forwarded claims
    /// and claim headers.
    fn identity(
        &self,
        claims: &Map<String, Value>,
        kind: TokenKind,
    ) -> Result<Identity, AuthError> {
        let mapping = &self.config.consumer_mapping;
        let reference =
            claim_at(claims, &mapping.claim).and_then(|v| claim_strings(v).into_iter().next());
        let consumer = reference.as_deref().and_then(|value| {
            mapping
                .by
                .iter()
                .find_map(|by| self.config.consumers.find(*by, value))
        });
        if consumer.is_none() && !mapping.optional {
            return Err(AuthError::Forbidden(format!(
                "the token maps to no consumer (claim {})",
                mapping.claim.join(".")
            )));
        }
        let mut groups: Vec<String> = consumer.map(|c| c.groups.clone()).unwrap_or_default();
        if let Some(path) = &mapping.groups_claim
            && let Some(value) = claim_at(claims, path)
        {
            for group in claim_strings(value) {
                if !groups.contains(&group) {
                    groups.push(group);
                }
            }
        }
        let mut forwarded = Map::new();
        for name in &self.config.forwarded_claims {
            if let Some(value) = claims.get(name) {
                forwarded.insert(name.clone(), value.clone());
            }
        }
        let mut upstream_headers = Vec::new();
        for mapping in &self.config.claim_to_header {
            let Some(value) = claim_at(claims, &mapping.claim) else {
                continue;
            };
            let text = match value {
                Value::Object(_) => value.to_string(),
                other => claim_strings(other).join(","),
            };
            if text.len() > MAX_HEADER_VALUE_BYTES || text.chars().any(|c| c.is_control()) {
                tracing::warn!(
                    header = %mapping.header,
                    "claim value not sent upstream: control characters or longer than {MAX_HEADER_VALUE_BYTES} bytes"
                );
                continue;
            }
            upstream_headers.push((mapping.header.clone(), text));
        }
        let string = |key: &str| claims.get(key).and_then(Value::as_str).map(str::to_owned);
        Ok(Identity {
            subject: string("sub"),
            issuer: string("iss"),
            consumer: consumer.map(|c| c.name().to_owned()),
            consumer_id: consumer.map(|c| c.id.clone()),
            consumer_custom_id: consumer.and_then(|c| c.custom_id.clone()),
            groups,
            scopes: scopes_of(claims),
            claims: forwarded,
            upstream_headers,
            kind,
            client_id: string("client_id").or_else(|| string("azp")),
        })
    }
}

/// The token of `Authorization: Bearer <token>`. A missing header or another scheme means
/// no token; a malformed Bearer header is a bad request.
fn bearer_token(headers: &HeaderMap, max_bytes: usize) -> Result<&str, AuthError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(AuthError::MissingToken);
    };
    if values.next().is_some() {
        return Err(AuthError::InvalidRequest(
            "more than one Authorization header".to_owned(),
        ));
    }
    let value = value.to_str().map_err(|_| {
        AuthError::InvalidRequest("the Authorization header is not text".to_owned())
    })?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::MissingToken);
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty() {
        return Err(AuthError::InvalidRequest("empty Bearer token".to_owned()));
    }
    if token.len() > max_bytes {
        return Err(AuthError::InvalidRequest(format!(
            "token longer than {max_bytes} bytes"
        )));
    }
    // RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let body = token.trim_end_matches('=');
    if body.is_empty()
        || !body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
    {
        return Err(AuthError::InvalidRequest(
            "the Bearer token has characters RFC 6750 does not allow".to_owned(),
        ));
    }
    Ok(token)
}
