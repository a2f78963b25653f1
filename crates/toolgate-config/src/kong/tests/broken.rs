//! Kong files the import refuses: each names the Kong path and says why.

use super::*;

/// One broken file: the problem expected at `path`, whose message contains `message`.
struct Case {
    name: &'static str,
    text: &'static str,
    path: &'static str,
    message: &'static str,
}

const PASSTHROUGH: &str = "
services:
- name: up
  url: https://mcp.example.com/mcp
  routes:
  - name: r
    paths: [/mcp]
    plugins:
    - name: ai-mcp-proxy
      config: {mode: passthrough-listener}
";

const CASES: &[Case] = &[
    Case {
        name: "vault_reference_fails",
        text: "plugins:\n- name: ai-mcp-oauth2\n  config:\n    resource: http://localhost:8000/mcp\n    client_secret: '{vault://env/okta-secret}'\n",
        path: "plugins[0].config.client_secret",
        message: "a Kong Vault reference ({vault://…}) is not supported",
    },
    Case {
        name: "unknown_plugin_fails",
        text: "plugins:\n- name: request-termination\n  config: {status_code: 503}\n",
        path: "plugins[0].name",
        message: "the plugin `request-termination` is not supported by the import",
    },
    Case {
        name: "rate_limit_per_month_fails",
        text: "plugins:\n- name: rate-limiting\n  config: {minute: 5, month: 10000}\n",
        path: "plugins[0].config.month",
        message: "`10000` is not supported: toolgate's windows go up to a day",
    },
    Case {
        name: "rate_limit_by_ip_fails",
        text: "plugins:\n- name: rate-limiting\n  config: {minute: 5, limit_by: ip}\n",
        path: "plugins[0].config.limit_by",
        message: "`ip` is not supported: an endpoint's limit counts each caller",
    },
    Case {
        name: "rate_limit_without_window_fails",
        text: "plugins:\n- name: rate-limiting\n  config: {limit_by: consumer}\n",
        path: "plugins[0].config",
        message: "no limit to carry over",
    },
    Case {
        name: "misspelt_plugin_fails",
        text: "plugins:\n- name: ai-mcp-proxi\n  config: {mode: listener}\n",
        path: "plugins[0].name",
        message: "did you mean `ai-mcp-proxy`?",
    },
    Case {
        name: "unknown_proxy_mode_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: server}\n",
        path: "routes[0].plugins[0].config.mode",
        message: "unknown ai-mcp-proxy mode `server`",
    },
    Case {
        name: "unsupported_proxy_field_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: listener, server: {tag: t}, cache: true}\n",
        path: "routes[0].plugins[0].config.cache",
        message: "`cache` in the ai-mcp-proxy config is not supported by the import",
    },
    Case {
        name: "acl_on_token_claims_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: listener, server: {tag: t}, acl_attribute_type: oauth_access_token}\n",
        path: "routes[0].plugins[0].config.acl_attribute_type",
        message: "ACL rules name consumers and consumer groups",
    },
    Case {
        name: "listener_without_tag_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: listener}\n",
        path: "routes[0].plugins[0].config.server.tag",
        message: "a listener needs `server.tag`",
    },
    Case {
        name: "unlimited_body_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: listener, server: {tag: t}, max_request_body_size: 0}\n",
        path: "routes[0].plugins[0].config.max_request_body_size",
        message: "0 (no limit) is not supported",
    },
    Case {
        name: "datakit_of_another_shape_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - name: datakit\n    config:\n      nodes:\n      - {name: CALL, type: call, url: 'http://127.0.0.1:9/'}\n",
        path: "routes[0].plugins[0].config.nodes",
        message: "only the challenge graph is supported",
    },
    Case {
        name: "route_naming_a_missing_service_fails",
        text: "services:\n- name: api\n  url: http://127.0.0.1:9\nroutes:\n- name: r\n  paths: [/mcp]\n  service: {name: apj}\n",
        path: "routes[0].service",
        message: "no service named `apj` in the file; did you mean `api`?",
    },
    Case {
        name: "plugin_naming_a_missing_route_fails",
        text: "plugins:\n- name: cors\n  route: nope\n  config: {origins: ['*']}\n",
        path: "plugins[0].route",
        message: "no route named `nope` in the file",
    },
    Case {
        name: "unknown_top_level_key_fails",
        text: "upstreams:\n- name: u\n",
        path: "upstreams",
        message: "`upstreams` in a decK state file is not supported by the import",
    },
    Case {
        name: "unknown_route_field_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  headers: {x-tenant: [a]}\n",
        path: "routes[0].headers",
        message: "`headers` in a route is not supported by the import",
    },
    Case {
        name: "format_version_fails",
        text: "_format_version: '0.1'\n",
        path: "_format_version",
        message: "unsupported decK format version \"0.1\"",
    },
    Case {
        name: "consumer_scoped_plugin_fails",
        text: "plugins:\n- name: cors\n  consumer: alice\n  config: {origins: ['*']}\n",
        path: "plugins[0].consumer",
        message: "plugins scoped to a consumer are not supported",
    },
    Case {
        name: "key_auth_forwarding_keys_fails",
        text: "plugins:\n- name: key-auth\n  config: {hide_credentials: false}\n",
        path: "plugins[0].config.hide_credentials",
        message: "API keys never go upstream here",
    },
    Case {
        name: "anonymous_key_auth_fails",
        text: "plugins:\n- name: key-auth\n  config: {anonymous: guest}\n",
        path: "plugins[0].config.anonymous",
        message: "a request without a valid key is refused",
    },
    Case {
        name: "oauth2_private_key_jwt_fails",
        text: "plugins:\n- name: ai-mcp-oauth2\n  config: {resource: 'http://localhost:8000/mcp', client_auth: private_key_jwt}\n",
        path: "plugins[0].config.client_auth",
        message: "`private_key_jwt` is not supported",
    },
    Case {
        name: "oauth2_token_exchange_fails",
        text: "plugins:\n- name: ai-mcp-oauth2\n  config:\n    resource: 'http://localhost:8000/mcp'\n    token_exchange: {enabled: true, token_endpoint: 'https://idp.example.com/token'}\n",
        path: "plugins[0].config.token_exchange.enabled",
        message: "token exchange (RFC 8693) is not supported",
    },
    Case {
        name: "cors_regex_origin_fails",
        text: "plugins:\n- name: cors\n  config: {origins: ['https://.*\\.example\\.com']}\n",
        path: "plugins[0].config.origins[0]",
        message: "regular-expression origins are not supported",
    },
    Case {
        name: "duplicate_plugin_on_a_route_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - {name: cors, config: {origins: ['*']}}\n  - {name: cors, config: {origins: ['*']}}\n",
        path: "routes[0].plugins[1]",
        message: "a second `cors` plugin with the same scope as routes[0].plugins[0]",
    },
    Case {
        name: "service_with_url_and_host_fails",
        text: "services:\n- name: api\n  url: http://127.0.0.1:9\n  host: example.com\n",
        path: "services[0]",
        message: "give either `url` or `protocol`/`host`/`port`/`path`, not both",
    },
    Case {
        name: "service_without_tls_verification_fails",
        text: "services:\n- name: api\n  url: https://example.com\n  tls_verify: false\n",
        path: "services[0].tls_verify",
        message: "upstream TLS certificates are always verified",
    },
    Case {
        name: "key_without_a_value_fails",
        text: "consumers:\n- username: alice\n  keyauth_credentials:\n  - {id: k1}\n",
        path: "consumers[0].keyauth_credentials[0]",
        message: "give the `key`",
    },
    Case {
        name: "consumer_acls_fail",
        text: "consumers:\n- username: alice\n  acls:\n  - {group: admin}\n",
        path: "consumers[0].acls",
        message: "`acls` in a consumer is not supported by the import",
    },
    Case {
        name: "regex_endpoint_path_fails",
        text: "routes:\n- name: r\n  paths: ['~/mcp$']\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: listener, server: {tag: t}}\n",
        path: "routes[0].paths[0]",
        message: "a regular-expression path cannot be an MCP endpoint",
    },
    Case {
        name: "grpc_route_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  protocols: [grpc]\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: listener, server: {tag: t}}\n",
        path: "routes[0].protocols[0]",
        message: "MCP endpoints are served over HTTP",
    },
    Case {
        name: "global_conversion_fails",
        text: "services:\n- name: api\n  url: http://127.0.0.1:9\n  routes:\n  - {name: r, paths: [/api]}\nplugins:\n- name: ai-mcp-proxy\n  tags: [t]\n  config:\n    mode: conversion-only\n    tools: [{description: d, path: x}]\n",
        path: "plugins[0]",
        message: "a global conversion plugin would convert every route",
    },
    Case {
        name: "conversion_tool_typo_fails",
        text: "services:\n- name: api\n  url: http://127.0.0.1:9\n  routes:\n  - name: r\n    paths: [/api]\n    plugins:\n    - name: ai-mcp-proxy\n      tags: [t]\n      config:\n        mode: conversion-only\n        tools: [{description: d, path: x, paramters: []}]\n",
        path: "services[0].routes[0].plugins[0].config.tools[0].paramters",
        message: "did you mean `parameters`?",
    },
    Case {
        name: "absolute_tool_path_outside_the_route_fails",
        text: "services:\n- name: api\n  url: http://127.0.0.1:9\n  routes:\n  - name: r\n    paths: [/api]\n    plugins:\n    - name: ai-mcp-proxy\n      tags: [t]\n      config:\n        mode: conversion-only\n        tools: [{description: d, path: /other/x}]\n",
        path: "services[0].routes[0].plugins[0].config.tools[0].path",
        message: "`/other/x` is under none of route `r`'s paths (/api)",
    },
    Case {
        name: "passthrough_without_a_service_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: passthrough-listener}\n",
        path: "routes[0].plugins[0]",
        message: "a passthrough needs the upstream MCP server's URL",
    },
    Case {
        name: "passthrough_tool_with_rest_fields_fails",
        text: "services:\n- name: up\n  url: https://mcp.example.com/mcp\n  routes:\n  - name: r\n    paths: [/mcp]\n    plugins:\n    - name: ai-mcp-proxy\n      config:\n        mode: passthrough-listener\n        tools: [{name: echo, method: GET}]\n",
        path: "services[0].routes[0].plugins[0].config.tools[0].method",
        message: "`method` in a passthrough-listener tool",
    },
    Case {
        name: "token_swap_without_oauth2_fails",
        text: "services:\n- name: up\n  url: https://mcp.example.com/mcp\n  routes:\n  - name: r\n    paths: [/mcp]\n    plugins:\n    - name: ai-mcp-proxy\n      config: {mode: passthrough-listener}\n    - name: request-transformer-advanced\n      config: {add: {headers: ['Authorization:Bearer abc']}}\n",
        path: "services[0].routes[0].plugins[1]",
        message: "the route has no ai-mcp-oauth2 plugin",
    },
    Case {
        name: "request_transformer_other_use_fails",
        text: "plugins:\n- name: request-transformer-advanced\n  config: {add: {headers: ['X-Tenant:acme']}}\n",
        path: "plugins[0].config.add.headers",
        message: "only `add.headers: ['Authorization:Bearer <token>']` is supported",
    },
    Case {
        name: "request_transformer_on_a_listener_fails",
        text: "routes:\n- name: r\n  paths: [/mcp]\n  plugins:\n  - name: ai-mcp-proxy\n    config: {mode: listener, server: {tag: t}}\n  - name: request-transformer-advanced\n    config: {add: {headers: ['Authorization:Bearer abc']}}\n",
        path: "routes[0].plugins[1]",
        message: "is only supported on a passthrough-listener route",
    },
    Case {
        name: "response_transformer_other_use_fails",
        text: "plugins:\n- name: response-transformer-advanced\n  config: {add: {json: ['x:y']}}\n",
        path: "plugins[0].config.add",
        message: "`add` in the response-transformer-advanced config is not supported",
    },
    Case {
        name: "metadata_rewrite_without_a_passthrough_fails",
        text: "services:\n- name: prm\n  url: https://mcp.example.com/.well-known/oauth-protected-resource/mcp\n  routes:\n  - name: prm\n    paths: [/.well-known/oauth-protected-resource/github-mcp]\n    plugins:\n    - name: response-transformer-advanced\n      config: {replace: {json: ['resource:https://localhost:8443/github-mcp']}}\n",
        path: "services[0].routes[0].plugins[0]",
        message: "no passthrough endpoint at /github-mcp",
    },
    Case {
        name: "metadata_rewrite_on_an_api_route_fails",
        text: "services:\n- name: api\n  url: https://api.example.com\n  routes:\n  - name: r\n    paths: [/api]\n    plugins:\n    - name: response-transformer-advanced\n      config: {replace: {json: ['resource:https://localhost:8443/github-mcp']}}\n",
        path: "services[0].routes[0].plugins[0]",
        message: "only supported on a route whose paths are all under /.well-known/oauth-protected-resource/",
    },
];

