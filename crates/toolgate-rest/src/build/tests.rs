use serde_json::json;
use toolgate_tools::ToolSet;

use super::*;

const WEATHER: &str = include_str!("../../../../servers/weather/weather-tools.yaml");

fn client() -> UpstreamClient {
    UpstreamClient::new().expect("client")
}

fn spec(text: &str) -> RestToolsetSpec {
    RestToolsetSpec::from_yaml(text, "inline").expect("parses")
}

/// A one-tool document on `https://api.example.com/v1`; `tool_fields` are YAML lines
/// indented for `tools[0]`.
fn one_tool(tool_fields: &str) -> String {
    format!(
        "name: t\nbase_url: https://api.example.com/v1\ntools:\n  - description: Does it.\n{tool_fields}"
    )
}

fn build(text: &str) -> ToolSet {
    build_toolset(&spec(text), &client()).expect("builds")
}

fn build_with(text: &str, options: &ToolsetOptions) -> Vec<RestTool> {
    build_tools(&spec(text), &client(), options, "inline").expect("builds")
}

/// The field path and reason of a build error.
fn invalid(text: &str) -> (String, String) {
    invalid_with(text, &ToolsetOptions::default())
}

fn invalid_with(text: &str, options: &ToolsetOptions) -> (String, String) {
    match build_toolset_with(&spec(text), &client(), options, "inline").expect_err("must not build")
    {
        RestSpecError::Invalid {
            origin,
            path,
            reason,
        } => {
            assert_eq!(origin, "inline");
            (path, reason)
        }
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

fn input_schema(toolset: &ToolSet, index: usize) -> Value {
    Value::Object(
        toolset.tools()[index]
            .descriptor()
            .input_schema
            .as_ref()
            .clone(),
    )
}

fn names(toolset: &ToolSet) -> Vec<String> {
    toolset
        .tools()
        .iter()
        .map(|t| t.descriptor().name.to_string())
        .collect()
}

#[test]
fn name_explicit_ok() {
    let toolset = build(&one_tool(
        "    name: get_thing-2\n    path: /x\n    annotations: {title: Other Title}\n",
    ));
    assert_eq!(names(&toolset), ["get_thing-2"]);
}

#[test]
fn name_from_title_slug_ok() {
    let toolset = build(&one_tool(
        "    path: current.json\n    annotations: {title: Realtime API}\n",
    ));
    assert_eq!(names(&toolset), ["realtime-api"]);
}

#[test]
fn name_from_method_and_path_ok() {
    let toolset = build(&one_tool(
        "    method: post\n    path: /pets/{id}/toys\n    parameters:\n      - {name: id, in: path}\n",
    ));
    assert_eq!(names(&toolset), ["post-pets-id-toys"]);
    let toolset = build(&one_tool("    path: current.json\n"));
    assert_eq!(names(&toolset), ["get-current-json"]);
}

#[test]
fn name_invalid_fails() {
    let (path, reason) = invalid(&one_tool("    name: get thing!\n    path: /x\n"));
    assert_eq!(path, "tools[0].name");
    assert!(reason.contains("get thing!"), "{reason}");
}

#[test]
fn name_too_long_fails() {
    let (path, _) = invalid(&one_tool(&format!(
        "    name: {}\n    path: /x\n",
        "a".repeat(65)
    )));
    assert_eq!(path, "tools[0].name");
}

#[test]
fn name_title_without_letters_fails() {
    let (path, _) = invalid(&one_tool("    path: /x\n    annotations: {title: '!!!'}\n"));
    assert_eq!(path, "tools[0].annotations.title");
}

#[test]
fn name_used_twice_fails() {
    let text = "name: t\nbase_url: https://api.example.com\ntools:\n  - {description: A, path: /a, name: same}\n  - {description: B, path: /b, annotations: {title: Same}}\n";
    let (path, reason) = invalid(text);
    assert_eq!(path, "tools[1].name");
    assert!(reason.contains("'same'"), "{reason}");
}

#[test]
fn weather_file_names_and_schemas_ok() {
    let toolset = build(WEATHER);
    assert_eq!(toolset.name(), "weatherapi");
    assert_eq!(toolset.tags(), ["weather-tools"]);
    assert_eq!(
        names(&toolset),
        [
            "realtime-api",
            "forecast-api",
            "history-api",
            "search-api",
            "ip-lookup-api"
        ]
    );

    let realtime = input_schema(&toolset, 0);
    assert_eq!(realtime["properties"]["query_q"]["type"], "string");
    assert!(
        realtime["properties"]["query_q"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("Zipcode"))
    );
    assert_eq!(realtime["required"], json!(["query_q"]));

    let forecast = input_schema(&toolset, 1);
    let days = forecast["properties"]["query_days"]
        .as_object()
        .expect("days");
    assert_eq!(days["type"], "integer");
    assert_eq!(days["enum"], json!([1, 2, 3]));
    let dt = &forecast["properties"]["query_dt"];
    assert_eq!(
        (&dt["type"], &dt["format"]),
        (&json!("string"), &json!("date"))
    );
    assert_eq!(forecast["required"], json!(["query_q", "query_days"]));
    assert_eq!(
        forecast["properties"]
            .as_object()
            .expect("properties")
            .len(),
        9
    );

    let history = input_schema(&toolset, 2);
    let dt = &history["properties"]["query_dt"];
    assert_eq!(
        (&dt["type"], &dt["format"]),
        (&json!("string"), &json!("date"))
    );
    assert_eq!(history["required"], json!(["query_q", "query_dt"]));
}

#[test]
fn input_schema_is_closed_object_ok() {
    let toolset = build(&one_tool("    path: /x\n"));
    let schema = input_schema(&toolset, 0);
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema["properties"], json!({}));
    assert_eq!(schema["required"], json!([]));
}

#[test]
fn parameter_schema_object_wins_over_top_level_ok() {
    let toolset = build(&one_tool(concat!(
        "    path: /x\n    parameters:\n",
        "      - name: n\n        in: query\n        type: string\n        format: int64\n",
        "        schema: {type: integer, minimum: 1}\n        default: 5\n        example: 7\n        deprecated: true\n",
    )));
    assert_eq!(
        input_schema(&toolset, 0)["properties"]["query_n"],
        json!({"type": "integer", "minimum": 1, "format": "int64", "default": 5, "examples": [7], "deprecated": true})
    );
}

#[test]
fn parameter_array_items_ok() {
    let toolset = build(&one_tool(
        "    path: /x\n    parameters:\n      - {name: ids, in: query, type: array, items: {type: string}}\n",
    ));
    assert_eq!(
        input_schema(&toolset, 0)["properties"]["query_ids"],
        json!({"type": "array", "items": {"type": "string"}})
    );
}

#[test]
fn argument_names_ok() {
    let toolset = build(&one_tool(concat!(
        "    path: /pets/{pet-id}\n    parameters:\n",
        "      - {name: pet-id, in: path}\n",
        "      - {name: q, in: query}\n",
        "      - {name: page.size, in: query}\n",
        "      - {name: X-Request-Id, in: header}\n",
    )));
    let schema = input_schema(&toolset, 0);
    let mut keys: Vec<_> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "header_x_request_id",
            "path_pet_id",
            "query_page_size",
            "query_q"
        ]
    );
}

