//! The types of `toolgate.yaml`. Field names follow Kong's plugin fields where the concept is
//! the same, so a Kong user recognises every key. Every struct refuses unknown fields.
//!
//! The doc comments here are the configuration reference: they become the descriptions of
//! the JSON Schema (`schema/toolgate.schema.json`) that editors use to complete and check the
//! file.

use std::{collections::BTreeMap, net::SocketAddr};

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use toolgate_rest::{OneOrMany, RestToolSpec, openapi::Selector};
use toolgate_tools::{AclRule, ConsumerIdentifier};

mod limits;

pub use limits::{
    DurationConfig, LimitByConfig, RateLimitConfig, RateLimitsConfig, ToolRateLimitConfig,
    parse_duration,
};

/// The whole file.
///
/// ```yaml
/// listeners:
///   - {name: public, listen: 127.0.0.1:8000}
/// toolsets:
///   - name: weatherapi
///     tags: [weather-tools]
///     rest:
///       base_url: https://api.weatherapi.com/v1
///       query: {key: "${{ env "WEATHERAPI_API_KEY" }}"}
///       tools: [...]
/// endpoints:
///   - path: /weather/mcp
///     tags: [weather-tools]
///     auth: okta
/// auth:
///   okta:
///     resource: http://localhost:8000/weather/mcp
///     authorization_servers: [https://example.okta.com/oauth2/default]
/// ```
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "toolgate configuration")]
pub struct Config {
    /// The format of this file; `"1"` (the only one so far) when given.
    #[serde(default, rename = "_format_version")]
    pub format_version: Option<String>,
    /// The addresses HTTP endpoints are served on (default: one listener, `default`, on
    /// 127.0.0.1:8000).
    #[serde(default)]
    pub listeners: Vec<ListenerConfig>,
    /// The MCP endpoints.
    #[serde(default)]
    pub endpoints: Vec<EndpointConfig>,
    /// The tool sources: inline REST tools, OpenAPI documents, remote MCP servers.
    #[serde(default)]
    pub toolsets: Vec<ToolsetConfig>,
    /// Named resource-server profiles (OAuth 2.1 token validation and API keys) endpoints
    /// refer to by name.
    #[serde(default)]
    pub auth: IndexMap<String, AuthConfig>,
    /// Consumer groups (Kong's `consumer_groups`). A consumer naming a group not listed here
    /// is an error.
    #[serde(default)]
    pub consumer_groups: Vec<ConsumerGroupConfig>,
    /// Consumers: the identities ACLs name, with their API keys.
    #[serde(default)]
    pub consumers: Vec<ConsumerConfig>,
    /// The admin listener (`/metrics`, `/healthz`, `/readyz`; default: none).
    #[serde(default)]
    pub admin: Option<AdminConfig>,
    /// Where audit events go and what logged payloads redact (default: the process log).
    #[serde(default)]
    pub audit: Option<AuditConfig>,
    /// Refuse connections to loopback, private, link-local and other non-public addresses
    /// for what the gateway fetches or calls on behalf of documents and remote servers:
    /// OpenAPI documents loaded from URLs (their `$ref`s and the calls of their tools) and
    /// remote MCP servers (`remote` toolsets, `passthrough` endpoints). Every address a host
    /// name resolves to is checked, at each connection. Inline `rest` toolsets are not
    /// affected. A toolset or passthrough can say otherwise with its own
    /// `deny_private_networks` (default false).
    #[serde(default)]
    pub deny_private_networks: bool,
}

