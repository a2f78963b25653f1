//! The gateway under test: a toolgate MCP endpoint on a loopback port.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use toolgate_auth::{ResourceServer, ResourceServerConfig};
use toolgate_rest::{RestToolsetSpec, ToolsetOptions, UpstreamClient, build_toolset_with};
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::ToolRegistry;
use toolgate_weather::{MCP_PATH, WeatherServer};
use url::Url;

use super::RestUpstream;

/// A running gateway. Stops when dropped.
pub(crate) struct Gateway {
    address: SocketAddr,
    path: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Builds the resource server's configuration from the endpoint's URL.
type AuthConfig = Box<dyn FnOnce(&Url) -> ResourceServerConfig + Send>;

/// How to start a [`Gateway`].
#[must_use]
pub(crate) struct GatewayBuilder {
    upstream: Option<Url>,
    api_key: Option<String>,
    timeout: Option<Duration>,
    rest_spec: Option<String>,
    openapi: Option<String>,
    auth: Option<AuthConfig>,
}

impl Gateway {
    /// The weather server by default; see the builder's methods.
    pub(crate) fn builder() -> GatewayBuilder {
        GatewayBuilder {
            upstream: None,
            api_key: Some("test-key".into()),
            timeout: None,
            rest_spec: None,
            openapi: None,
            auth: None,
        }
    }

    /// Serves `router` (which answers MCP at `path`) on a loopback port.
    pub(crate) async fn serve(router: axum::Router, path: &str) -> Self {
        Self::serve_with(path, |_| router).await
    }

    /// Binds a loopback port, then serves what `build` makes of the endpoint's URL
    /// (`http://127.0.0.1:PORT{path}`): for routers that must know their own URL, such as
    /// a resource server whose resource identifier it is.
    pub(crate) async fn serve_with(path: &str, build: impl FnOnce(&Url) -> axum::Router) -> Self {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let url = Url::parse(&format!("http://{address}{path}")).expect("endpoint URL");
        let router = build(&url);
        let task = tokio::spawn(async move {
            toolgate_server::serve_http(listener, router, std::future::pending())
                .await
                .expect("gateway serves");
        });
        Self {
            address,
            path: path.to_owned(),
            task,
        }
    }

    /// The MCP endpoint URL.
    pub(crate) fn url(&self) -> String {
        format!("http://{}{}", self.address, self.path)
    }

    /// The listening address.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }
}

impl GatewayBuilder {
    /// Tools call this upstream.
    pub(crate) fn upstream(mut self, upstream: &RestUpstream) -> Self {
        self.upstream = Some(upstream.url());
        self
    }

    /// Tools call this base URL.
    pub(crate) fn upstream_url(mut self, url: Url) -> Self {
        self.upstream = Some(url);
        self
    }

    /// No WeatherAPI key configured.
    pub(crate) fn without_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// Upstream timeout.
    pub(crate) fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Builds the weather tools from this OpenAPI description instead of the REST spec.
    pub(crate) fn openapi(mut self, source: &str) -> Self {
        self.openapi = Some(source.to_owned());
        self
    }

    /// Serves the tools of this REST toolset document (tag `test-tools`) instead of the
    /// weather tools, at `/mcp`.
    pub(crate) fn rest_spec(mut self, yaml: &str) -> Self {
        self.rest_spec = Some(yaml.to_owned());
        self
    }

    /// Puts the OAuth resource server in front of the endpoint, configured by `configure`
    /// from the endpoint's URL (the natural resource identifier).
    pub(crate) fn auth(
        mut self,
        configure: impl FnOnce(&Url) -> ResourceServerConfig + Send + 'static,
    ) -> Self {
        self.auth = Some(Box::new(configure));
        self
    }

    pub(crate) async fn start(mut self) -> Gateway {
        let client = UpstreamClient::new().expect("upstream client");
        let (server, path) = match &self.rest_spec {
            Some(yaml) => (self.rest_server(yaml, &client), "/mcp".to_owned()),
            None => (self.weather_server(&client).await, MCP_PATH.to_owned()),
        };
        let endpoint = HttpEndpoint::new(path.clone(), server);
        let auth = self.auth.take();
        Gateway::serve_with(&path, move |url| match auth {
            Some(configure) => {
                let server = ResourceServer::new(configure(url)).expect("valid auth config");
                endpoint.with_auth(Arc::new(server)).into_router()
            }
            None => endpoint.into_router(),
        })
        .await
    }

    async fn weather_server(&self, client: &UpstreamClient) -> ToolServer {
        let mut weather = WeatherServer::new();
        if let Some(spec) = &self.openapi {
            weather = weather.with_openapi(spec.clone());
        }
        if let Some(url) = &self.upstream {
            weather = weather.with_base_url(url.clone());
        }
        if let Some(key) = &self.api_key {
            weather = weather.with_api_key(key.clone());
        }
        if let Some(timeout) = self.timeout {
            weather = weather.with_timeout(timeout);
        }
        weather.build(client).await.expect("weather server builds")
    }

    fn rest_server(&self, yaml: &str, client: &UpstreamClient) -> ToolServer {
        let spec = RestToolsetSpec::from_yaml(yaml, "test").expect("test spec parses");
        let mut options = ToolsetOptions::default();
        if let Some(url) = &self.upstream {
            options = options.with_base_url(url.clone());
        }
        if let Some(timeout) = self.timeout {
            options = options.with_timeout(timeout);
        }
        let toolset = build_toolset_with(&spec, client, &options, "test").expect("toolset builds");
        let mut registry = ToolRegistry::new();
        registry.add(toolset);
        let catalog = registry.catalog_for_tags(&["test-tools"]).expect("catalog");
        ToolServer::new(Arc::new(catalog), ServerIdentity::new("test", "0"))
    }
}
