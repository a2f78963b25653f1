//! Authorization server metadata (RFC 8414, with the OpenID Connect discovery path as a
//! fallback): where the JWKS and the introspection endpoint are.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use serde_json::Value;
use url::Url;

use crate::http_client;

/// How long discovered metadata is trusted.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// How soon a failed discovery is retried.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// What discovery found for one issuer.
#[derive(Clone, Debug, Default)]
pub(crate) struct Metadata {
    pub(crate) jwks_uri: Option<Url>,
    pub(crate) introspection_endpoint: Option<Url>,
}

#[derive(Debug)]
struct Entry {
    fetched: Instant,
    metadata: Option<Metadata>,
    error: Option<String>,
}

/// Metadata per issuer, fetched on first use and refreshed hourly.
#[derive(Debug)]
pub(crate) struct Discovery {
    issuer: Url,
    entry: Mutex<Option<Entry>>,
    refresh: tokio::sync::Mutex<()>,
}

impl Discovery {
    pub(crate) fn new(issuer: Url) -> Self {
        Self {
            issuer,
            entry: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// The issuer this discovery is for.
    pub(crate) fn issuer(&self) -> &Url {
        &self.issuer
    }

    /// The issuer's metadata, from cache or fetched now.
    pub(crate) async fn metadata(&self, client: &reqwest::Client) -> Result<Metadata, String> {
        if let Some(known) = self.cached() {
            return known;
        }
        let _single = self.refresh.lock().await;
        if let Some(known) = self.cached() {
            return known;
        }
        let fetched = self.fetch(client).await;
        let mut entry = self
            .entry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let stale = entry.as_ref().and_then(|e| e.metadata.clone());
        match fetched {
            Ok(metadata) => {
                *entry = Some(Entry {
                    fetched: Instant::now(),
                    metadata: Some(metadata.clone()),
                    error: None,
                });
                Ok(metadata)
            }
            Err(error) => {
                tracing::warn!(issuer = %self.issuer, %error, "authorization server metadata unavailable");
                *entry = Some(Entry {
                    fetched: Instant::now(),
                    metadata: stale.clone(),
                    error: Some(error.clone()),
                });
                stale.ok_or(error)
            }
        }
    }

    fn cached(&self) -> Option<Result<Metadata, String>> {
        let entry = self
            .entry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = entry.as_ref()?;
        let age = entry.fetched.elapsed();
        match (&entry.metadata, &entry.error) {
            (Some(metadata), None) if age < METADATA_TTL => Some(Ok(metadata.clone())),
            (Some(metadata), Some(_)) if age < RETRY_AFTER_FAILURE => Some(Ok(metadata.clone())),
            (None, Some(error)) if age < RETRY_AFTER_FAILURE => Some(Err(error.clone())),
            _ => None,
        }
    }

    /// The issuer's metadata fetched now, bypassing (and not changing) the cache: a
    /// reachability check.
    pub(crate) async fn fetch_now(&self, client: &reqwest::Client) -> Result<Metadata, String> {
        self.fetch(client).await
    }

    async fn fetch(&self, client: &reqwest::Client) -> Result<Metadata, String> {
        let mut last_error = String::new();
        for url in well_known_urls(&self.issuer) {
            match http_client::get_json(client, &url).await {
                Ok(document) => return self.parse(&document),
                Err(error) => last_error = format!("{url}: {error}"),
            }
        }
        Err(last_error)
    }

    fn parse(&self, document: &Value) -> Result<Metadata, String> {
        let issuer = document
            .get("issuer")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if issuer.trim_end_matches('/') != self.issuer.as_str().trim_end_matches('/') {
            return Err(format!(
                "metadata names issuer '{issuer}', expected '{}'",
                self.issuer
            ));
        }
        let url = |key: &str| {
            document
                .get(key)
                .and_then(Value::as_str)
                .and_then(|u| Url::parse(u).ok())
        };
        Ok(Metadata {
            jwks_uri: url("jwks_uri"),
            introspection_endpoint: url("introspection_endpoint"),
        })
    }
}

/// RFC 8414 inserts the well-known path before the issuer's path; OpenID Connect appends it.
fn well_known_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let mut urls = Vec::new();
    for (suffix, inserted) in [
        ("oauth-authorization-server", true),
        ("openid-configuration", false),
    ] {
        let mut url = issuer.clone();
        let new_path = if inserted {
            format!("/.well-known/{suffix}{path}")
        } else {
            format!("{path}/.well-known/{suffix}")
        };
        url.set_path(&new_path);
        url.set_query(None);
        urls.push(url);
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_paths_insert_and_append_ok() {
        let issuer = Url::parse("https://idp.example.com/oauth2/default").expect("url");
        let urls: Vec<String> = well_known_urls(&issuer)
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            urls,
            [
                "https://idp.example.com/.well-known/oauth-authorization-server/oauth2/default",
                "https://idp.example.com/oauth2/default/.well-known/openid-configuration",
            ]
        );
        let root = Url::parse("http://127.0.0.1:9").expect("url");
        assert_eq!(
            well_known_urls(&root)[0].as_str(),
            "http://127.0.0.1:9/.well-known/oauth-authorization-server"
        );
    }
}