#[test]
fn path_parameter_always_required_ok() {
    let toolset = build(&one_tool(
        "    path: /pets/{id}\n    parameters:\n      - {name: id, in: path, required: false}\n      - {name: q, in: query}\n",
    ));
    assert_eq!(input_schema(&toolset, 0)["required"], json!(["path_id"]));
}

#[test]
fn fixed_values_are_not_properties_ok() {
    let text = concat!(
        "name: t\nbase_url: https://api.example.com\n",
        "query: {toolset_key: TOOLSET-SECRET}\nheaders: {X-Toolset: TOOLSET-HEADER}\n",
        "tools:\n  - description: D\n    path: /x\n",
        "    query: {key: [TOOL-SECRET]}\n    headers: {X-Api-Key: TOOL-HEADER}\n",
        "    parameters:\n      - {name: q, in: query}\n",
    );
    let options = ToolsetOptions::default()
        .with_fixed_query("key2", FixedValue::value("OPTION-SECRET"))
        .with_fixed_header("Authorization", FixedValue::value("OPTION-HEADER"));
    let spec = spec(text);
    let toolset = build_toolset_with(&spec, &client(), &options, "inline").expect("builds");
    let schema = input_schema(&toolset, 0);
    assert_eq!(
        schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .collect::<Vec<_>>(),
        ["query_q"]
    );
    let descriptor = serde_json::to_string(toolset.tools()[0].descriptor()).expect("serializes");
    for secret in [
        "TOOLSET-SECRET",
        "TOOLSET-HEADER",
        "TOOL-SECRET",
        "TOOL-HEADER",
        "OPTION-SECRET",
        "OPTION-HEADER",
    ] {
        assert!(
            !descriptor.contains(secret),
            "{secret} leaked into {descriptor}"
        );
    }
    assert!(
        !descriptor.contains("key2") && !descriptor.contains("toolset_key"),
        "{descriptor}"
    );
}

