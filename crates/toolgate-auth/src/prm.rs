//! RFC 9728 Protected Resource Metadata: the document clients read to find the
//! authorization server, served publicly with open CORS.

use std::sync::Arc;

use axum::{
    Router,
    response::{IntoResponse, Response},
    routing::get,
};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::{ResourceServer, ResourceServerConfig};

/// The root well-known path, served too when a single resource lives on the host.
const ROOT_PATH: &str = "/.well-known/oauth-protected-resource";

/// The metadata document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProtectedResourceMetadata {
    /// The resource identifier, exactly as configured.
    pub resource: String,
    /// The authorization servers (issuers).
    pub authorization_servers: Vec<String>,
    /// Scopes clients may request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// How tokens are presented: the header only.
    pub bearer_methods_supported: Vec<String>,
    /// A human name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// Documentation for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_documentation: Option<String>,
}

impl ProtectedResourceMetadata {
    pub(crate) fn of(config: &ResourceServerConfig) -> Self {
        let mut scopes = if config.scopes_supported.is_empty() {
            config.required_scopes.clone()
        } else {
            config.scopes_supported.clone()
        };
        let mut tool_scopes: Vec<&String> = config.tool_scopes.values().flatten().collect();
        tool_scopes.sort();
        for scope in tool_scopes {
            if !scopes.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        Self {
            resource: config.resource.to_string(),
            authorization_servers: config
                .authorization_servers
                .iter()
                .map(|url| url.as_str().trim_end_matches('/').to_owned())
                .collect(),
            scopes_supported: scopes,
            bearer_methods_supported: vec!["header".to_owned()],
            resource_name: config.resource_name.clone(),
            resource_documentation: config
                .resource_documentation
                .as_ref()
                .map(ToString::to_string),
        }
    }
}

/// Public routes serving the metadata of `servers`, each at its metadata path; with exactly
/// one server, also at the root well-known path (clients that ignore the challenge try it).
pub fn prm_router(servers: &[Arc<ResourceServer>]) -> Router {
    prm_router_with_root(servers, true)
}

/// [`prm_router`], serving the root well-known path for a single resource only when `root`
/// (several endpoints sharing one listener each pass `false` but one).
pub fn prm_router_with_root(servers: &[Arc<ResourceServer>], root: bool) -> Router {
    let mut router = Router::new();
    let mut paths: Vec<String> = Vec::new();
    for server in servers {
        let path = server.config().metadata_path();
        if paths.contains(&path) {
            tracing::warn!(%path, "two resources share one metadata path; the first is served");
            continue;
        }
        router = router.route(
            &path,
            get(document_handler(server)).options(metadata_preflight),
        );
        paths.push(path);
    }
    if let [only] = servers
        && root
        && !paths.iter().any(|p| p == ROOT_PATH)
    {
        router = router.route(
            ROOT_PATH,
            get(document_handler(only)).options(metadata_preflight),
        );
    }
    router
}

fn document_handler(
    server: &Arc<ResourceServer>,
) -> impl Fn() -> std::future::Ready<Response> + Clone + Send + Sync + 'static {
    let document = server.metadata();
    move || std::future::ready(document_response(&document))
}

fn document_response(document: &ProtectedResourceMetadata) -> Response {
    let mut response = axum::Json(document).into_response();
    metadata_cors(&mut response);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// The answer to a CORS preflight for a metadata document: 204 with open CORS.
pub async fn metadata_preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    metadata_cors(&mut response);
    response
}

/// Opens a metadata response to every origin (GET and OPTIONS): clients in browsers read
/// protected resource metadata cross-origin.
pub fn metadata_cors(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("*"),
    );
}
