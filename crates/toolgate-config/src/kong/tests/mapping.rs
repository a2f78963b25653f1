//! How Kong's semantics carry over: precedence, paths, names, merges.

use super::*;

fn translate(text: &str) -> (KongImport, LoadedConfig) {
    let import = translate_str(text, "kong.yaml", EnvHandling::Keep)
        .unwrap_or_else(|e| panic!("translates: {e}"));
    let loaded = load_value(import.document.clone(), "kong.yaml", None)
        .unwrap_or_else(|e| panic!("loads: {e}\n{}", to_yaml(&import)));
    (import, loaded)
}

const TOOLS: &str = "
services:
- name: api
  protocol: http
  host: 127.0.0.1
  port: 9000
  path: /v1
  routes:
  - name: rest
    paths: [/api]
    plugins:
    - name: ai-mcp-proxy
      tags: [t]
      config:
        mode: conversion-only
        tools:
        - {name: relative, description: d, path: items}
        - {name: absolute, description: d, path: '/api/things/{id}', parameters: [{name: id, in: path, required: true, type: string}]}
        - {name: bare, description: d}
";

#[test]
fn route_plugins_win_over_service_and_global_ones_ok() {
    let text = format!(
        "{TOOLS}  - name: mcp
    paths: [/mcp]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: listener, server: {{tag: t}}}}
    - name: cors
      config: {{origins: ['http://localhost:6274']}}
  - name: other
    paths: [/other]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: listener, server: {{tag: t}}}}
  plugins:
  - name: ai-mcp-oauth2
    config: {{resource: 'http://localhost:8000/mcp', authorization_servers: ['https://idp.example.com']}}
plugins:
- name: cors
  config: {{origins: ['*']}}
- name: ai-mcp-oauth2
  config: {{resource: 'http://localhost:8000/global', authorization_servers: ['https://idp.example.com']}}
"
    );
    let (_, loaded) = translate(&text);
    let mcp = endpoint(&loaded, "/mcp");
    assert_eq!(
        mcp.cors.as_ref().expect("cors").origins,
        ["http://localhost:6274"]
    );
    assert_eq!(mcp.auth.as_deref(), Some("api-oauth2"));
    let other = endpoint(&loaded, "/other");
    assert_eq!(other.cors.as_ref().expect("cors").origins, ["*"]);
    assert_eq!(other.auth.as_deref(), Some("api-oauth2"));
    assert_eq!(
        loaded.config.auth.len(),
        1,
        "the global profile guards nothing"
    );
}

#[test]
fn tool_paths_follow_kong_route_rules_ok() {
    let text = format!(
        "{TOOLS}  - name: mcp
    paths: [/mcp]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: listener, server: {{tag: t}}}}
"
    );
    let (import, loaded) = translate(&text.replace(
        "        mode: conversion-only\n",
        "        mode: conversion-only\n        max_request_body_size: 4096\n",
    ));
    assert!(import.notes.iter().any(|n| {
        n.contains("max_request_body_size of a conversion-only plugin apply to Kong's REST route")
    }));
    let rest = loaded.config.toolsets[0].rest.as_ref().expect("rest");
    assert_eq!(rest.base_url.as_deref(), Some("http://127.0.0.1:9000/v1"));
    let paths: Vec<_> = rest.tools.iter().map(|t| t.path.as_str()).collect();
    // strip_path (Kong's default): the route path is removed before the service path.
    assert_eq!(paths, ["items", "things/{id}", ""]);
    assert!(import.notes.iter().any(|n| n.contains("tools[1].path")));

    let kept = text.replace(
        "    paths: [/api]\n",
        "    paths: [/api]\n    strip_path: false\n",
    );
    let (_, loaded) = translate(&kept);
    let rest = loaded.config.toolsets[0].rest.as_ref().expect("rest");
    let paths: Vec<_> = rest.tools.iter().map(|t| t.path.as_str()).collect();
    assert_eq!(paths, ["/api/items", "/api/things/{id}", "/api"]);
}

#[test]
fn every_route_path_is_an_endpoint_but_metadata_ok() {
    let text = format!(
        "{TOOLS}  - name: mcp
    paths: [/mcp, /v2/mcp, /.well-known/oauth-protected-resource/mcp]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: listener, server: {{tag: t}}}}
"
    );
    let (_, loaded) = translate(&text);
    let names: Vec<_> = loaded
        .config
        .endpoints
        .iter()
        .map(|e| (e.name.as_deref(), e.path.as_str()))
        .collect();
    assert_eq!(names, [(Some("mcp"), "/mcp"), (Some("mcp-2"), "/v2/mcp")]);
}

#[test]
fn conversion_listener_serves_its_own_tools_ok() {
    let text = TOOLS
        .replace("conversion-only", "conversion-listener")
        .replace("      tags: [t]\n", "");
    let (_, loaded) = translate(&text);
    let rest = endpoint(&loaded, "/api");
    assert_eq!(rest.toolsets, ["rest"]);
    assert!(rest.tags.is_empty());
}

#[test]
fn disabled_plugins_are_skipped_with_a_note_ok() {
    let text = format!(
        "{TOOLS}  - name: mcp
    paths: [/mcp]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: listener, server: {{tag: t}}}}
    - name: cors
      enabled: false
      config: {{origins: ['*']}}
