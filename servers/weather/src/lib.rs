//! The weather MCP server of the weather tutorial: five WeatherAPI tools defined as data in
//! `weather-tools.yaml`, served over streamable HTTP at `/weather/mcp` or over stdio.
//!
//! The binary (`cargo run`) wires this library to a command line; tests and other binaries
//! can build the same server with [`WeatherServer`].

pub mod demo;

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use toolgate_rest::{
    FixedValue, RestSpecError, RestToolsetSpec, ToolsetOptions, UpstreamClient, UpstreamError,
    build_toolset_with,
    openapi::{ImportOptions, OpenApiDocument, OpenApiError, import_toolset},
};
use toolgate_server::{ServerIdentity, ToolServer};
use toolgate_tools::{AclPolicy, RegistryError, ToolRegistry, ToolSet};
use url::Url;

/// The tool definitions bundled into the binary: `servers/weather/weather-tools.yaml`.
pub const BUNDLED_TOOLS: &str = include_str!("../weather-tools.yaml");

/// Where the HTTP endpoint is served.
pub const MCP_PATH: &str = "/weather/mcp";

/// The tag the weather toolset carries and the endpoint serves.
pub const TOOLS_TAG: &str = "weather-tools";

/// Environment variables read for the WeatherAPI key, in order: ours, then the seed
/// tutorial's decK variable.
pub const API_KEY_VARIABLES: &[&str] = &["WEATHERAPI_API_KEY", "DECK_WEATHERAPI_API_KEY"];

/// What to tell a user who has no key.
pub const MISSING_KEY_HINT: &str = "set WEATHERAPI_API_KEY to your WeatherAPI key (free at https://www.weatherapi.com/signup.aspx) and restart the server, or start it with --demo for sample data";

/// The weather server could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WeatherError {
    /// The tool definitions are invalid.
    #[error(transparent)]
    Spec(#[from] RestSpecError),
    /// The tools do not form a valid endpoint.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Client(#[from] UpstreamError),
    /// The OpenAPI description cannot be imported.
    #[error(transparent)]
    OpenApi(#[from] OpenApiError),
}

/// How to build the weather server.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct WeatherServer {
    api_key: Option<String>,
    base_url: Option<Url>,
    tools_file: Option<PathBuf>,
    openapi: Option<String>,
    timeout: Option<Duration>,
    acl: Option<AclPolicy>,
}

/// The seed tutorial's tool names for WeatherAPI's operationIds, used when the server runs
/// from the OpenAPI description.
pub const SEED_TOOL_NAMES: &[(&str, &str)] = &[
    ("realtime-weather", "realtime-api"),
    ("forecast-weather", "forecast-api"),
    ("history-weather", "history-api"),
    ("search-autocomplete-weather", "search-api"),
    ("ip-lookup", "ip-lookup-api"),
];

/// The security scheme of `openapi-specs/weatherapi.yaml` that carries the key.
const API_KEY_SCHEME: &str = "apiKey";

impl WeatherServer {
    /// Defaults: bundled tools, WeatherAPI's public base URL, no key.
    pub fn new() -> Self {
        Self::default()
    }

