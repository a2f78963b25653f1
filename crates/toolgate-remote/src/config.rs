//! The configuration of one remote MCP toolset, as a YAML config embeds it.

use std::{collections::BTreeMap, fmt, path::PathBuf, time::Duration};

use serde::Deserialize;

/// Default upstream call timeout, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// One upstream MCP server as a tool source.
///
/// ```
/// let config: toolgate_remote::RemoteConfig = serde_json::from_value(serde_json::json!({
///     "name": "everything",
///     "tags": ["demo"],
///     "transport": {"type": "stdio", "command": "node", "args": ["index.js", "stdio"]},
///     "prefix": "ev",
///     "exclude": ["*Resource*"]
/// })).unwrap();
/// assert_eq!(config.timeout_ms, 30_000);
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RemoteConfig {
    /// The toolset's name, in errors, logs and `tools/list` collisions.
    pub name: String,
    /// Tags endpoints select the toolset by (default: none).
    #[serde(default)]
    pub tags: Vec<String>,
    /// How to reach the upstream.
    pub transport: RemoteTransport,
    /// Tools are served as `{prefix}_{tool}` when set (default: the upstream names as-is).
    #[serde(default)]
    pub prefix: Option<String>,
    /// Upstream tool-name globs (`*`, `?`) to serve; empty serves every tool (default).
    #[serde(default)]
    pub include: Vec<String>,
    /// Upstream tool-name globs to leave out; wins over `include` (default: none).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Longest wait for an upstream answer, connecting included (default 30000).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Refuses a streamable HTTP upstream on a loopback, private or link-local address,
    /// checked on every address its host resolves to, when connecting (default false).
    #[serde(default)]
    pub deny_private_networks: bool,
}

fn default_timeout_ms() -> u64 {
    DEFAULT_TIMEOUT_MS
}

impl RemoteConfig {
    /// A config for `name` reached over `transport`, every other field at its default.
    #[must_use]
    pub fn new(name: impl Into<String>, transport: RemoteTransport) -> Self {
        Self {
            name: name.into(),
            tags: Vec::new(),
            transport,
            prefix: None,
            include: Vec::new(),
            exclude: Vec::new(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            deny_private_networks: false,
        }
    }

    /// Adds tags.
    #[must_use]
    pub fn with_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Serves tools as `{prefix}_{tool}`.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Adds include globs.
    #[must_use]
    pub fn with_include<I, S>(mut self, globs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.include.extend(globs.into_iter().map(Into::into));
        self
    }

    /// Adds exclude globs.
    #[must_use]
    pub fn with_exclude<I, S>(mut self, globs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.exclude.extend(globs.into_iter().map(Into::into));
        self
    }

    /// Sets the timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Refuses (or allows) a streamable HTTP upstream on a non-public address.
    #[must_use]
    pub fn with_deny_private_networks(mut self, deny: bool) -> Self {
        self.deny_private_networks = deny;
        self
    }

    /// The timeout as a [`Duration`].
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// The OAuth client credentials grant (RFC 6749 §4.4) against the upstream's authorization
/// server: the gateway's own identity upstream, no user token involved.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ClientCredentials {
    /// The token endpoint.
    pub token_endpoint: String,
    /// The gateway's client id there.
    pub client_id: String,
    /// The name of an environment variable holding the client secret, read at every token
    /// request.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// The client secret itself (from an interpolated configuration); wins over
    /// `client_secret_env`. Never printed.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Scopes to ask for, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// The RFC 8707 resource to ask a token for (usually the upstream MCP endpoint).
    #[serde(default)]
    pub resource: Option<String>,
    /// Send the credentials in the form body (`client_secret_post`) instead of HTTP Basic.
    #[serde(default)]
    pub client_secret_post: bool,
}

impl ClientCredentials {
    /// The grant at `token_endpoint` as `client_id` with `client_secret`.
    #[must_use]
    pub fn new(
        token_endpoint: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            token_endpoint: token_endpoint.into(),
            client_id: client_id.into(),
            client_secret_env: None,
            client_secret: Some(client_secret.into()),
            scope: None,
            resource: None,
            client_secret_post: false,
        }
    }

    /// Asks for a token for `resource`.
    #[must_use]
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Asks for `scope`.
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_endpoint", &self.token_endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret_env", &self.client_secret_env)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("scope", &self.scope)
            .field("resource", &self.resource)
            .field("client_secret_post", &self.client_secret_post)
            .finish()
    }
}

/// How to reach an upstream MCP server.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum RemoteTransport {
    /// Streamable HTTP.
    StreamableHttp {
        /// The MCP endpoint (`https://mcp.example.com/mcp`).
        url: String,
        /// Headers sent with every request (default: none). Values never appear in logs.
        #[serde(default)]
        headers: BTreeMap<String, String>,
        /// The name of an environment variable holding a bearer token, read at every
        /// (re)connection (default: no token).
        #[serde(default)]
        bearer_env: Option<String>,
        /// Obtain the bearer token from the upstream's authorization server with the OAuth
        /// client credentials grant, at every (re)connection (default: none).
        #[serde(default)]
        client_credentials: Option<ClientCredentials>,
    },
    /// A child process speaking MCP over its stdin and stdout.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments (default: none).
        #[serde(default)]
        args: Vec<String>,
        /// Environment variables added to the inherited environment (default: none).
        /// Values never appear in logs.
        #[serde(default)]
        env: BTreeMap<String, String>,
        /// Working directory (default: the gateway's).
        #[serde(default)]
        cwd: Option<PathBuf>,
    },
}

impl RemoteTransport {
    /// Streamable HTTP at `url`, no headers, no token.
    #[must_use]
    pub fn streamable_http(url: impl Into<String>) -> Self {
        Self::StreamableHttp {
            url: url.into(),
            headers: BTreeMap::new(),
            bearer_env: None,
            client_credentials: None,
        }
    }

    /// Streamable HTTP authenticated with a client-credentials token; other transports are
    /// returned unchanged.
    #[must_use]
    pub fn with_client_credentials(self, grant: ClientCredentials) -> Self {
        match self {
            Self::StreamableHttp {
                url,
                headers,
                bearer_env,
                ..
            } => Self::StreamableHttp {
                url,
                headers,
                bearer_env,
                client_credentials: Some(grant),
            },
            other => other,
        }
    }

    /// The child process `command args…`.
    #[must_use]
    pub fn stdio<I, S>(command: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::Stdio {
            command: command.into(),
            args: args.into_iter().map(Into::into).collect(),
            env: BTreeMap::new(),
            cwd: None,
        }
    }
}

impl fmt::Debug for RemoteTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::StreamableHttp {
                url,
                headers,
                bearer_env,
                client_credentials,
            } => f
                .debug_struct("StreamableHttp")
                .field("url", url)
                .field("headers", &headers.keys().collect::<Vec<_>>())
                .field("bearer_env", bearer_env)
                .field("client_credentials", client_credentials)
                .finish(),
            Self::Stdio {
                command,
                args,
                env,
                cwd,
            } => f
                .debug_struct("Stdio")
                .field("command", command)
                .field("args", args)
                .field("env", &env.keys().collect::<Vec<_>>())
                .field("cwd", cwd)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests;