#[test]
fn path_placeholder_without_parameter_fails() {
    let (path, reason) = invalid(&one_tool("    path: /pets/{id}\n"));
    assert_eq!(path, "tools[0].path");
    assert!(reason.contains("{id}"), "{reason}");
}

#[test]
fn path_template_unbalanced_fails() {
    let (path, _) = invalid(&one_tool(
        "    path: /pets/{id\n    parameters:\n      - {name: id, in: path}\n",
    ));
    assert_eq!(path, "tools[0].path");
}

#[test]
fn path_parameter_absent_from_path_fails() {
    let (path, reason) = invalid(&one_tool(
        "    path: /pets\n    parameters:\n      - {name: id, in: path}\n",
    ));
    assert_eq!(path, "tools[0].parameters[0]");
    assert!(reason.contains("'id'"), "{reason}");
}

#[test]
fn parameter_declared_twice_fails() {
    let (path, reason) = invalid(&one_tool(
        "    path: /x\n    parameters:\n      - {name: q, in: query}\n      - {name: q, in: query}\n",
    ));
    assert_eq!(path, "tools[0].parameters[1]");
    assert!(reason.contains("'q'"), "{reason}");
}

#[test]
fn same_name_in_two_locations_ok() {
    let toolset = build(&one_tool(
        "    path: /x/{q}\n    parameters:\n      - {name: q, in: query}\n      - {name: q, in: path}\n",
    ));
    assert_eq!(input_schema(&toolset, 0)["required"], json!(["path_q"]));
}

#[test]
fn parameters_mapping_to_one_argument_fail() {
    let (path, reason) = invalid(&one_tool(
        "    path: /x\n    parameters:\n      - {name: a-b, in: query}\n      - {name: a.b, in: query}\n",
    ));
    assert_eq!(path, "tools[0].parameters[1]");
    assert!(reason.contains("query_a_b"), "{reason}");
}

#[test]
fn header_parameter_invalid_name_fails() {
    let (path, _) = invalid(&one_tool(
        "    path: /x\n    parameters:\n      - {name: 'bad header', in: header}\n",
    ));
    assert_eq!(path, "tools[0].parameters[0].name");
}

#[test]
fn query_parameter_colliding_with_fixed_query_fails() {
    let tool_level = one_tool(
        "    path: /x\n    query: {key: K}\n    parameters:\n      - {name: key, in: query}\n",
    );
    let (path, reason) = invalid(&tool_level);
    assert_eq!(path, "tools[0].parameters[0]");
    assert!(reason.contains("'key'"), "{reason}");

    let toolset_level = "name: t\nbase_url: https://api.example.com\nquery: {key: K}\ntools:\n  - description: D\n    path: /x\n    parameters:\n      - {name: key, in: query}\n";
    assert_eq!(invalid(toolset_level).0, "tools[0].parameters[0]");

    let from_options = one_tool("    path: /x\n    parameters:\n      - {name: key, in: query}\n");
    let options = ToolsetOptions::default().with_fixed_query("key", FixedValue::value("K"));
    assert_eq!(
        invalid_with(&from_options, &options).0,
        "tools[0].parameters[0]"
    );
}