/// One HTTP listen address.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListenerConfig {
    /// The name endpoints refer to (default `default`).
    #[serde(default = "default_listener_name")]
    pub name: String,
    /// `host:port` to bind, e.g. `127.0.0.1:8000` or `[::1]:8000`.
    pub listen: SocketAddr,
    /// Host names (or `host:port`) accepted in the `Host` header of every endpoint on this
    /// listener, beside the hosts of the endpoints' `resource` URLs (default: loopback names
    /// only). `["*"]` accepts any host: only behind a proxy that checks it.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// How long a client may take to send a request's headers; also how long a kept-alive
    /// connection may sit idle (default `30s`). Slower clients are disconnected.
    #[serde(default)]
    pub header_read_timeout: Option<DurationConfig>,
    /// How long a client may take to send a request's body, from its headers on (default
    /// `60s`); slower ones get 408 and are disconnected.
    #[serde(default)]
    pub body_read_timeout: Option<DurationConfig>,
}

pub(crate) fn default_listener_name() -> String {
    "default".to_owned()
}

/// One MCP endpoint: either tools from toolsets (`tags` and/or `toolsets`), or a `passthrough`
/// proxy to one remote MCP server.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// The endpoint's name in logs, `toolgate tools --endpoint` and `serve --stdio --endpoint`
    /// (default: the path without slashes, e.g. `weather-mcp`).
    #[serde(default)]
    pub name: Option<String>,
    /// The URL path served, e.g. `/weather/mcp`.
    pub path: String,
    /// The listener (by name) serving it (default: the first).
    #[serde(default)]
    pub listener: Option<String>,
    /// Serve the tools of every toolset carrying one of these tags (Kong's `server.tag`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Serve these toolsets, by name.
    #[serde(default)]
    pub toolsets: Vec<String>,
    /// Proxy one remote MCP server as-is instead, with tool ACLs enforced here.
    #[serde(default)]
    pub passthrough: Option<PassthroughConfig>,
    /// The auth profile (a key of `auth`) guarding the endpoint (default: none, which is only
    /// allowed on a loopback listener).
    #[serde(default)]
    pub auth: Option<String>,
    /// Browser access (Kong's `cors` plugin), e.g. MCP Inspector's
    /// `origins: [http://localhost:6274]`.
    #[serde(default)]
    pub cors: Option<CorsConfig>,
    /// The largest request body accepted, in bytes (default 1 MiB); larger bodies get 413.
    #[serde(default)]
    pub max_request_body_size: Option<usize>,
    /// Upstream timeout for the endpoint's tool calls in milliseconds (Kong's
    /// `server.timeout`); replaces the toolsets' own.
    #[serde(default)]
    pub timeout: Option<u64>,
    /// Rate limits per consumer and per tool; requests over them get 429 with
    /// `Retry-After` (default: none).
    #[serde(default)]
    pub rate_limits: Option<RateLimitsConfig>,
    /// Sessions: `stateful` (default; `Mcp-Session-Id`) or `stateless` (every request stands
    /// alone; what the 2026-07-28 protocol revision uses).
    #[serde(default)]
    pub sessions: SessionsConfig,
    /// How long a session may sit idle — no request in flight, no stream open, no request —
    /// before it is closed (default `5m`).
    #[serde(default)]
    pub sessions_idle_timeout: Option<DurationConfig>,
    /// The most sessions open at once (default 10000); beyond, a new `initialize` gets 503
    /// with `Retry-After`. Existing sessions are never closed to make room.
    #[serde(default)]
    pub max_sessions: Option<usize>,
    /// Answer `application/json` instead of an SSE stream when a request served without a
    /// session (`sessions: stateless`, or the 2026-07-28 protocol) has no notifications to
    /// stream; a call that sends progress or logging still gets a stream (default true).
    /// Requests in a session are always answered with a stream.
    #[serde(default = "yes")]
    pub json_response: bool,
    /// The server's name, title and instructions in `initialize`.
    #[serde(default)]
    pub server: Option<ServerInfoConfig>,
    /// Statistics and payload logging (Kong's `logging`).
    #[serde(default)]
    pub logging: Option<LoggingConfig>,
}

/// `stateful` or `stateless`.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SessionsConfig {
    /// Sessions with `Mcp-Session-Id` (default).
    #[default]
    Stateful,
    /// No sessions.
    Stateless,
}

