use serde_json::json;

use super::*;

const WEATHER: &str = include_str!("../../../../servers/weather/weather-tools.yaml");

/// A one-tool document whose tool carries `tool_fields` (YAML lines indented for `tools[0]`).
fn with_tool(tool_fields: &str) -> String {
    format!(
        "name: t\nbase_url: https://api.example.com\ntools:\n  - description: Does it.\n    path: /x\n{tool_fields}"
    )
}

/// The field path and reason of a parse error.
fn parse_error(text: &str) -> (String, String) {
    match RestToolsetSpec::from_yaml(text, "inline").expect_err("must not parse") {
        RestSpecError::Parse {
            origin,
            path,
            reason,
        } => {
            assert_eq!(origin, "inline");
            (path, reason)
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn weather_file_five_tools_ok() {
    let spec = RestToolsetSpec::from_yaml(WEATHER, "weather-tools.yaml").expect("parses");
    assert_eq!(spec.name, "weatherapi");
    assert_eq!(spec.tags, ["weather-tools"]);
    assert_eq!(
        spec.base_url.as_deref(),
        Some("https://api.weatherapi.com/v1")
    );
    assert_eq!(spec.timeout, Some(10_000));
    let titles: Vec<_> = spec
        .tools
        .iter()
        .map(|t| {
            t.annotations
                .as_ref()
                .and_then(|a| a.title.as_deref())
                .expect("title")
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
    let paths: Vec<_> = spec.tools.iter().map(|t| t.path.as_str()).collect();
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
    assert!(
        spec.tools
            .iter()
            .all(|t| t.method.as_deref() == Some("GET"))
    );
    assert!(
        spec.tools
            .iter()
            .all(|t| t.query.is_empty() && t.headers.is_empty())
    );
}

#[test]
fn weather_file_both_parameter_forms_ok() {
    let spec = RestToolsetSpec::from_yaml(WEATHER, "weather-tools.yaml").expect("parses");
    // Realtime API: `type` at the top level.
    let q = &spec.tools[0].parameters[0];
    assert_eq!(
        (q.name.as_str(), q.location, q.required),
        ("q", ParameterLocation::Query, true)
    );
    assert_eq!(q.kind.as_deref(), Some("string"));
    assert!(q.schema.is_none());
    // Forecast API: `schema` object with `enum` beside it.
    let days = &spec.tools[1].parameters[1];
    assert_eq!(days.name, "days");
    assert!(days.kind.is_none());
    assert_eq!(days.schema, Some(json!({"type": "integer"})));
    assert_eq!(days.allowed, Some(vec![json!(1), json!(2), json!(3)]));
    // Forecast API `dt`: `schema` object with `format` beside it.
    let dt = &spec.tools[1].parameters[2];
    assert_eq!(
        (dt.name.as_str(), dt.format.as_deref()),
        ("dt", Some("date"))
    );
    assert_eq!(dt.schema, Some(json!({"type": "string"})));
}

#[test]
fn unknown_parameter_field_names_path_fails() {
    let (path, reason) = parse_error(&with_tool("    parameters:\n      - {nme: q, in: query}\n"));
    assert!(path.contains("tools[0].parameters[0]"), "{path}");
    assert!(reason.contains("nme"), "{reason}");
    let message = RestToolsetSpec::from_yaml(
        &with_tool("    parameters:\n      - {nme: q, in: query}\n"),
        "inline",
    )
    .expect_err("unknown field")
    .to_string();
    assert!(message.starts_with("inline: "), "{message}");
    assert!(
        message.contains("tools[0].parameters[0]") && message.contains("nme"),
        "{message}"
    );
}

#[test]
fn unknown_tool_field_names_path_fails() {
    let (path, reason) = parse_error(&with_tool("    metod: POST\n"));
    assert!(path.starts_with("tools[0]"), "{path}");
    assert!(reason.contains("metod"), "{reason}");
}

#[test]
fn unknown_toplevel_field_fails() {
    let (_, reason) = parse_error("name: t\nbase_uri: https://x\ntools: []\n");
    assert!(reason.contains("base_uri"), "{reason}");
}

#[test]
fn bad_parameter_location_names_path_fails() {
    let (path, reason) = parse_error(&with_tool("    parameters:\n      - {name: q, in: body}\n"));
    assert!(path.contains("tools[0].parameters[0]"), "{path}");
    assert!(reason.contains("body"), "{reason}");
}

#[test]
fn parameter_locations_ok() {
    let spec = RestToolsetSpec::from_yaml(
        &with_tool(
            "    parameters:\n      - {name: a, in: query}\n      - {name: b, in: path}\n      - {name: C, in: header}\n",
        ),
        "inline",
    )
    .expect("parses");
    let locations: Vec<_> = spec.tools[0]
        .parameters
        .iter()
        .map(|p| p.location)
        .collect();
    assert_eq!(
        locations,
        [
            ParameterLocation::Query,
            ParameterLocation::Path,
            ParameterLocation::Header
        ]
    );
    assert!(
        spec.tools[0]
            .parameters
            .iter()
            .all(|p| !p.required && !p.deprecated)
    );
}

#[test]
fn fixed_query_and_headers_scalar_or_list_ok() {
    let spec = RestToolsetSpec::from_yaml(
        &with_tool(concat!(
            "    query:\n      key: K\n      ids: [a, 2, true]\n      n: 7\n",
            "    headers:\n      X-Api-Key: [S]\n      X-One: one\n",
        )),
        "inline",
    )
    .expect("parses");
    let tool = &spec.tools[0];
    assert_eq!(
        tool.query["key"],
        OneOrMany::One(Scalar::String("K".into()))
    );
    assert_eq!(tool.query["key"].values(), ["K"]);
    assert_eq!(tool.query["ids"].values(), ["a", "2", "true"]);
    assert_eq!(tool.query["n"].values(), ["7"]);
    assert_eq!(
        tool.headers["X-Api-Key"],
        OneOrMany::Many(vec![Scalar::String("S".into())])
    );
    assert_eq!(tool.headers["X-One"].values(), ["one"]);
    // Order is kept as written.
    assert_eq!(tool.query.keys().collect::<Vec<_>>(), ["key", "ids", "n"]);
}

#[test]
fn toolset_fixed_query_scalar_or_list_ok() {
    let spec = RestToolsetSpec::from_yaml(
        "name: t\nquery: {key: K, many: [x, y]}\nheaders: {Authorization: Bearer T}\ntools: []\n",
        "inline",
    )
    .expect("parses");
    assert_eq!(spec.query["key"].values(), ["K"]);
    assert_eq!(spec.query["many"].values(), ["x", "y"]);
    assert_eq!(spec.headers["Authorization"].values(), ["Bearer T"]);
}

#[test]
fn fixed_query_object_value_fails() {
    let (path, _) = parse_error(&with_tool("    query:\n      key: {a: 1}\n"));
    assert!(path.starts_with("tools[0].query"), "{path}");
}

#[test]
fn annotations_camel_case_aliases_ok() {
    let spec = RestToolsetSpec::from_yaml(
        &with_tool(
            "    annotations:\n      title: T\n      readOnlyHint: true\n      destructiveHint: false\n      idempotentHint: true\n      openWorldHint: false\n",
        ),
        "inline",
    )
    .expect("parses");
    let a = spec.tools[0].annotations.as_ref().expect("annotations");
    assert_eq!(a.title.as_deref(), Some("T"));
    assert_eq!(a.read_only_hint, Some(true));
    assert_eq!(a.destructive_hint, Some(false));
    assert_eq!(a.idempotent_hint, Some(true));
    assert_eq!(a.open_world_hint, Some(false));
}

#[test]
fn annotations_snake_case_ok() {
    let spec = RestToolsetSpec::from_yaml(
        &with_tool("    annotations: {read_only_hint: false, destructive_hint: true}\n"),
        "inline",
    )
    .expect("parses");
    let a = spec.tools[0].annotations.as_ref().expect("annotations");
    assert_eq!(
        (a.read_only_hint, a.destructive_hint),
        (Some(false), Some(true))
    );
    assert_eq!(
        (a.title.as_deref(), a.idempotent_hint, a.open_world_hint),
        (None, None, None)
    );
}

#[test]
fn annotations_unknown_hint_fails() {
    let (path, reason) = parse_error(&with_tool("    annotations: {readonly: true}\n"));
    assert!(path.starts_with("tools[0].annotations"), "{path}");
    assert!(reason.contains("readonly"), "{reason}");
}

#[test]
fn missing_description_fails() {
    let (path, reason) = parse_error("name: t\ntools:\n  - path: /x\n");
    assert!(path.starts_with("tools[0]"), "{path}");
    assert!(reason.contains("description"), "{reason}");
}

#[test]
fn missing_path_fails() {
    let (path, reason) = parse_error("name: t\ntools:\n  - description: D\n");
    assert!(path.starts_with("tools[0]"), "{path}");
    assert!(reason.contains("path"), "{reason}");
}

#[test]
fn missing_name_fails() {
    let (_, reason) = parse_error("tools: []\n");
    assert!(reason.contains("name"), "{reason}");
}

#[test]
fn request_body_and_responses_ok() {
    let spec = RestToolsetSpec::from_yaml(
        &with_tool(concat!(
            "    method: POST\n",
            "    request_body:\n      required: true\n      content:\n        application/json:\n          schema: {type: object}\n",
            "    responses:\n      '200':\n        description: OK\n        content:\n          application/json:\n            schema: {type: object}\n",
        )),
        "inline",
    )
    .expect("parses");
    let tool = &spec.tools[0];
    let body = tool.request_body.as_ref().expect("body");
    assert!(body.required);
    assert_eq!(
        body.content["application/json"].schema,
        Some(json!({"type": "object"}))
    );
    let responses = tool.responses.as_ref().expect("responses");
    assert_eq!(responses["200"].description.as_deref(), Some("OK"));
}

#[test]
fn json_document_ok() {
    let spec = RestToolsetSpec::from_yaml(
        r#"{"name": "j", "tools": [{"description": "D", "path": "/x", "parameters": [{"name": "q", "in": "query"}]}]}"#,
        "inline",
    )
    .expect("JSON is YAML");
    assert_eq!(spec.tools[0].parameters[0].name, "q");
}

#[test]
fn from_file_missing_fails() {
    let error = RestToolsetSpec::from_file(Path::new("/nonexistent/toolgate/tools.yaml"))
        .expect_err("no file");
    assert!(matches!(error, RestSpecError::Read { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("/nonexistent/toolgate/tools.yaml"),
        "{error}"
    );
}