    /// The WeatherAPI key sent as the fixed `key` query value.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Calls this base URL instead of the one in the tool definitions.
    pub fn with_base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    /// Loads tool definitions from a file instead of the bundled ones.
    pub fn with_tools_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.tools_file = Some(path.into());
        self
    }

    /// Builds the tools from an OpenAPI description of WeatherAPI (a file or URL, such as
    /// `openapi-specs/weatherapi.yaml`) instead of the REST tool definitions; the seed's
    /// tool names are kept through name overrides.
    pub fn with_openapi(mut self, source: impl Into<String>) -> Self {
        self.openapi = Some(source.into());
        self
    }

    /// Upstream timeout, replacing the one in the tool definitions.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Who may see and call which tool (replaces the tool definitions' own rules).
    pub fn with_acl(mut self, acl: AclPolicy) -> Self {
        self.acl = Some(acl);
        self
    }

    /// Whether a key was given.
    #[must_use]
    pub fn has_api_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// Builds the MCP server.
    ///
    /// # Errors
    /// [`WeatherError`] when the tool definitions are invalid.
    pub async fn build(&self, client: &UpstreamClient) -> Result<ToolServer, WeatherError> {
        let key = match &self.api_key {
            Some(key) => FixedValue::value(key.clone()),
            None => FixedValue::Missing {
                hint: MISSING_KEY_HINT.to_owned(),
            },
        };
        let mut toolset = match &self.openapi {
            Some(source) => self.openapi_toolset(source, key, client).await?,
            None => self.rest_toolset(key, client)?,
        };
        if let Some(acl) = &self.acl {
            toolset = toolset.with_acl(acl.clone());
        }
        let mut registry = ToolRegistry::new();
        registry.add(toolset);
        let catalog = registry.catalog_for_tags(&[TOOLS_TAG])?;
        Ok(ToolServer::new(
            Arc::new(catalog),
            ServerIdentity::new("toolgate-weather", env!("CARGO_PKG_VERSION"))
                .with_title("Weather (WeatherAPI)")
                .with_instructions(
                    "Weather tools backed by WeatherAPI.com: current conditions, forecasts up to 14 days, history, location search and IP lookup. Pass places as the `query_q` argument (city, postcode, IP or lat,lon).",
                ),
        ))
    }

    fn rest_toolset(
        &self,
        key: FixedValue,
        client: &UpstreamClient,
    ) -> Result<ToolSet, WeatherError> {
        let (spec, origin) = match &self.tools_file {
            Some(path) => (
                RestToolsetSpec::from_file(path)?,
                path.display().to_string(),
            ),
            None => (
                RestToolsetSpec::from_yaml(BUNDLED_TOOLS, "weather-tools.yaml (bundled)")?,
                "weather-tools.yaml (bundled)".to_owned(),
            ),
        };
        let mut options = ToolsetOptions::default().with_fixed_query("key", key);
        if let Some(url) = &self.base_url {
            options = options.with_base_url(url.clone());
        }
        if let Some(timeout) = self.timeout {
            options = options.with_timeout(timeout);
        }
        Ok(build_toolset_with(&spec, client, &options, &origin)?)
    }

    async fn openapi_toolset(
        &self,
        source: &str,
        key: FixedValue,
        client: &UpstreamClient,
    ) -> Result<ToolSet, WeatherError> {
        let document = OpenApiDocument::load(source).await?;
        let mut options = ImportOptions::new("weatherapi")
            .with_tags([TOOLS_TAG])
            .with_credential(API_KEY_SCHEME, key);
        for (operation, name) in SEED_TOOL_NAMES {
            options = options.with_name(*operation, *name);
        }
        if let Some(url) = &self.base_url {
            options = options.with_base_url(url.clone());
        }
        if let Some(timeout) = self.timeout {
            options = options.with_timeout(timeout);
        }
        let imported = import_toolset(&document, &options, client)?;
        for skipped in &imported.skipped {
            tracing::warn!("{source}: operation skipped: {skipped}");
        }
        Ok(imported.toolset)
    }
}

/// The WeatherAPI key from the environment, if one is set and not empty.
#[must_use]
pub fn api_key_from_env() -> Option<String> {
    API_KEY_VARIABLES
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
}

/// Starts the bundled sample upstream on a loopback port and returns its base URL.
///
/// # Errors
/// When no loopback port can be bound.
pub async fn start_demo_upstream() -> std::io::Result<(Url, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let address = listener.local_addr()?;
    let handle = tokio::spawn(async move {
        let served =
            toolgate_server::serve_http(listener, demo::router(), std::future::pending()).await;
        if let Err(error) = served {
            tracing::error!(%error, "the demo upstream stopped");
        }
    });
    let url = Url::parse(&format!("http://{address}/"))
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok((url, handle))
}