/// What `initialize` tells clients about the server.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerInfoConfig {
    /// The server name (default `toolgate`).
    #[serde(default)]
    pub name: Option<String>,
    /// A human title.
    #[serde(default)]
    pub title: Option<String>,
    /// Instructions for the model.
    #[serde(default)]
    pub instructions: Option<String>,
}

/// Kong's `logging` block.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfig {
    /// One audit event per `tools/call`: endpoint, session, consumer, groups, tool,
    /// upstream, outcome, JSON-RPC code, upstream status, latency and sizes (see `audit`
    /// for where it goes). ACL decisions are audited whatever this says.
    #[serde(default)]
    pub log_statistics: bool,
    /// Adds the call's arguments and result to that event (at most 4 KiB each), with the
    /// `redact` fields, credential fields and every credential the gateway holds redacted.
    #[serde(default)]
    pub log_payloads: bool,
    /// Kong's field with the same meaning as `log_payloads` for access logs; accepted and
    /// treated as `log_payloads`.
    #[serde(default)]
    pub log_audits: bool,
    /// Argument and result field names redacted from logged payloads, e.g.
    /// `[password, ssn]` (nested fields too; beside `audit.redact`).
    #[serde(default)]
    pub redact: Vec<String>,
}

/// Browser access to an endpoint (Kong's `cors` plugin fields).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins allowed (`http://localhost:6274`), or `*` for any.
    #[serde(default)]
    pub origins: Vec<String>,
    /// Methods allowed in preflight answers (default: GET, POST, DELETE, OPTIONS).
    #[serde(default)]
    pub methods: Vec<String>,
    /// Request headers allowed (default: the MCP and auth headers).
    #[serde(default)]
    pub headers: Vec<String>,
    /// Response headers exposed (default: `Mcp-Session-Id`, `WWW-Authenticate`).
    #[serde(default)]
    pub exposed_headers: Vec<String>,
    /// Whether credentials (cookies) are allowed; not with `*` (default false).
    #[serde(default)]
    pub credentials: bool,
    /// How long a preflight answer may be cached, in seconds.
    #[serde(default)]
    pub max_age: Option<u64>,
    /// Kong's field; only `false` (the preflight is answered here) is supported.
    #[serde(default)]
    pub preflight_continue: bool,
}

/// A passthrough proxy to one remote MCP server over streamable HTTP.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassthroughConfig {
    /// The upstream MCP endpoint, e.g. `https://api.githubcopilot.com/mcp/`.
    pub upstream: String,
    /// Refuse an upstream on a non-public address (see the top-level
    /// `deny_private_networks`, which this replaces for the endpoint; default: that one).
    #[serde(default)]
    pub deny_private_networks: Option<bool>,
    /// Who the upstream sees: `none` (default), `user_token` (the client's own
    /// `Authorization` goes upstream, which validates it), `token_swap` (a validated token is
    /// replaced by a stored credential) or `static` (fixed headers).
    #[serde(default)]
    pub identity: IdentityConfig,
    /// `token_swap`: the credential sent upstream as `Authorization: Bearer …`.
    #[serde(default)]
    pub credential: Option<String>,
    /// `static`: headers sent upstream on every request.
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// The upstream's Protected Resource Metadata, served here with `resource` rewritten
    /// (default: discovered at the upstream's well-known URL).
    #[serde(default)]
    pub upstream_metadata: Option<String>,
    /// The gateway's public URL of this endpoint: the rewritten PRM `resource` (default: the
    /// auth profile's `resource`, else `http://<listen><path>`).
    #[serde(default)]
    pub resource: Option<String>,
    /// Rules for tools without their own (Kong's `default_acl`); entries are merged.
    #[serde(default)]
    pub default_acl: Vec<DefaultAclConfig>,
    /// Rules by served tool name; each replaces `default_acl` for its tool.
    #[serde(default)]
    pub acl: BTreeMap<String, AclRule>,
    /// Which consumer field rules name: `username` (default), `consumer_id`, `custom_id`.
    #[serde(default)]
    pub consumer_identifier: ConsumerIdentifier,
    /// Whether rules may name consumer groups (Kong's default: false).
    #[serde(default)]
    pub include_consumer_groups: bool,
    /// The most `tools/call` requests in flight to the upstream at once (default: no cap).
    /// Calls over it wait for a slot as long as the endpoint's `timeout` (default 10 s), then
    /// get `503` with `Retry-After` and JSON-RPC error -32001; the upstream never sees them.
    #[serde(default)]
    pub max_concurrent_calls: Option<usize>,
}

