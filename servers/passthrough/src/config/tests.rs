use std::net::SocketAddr;

use super::*;

const EXAMPLE: &str = include_str!("../../../../examples/seed-002/gateway.yaml");

fn listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 4000))
}

fn env(name: &str) -> Option<String> {
    match name {
        "ALICE_API_KEY" => Some("alice-key".into()),
        "BOB_API_KEY" => Some("bob-key".into()),
        "EMPTY" => Some(String::new()),
        "SWAP" => Some("stored-credential".into()),
        _ => None,
    }
}

fn parse_error(text: &str) -> String {
    GatewayConfig::from_yaml(text, "t.yaml")
        .expect_err("the document is refused")
        .to_string()
}

fn build_error(text: &str) -> String {
    let config = GatewayConfig::from_yaml(text, "t.yaml").expect("parses");
    match config.endpoint("t.yaml", listen(), "/mcp", &env) {
        Ok(_) => panic!("the configuration was accepted"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn the_seed_002_example_builds_ok() {
    let config = GatewayConfig::from_yaml(EXAMPLE, "gateway.yaml").expect("example parses");
    let (endpoint, summary) = config
        .endpoint("gateway.yaml", listen(), "/mcp", &env)
        .expect("example builds");
    assert_eq!(summary.identity, "user_token");
    assert_eq!(summary.consumers, 2);
    assert_eq!(summary.keys, 2);
    assert_eq!(summary.tool_rules, 12);
    assert!(summary.default_rule);
    let _router = endpoint.into_router().expect("a router");
}

#[test]
fn unknown_fields_are_named_with_their_path() {
    let error =
        parse_error("upstream: http://127.0.0.1:1/mcp\nconsumers:\n  - id: a\n    gruops: [x]\n");
    assert!(error.starts_with("t.yaml: consumers[0]"), "{error}");
    assert!(error.contains("unknown field `gruops`"), "{error}");
    assert!(
        !error.contains("consumers[0]: "),
        "the path is repeated: {error}"
    );

    let error = parse_error(
        "upstream: http://127.0.0.1:1/mcp\nacl:\n  tools:\n    echo: {allow: [a], alow: [b]}\n",
    );
    assert!(error.starts_with("t.yaml: acl.tools.echo"), "{error}");

    let error = parse_error("upstream: http://127.0.0.1:1/mcp\nidentity: passthrough\n");
    assert!(error.starts_with("t.yaml: identity"), "{error}");

    let error =
        parse_error("upstream: http://127.0.0.1:1/mcp\nidentity:\n  mode: static\n  header: []\n");
    assert!(error.starts_with("t.yaml: identity"), "{error}");
    assert!(error.contains("unknown field `header`"), "{error}");

    let error = parse_error("upstream: not a url\n");
    assert!(error.starts_with("t.yaml: upstream"), "{error}");

    let error = parse_error(
        "upstream: http://127.0.0.1:1/mcp\nacl:\n  default_acl: [{scope: prompts, allow: [a]}]\n",
    );
    assert!(
        error.starts_with("t.yaml: acl.default_acl[0].scope"),
        "{error}"
    );
}

#[test]
fn missing_or_bad_keys_are_named_with_their_path() {
    let base = "upstream: http://127.0.0.1:1/mcp\nidentity: user_token\nconsumers:\n";
    let error = build_error(&format!("{base}  - id: a\n  - id: b\n    key_env: NOPE\n"));
    assert_eq!(
        error,
        "t.yaml: consumers[1].key_env: the environment variable NOPE is not set"
    );
    let error = build_error(&format!("{base}  - id: a\n    key_env: EMPTY\n"));
    assert!(error.contains("consumers[0].key_env: the environment variable EMPTY is empty"));
    let error = build_error(&format!("{base}  - id: a\n    keys: [ok, 'sha256:abc']\n"));
    assert!(
        error.starts_with("t.yaml: consumers[0].keys[1]: "),
        "{error}"
    );
    let error = build_error(&format!(
        "{base}  - id: a\n    keys: [same]\n  - id: b\n    keys: [same]\n"
    ));
    assert!(
        error.starts_with("t.yaml: consumers[1].keys[0]: "),
        "{error}"
    );
    let error = build_error(&format!("{base}  - id: a\n  - id: a\n"));
    assert!(error.starts_with("t.yaml: consumers[1].id: "), "{error}");
}

#[test]
fn hashed_keys_are_accepted_ok() {
    // sha256("alice-key"), the key itself is never in the file
    let text = "upstream: http://127.0.0.1:1/mcp\nidentity: user_token\nconsumers:\n  - id: a\n    keys: ['sha256:72ee9d4355ccb9d3a4c9dbf37382e38e75c1b1a225b5bd1f729ee91bbda30c20']\n";
    let config = GatewayConfig::from_yaml(text, "t.yaml").expect("parses");
    let (_, summary) = config
        .endpoint("t.yaml", listen(), "/mcp", &env)
        .expect("builds");
    assert_eq!(summary.keys, 1);
}

#[test]
fn token_swap_needs_auth_and_its_credential() {
    let error = build_error(
        "upstream: http://127.0.0.1:1/mcp\nidentity:\n  mode: token_swap\n  credential_env: SWAP\n",
    );
    assert!(error.starts_with("t.yaml: identity: "), "{error}");
    let error = build_error(
        "upstream: http://127.0.0.1:1/mcp\nidentity:\n  mode: token_swap\n  credential_env: NOPE\nauth:\n  issuer: http://127.0.0.1:9/\n",
    );
    assert!(
        error.starts_with("t.yaml: identity.credential_env: "),
        "{error}"
    );
    let error = build_error(
        "upstream: http://127.0.0.1:1/mcp\nidentity:\n  mode: token_swap\n  credential_env: SWAP\nauth:\n  issuer: http://127.0.0.1:9/\n  introspection_endpoint: http://127.0.0.1:9/introspect\n",
    );
    assert!(error.starts_with("t.yaml: auth.client_id: "), "{error}");

    let text = "upstream: http://127.0.0.1:1/mcp\nidentity:\n  mode: token_swap\n  credential_env: SWAP\nauth:\n  issuer: http://127.0.0.1:9/\n  groups_claim: groups\n";
    let config = GatewayConfig::from_yaml(text, "t.yaml").expect("parses");
    let (endpoint, summary) = config
        .endpoint("t.yaml", listen(), "/mcp", &env)
        .expect("builds");
    assert_eq!(summary.identity, "token_swap");
    let _router = endpoint.into_router().expect("a router");
}

#[test]
fn static_headers_come_from_the_environment() {
    let text = "upstream: http://127.0.0.1:1/mcp\nidentity:\n  mode: static\n  headers:\n    - {name: x-api-key, value_env: SWAP}\n";
    let config = GatewayConfig::from_yaml(text, "t.yaml").expect("parses");
    let _built = config
        .endpoint("t.yaml", listen(), "/mcp", &env)
        .expect("builds");
    let error = build_error(
        "upstream: http://127.0.0.1:1/mcp\nidentity:\n  mode: static\n  headers:\n    - {name: 'bad header', value_env: SWAP}\n",
    );
    assert!(
        error.starts_with("t.yaml: identity.headers[0].name: "),
        "{error}"
    );
}

#[test]
fn an_unspecified_listen_address_needs_the_resource() {
    let config = GatewayConfig::from_yaml(
        "upstream: http://127.0.0.1:1/mcp\nidentity: user_token\n",
        "t.yaml",
    )
    .expect("parses");
    let Err(error) = config.endpoint(
        "t.yaml",
        SocketAddr::from(([0, 0, 0, 0], 4000)),
        "/mcp",
        &env,
    ) else {
        panic!("accepted without a resource");
    };
    assert!(
        error.to_string().starts_with("t.yaml: resource: "),
        "{error}"
    );
}
