use std::{collections::HashMap, path::PathBuf};

use serde_norway::Value;

use super::*;
use crate::{LoadedConfig, load_str, load_value, model::IdentityConfig};

mod broken;
mod gateway;
mod mapping;

fn example(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/kong")
        .join(name);
    std::fs::read_to_string(&path).expect("the example exists")
}

/// Test values for every variable the seeds use.
fn vars() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("DECK_WEATHERAPI_API_KEY", "wapi-secret-0123456789"),
        ("DECK_OKTA_CLIENT_ID", "okta-client-id"),
        ("DECK_OKTA_CLIENT_SECRET", "okta-secret-0123456789"),
        (
            "DECK_OKTA_AUTH_SERVER",
            "https://example.okta.com/oauth2/default",
        ),
        (
            "DECK_OKTA_INTROSPECTION_ENDPOINT",
            "https://example.okta.com/oauth2/default/v1/introspect",
        ),
        ("DECK_MCP_AUTH_URL", "http://localhost:8000/mcp"),
        (
            "DECK_KEYCLOAK_AUTHZ_URL",
            "https://idp.example.com/realms/mcp",
        ),
        (
            "DECK_KEYCLOAK_INTROSPECTION_URL",
            "https://idp.example.com/realms/mcp/protocol/openid-connect/token/introspect",
        ),
        ("DECK_CLIENT_ID", "toolgate"),
        ("DECK_CLIENT_SECRET", "keycloak-secret-0123456789"),
        ("DECK_KONNECT_MCP_HOST", "us.mcp.konghq.com"),
        ("DECK_KONNECT_MCP_TOKEN", "kpat-secret-0123456789"),
        (
            "DECK_OAUTH_AUTH_SERVER",
            "https://idp.example.com/realms/mcp",
        ),
        (
            "DECK_OAUTH_INTROSPECTION_URL",
            "https://idp.example.com/realms/mcp/protocol/openid-connect/token/introspect",
        ),
        ("DECK_OAUTH_CLIENT_ID", "toolgate"),
        ("DECK_OAUTH_CLIENT_SECRET", "oauth-secret-0123456789"),
    ])
}

fn env() -> Environment<'static> {
    let vars = vars();
    Environment::from_fn(move |name| vars.get(name).map(|v| (*v).to_owned()), None)
}

/// Translates an example with the test variables and loads the result.
fn resolved(name: &str) -> (KongImport, LoadedConfig) {
    let env = env();
    let import = translate_str(&example(name), name, EnvHandling::Resolve(&env))
        .unwrap_or_else(|e| panic!("{name} translates: {e}"));
    let loaded = load_value(import.document.clone(), name, None)
        .unwrap_or_else(|e| panic!("{name} loads: {e}\n{}", to_yaml(&import)));
    (import, loaded)
}

/// Translates an example keeping its references, and loads the printed YAML.
fn kept(name: &str) -> (String, LoadedConfig) {
    let import = translate_str(&example(name), name, EnvHandling::Keep)
        .unwrap_or_else(|e| panic!("{name} translates: {e}"));
    let yaml = to_yaml(&import);
    let loaded = load_str(&yaml, "toolgate.yaml", &env())
        .unwrap_or_else(|e| panic!("the printed {name} loads: {e}\n{yaml}"));
    (yaml, loaded)
}

fn endpoint<'c>(loaded: &'c LoadedConfig, path: &str) -> &'c crate::model::EndpointConfig {
    loaded
        .config
        .endpoints
        .iter()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("an endpoint at {path}"))
}