#[test]
fn header_parameter_colliding_with_fixed_header_fails() {
    let tool_level = one_tool(
        "    path: /x\n    headers: {X-Api-Key: K}\n    parameters:\n      - {name: x-api-key, in: header}\n",
    );
    assert_eq!(invalid(&tool_level).0, "tools[0].headers.X-Api-Key");

    // Regression: fixed headers of the toolset and of the options were not checked, so a
    // model-supplied header was sent beside the credential of the same name.
    let toolset_level = "name: t\nbase_url: https://api.example.com\nheaders: {X-Api-Key: K}\ntools:\n  - description: D\n    path: /x\n    parameters:\n      - {name: x-api-key, in: header}\n";
    let (path, reason) = invalid(toolset_level);
    assert_eq!(path, "tools[0].parameters[0]");
    assert!(reason.contains("x-api-key"), "{reason}");

    let from_options =
        one_tool("    path: /x\n    parameters:\n      - {name: Authorization, in: header}\n");
    let options =
        ToolsetOptions::default().with_fixed_header("authorization", FixedValue::value("Bearer T"));
    assert_eq!(
        invalid_with(&from_options, &options).0,
        "tools[0].parameters[0]"
    );
}

#[test]
fn fixed_header_invalid_name_fails() {
    assert_eq!(
        invalid(&one_tool("    path: /x\n    headers: {'bad header': v}\n")).0,
        "tools[0].headers.bad header"
    );
    let toolset_level =
        "name: t\nbase_url: https://api.example.com\nheaders: {'bad header': v}\ntools: []\n";
    assert_eq!(invalid(toolset_level).0, "headers.bad header");
}

#[test]
fn request_body_json_schema_is_body_property_ok() {
    let toolset = build(&one_tool(concat!(
        "    method: POST\n    path: /pets\n",
        "    request_body:\n      description: The pet.\n      required: true\n      content:\n",
        "        text/plain: {schema: {type: string}}\n",
        "        application/json; charset=utf-8:\n          schema: {type: object, properties: {name: {type: string}}}\n",
    )));
    let schema = input_schema(&toolset, 0);
    assert_eq!(
        schema["properties"]["body"],
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "description": "The pet."})
    );
    assert_eq!(schema["required"], json!(["body"]));
}

#[test]
fn request_body_optional_bare_schema_ok() {
    let toolset = build(&one_tool(
        "    method: PUT\n    path: /pets\n    request_body:\n      schema: {type: array}\n",
    ));
    let schema = input_schema(&toolset, 0);
    assert_eq!(schema["properties"]["body"], json!({"type": "array"}));
    assert_eq!(schema["required"], json!([]));
}

#[test]
fn request_body_plus_json_media_type_ok() {
    let toolset = build(&one_tool(
        "    method: POST\n    path: /pets\n    request_body:\n      content:\n        application/vnd.api+json: {}\n",
    ));
    assert_eq!(input_schema(&toolset, 0)["properties"]["body"], json!({}));
}

#[test]
fn request_body_multipart_only_fails() {
    let (path, reason) = invalid(&one_tool(
        "    method: POST\n    path: /upload\n    request_body:\n      content:\n        multipart/form-data:\n          schema: {type: object}\n",
    ));
    assert_eq!(path, "tools[0].request_body");
    assert!(reason.contains("multipart/form-data"), "{reason}");
}

#[test]
fn request_body_without_content_or_schema_fails() {
    let (path, _) = invalid(&one_tool(
        "    method: POST\n    path: /x\n    request_body: {required: true}\n",
    ));
    assert_eq!(path, "tools[0].request_body");
}

#[test]
fn output_schema_from_200_object_ok() {
    let toolset = build(&one_tool(concat!(
        "    path: /x\n    responses:\n",
        "      '404':\n        content:\n          application/json:\n            schema: {type: string}\n",
        "      '200':\n        content:\n          application/json:\n",
        "            schema: {type: object, properties: {temp_c: {type: number}}}\n",
    )));
    let output = toolset.tools()[0]
        .descriptor()
        .output_schema
        .as_ref()
        .expect("outputSchema");
    assert_eq!(
        Value::Object(output.as_ref().clone()),
        json!({"type": "object", "properties": {"temp_c": {"type": "number"}}})
    );
}

