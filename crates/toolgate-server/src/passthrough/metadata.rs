//! The upstream's RFC 9728 Protected Resource Metadata, served by the gateway with
//! `resource` rewritten to the gateway's resource URL (user-token passthrough): the client
//! discovers the upstream's authorization servers but binds its token to the URL it uses.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::State,
    response::{IntoResponse, Response},
    routing::get,
};
use bytes::Bytes;
use http::{StatusCode, header};
use serde_json::Value;
use tokio::sync::Mutex;
use toolgate_auth::{metadata_cors, metadata_preflight};
use url::Url;

/// The root well-known path.
const ROOT_PATH: &str = "/.well-known/oauth-protected-resource";

/// The gateway's PRM path for `resource` (RFC 9728 path insertion).
fn metadata_path(resource: &Url) -> String {
    format!("{ROOT_PATH}{}", resource.path().trim_end_matches('/'))
}

/// The absolute URL of the gateway's PRM document, built from `resource`.
pub(super) fn metadata_url(resource: &Url) -> String {
    let mut url = resource.clone();
    url.set_path(&metadata_path(resource));
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// Where the upstream's document may be: the path-inserted URL, then the root one.
pub(super) fn upstream_candidates(upstream: &Url) -> Vec<Url> {
    let mut inserted = upstream.clone();
    inserted.set_path(&metadata_path(upstream));
    inserted.set_query(None);
    inserted.set_fragment(None);
    let mut root = upstream.clone();
    root.set_path(ROOT_PATH);
    root.set_query(None);
    root.set_fragment(None);
    if inserted == root {
        vec![root]
    } else {
        vec![inserted, root]
    }
}

/// The upstream's document, fetched on first use and cached.
#[derive(Debug)]
pub(super) struct UpstreamMetadata {
    client: reqwest::Client,
    sources: Vec<Url>,
    resource: Url,
    ttl: Duration,
    cached: Mutex<Option<(Instant, Bytes)>>,
}

impl UpstreamMetadata {
    pub(super) fn new(
        client: reqwest::Client,
        sources: Vec<Url>,
        resource: Url,
        ttl: Duration,
    ) -> Self {
        Self {
            client,
            sources,
            resource,
            ttl,
            cached: Mutex::new(None),
        }
    }

    /// The rewritten document, from the cache or the upstream.
    async fn document(&self) -> Option<Bytes> {
        let mut cached = self.cached.lock().await;
        if let Some((at, document)) = &*cached
            && at.elapsed() < self.ttl
        {
            return Some(document.clone());
        }
        for source in &self.sources {
            match self.fetch(source).await {
                Ok(document) => {
                    *cached = Some((Instant::now(), document.clone()));
                    return Some(document);
                }
                Err(reason) => {
                    tracing::debug!(source = %source, %reason, "upstream metadata not usable");
                }
            }
        }
        tracing::warn!("no upstream Protected Resource Metadata could be read");
        None
    }

    async fn fetch(&self, source: &Url) -> Result<Bytes, String> {
        let response = self
            .client
            .get(source.clone())
            .header(header::ACCEPT, "application/json")
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| format!("unreachable: {}", e.without_url()))?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("body: {}", e.without_url()))?;
        let mut document: Value =
            serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}"))?;
        let Some(object) = document.as_object_mut() else {
            return Err("not a JSON object".to_owned());
        };
        if object
            .get("authorization_servers")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
        {
            return Err("no authorization_servers".to_owned());
        }
        object.insert(
            "resource".to_owned(),
            Value::String(self.resource.to_string()),
        );
        Ok(Bytes::from(document.to_string()))
    }
}

/// Public routes serving the rewritten document at the gateway's metadata path and the
/// root well-known path.
pub(super) fn router(resource: &Url, document: UpstreamMetadata, root: bool) -> Router {
    let document = Arc::new(document);
    let path = metadata_path(resource);
    let mut router = Router::new().route(
        &path,
        get(serve)
            .options(metadata_preflight)
            .with_state(Arc::clone(&document)),
    );
    if root && path != ROOT_PATH {
        router = router.route(
            ROOT_PATH,
            get(serve).options(metadata_preflight).with_state(document),
        );
    }
    router
}

async fn serve(State(document): State<Arc<UpstreamMetadata>>) -> Response {
    let Some(body) = document.document().await else {
        let body = serde_json::json!({
            "error": "temporarily_unavailable",
            "error_description": "The upstream's protected resource metadata cannot be read."
        });
        let mut response = (StatusCode::BAD_GATEWAY, axum::Json(body)).into_response();
        metadata_cors(&mut response);
        return response;
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response();
    metadata_cors(&mut response);
    response
}