#[test]
fn seed_000_translates_to_the_weather_gateway_ok() {
    let (import, loaded) = resolved("seed-000.yaml");
    let config = &loaded.config;
    assert_eq!(config.listeners.len(), 1);
    assert_eq!(config.listeners[0].listen.to_string(), "127.0.0.1:8000");

    assert_eq!(config.toolsets.len(), 1);
    let toolset = &config.toolsets[0];
    assert_eq!(toolset.tags, ["weather-tools"]);
    let rest = toolset.rest.as_ref().expect("a rest toolset");
    assert_eq!(
        rest.base_url.as_deref(),
        Some("https://api.weatherapi.com/v1")
    );
    let titles: Vec<_> = rest
        .tools
        .iter()
        .map(|t| {
            t.annotations
                .as_ref()
                .and_then(|a| a.title.clone())
                .expect("a title")
        })
        .collect();
    assert_eq!(
        titles,
        [
            "Realtime API",
            "Forecast API",
            "History API",
            "Search API",
            "IP Lookup API"
        ]
    );
    let paths: Vec<_> = rest.tools.iter().map(|t| t.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "current.json",
            "forecast.json",
            "history.json",
            "search.json",
            "ip.json"
        ]
    );
    assert_eq!(rest.tools[1].parameters.len(), 9);
    for tool in &rest.tools {
        assert_eq!(
            tool.query.get("key"),
            Some(&toolgate_rest::OneOrMany::Many(vec![
                toolgate_rest::Scalar::String("wapi-secret-0123456789".to_owned())
            ]))
        );
    }

    assert_eq!(config.endpoints.len(), 1);
    let weather = endpoint(&loaded, "/weather/mcp");
    assert_eq!(weather.name.as_deref(), Some("weather-mcp"));
    assert_eq!(weather.tags, ["weather-tools"]);
    assert_eq!(weather.timeout, Some(45_000));
    assert_eq!(weather.max_request_body_size, Some(32_768));
    let logging = weather.logging.as_ref().expect("logging");
    assert!(logging.log_statistics && !logging.log_payloads);
    let cors = weather.cors.as_ref().expect("cors");
    assert_eq!(cors.origins, ["http://localhost:6274"]);

    let profile = &config.auth[weather.auth.as_deref().expect("an auth profile")];
    assert_eq!(
        profile.resource.as_deref(),
        Some("http://localhost:8000/weather/mcp")
    );
    assert_eq!(
        profile.authorization_servers,
        ["https://example.okta.com/oauth2/default"]
    );
    assert_eq!(
        profile.introspection_endpoint.as_deref(),
        Some("https://example.okta.com/oauth2/default/v1/introspect")
    );
    assert_eq!(profile.client_id.as_deref(), Some("okta-client-id"));
    assert_eq!(
        profile.client_secret.as_deref(),
        Some("okta-secret-0123456789")
    );
    assert!(profile.insecure_relaxed_audience_validation);
    assert_eq!(
        profile.metadata_endpoint.as_deref(),
        Some("/.well-known/oauth-protected-resource/weather/mcp")
    );
    assert!(
        import
            .notes
            .iter()
            .any(|n| n.contains("/.well-known/oauth-protected-resource/weather/mcp"))
    );
}

#[test]
fn seed_001_global_oauth2_guards_every_endpoint_ok() {
    let (_, loaded) = resolved("seed-001.yaml");
    let config = &loaded.config;
    let mcp = endpoint(&loaded, "/mcp");
    assert_eq!(mcp.auth.as_deref(), Some("global-oauth2"));
    assert_eq!(mcp.toolsets, ["example-mcp"]);
    let profile = &config.auth["global-oauth2"];
    assert_eq!(
        profile.resource.as_deref(),
        Some("http://localhost:8000/mcp")
    );
    assert_eq!(profile.client_id.as_deref(), Some("toolgate"));
    assert_eq!(profile.claim_to_header.len(), 1);
    assert_eq!(profile.claim_to_header[0].claim, "sub");
    assert_eq!(profile.claim_to_header[0].header, "X-User-Id");
    assert!(profile.insecure_relaxed_audience_validation);
}

const READ_TOOLS: [&str; 6] = [
    "search_repositories",
    "get_file_contents",
    "list_issues",
    "list_pull_requests",
    "search_users",
    "search_code",
];
const WRITE_TOOLS: [&str; 5] = [
    "create_issue",
    "push_files",
    "create_pull_request",
    "merge_pull_request",
    "create_repository",
];

