//! JWT access tokens: keys from a JWKS (cached, refetched at most once per interval for an
//! unknown `kid`), algorithms from the configured allow-list only, issuer, audience and time
//! claims checked.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use jsonwebtoken::{
    Algorithm, DecodingKey, Header, Validation,
    errors::ErrorKind,
    jwk::{Jwk, JwkSet},
};
use serde_json::{Map, Value};
use url::Url;

use crate::{AuthError, ResourceServerConfig, http_client};

/// Fewest seconds between two fetches caused by an unknown `kid`.
const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(10);

/// The keys of one JWKS URL.
#[derive(Debug)]
pub(crate) struct JwksCache {
    uri: Url,
    epoch: Arc<AtomicU64>,
    ttl: Duration,
    state: Mutex<JwksState>,
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct JwksState {
    keys: Option<Arc<JwkSet>>,
    fetched: Option<Instant>,
    /// The last fetch, whatever caused it.
    attempted: Option<Instant>,
    /// The last fetch caused by an unknown `kid` (the one [`MIN_REFETCH_INTERVAL`] limits).
    refetched: Option<Instant>,
}

/// The cache's state as one caller saw it.
struct Snapshot {
    keys: Option<Arc<JwkSet>>,
    fetched: Option<Instant>,
    attempted: Option<Instant>,
    refetched: Option<Instant>,
}

/// Why no key could be had.
pub(crate) enum KeyError {
    /// The JWKS cannot be fetched and none is cached.
    Unavailable(String),
    /// The JWKS has no matching key.
    Unknown(String),
}

impl JwksCache {
    /// A cache for `uri`; `epoch` is bumped whenever the fetched key set changes, so what
    /// was verified with the old keys is verified again.
    pub(crate) fn new(uri: Url, ttl: Duration, epoch: Arc<AtomicU64>) -> Self {
        Self {
            uri,
            epoch,
            ttl,
            state: Mutex::new(JwksState::default()),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn snapshot(&self) -> Snapshot {
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Snapshot {
            keys: state.keys.clone(),
            fetched: state.fetched,
            attempted: state.attempted,
            refetched: state.refetched,
        }
    }

    /// The key for `kid` (or the only key, when the token names none).
    pub(crate) async fn key(
        &self,
        client: &reqwest::Client,
        kid: Option<&str>,
    ) -> Result<Jwk, KeyError> {
        let seen = self.snapshot();
        let fresh = seen.fetched.is_some_and(|at| at.elapsed() < self.ttl);
        let keys = match seen.keys {
            Some(keys) if fresh => keys,
            stale => self.fetch(client, stale, seen.attempted, false).await?,
        };
        if let Some(key) = find(&keys, kid) {
            return Ok(key);
        }
        // An unknown kid may mean the keys rotated: fetch again, at most once per interval
        // for unknown kids (a fetch for another reason does not count: a rotation right
        // after it must still be picked up).
        let seen = self.snapshot();
        if seen
            .refetched
            .is_none_or(|at| at.elapsed() >= MIN_REFETCH_INTERVAL)
        {
            let keys = self.fetch(client, Some(keys), seen.attempted, true).await?;
            if let Some(key) = find(&keys, kid) {
                return Ok(key);
            }
        }
        Err(KeyError::Unknown(match kid {
            Some(kid) => format!("no key with kid '{kid}' in {}", self.uri),
            None => format!("the token names no kid and {} holds several keys", self.uri),
        }))
    }

    /// Fetches the set (one fetch at a time); on failure keeps using `stale` keys.
    /// `seen_attempt` is the last attempt the caller knew of: when another caller fetched
    /// while this one waited, its answer is used.
    async fn fetch(
        &self,
        client: &reqwest::Client,
        stale: Option<Arc<JwkSet>>,
        seen_attempt: Option<Instant>,
        unknown_kid: bool,
    ) -> Result<Arc<JwkSet>, KeyError> {
        let _single = self.refresh.lock().await;
        let now = self.snapshot();
        if let Some(keys) = now.keys
            && (now.attempted != seen_attempt
                || (!unknown_kid
                    && now
                        .attempted
                        .is_some_and(|at| at.elapsed() < Duration::from_secs(1))))
        {
            return Ok(keys);
        }
        let result = http_client::get_json(client, &self.uri)
            .await
            .and_then(|document| {
                serde_json::from_value::<JwkSet>(document)
                    .map_err(|e| format!("not a JWK set: {e}"))
            });
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.attempted = Some(Instant::now());
        if unknown_kid {
            state.refetched = state.attempted;
        }
        match result {
            Ok(set) => {
                if state.keys.as_deref().is_some_and(|old| *old != set) {
                    self.epoch.fetch_add(1, Ordering::Relaxed);
                }
                let set = Arc::new(set);
                state.keys = Some(Arc::clone(&set));
                state.fetched = Some(Instant::now());
                Ok(set)
            }
            Err(error) => {
                tracing::warn!(jwks_uri = %self.uri, %error, "JWKS fetch failed");
                stale.ok_or(KeyError::Unavailable(format!("JWKS {}: {error}", self.uri)))
            }
        }
    }
}

fn find(keys: &JwkSet, kid: Option<&str>) -> Option<Jwk> {
    match kid {
        Some(kid) => keys.find(kid).cloned(),
        None if keys.keys.len() == 1 => keys.keys.first().cloned(),
        None => None,
    }
}

/// Whether a token has the JWT shape: three base64url parts whose header is JSON.
pub(crate) fn header_of(token: &str) -> Option<Header> {
    if token.split('.').count() != 3 {
        return None;
    }
    jsonwebtoken::decode_header(token).ok()
}

/// The `iss` of an unverified token, only to choose where its keys come from.
pub(crate) fn unverified_issuer(token: &str) -> Option<String> {
    jsonwebtoken::dangerous::insecure_decode::<Map<String, Value>>(token)
        .ok()
        .and_then(|data| {
            data.claims
                .get("iss")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
}

/// Verifies a JWT: signature with `key`, algorithm from the allow-list, issuer, audience
/// (unless relaxed), `exp`/`nbf`/`iat` with leeway.
pub(crate) fn verify(
    token: &str,
    header: &Header,
    key: &Jwk,
    config: &ResourceServerConfig,
) -> Result<Map<String, Value>, AuthError> {
    // RFC 7515 §4.1.11: a `crit` header names extensions the recipient must understand;
    // this one understands none (jsonwebtoken ignores `crit`).
    if header.crit.is_some() {
        return Err(AuthError::InvalidToken(
            "critical header parameters are not supported".to_owned(),
        ));
    }
    let algorithm = header.alg;
    if !config.algorithms.contains(&algorithm)
        || matches!(
            algorithm,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        )
    {
        return Err(AuthError::InvalidToken(format!(
            "algorithm {algorithm:?} is not accepted"
        )));
    }
    if let Some(key_algorithm) = key.common.key_algorithm
        && format!("{key_algorithm:?}") != format!("{algorithm:?}")
    {
        return Err(AuthError::InvalidToken(format!(
            "the key is for {key_algorithm:?}, the token says {algorithm:?}"
        )));
    }
    let decoding_key = DecodingKey::from_jwk(key)
        .map_err(|e| AuthError::InvalidToken(format!("unusable key: {e}")))?;
    let mut validation = Validation::new(algorithm);
    validation.leeway = config.jwt_claims_leeway.as_secs();
    validation.validate_nbf = true;
    let issuers = issuer_variants(&config.authorization_servers);
    validation.set_issuer(&issuers);
    if config.insecure_relaxed_audience_validation {
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
    } else {
        validation.set_audience(&audience_variants(&config.resource));
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    }
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, &decoding_key, &validation)
        .map_err(|error| {
            AuthError::InvalidToken(match error.kind() {
                ErrorKind::ExpiredSignature => "expired".to_owned(),
                ErrorKind::ImmatureSignature => "not valid yet (nbf)".to_owned(),
                ErrorKind::InvalidIssuer => {
                    "issuer is not a configured authorization server".to_owned()
                }
                ErrorKind::InvalidAudience => "audience does not name this resource".to_owned(),
                ErrorKind::InvalidSignature => "bad signature".to_owned(),
                ErrorKind::MissingRequiredClaim(claim) => format!("missing claim '{claim}'"),
                ErrorKind::InvalidAlgorithm => "algorithm does not match the key".to_owned(),
                other => format!("{other:?}"),
            })
        })?;
    let claims = data.claims;
    let leeway = config.jwt_claims_leeway.as_secs();
    if let Some(iat) = claims.get("iat").and_then(Value::as_u64)
        && iat > now().saturating_add(leeway)
    {
        return Err(AuthError::InvalidToken(
            "issued in the future (iat)".to_owned(),
        ));
    }
    Ok(claims)
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Issuer strings as tokens write them: with and without a trailing slash.
pub(crate) fn issuer_variants(servers: &[Url]) -> Vec<String> {
    servers
        .iter()
        .flat_map(|url| variants(url.as_str()))
        .collect()
}

/// The resource as an audience: with and without a trailing slash.
pub(crate) fn audience_variants(resource: &Url) -> Vec<String> {
    variants(resource.as_str())
}

fn variants(text: &str) -> Vec<String> {
    let trimmed = text.trim_end_matches('/');
    vec![trimmed.to_owned(), format!("{trimmed}/")]
}
