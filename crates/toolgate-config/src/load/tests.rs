use super::*;

fn load(text: &str) -> Result<LoadedConfig, ConfigError> {
    let env = Environment::from_fn(
        |name| (name == "KEY").then(|| "k-0123456789abcdef".to_owned()),
        None,
    );
    load_str(text, "t.yaml", &env)
}

fn problems(text: &str) -> Vec<String> {
    match load(text) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .problems()
            .iter()
            .map(|p| p.display_in("t.yaml").to_string())
            .collect(),
    }
}

#[test]
fn line_index_finds_nested_paths_ok() {
    let text = "a:\n  b:\n    - x: 1\n    - y: 2\n      z:\n        - q\n";
    let index = LineIndex::new(text);
    assert_eq!(index.line_of("a"), Some(1));
    assert_eq!(index.line_of("a.b"), Some(2));
    assert_eq!(index.line_of("a.b[0].x"), Some(3));
    assert_eq!(index.line_of("a.b[1].y"), Some(4));
    assert_eq!(index.line_of("a.b[1].z[0]"), Some(6));
    assert_eq!(index.line_of("a.b[1].nope"), Some(4));
}

#[test]
fn every_bad_item_is_reported_with_path_and_line_fails() {
    let text = "\
toolsets:
  - name: one
    tagz: [x]
    rest: {tools: []}
endpoints:
  - path: /a
    tags: [x]
    sessions: statefull
  - path: /b
    toolsets: [one]
    listner: main
";
    let found = problems(text);
    assert_eq!(found.len(), 3, "{found:#?}");
    let expect = [
        (
            "t.yaml:3: toolsets[0].tagz: unknown field `tagz`, expected one of `name`, `tags`",
            "; did you mean `tags`?",
        ),
        (
            "t.yaml:8: endpoints[0].sessions: unknown variant `statefull`, expected `stateful` or `stateless`",
            "; did you mean `stateful`?",
        ),
        (
            "t.yaml:11: endpoints[1].listner: unknown field `listner`, expected one of `name`, `path`, `listener`",
            "; did you mean `listener`?",
        ),
    ];
    for (problem, (start, end)) in found.iter().zip(expect) {
        assert!(
            problem.starts_with(start) && problem.ends_with(end),
            "{problem}"
        );
    }
}

#[test]
fn unknown_section_gets_a_suggestion_fails() {
    let found = problems("endpoint: []\n");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("t.yaml:1: endpoint: unknown section `endpoint`"),
        "{found:?}"
    );
    assert!(found[0].ends_with("did you mean `endpoints`?"), "{found:?}");
}

#[test]
fn yaml_syntax_error_names_the_line_fails() {
    let found = problems("endpoints:\n  - path: /a\n   bad: [\n");
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("t.yaml:"), "{found:?}");
}

#[test]
fn unset_variable_is_an_error_with_its_line_fails() {
    let found = problems(
        "toolsets:\n  - name: a\n    rest:\n      query: {k: \"${{ env \"NOPE\" }}\"}\n      tools: []\n",
    );
    assert_eq!(
        found,
        ["t.yaml:4: the environment variable NOPE is not set"]
    );
}

#[test]
fn cross_references_are_checked_fails() {
    let text = "\
listeners:
  - {name: main, listen: 0.0.0.0:8000}
toolsets:
  - name: weather
    tags: [weather-tools]
    rest: {tools: []}
endpoints:
  - path: /weather/mcp
    tags: [weather-tool]
    auth: okat
  - path: /other
    toolsets: [wether]
auth:
  okta:
    resource: http://localhost:8000/weather/mcp
    introspection_endpoint: https://idp.example/introspect
";
    let found = problems(text);
    let expect = [
        "t.yaml:9: endpoints[0].tags[0]: no toolset carries the tag `weather-tool`; did you mean `weather-tools`?",
        "t.yaml:10: endpoints[0].auth: no auth profile named `okat`; did you mean `okta`?",
        "t.yaml:11: endpoints[1].auth: refusing to serve without authentication on 0.0.0.0:8000: set `auth`, or listen on a loopback address",
        "t.yaml:12: endpoints[1].toolsets[0]: no toolset named `wether`; did you mean `weather`?",
        "t.yaml:14: auth.okta.client_id: introspection needs the gateway's client id",
    ];
    for line in expect {
        assert!(
            found.iter().any(|f| f == line),
            "missing {line}\nin {found:#?}"
        );
    }
}

#[test]
fn deny_private_networks_on_a_rest_toolset_is_a_warning_ok() {
    let loaded = load(
        "deny_private_networks: true\ntoolsets:\n  - name: a\n    tags: [t]\n    deny_private_networks: false\n    rest:\n      base_url: http://127.0.0.1:9/\n      tools:\n        - {name: x, description: X, path: x}\nendpoints:\n  - {path: /mcp, tags: [t]}\n",
    )
    .expect("loads");
    assert!(loaded.config.deny_private_networks);
    assert_eq!(loaded.config.toolsets[0].deny_private_networks, Some(false));
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert_eq!(loaded.warnings[0].path, "toolsets[0].deny_private_networks");
}

#[test]
fn a_minimal_config_loads_ok() {
    let loaded = load(
        "toolsets:\n  - name: a\n    tags: [t]\n    rest:\n      base_url: http://127.0.0.1:9/\n      query: {key: \"${KEY}\"}\n      tools:\n        - {name: x, description: X, path: x}\nendpoints:\n  - {path: /mcp, tags: [t]}\n",
    )
    .expect("loads");
    assert_eq!(loaded.config.endpoints.len(), 1);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}