#[test]
fn output_schema_properties_without_type_ok() {
    let toolset = build(&one_tool(
        "    path: /x\n    responses:\n      '201':\n        content:\n          application/json:\n            schema: {properties: {id: {type: string}}}\n",
    ));
    assert!(toolset.tools()[0].descriptor().output_schema.is_some());
}

#[test]
fn output_schema_from_array_is_wrapped_ok() {
    let toolset = build(&one_tool(
        "    path: /x\n    responses:\n      '200':\n        content:\n          application/json:\n            schema: {type: array, items: {type: object}}\n",
    ));
    let output = toolset.tools()[0]
        .descriptor()
        .output_schema
        .clone()
        .expect("wrapped output schema");
    assert_eq!(
        Value::Object(output.as_ref().clone()),
        json!({
            "type": "object",
            "properties": {"result": {"type": "array", "items": {"type": "object"}}},
            "required": ["result"]
        })
    );
}

#[test]
fn output_schema_non_json_or_error_only_is_none_ok() {
    let toolset = build(&one_tool(concat!(
        "    path: /x\n    responses:\n",
        "      '200':\n        content:\n          text/xml:\n            schema: {type: object}\n",
        "      '400':\n        content:\n          application/json:\n            schema: {type: object}\n",
    )));
    assert!(toolset.tools()[0].descriptor().output_schema.is_none());
}

#[test]
fn annotations_reach_descriptor_ok() {
    let toolset = build(&one_tool(
        "    path: /x\n    annotations: {title: Realtime API, readOnlyHint: true, destructive_hint: false, idempotent_hint: true, open_world_hint: true}\n",
    ));
    let descriptor = toolset.tools()[0].descriptor();
    assert_eq!(descriptor.title.as_deref(), Some("Realtime API"));
    assert_eq!(descriptor.description.as_deref(), Some("Does it."));
    let annotations = descriptor.annotations.as_ref().expect("annotations");
    assert_eq!(annotations.title.as_deref(), Some("Realtime API"));
    assert_eq!(annotations.read_only_hint, Some(true));
    assert_eq!(annotations.destructive_hint, Some(false));
    assert_eq!(annotations.idempotent_hint, Some(true));
    assert_eq!(annotations.open_world_hint, Some(true));
}

#[test]
fn no_annotations_no_title_ok() {
    let toolset = build(&one_tool("    path: /x\n"));
    let descriptor = toolset.tools()[0].descriptor();
    assert!(descriptor.title.is_none());
    assert!(descriptor.annotations.is_none());
}

#[test]
fn base_url_not_a_url_fails() {
    let (path, reason) = invalid("name: t\nbase_url: not a url\ntools: []\n");
    assert_eq!(path, "base_url");
    assert!(reason.contains("not a url"), "{reason}");
}

#[test]
fn base_url_not_http_fails() {
    assert_eq!(
        invalid("name: t\nbase_url: ftp://files.example.com\ntools: []\n").0,
        "base_url"
    );
}

#[test]
fn base_url_option_replaces_document_ok() {
    let options = ToolsetOptions::default()
        .with_base_url(Url::parse("http://127.0.0.1:9000/mock").expect("url"));
    let tools = build_with(
        "name: t\nbase_url: not a url\ntools:\n  - {description: D, path: /x}\n",
        &options,
    );
    assert_eq!(tools[0].base.as_str(), "http://127.0.0.1:9000/mock/");
}

#[test]
fn method_unsupported_fails() {
    let (path, reason) = invalid(&one_tool("    method: FETCH\n    path: /x\n"));
    assert_eq!(path, "tools[0].method");
    assert!(reason.contains("FETCH"), "{reason}");
}

#[test]
fn method_lower_case_ok() {
    let tools = build_with(
        &one_tool("    method: delete\n    path: /x\n"),
        &ToolsetOptions::default(),
    );
    assert_eq!(tools[0].method, reqwest::Method::DELETE);
}

#[test]
fn timeout_zero_fails() {
    let (path, _) = invalid("name: t\nbase_url: https://api.example.com\ntimeout: 0\ntools: []\n");
    assert_eq!(path, "timeout");
}

