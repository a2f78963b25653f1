//! RFC 7662 token introspection, with client authentication and a cache keyed by a hash of
//! the token: active answers until min(token `exp`, the cap), inactive ones briefly.

use std::{sync::Arc, time::Duration};

use base64::Engine as _;
use serde_json::{Map, Value};
use url::Url;

use crate::{
    AuthError, ClientAuth, IntrospectionConfig,
    cache::{ExpiringCache, TokenHash},
    http_client,
    jwt::now,
};

/// Most cached answers.
const CACHE_CAPACITY: usize = 100_000;

/// An introspection answer that is active.
type Claims = Arc<Map<String, Value>>;

#[derive(Debug)]
pub(crate) struct Introspector {
    config: IntrospectionConfig,
    active: ExpiringCache<Claims>,
    inactive: ExpiringCache<()>,
}

impl Introspector {
    pub(crate) fn new(config: IntrospectionConfig) -> Self {
        Self {
            config,
            active: ExpiringCache::new(CACHE_CAPACITY),
            inactive: ExpiringCache::new(CACHE_CAPACITY),
        }
    }

    pub(crate) fn configured_endpoint(&self) -> Option<&Url> {
        self.config.endpoint.as_ref()
    }

    /// The claims of an active token, and whether the answer came from the cache (`None`
    /// when caching is off).
    pub(crate) async fn introspect(
        &self,
        client: &reqwest::Client,
        endpoint: &Url,
        token: &str,
        key: TokenHash,
    ) -> (Result<Claims, AuthError>, Option<bool>) {
        if self.config.cache {
            if let Some(claims) = self.active.get(&key) {
                return (Ok(claims), Some(true));
            }
            if self.inactive.get(&key).is_some() {
                return (
                    Err(AuthError::InvalidToken("inactive (cached)".to_owned())),
                    Some(true),
                );
            }
        }
        let answer = self.ask(client, endpoint, token, key).await;
        (answer, self.config.cache.then_some(false))
    }

    /// Asks the introspection endpoint (and caches the answer).
    async fn ask(
        &self,
        client: &reqwest::Client,
        endpoint: &Url,
        token: &str,
        key: TokenHash,
    ) -> Result<Claims, AuthError> {
        let mut form: Vec<(&str, &str)> =
            vec![("token", token), ("token_type_hint", "access_token")];
        let mut request = client
            .post(endpoint.clone())
            .header(http::header::ACCEPT, "application/json");
        let secret = self
            .config
            .client_secret
            .as_ref()
            .map(|s| s.expose())
            .unwrap_or_default();
        match self.config.client_auth {
            ClientAuth::ClientSecretBasic => {
                // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
                let pair = format!(
                    "{}:{}",
                    form_encode(&self.config.client_id),
                    form_encode(secret)
                );
                let value = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                );
                request = request.header(http::header::AUTHORIZATION, value);
            }
            ClientAuth::ClientSecretPost => {
                form.push(("client_id", &self.config.client_id));
                form.push(("client_secret", secret));
            }
            ClientAuth::None => form.push(("client_id", &self.config.client_id)),
        }
        let response = request.form(&form).send().await.map_err(|e| {
            AuthError::Unavailable(format!("introspection: {}", http_client::describe(&e)))
        })?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            tracing::error!(%status, "the introspection endpoint refused the resource server's client credentials");
            return Err(AuthError::Unavailable(format!(
                "introspection refused the client: HTTP {status}"
            )));
        }
        if status == reqwest::StatusCode::BAD_REQUEST {
            // RFC 7662 §2.3 / RFC 6749 §5.2: the server refused this token (for example an
            // `unsupported_token_type`); that is the token's problem, not an outage.
            return Err(AuthError::InvalidToken(format!(
                "introspection refused the token: HTTP {status}"
            )));
        }
        let answer = http_client::read_json(response)
            .await
            .map_err(|e| AuthError::Unavailable(format!("introspection: {e}")))?;
        let Value::Object(claims) = answer else {
            return Err(AuthError::Unavailable(
                "introspection answered something other than an object".to_owned(),
            ));
        };
        if claims.get("active").and_then(Value::as_bool) != Some(true) {
            if self.config.cache {
                self.inactive
                    .insert(key, (), self.config.negative_cache_ttl);
            }
            return Err(AuthError::InvalidToken("inactive".to_owned()));
        }
        let exp = claims.get("exp").and_then(Value::as_u64);
        if exp.is_some_and(|exp| exp <= now()) {
            return Err(AuthError::InvalidToken(
                "expired (introspection exp)".to_owned(),
            ));
        }
        let claims = Arc::new(claims);
        if self.config.cache {
            let until_exp = exp.map_or(self.config.cache_ttl, |exp| {
                Duration::from_secs(exp.saturating_sub(now()))
            });
            self.active.insert(
                key,
                Arc::clone(&claims),
                until_exp.min(self.config.cache_ttl),
            );
        }
        Ok(claims)
    }
}

fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