"
    );
    let (import, loaded) = translate(&text);
    assert!(endpoint(&loaded, "/mcp").cors.is_none());
    assert!(
        import
            .notes
            .iter()
            .any(|n| n == "services[0].routes[1].plugins[1]: plugin `cors` is disabled: skipped")
    );
}

#[test]
fn listener_acl_settings_go_to_the_toolsets_it_serves_ok() {
    let text = format!(
        "{TOOLS}  - name: mcp
    paths: [/mcp]
    plugins:
    - name: ai-mcp-proxy
      config:
        mode: listener
        server: {{tag: t}}
        consumer_identifier: custom_id
        include_consumer_groups: true
        default_acl: [{{scope: tools, allow: [admin]}}]
consumer_groups:
- name: admin
  consumers: [{{username: alice}}]
consumers:
- username: alice
  custom_id: a-1
"
    );
    let (_, loaded) = translate(&text);
    let toolset = &loaded.config.toolsets[0];
    assert!(toolset.include_consumer_groups);
    assert_eq!(toolset.default_acl[0].allow, ["admin"]);
    assert_eq!(
        toolset.consumer_identifier,
        toolgate_tools::ConsumerIdentifier::CustomId
    );
    assert_eq!(loaded.config.consumers[0].groups, ["admin"]);
}

#[test]
fn key_auth_beside_oauth2_names_the_consumer_ok() {
    let text = format!(
        "{TOOLS}  - name: mcp
    paths: [/mcp]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: listener, server: {{tag: t}}}}
    - name: key-auth
      config: {{key_names: [x-api-key]}}
    - name: ai-mcp-oauth2
      config:
        resource: 'http://localhost:8000/mcp'
        authorization_servers: ['https://idp.example.com']
        consumer_claim: [ext, user]
"
    );
    let (import, loaded) = translate(&text);
    let profile = &loaded.config.auth["mcp-oauth2"];
    let keys = profile.key_auth.as_ref().expect("key_auth");
    assert_eq!(keys.key_names, ["x-api-key"]);
    assert!(!keys.sufficient);
    assert_eq!(profile.consumer_claim, ["ext.user"]);
    assert!(
        import
            .notes
            .iter()
            .any(|n| n.contains("Kong requires both"))
    );
}

#[test]
fn challenge_alone_gives_the_resource_ok() {
    let seed = example("seed-002.yaml");
    let start = seed
        .find("    - name: datakit")
        .expect("the datakit plugin");
    let end = seed
        .find("    - name: key-auth")
        .expect("the key-auth plugin");
    let text = format!(
        "services:
- name: up
  url: https://mcp.example.com/mcp
  routes:
  - name: github-mcp
    paths: [/github-mcp]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: passthrough-listener}}
{}",
        &seed[start..end]
    );
    let (_, loaded) = translate(&text);
    let passthrough = endpoint(&loaded, "/github-mcp")
        .passthrough
        .as_ref()
        .expect("passthrough");
    assert_eq!(passthrough.identity, IdentityConfig::UserToken);
    assert_eq!(
        passthrough.resource.as_deref(),
        Some("https://localhost:8443/github-mcp")
    );
    assert!(passthrough.upstream_metadata.is_none());
}

#[test]
fn plain_routes_are_noted_not_imported_ok() {
    let (import, loaded) = translate(
        "_format_version: '3.0'\nservices:\n- name: api\n  url: http://127.0.0.1:9\n  routes:\n  - {name: web, paths: [/]}\n",
    );
    assert!(loaded.config.endpoints.is_empty());
    assert!(import.notes.iter().any(|n| {
        n.contains("route `web` has no ai-mcp-proxy plugin: Kong proxies it as plain HTTP")
    }));
}

/// `rate-limiting` becomes the endpoint's `rate_limits.per_consumer`: windows up to a day,
/// `limit_by: consumer` or `credential`; Kong's defaults as `deck dump` writes them (redis
/// settings included) pass, a cluster policy is noted; a route's plugin wins over the
/// service's.
#[test]
fn rate_limiting_becomes_per_consumer_rate_limits_ok() {
    let text = format!(
        "{TOOLS}  - name: mcp
    paths: [/mcp]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: listener, server: {{tag: t}}}}
    - name: rate-limiting
      config:
        second: 5
        minute: 100
        hour: null
        limit_by: credential
        policy: cluster
        fault_tolerant: true
        hide_client_headers: false
        error_code: 429
        error_message: API rate limit exceeded
        sync_rate: -1
        redis: {{host: null, port: 6379, timeout: 2000, database: 0}}
        redis_port: 6379
  - name: other
    paths: [/other]
    plugins:
    - name: ai-mcp-proxy
      config: {{mode: listener, server: {{tag: t}}}}
  plugins:
  - name: rate-limiting
    config: {{day: 1000}}
"
    );
    let (import, loaded) = translate(&text);
    let limits = |path: &str| {
        endpoint(&loaded, path)
            .rate_limits
            .clone()
            .expect("rate limits")
            .per_consumer
            .expect("per consumer")
    };
    let mcp = limits("/mcp");
    assert_eq!(
        (mcp.second, mcp.minute, mcp.hour, mcp.day),
        (Some(5), Some(100), None, None)
    );
    let other = limits("/other");
    assert_eq!((other.second, other.day), (None, Some(1000)));
    let notes = import.notes.join("\n");
    assert!(notes.contains("policy: `cluster`"), "{notes}");
    assert!(notes.contains("hide_client_headers"), "{notes}");
}