/// Who a passthrough's upstream sees.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IdentityConfig {
    /// No credential at all (default).
    #[default]
    None,
    /// The client's own `Authorization` header.
    UserToken,
    /// The stored `credential` in place of a validated token.
    TokenSwap,
    /// The fixed `headers`.
    Static,
}

pub(crate) fn yes() -> bool {
    true
}

/// One `default_acl` entry.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultAclConfig {
    /// What the rule covers; only `tools`.
    #[serde(default)]
    pub scope: AclScope,
    /// Consumers or groups allowed; when not empty, everyone else is denied.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Consumers or groups denied; wins over `allow`.
    #[serde(default)]
    pub deny: Vec<String>,
}

/// The scope of a `default_acl` entry.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AclScope {
    /// Tools (the only scope).
    #[default]
    Tools,
}

/// One tool source. Exactly one of `rest`, `openapi`, `remote` or `rust` is given.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolsetConfig {
    /// A unique name, in errors, logs and `endpoints[].toolsets`.
    pub name: String,
    /// Tags endpoints select the toolset by.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Inline REST tools (Kong's `ai-mcp-proxy` `tools[]`).
    #[serde(default)]
    pub rest: Option<RestConfig>,
    /// Tools generated from an OpenAPI 3.0/3.1 or Swagger 2.0 document.
    #[serde(default)]
    pub openapi: Option<OpenApiConfig>,
    /// Tools of a remote MCP server, aggregated (prefixed, filtered).
    #[serde(default)]
    pub remote: Option<RemoteSourceConfig>,
    /// For an `openapi` or `remote` toolset: refuse non-public addresses (see the top-level
    /// `deny_private_networks`, which this replaces for the toolset; default: that one).
    #[serde(default)]
    pub deny_private_networks: Option<bool>,
    /// Tools written in Rust and registered by the binary embedding toolgate
    /// (`GatewayBuilder::with_toolset`), under this name: `rust: {}`.
    #[serde(default)]
    pub rust: Option<RustToolsetConfig>,
    /// Rules for tools without their own (Kong's `default_acl`); entries are merged.
    #[serde(default)]
    pub default_acl: Vec<DefaultAclConfig>,
    /// Rules by served tool name; each replaces `default_acl` for its tool.
    #[serde(default)]
    pub acl: BTreeMap<String, AclRule>,
    /// Which consumer field rules name: `username` (default), `consumer_id`, `custom_id`.
    #[serde(default)]
    pub consumer_identifier: ConsumerIdentifier,
    /// Whether rules may name consumer groups (Kong's default: false).
    #[serde(default)]
    pub include_consumer_groups: bool,
    /// The most calls of the toolset's tools running at once (default: no cap). A call
    /// over it waits for a slot as long as its timeout, then gets an `isError` result
    /// saying the upstream is busy.
    #[serde(default)]
    pub max_concurrent_calls: Option<usize>,
}

/// Tools registered in Rust by the binary embedding toolgate.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RustToolsetConfig {
    /// What the toolset is, for people reading the file.
    #[serde(default)]
    pub description: Option<String>,
}