#[test]
fn max_response_size_zero_fails() {
    let (path, _) =
        invalid("name: t\nbase_url: https://api.example.com\nmax_response_size: 0\ntools: []\n");
    assert_eq!(path, "max_response_size");
}

#[test]
fn limits_from_document_ok() {
    let tools = build_with(
        "name: t\nbase_url: https://api.example.com\ntimeout: 2500\nmax_response_size: 1000\ntools:\n  - {description: D, path: /x}\n",
        &ToolsetOptions::default(),
    );
    assert_eq!(tools[0].limits.timeout, Duration::from_millis(2500));
    assert_eq!(tools[0].limits.max_response_bytes, 1000);
    let defaults = build_with(&one_tool("    path: /x\n"), &ToolsetOptions::default());
    assert_eq!(defaults[0].limits.timeout, DEFAULT_TIMEOUT);
    assert_eq!(
        defaults[0].limits.max_response_bytes,
        DEFAULT_MAX_RESPONSE_BYTES
    );
}

#[test]
fn base_path_gets_trailing_slash_ok() {
    let tools = build_with(
        &one_tool("    path: current.json\n"),
        &ToolsetOptions::default(),
    );
    assert_eq!(tools[0].base.as_str(), "https://api.example.com/v1/");
}

#[test]
fn host_and_scheme_override_ok() {
    let tools = build_with(
        &one_tool("    path: /x\n    host: other.example:8443\n    scheme: http\n"),
        &ToolsetOptions::default(),
    );
    assert_eq!(tools[0].base.as_str(), "http://other.example:8443/v1/");
    let tools = build_with(
        &one_tool("    path: /x\n    host: other.example\n"),
        &ToolsetOptions::default(),
    );
    assert_eq!(tools[0].base.as_str(), "https://other.example/v1/");
}

#[test]
fn host_without_base_url_ok() {
    let tools = build_with(
        "name: t\ntools:\n  - {description: D, path: /x, host: 'api.example.com:8080'}\n  - {description: E, path: /y, host: 'h.example', scheme: http}\n",
        &ToolsetOptions::default(),
    );
    assert_eq!(tools[0].base.as_str(), "https://api.example.com:8080/");
    assert_eq!(tools[1].base.as_str(), "http://h.example/");
}

#[test]
fn host_ipv6_override_ok() {
    // Regression: a bracketed IPv6 host without a port was split at its last ':' and
    // refused as having an invalid port.
    let tools = build_with(
        &one_tool("    path: /x\n    host: '[::1]'\n"),
        &ToolsetOptions::default(),
    );
    assert_eq!(tools[0].base.as_str(), "https://[::1]/v1/");
    let tools = build_with(
        &one_tool("    path: /x\n    host: '[::1]:8080'\n"),
        &ToolsetOptions::default(),
    );
    assert_eq!(tools[0].base.as_str(), "https://[::1]:8080/v1/");
}

#[test]
fn host_invalid_port_fails() {
    assert_eq!(
        invalid(&one_tool("    path: /x\n    host: 'h.example:http'\n")).0,
        "tools[0].host"
    );
}

#[test]
fn scheme_unsupported_fails() {
    let (path, reason) = invalid(&one_tool("    path: /x\n    scheme: ftp\n"));
    assert_eq!(path, "tools[0].scheme");
    assert!(reason.contains("ftp"), "{reason}");
}

#[test]
fn no_base_url_and_no_host_fails() {
    let (path, reason) = invalid("name: t\ntools:\n  - {description: D, path: /x}\n");
    assert_eq!(path, "tools[0].path");
    assert!(reason.contains("base_url"), "{reason}");
}

#[test]
fn error_message_names_origin_and_path_ok() {
    let spec = spec(&one_tool("    method: FETCH\n    path: /x\n"));
    let message = build_toolset_with(&spec, &client(), &ToolsetOptions::default(), "tools.yaml")
        .expect_err("bad method")
        .to_string();
    assert!(
        message.starts_with("tools.yaml: tools[0].method: "),
        "{message}"
    );
    // `build_toolset` names the document by the toolset's name.
    let message = build_toolset(&spec, &client())
        .expect_err("bad method")
        .to_string();
    assert!(message.starts_with("t: tools[0].method: "), "{message}");
}