#[test]
fn seed_002_translates_to_two_passthrough_endpoints_ok() {
    let (_, loaded) = resolved("seed-002.yaml");
    let config = &loaded.config;
    assert_eq!(config.endpoints.len(), 2, "the PRM route is no endpoint");

    let github = endpoint(&loaded, "/github-mcp");
    let passthrough = github.passthrough.as_ref().expect("a passthrough");
    assert_eq!(passthrough.upstream, "https://api.githubcopilot.com/mcp");
    assert_eq!(passthrough.identity, IdentityConfig::UserToken);
    assert_eq!(
        passthrough.upstream_metadata.as_deref(),
        Some("https://api.githubcopilot.com/.well-known/oauth-protected-resource/mcp")
    );
    assert_eq!(
        passthrough.resource.as_deref(),
        Some("https://localhost:8443/github-mcp")
    );
    assert!(passthrough.include_consumer_groups);
    assert_eq!(passthrough.default_acl.len(), 1);
    assert_eq!(passthrough.default_acl[0].deny, ["developer"]);
    assert!(passthrough.default_acl[0].allow.is_empty());
    assert_eq!(passthrough.acl.len(), 11);
    for tool in READ_TOOLS {
        assert_eq!(
            passthrough.acl[tool].allow,
            ["admin", "developer"],
            "{tool}"
        );
    }
    for tool in WRITE_TOOLS {
        assert_eq!(passthrough.acl[tool].allow, ["admin"], "{tool}");
    }
    let keys = &config.auth[github.auth.as_deref().expect("auth")];
    assert!(keys.authorization_servers.is_empty());
    let key_auth = keys.key_auth.as_ref().expect("key_auth");
    assert_eq!(key_auth.key_names, ["apikey"]);
    assert!(key_auth.sufficient);
    let cors = github.cors.as_ref().expect("cors");
    assert_eq!(cors.origins, ["*"]);
    assert!(github.logging.as_ref().expect("logging").log_payloads);

    let konnect = endpoint(&loaded, "/konnect-mcp");
    let passthrough = konnect.passthrough.as_ref().expect("a passthrough");
    assert_eq!(passthrough.upstream, "https://us.mcp.konghq.com/");
    assert_eq!(passthrough.identity, IdentityConfig::TokenSwap);
    assert_eq!(
        passthrough.credential.as_deref(),
        Some("kpat-secret-0123456789")
    );
    let oauth = &config.auth[konnect.auth.as_deref().expect("auth")];
    assert_eq!(
        oauth.resource.as_deref(),
        Some("https://localhost:8443/konnect-mcp")
    );
    assert!(!oauth.passthrough_credentials);
    assert_eq!(oauth.consumer_claim, ["sub"]);
    assert_eq!(oauth.consumer_by, ["username", "custom_id"]);
    assert_eq!(oauth.consumer_groups_claim, ["groups"]);
    assert_eq!(oauth.cache_introspection, Some(true));

    let groups: Vec<_> = config
        .consumer_groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(groups, ["admin", "developer"]);
    let consumers: Vec<_> = config
        .consumers
        .iter()
        .map(|c| (c.username.as_deref(), c.groups.clone(), c.keys.clone()))
        .collect();
    assert_eq!(
        consumers,
        [
            (
                Some("admin-user"),
                vec!["admin".to_owned()],
                vec!["admin-api-key".to_owned()]
            ),
            (
                Some("dev-user"),
                vec!["developer".to_owned()],
                vec!["dev-api-key".to_owned()]
            ),
        ]
    );
}

#[test]
fn keep_mode_prints_references_not_secrets_ok() {
    for name in ["seed-000.yaml", "seed-001.yaml", "seed-002.yaml"] {
        let (yaml, kept) = kept(name);
        for secret in vars().values().filter(|v| v.contains("secret")) {
            assert!(!yaml.contains(secret), "{name} prints {secret}");
        }
        // The printed file, loaded with the variables set, is what `--kong` loads.
        let (_, direct) = resolved(name);
        assert_eq!(
            format!("{:?}", kept.config),
            format!("{:?}", direct.config),
            "{name}"
        );
    }
    let (yaml, _) = kept("seed-000.yaml");
    assert!(yaml.contains(r#"- "${{ env "DECK_WEATHERAPI_API_KEY" }}""#));
    assert!(yaml.contains(r#"client_secret: "${{ env "DECK_OKTA_CLIENT_SECRET" }}""#));
    assert!(yaml.starts_with("# toolgate.yaml translated from the Kong decK file seed-000.yaml"));
    let (yaml, _) = kept("seed-002.yaml");
    assert!(yaml.contains(r#"upstream: https://${{ env "DECK_KONNECT_MCP_HOST" }}/"#));
    assert!(yaml.contains(r#"credential: "${{ env "DECK_KONNECT_MCP_TOKEN" }}""#));
}

#[test]
fn keep_mode_reads_no_variable_ok() {
    // No environment at all: nothing is looked up.
    let import =
        translate_str(&example("seed-000.yaml"), "k", EnvHandling::Keep).expect("translates");
    let Value::Mapping(document) = &import.document else {
        panic!("a mapping");
    };
    let auth = format!("{:?}", document.get("auth"));
    assert!(
        auth.contains(r#"${{ env \"DECK_OKTA_CLIENT_SECRET\" }}"#),
        "{auth}"
    );
}

#[test]
fn debug_shows_no_document_ok() {
    let env = env();
    let import = translate_str(&example("seed-000.yaml"), "k", EnvHandling::Resolve(&env))
        .expect("translates");
    let debug = format!("{import:?}");
    assert!(!debug.contains("okta-secret"), "{debug}");
}

#[test]
fn unset_variable_with_its_line_fails() {
    let empty = Environment::from_fn(|_| None, None);
    let error = translate_str(&example("seed-000.yaml"), "k", EnvHandling::Resolve(&empty))
        .expect_err("refused");
    let problems = error.problems();
    assert_eq!(problems.len(), 9, "{error}");
    assert!(
        problems[0]
            .message
            .contains("DECK_WEATHERAPI_API_KEY is not set"),
        "{error}"
    );
    assert!(problems[0].line.is_some());
}