/// Inline REST tools.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RestConfig {
    /// The upstream base URL each tool's `path` is joined to (Kong's service `url`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Upstream timeout in milliseconds (default 10000).
    #[serde(default)]
    pub timeout: Option<u64>,
    /// Largest upstream response body accepted, in bytes (default 4 MiB).
    #[serde(default)]
    pub max_response_size: Option<usize>,
    /// Fixed query values every tool sends (never arguments, never logged).
    #[serde(default)]
    pub query: IndexMap<String, OneOrMany>,
    /// Fixed headers every tool sends (never arguments, never logged).
    #[serde(default)]
    pub headers: IndexMap<String, OneOrMany>,
    /// The tools, with Kong's fields.
    pub tools: Vec<RestToolSpec>,
}

/// Tools from an OpenAPI document.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenApiConfig {
    /// The document: a file path (relative to this config file) or an http(s) URL.
    pub spec: String,
    /// Replaces the document's `servers` (required when it has none).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Upstream timeout in milliseconds (default 10000).
    #[serde(default)]
    pub timeout: Option<u64>,
    /// Operations to import (default: all); each entry matches by `operation_id`, `tag`,
    /// `method` and `path` glob.
    #[serde(default)]
    pub include: Vec<Selector>,
    /// Operations to leave out; wins over `include`.
    #[serde(default)]
    pub exclude: Vec<Selector>,
    /// Tool names by operationId, replacing the generated ones.
    #[serde(default)]
    pub names: IndexMap<String, String>,
    /// Credential values by the document's security scheme name (apiKey or http
    /// bearer/basic; basic as `user:password`).
    #[serde(default)]
    pub credentials: IndexMap<String, String>,
}

/// A remote MCP server whose tools are served as this toolset's.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteSourceConfig {
    /// How to reach it: `{type: streamable_http, url, headers, bearer_env,
    /// client_credentials}` or `{type: stdio, command, args, env, cwd}`.
    pub transport: toolgate_remote::RemoteTransport,
    /// Served as `{prefix}_{tool}` when set.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Upstream tool-name globs to serve (default: all).
    #[serde(default)]
    pub include: Vec<String>,
    /// Upstream tool-name globs to leave out; wins over `include`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Longest wait for an upstream answer in milliseconds (default 30000).
    #[serde(default)]
    pub timeout: Option<u64>,
}