fn problems(text: &str) -> Vec<Problem> {
    match translate_str(text, "kong.yaml", EnvHandling::Keep) {
        Ok(import) => panic!("accepted:\n{}", to_yaml(&import)),
        Err(error) => error.problems().to_vec(),
    }
}

#[test]
fn broken_files_name_their_kong_path_fails() {
    for case in CASES {
        let found = problems(case.text);
        let hit = found
            .iter()
            .any(|p| p.path == case.path && p.message.contains(case.message));
        assert!(
            hit,
            "{}: expected `{}: …{}…`, got:\n{}",
            case.name,
            case.path,
            case.message,
            found
                .iter()
                .map(|p| p.display_in("kong.yaml").to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(
            found.iter().all(|p| p.line.is_some()),
            "{}: every problem has its line: {found:?}",
            case.name
        );
    }
}

#[test]
fn every_problem_is_reported_with_its_line_fails() {
    let text = "\
_format_version: '3.0'
routes:
- name: r
  paths: [/mcp]
  plugins:
  - name: ai-mcp-proxy
    config:
      mode: listner
  - name: request-termination
    config: {status_code: 503}
consumers:
- username: alice
  basicauth_credentials: [{username: a, password: b}]
";
    let found: Vec<String> = problems(text)
        .iter()
        .map(|p| p.display_in("kong.yaml").to_string())
        .collect();
    assert_eq!(
        found,
        [
            "kong.yaml:8: routes[0].plugins[0].config.mode: unknown ai-mcp-proxy mode `listner`; \
             expected one of conversion-only, conversion-listener, listener, passthrough-listener; \
             did you mean `listener`?",
            "kong.yaml:9: routes[0].plugins[1].name: the plugin `request-termination` is not \
             supported by the import (supported: ai-mcp-proxy, ai-mcp-oauth2, key-auth, cors, \
             rate-limiting, datakit, response-transformer-advanced, request-transformer-advanced)",
            "kong.yaml:13: consumers[0].basicauth_credentials: `basicauth_credentials` in a \
             consumer is not supported by the import (supported: `username`, `custom_id`, `id`, \
             `tags`, `keyauth_credentials`, `groups`)",
        ]
    );
}

#[test]
fn token_swap_with_forwarded_credentials_fails() {
    let text = format!(
        "{PASSTHROUGH}    - name: ai-mcp-oauth2
      config:
        resource: https://localhost:8443/mcp
        authorization_servers: [https://idp.example.com]
        passthrough_credentials: true
    - name: request-transformer-advanced
      config: {{add: {{headers: ['Authorization:Bearer abc']}}}}
"
    );
    let found = problems(&text);
    assert!(
        found
            .iter()
            .any(|p| p.path == "services[0].routes[0].plugins[2]"
                && p.message.contains("`passthrough_credentials: true`")),
        "{found:?}"
    );
}

#[test]
fn challenge_beside_oauth2_fails() {
    let challenge = example("seed-002.yaml");
    let start = challenge
        .find("    - name: datakit")
        .expect("the datakit plugin");
    let end = challenge
        .find("    - name: key-auth")
        .expect("the key-auth plugin");
    let text = format!(
        "{PASSTHROUGH}{}    - name: ai-mcp-oauth2
      config: {{resource: 'https://localhost:8443/mcp', authorization_servers: ['https://idp.example.com']}}
",
        &challenge[start..end]
    );
    let found = problems(&text);
    assert!(
        found
            .iter()
            .any(|p| p.path == "services[0].routes[0].plugins[1]"
                && p.message.contains("validates tokens here: use one")),
        "{found:?}"
    );
}

#[test]
fn messages_keep_references_not_placeholders_fails() {
    let text = "services:\n- name: api\n  url: ${{ env \"API_URL\" }}\n  tls_verify: false\n  retries: ${{ env \"RETRIES\" }}\n";
    let found = problems(text);
    assert!(
        found.iter().all(|p| !p.message.contains("kongref")),
        "{found:?}"
    );
}
