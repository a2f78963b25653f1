//! The weather server's resource-server flags. Each is also read from the environment as
//! `TOOLGATE_` + the flag in upper snake case (`--issuer` → `TOOLGATE_ISSUER`).

use std::{net::SocketAddr, sync::Arc};

use anyhow::{Context as _, bail};
use toolgate_auth::{
    ClientAuth, IntrospectionConfig, ResourceServer, ResourceServerConfig, SecretString,
};
use url::Url;

/// OAuth 2.1 resource server settings; with no `--issuer` the server runs unauthenticated.
#[derive(Debug, clap::Args)]
pub(crate) struct AuthArgs {
    /// The resource identifier: this endpoint's URL as clients use it; tokens must name it in
    /// `aud`. Default: `http://LISTEN_ADDRESS/weather/mcp`.
    #[arg(long, env = "TOOLGATE_RESOURCE", value_name = "URL")]
    resource: Option<Url>,
    /// An authorization server whose tokens are accepted (repeatable). Setting one turns
    /// authentication on: every MCP request then needs a valid token.
    #[arg(
        long = "issuer",
        env = "TOOLGATE_ISSUER",
        value_name = "URL",
        value_delimiter = ','
    )]
    issuers: Vec<Url>,
    /// RFC 7662 introspection endpoint (default: discovered from the issuer when a client id
    /// is set).
    #[arg(long, env = "TOOLGATE_INTROSPECTION_ENDPOINT", value_name = "URL")]
    introspection_endpoint: Option<Url>,
    /// JWKS URL (default: discovered from the issuer's metadata).
    #[arg(long, env = "TOOLGATE_JWKS_URI", value_name = "URL")]
    jwks_uri: Option<Url>,
    /// Client id this server introspects tokens with.
    #[arg(long, env = "TOOLGATE_CLIENT_ID")]
    client_id: Option<String>,
    /// Client secret for introspection (prefer the environment variable).
    #[arg(long, env = "TOOLGATE_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// How this server authenticates to the introspection endpoint: basic, post or none.
    #[arg(long, env = "TOOLGATE_CLIENT_AUTH", default_value = "basic")]
    client_auth: ClientAuth,
    /// A scope every request needs (repeatable).
    #[arg(
        long = "required-scope",
        env = "TOOLGATE_REQUIRED_SCOPE",
        value_name = "SCOPE",
        value_delimiter = ','
    )]
    required_scopes: Vec<String>,
    /// A scope clients may request, advertised in the protected resource metadata
    /// (repeatable; default: the required scopes).
    #[arg(
        long = "scope-supported",
        env = "TOOLGATE_SCOPES_SUPPORTED",
        value_name = "SCOPE",
        value_delimiter = ','
    )]
    scopes_supported: Vec<String>,
    /// Scopes one tool needs, as TOOL=SCOPE[ SCOPE…] (repeatable), e.g.
    /// `history-api=weather:history`; calling it without them is answered 403
    /// insufficient_scope so the client can ask for them.
    #[arg(long = "tool-scope", env = "TOOLGATE_TOOL_SCOPE", value_name = "TOOL=SCOPES", value_delimiter = ',', value_parser = parse_tool_scope)]
    tool_scopes: Vec<(String, Vec<String>)>,
    /// Leave tools whose scopes the token lacks out of tools/list.
    #[arg(long, env = "TOOLGATE_HIDE_TOOLS_WITHOUT_SCOPES")]
    hide_tools_without_scopes: bool,
    /// Accept tokens whose audience does not name this resource (for providers that do not
    /// implement RFC 8707 resource indicators, such as Okta's default server). Weakens the
    /// guarantee that a token was meant for this server.
    #[arg(long, env = "TOOLGATE_INSECURE_RELAXED_AUDIENCE")]
    insecure_relaxed_audience: bool,
}

fn parse_tool_scope(text: &str) -> Result<(String, Vec<String>), String> {
    let (tool, scopes) = text
        .split_once('=')
        .ok_or_else(|| format!("'{text}' is not TOOL=SCOPE"))?;
    let scopes: Vec<String> = scopes.split_whitespace().map(str::to_owned).collect();
    if tool.is_empty() || scopes.is_empty() {
        return Err(format!("'{text}' needs a tool name and at least one scope"));
    }
    Ok((tool.to_owned(), scopes))
}

impl AuthArgs {
    /// The tool-level access rules these flags ask for.
    pub(crate) fn acl(&self) -> toolgate_tools::AclPolicy {
        let mut acl = toolgate_tools::AclPolicy::default();
        acl.tool_scopes = self.tool_scopes.iter().cloned().collect();
        acl.hide_tools_without_scopes = self.hide_tools_without_scopes;
        acl
    }

    fn any_set(&self) -> bool {
        self.resource.is_some()
            || self.introspection_endpoint.is_some()
            || self.jwks_uri.is_some()
            || self.client_id.is_some()
            || self.client_secret.is_some()
            || !self.required_scopes.is_empty()
            || !self.scopes_supported.is_empty()
            || !self.tool_scopes.is_empty()
            || self.hide_tools_without_scopes
            || self.insecure_relaxed_audience
    }

    /// The resource server, or `None` for an unauthenticated server.
    pub(crate) fn resource_server(
        &self,
        listen: SocketAddr,
        path: &str,
    ) -> anyhow::Result<Option<Arc<ResourceServer>>> {
        if self.issuers.is_empty() {
            if self.any_set() {
                bail!(
                    "the authentication flags need --issuer (TOOLGATE_ISSUER): the authorization server whose tokens are accepted"
                );
            }
            return Ok(None);
        }
        let resource = match &self.resource {
            Some(resource) => resource.clone(),
            None => Url::parse(&format!("http://{listen}{path}"))
                .context("building the default --resource")?,
        };
        let mut config = ResourceServerConfig::new(resource, self.issuers.clone());
        config.jwks_uri.clone_from(&self.jwks_uri);
        config.required_scopes.clone_from(&self.required_scopes);
        config.scopes_supported.clone_from(&self.scopes_supported);
        config.tool_scopes = self.tool_scopes.iter().cloned().collect();
        config.insecure_relaxed_audience_validation = self.insecure_relaxed_audience;
        config.resource_name = Some("Weather (WeatherAPI) MCP server".to_owned());
        if let Some(client_id) = &self.client_id {
            let mut introspection = IntrospectionConfig::new(
                client_id.clone(),
                self.client_secret.clone().map(SecretString::new),
            )
            .with_client_auth(self.client_auth);
            if let Some(endpoint) = &self.introspection_endpoint {
                introspection = introspection.with_endpoint(endpoint.clone());
            }
            config.introspection = Some(introspection);
        } else if self.introspection_endpoint.is_some() {
            bail!("--introspection-endpoint needs --client-id (and usually --client-secret)");
        }
        if self.insecure_relaxed_audience {
            tracing::warn!(
                "audience validation is relaxed: tokens meant for other resources are accepted"
            );
        }
        let server = ResourceServer::new(config)
            .map_err(|e| anyhow::anyhow!("authentication settings: {e}"))?;
        Ok(Some(Arc::new(server)))
    }
}