/// A resource-server profile: Kong's `ai-mcp-oauth2` fields, plus `key-auth`'s.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// This resource's public URL: the audience tokens must carry and the `resource` of the
    /// Protected Resource Metadata, e.g. `http://localhost:8000/weather/mcp`.
    #[serde(default)]
    pub resource: Option<String>,
    /// Issuers whose tokens are accepted; their metadata (RFC 8414 / OIDC discovery) gives
    /// the JWKS and introspection endpoints when not configured.
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// JWKS URL for local JWT validation (default: discovered).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// RFC 7662 introspection endpoint; opaque tokens are introspected there.
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    /// The gateway's client id at the introspection endpoint.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Its client secret (use `${{ env "NAME" }}` or `${{ file "PATH" }}`).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// How the client authenticates there: `client_secret_basic` (default),
    /// `client_secret_post` or `none`.
    #[serde(default)]
    pub client_auth: Option<String>,
    /// Cache introspection answers (default true).
    #[serde(default)]
    pub cache_introspection: Option<bool>,
    /// Accept tokens whose `aud` does not name `resource` (Okta without RFC 8707). Off by
    /// default; only for IdPs that cannot do better.
    #[serde(default)]
    pub insecure_relaxed_audience_validation: bool,
    /// Where the Protected Resource Metadata is served (default
    /// `/.well-known/oauth-protected-resource` + the resource's path).
    #[serde(default)]
    pub metadata_endpoint: Option<String>,
    /// Scopes advertised in the metadata.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// Scopes every request needs.
    #[serde(default)]
    pub required_scopes: Vec<String>,
    /// Scopes a tool needs beyond `required_scopes`, by tool name; a call without them gets
    /// 403 `insufficient_scope` (step-up).
    #[serde(default)]
    pub tool_scopes: IndexMap<String, Vec<String>>,
    /// Leave tools the caller lacks scopes for out of `tools/list`.
    #[serde(default)]
    pub hide_tools_without_scopes: bool,
    /// A human name for the resource in the metadata.
    #[serde(default)]
    pub resource_name: Option<String>,
    /// A documentation URL in the metadata.
    #[serde(default)]
    pub resource_documentation: Option<String>,
    /// Claims naming the consumer, tried in order (dotted paths for nested claims).
    #[serde(default)]
    pub consumer_claim: Vec<String>,
    /// Consumer fields the claim is matched against: `username`, `custom_id`, `id`.
    #[serde(default)]
    pub consumer_by: Vec<String>,
    /// With `consumer_claim` set, a token naming no known consumer is still accepted, without
    /// a consumer (default false: 403). Without `consumer_claim` it always is, and `sub` is
    /// matched against usernames and custom ids when it names one.
    #[serde(default)]
    pub consumer_optional: bool,
    /// A claim holding group names, added to the consumer's groups.
    #[serde(default)]
    pub consumer_groups_claim: Vec<String>,
    /// Kong's field; tokens without the groups claim are always accepted here.
    #[serde(default)]
    pub consumer_groups_optional: Option<bool>,
    /// Claims sent to REST upstreams as headers.
    #[serde(default)]
    pub claim_to_header: Vec<ClaimToHeaderConfig>,
    /// Forward the inbound `Authorization` upstream (default false: it is removed).
    #[serde(default)]
    pub passthrough_credentials: bool,
    /// Verify TLS certificates of the IdP (default true).
    #[serde(default)]
    pub ssl_verify: Option<bool>,
    /// A PEM file of extra CA certificates for the IdP.
    #[serde(default)]
    pub ca_bundle: Option<String>,
    /// Accepted JWT algorithms (default RS256, RS384, RS512, PS256, PS384, PS512, ES256,
    /// ES384, EdDSA).
    #[serde(default)]
    pub algorithms: Vec<String>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 30).
    #[serde(default)]
    pub jwt_claims_leeway: Option<u64>,
    /// API keys (Kong's `key-auth`): consumers' keys are accepted in these headers.
    #[serde(default)]
    pub key_auth: Option<KeyAuthConfig>,
}

/// One claim-to-header mapping.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimToHeaderConfig {
    /// The claim (dotted path for nested claims).
    pub claim: String,
    /// The header sent upstream.
    pub header: String,
}

/// API-key authentication (Kong's `key-auth` fields).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyAuthConfig {
    /// Headers a key is read from (default `apikey`).
    #[serde(default = "default_key_names")]
    pub key_names: Vec<String>,
    /// Remove the key before the request goes on (default true; `false` is refused: keys
    /// never go upstream).
    #[serde(default = "yes")]
    pub hide_credentials: bool,
    /// A key alone authenticates (default true). `false`: a key only names the consumer
    /// beside a valid token.
    #[serde(default = "yes")]
    pub sufficient: bool,
}

impl Default for KeyAuthConfig {
    fn default() -> Self {
        Self {
            key_names: default_key_names(),
            hide_credentials: true,
            sufficient: true,
        }
    }
}

fn default_key_names() -> Vec<String> {
    vec!["apikey".to_owned()]
}

/// A consumer group.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerGroupConfig {
    /// Its name, as ACLs and consumers name it.
    pub name: String,
}

/// A consumer.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerConfig {
    /// Its username (what ACLs name by default). One of `username` and `custom_id` is
    /// required.
    #[serde(default)]
    pub username: Option<String>,
    /// Its id (default: the username).
    #[serde(default)]
    pub id: Option<String>,
    /// An external id (what `consumer_by: [custom_id]` matches).
    #[serde(default)]
    pub custom_id: Option<String>,
    /// Groups it belongs to, by name.
    #[serde(default)]
    pub groups: Vec<String>,
    /// API keys, in clear (from `${{ env … }}`) or as `sha256:<64 hex digits>`.
    #[serde(default)]
    pub keys: Vec<String>,
}

mod observability;

pub use observability::{AdminConfig, AuditConfig};
