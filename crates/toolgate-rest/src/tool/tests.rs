use serde_json::json;
use toolgate_tools::Principal;

use super::*;
use crate::{RestToolsetSpec, ToolsetOptions, build::build_tools, build_toolset_with};

const WEATHER: &str = include_str!("../../../../servers/weather/weather-tools.yaml");

fn tools_with(text: &str, options: &ToolsetOptions) -> Vec<RestTool> {
    let spec = RestToolsetSpec::from_yaml(text, "inline").expect("parses");
    let client = UpstreamClient::new().expect("client");
    build_tools(&spec, &client, options, "inline").expect("builds")
}

/// The one tool of a document on `https://api.example.com/v1`; `tool_fields` are YAML lines
/// indented for `tools[0]`.
fn tool(tool_fields: &str) -> RestTool {
    let text = format!(
        "name: t\nbase_url: https://api.example.com/v1\ntools:\n  - description: D\n{tool_fields}"
    );
    tools_with(&text, &ToolsetOptions::default()).remove(0)
}

fn args(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("arguments must be an object, not {other}"),
    }
}

fn refused(tool: &RestTool, arguments: Value) -> String {
    match tool
        .build_request(&args(arguments))
        .expect_err("must be refused")
    {
        ToolError::InvalidArguments {
            tool: name,
            problems,
        } => {
            assert_eq!(name, tool.descriptor.name);
            problems
        }
        other => panic!("expected InvalidArguments, got {other:?}"),
    }
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect()
}

#[test]
fn weather_url_fixed_query_first_ok() {
    let options = ToolsetOptions::default().with_fixed_query("key", FixedValue::value("K"));
    let realtime = tools_with(WEATHER, &options).remove(0);
    let request = realtime
        .build_request(&args(json!({"query_q": "London"})))
        .expect("request");
    assert_eq!(request.method(), reqwest::Method::GET);
    assert_eq!(
        request.url().as_str(),
        "https://api.weatherapi.com/v1/current.json?key=K&q=London"
    );
    assert!(request.body().is_none());
}

#[test]
fn weather_forecast_query_in_declared_order_ok() {
    let options = ToolsetOptions::default().with_fixed_query("key", FixedValue::value("K"));
    let forecast = tools_with(WEATHER, &options).remove(1);
    let request = forecast
        .build_request(&args(
            json!({"query_days": 3, "query_q": "Paris", "query_dt": "2025-01-01"}),
        ))
        .expect("request");
    assert_eq!(
        request.url().as_str(),
        "https://api.weatherapi.com/v1/forecast.json?key=K&q=Paris&days=3&dt=2025-01-01"
    );
}

#[test]
fn query_values_are_form_encoded_ok() {
    let tool = tool("    path: /search\n    parameters:\n      - {name: q, in: query}\n");
    let request = tool
        .build_request(&args(json!({"query_q": "a b&c=d#e"})))
        .expect("request");
    assert_eq!(request.url().query(), Some("q=a+b%26c%3Dd%23e"));
    assert!(request.url().fragment().is_none());
}

#[test]
fn no_query_means_no_question_mark_ok() {
    let tool = tool("    path: /x\n    parameters:\n      - {name: q, in: query}\n");
    let request = tool.build_request(&JsonObject::new()).expect("request");
    assert_eq!(request.url().as_str(), "https://api.example.com/v1/x");
}

#[test]
fn array_query_repeats_key_ok() {
    let tool = tool(
        "    path: /x\n    parameters:\n      - {name: id, in: query, type: array, items: {type: string}}\n",
    );
    let request = tool
        .build_request(&args(json!({"query_id": ["a", "b", 3]})))
        .expect("request");
    assert_eq!(request.url().query(), Some("id=a&id=b&id=3"));
}

#[test]
fn fixed_query_list_repeats_key_ok() {
    let tool = tool("    path: /x\n    query: {tag: [one, two], v: 2}\n");
    let request = tool.build_request(&JsonObject::new()).expect("request");
    assert_eq!(request.url().query(), Some("tag=one&tag=two&v=2"));
}

#[test]
fn path_parameter_appended_to_base_path_ok() {
    let tool = tool(
        "    path: /pets/{id}/toys\n    parameters:\n      - {name: id, in: path, type: integer}\n",
    );
    let request = tool
        .build_request(&args(json!({"path_id": 7})))
        .expect("request");
    assert_eq!(
        request.url().as_str(),
        "https://api.example.com/v1/pets/7/toys"
    );
}

#[test]
fn path_parameter_percent_encoded_ok() {
    let tool = tool("    path: /files/{name}\n    parameters:\n      - {name: name, in: path}\n");
    let request = tool
        .build_request(&args(json!({"path_name": "../admin"})))
        .expect("request");
    assert_eq!(
        request.url().as_str(),
        "https://api.example.com/v1/files/..%2Fadmin"
    );
    let request = tool
        .build_request(&args(json!({"path_name": "a?b#c"})))
        .expect("request");
    assert_eq!(
        request.url().as_str(),
        "https://api.example.com/v1/files/a%3Fb%23c"
    );
    assert!(request.url().query().is_none() && request.url().fragment().is_none());
    let request = tool
        .build_request(&args(json!({"path_name": "%2e%2e"})))
        .expect("request");
    assert_eq!(request.url().path(), "/v1/files/%252e%252e");
}

#[test]
fn path_parameter_dot_dot_fails() {
    let tool = tool("    path: /files/{name}\n    parameters:\n      - {name: name, in: path}\n");
    assert!(refused(&tool, json!({"path_name": ".."})).contains("path_name"));
    assert!(refused(&tool, json!({"path_name": "."})).contains("path_name"));
    assert!(refused(&tool, json!({"path_name": ""})).contains("path_name"));
    assert!(refused(&tool, json!({})).contains("path_name"));
}

#[test]
fn header_argument_sent_ok() {
    let tool = tool("    path: /x\n    parameters:\n      - {name: X-Trace-Id, in: header}\n");
    let request = tool
        .build_request(&args(json!({"header_x_trace_id": "abc-123"})))
        .expect("request");
    let value = request.headers().get("x-trace-id").expect("header sent");
    assert_eq!(value, "abc-123");
    assert!(!value.is_sensitive());
    let request = tool.build_request(&JsonObject::new()).expect("request");
    assert!(request.headers().get("x-trace-id").is_none());
}

#[test]
fn header_argument_crlf_fails() {
    let tool = tool("    path: /x\n    parameters:\n      - {name: X-Trace, in: header}\n");
    assert!(refused(&tool, json!({"header_x_trace": "a\r\nX-Evil: 1"})).contains("header_x_trace"));
    assert!(refused(&tool, json!({"header_x_trace": "a\nb"})).contains("header_x_trace"));
    assert!(refused(&tool, json!({"header_x_trace": "a\u{7}b"})).contains("header_x_trace"));
}

#[test]
fn fixed_headers_sent_sensitive_ok() {
    let text = "name: t\nbase_url: https://api.example.com\nheaders: {X-Toolset-Key: T}\ntools:\n  - description: D\n    path: /x\n    headers: {X-Api-Key: [S1, S2]}\n";
    let options =
        ToolsetOptions::default().with_fixed_header("Authorization", FixedValue::value("Bearer O"));
    let tool = tools_with(text, &options).remove(0);
    let request = tool.build_request(&JsonObject::new()).expect("request");
    let headers = request.headers();
    let api_keys: Vec<_> = headers.get_all("x-api-key").iter().collect();
    assert_eq!(api_keys, ["S1", "S2"]);
    assert_eq!(headers["x-toolset-key"], "T");
    assert_eq!(headers["authorization"], "Bearer O");
    for name in ["x-api-key", "x-toolset-key", "authorization"] {
        assert!(
            headers.get_all(name).iter().all(HeaderValue::is_sensitive),
            "{name} not sensitive"
        );
    }
}

#[test]
fn fixed_header_invalid_value_fails() {
    let options = ToolsetOptions::default().with_fixed_header("X-Key", FixedValue::value("a\nb"));
    let tool = tools_with(
        "name: t\nbase_url: https://api.example.com\ntools:\n  - {description: D, path: /x}\n",
        &options,
    )
    .remove(0);
    let problems = refused(&tool, json!({}));
    assert!(problems.contains("x-key"), "{problems}");
    assert!(!problems.contains("a\nb"), "{problems}");
}

#[test]
fn json_body_sent_ok() {
    let tool = tool(
        "    method: POST\n    path: /pets\n    request_body:\n      content:\n        application/json: {schema: {type: object}}\n",
    );
    let request = tool
        .build_request(&args(json!({"body": {"name": "Rex", "tags": [1]}})))
        .expect("request");
    assert_eq!(request.method(), reqwest::Method::POST);
    assert_eq!(
        request.headers()[http::header::CONTENT_TYPE],
        "application/json"
    );
    let body = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .expect("a buffered body");
    assert_eq!(
        serde_json::from_slice::<Value>(body).expect("JSON"),
        json!({"name": "Rex", "tags": [1]})
    );
}

#[test]
fn body_without_request_body_is_ignored_ok() {
    let tool = tool("    method: POST\n    path: /x\n");
    let request = tool
        .build_request(&args(json!({"body": {"a": 1}})))
        .expect("request");
    assert!(request.body().is_none());
    assert!(request.headers().get(http::header::CONTENT_TYPE).is_none());
}

#[test]
fn missing_fixed_value_not_sent_ok() {
    let options = ToolsetOptions::default().with_fixed_query(
        "key",
        FixedValue::Missing {
            hint: "set KEY".into(),
        },
    );
    let tool = tools_with(
        "name: t\nbase_url: https://api.example.com\ntools:\n  - {description: D, path: /x}\n",
        &options,
    )
    .remove(0);
    let request = tool.build_request(&JsonObject::new()).expect("request");
    assert!(request.url().query().is_none());
}

#[test]
fn debug_hides_secrets_ok() {
    let text = concat!(
        "name: t\nbase_url: https://user:base-password@api.example.com\n",
        "query: {key: toolset-query-secret}\nheaders: {X-Key: toolset-header-secret}\n",
        "tools:\n  - description: D\n    path: /x\n",
        "    query: {k2: tool-query-secret}\n    headers: {X-K2: tool-header-secret}\n",
    );
    let options = ToolsetOptions::default()
        .with_fixed_query("k3", FixedValue::value("option-query-secret"))
        .with_fixed_header("Authorization", FixedValue::value("option-header-secret"));
    let tool = tools_with(text, &options).remove(0);
    let debug = format!("{tool:?}");
    for secret in [
        "base-password",
        "toolset-query-secret",
        "toolset-header-secret",
        "tool-query-secret",
        "tool-header-secret",
        "option-query-secret",
        "option-header-secret",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    assert!(
        debug.contains("[redacted]") && debug.contains("api.example.com"),
        "{debug}"
    );
}

#[test]
fn fixed_value_debug_redacted_ok() {
    let value = FixedValue::value("s3cr3t-value");
    let debug = format!("{value:?}");
    assert!(!debug.contains("s3cr3t-value"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
    let secret = crate::SecretString::new("s3cr3t-value");
    assert_eq!(format!("{secret:?}"), "SecretString([redacted])");
    assert_eq!(secret.to_string(), "[redacted]");
    assert_eq!(secret.expose(), "s3cr3t-value");
}

#[test]
fn upstream_label_drops_query_and_credentials_ok() {
    let url = Url::parse("https://user:pw@api.example.com/v1/x?key=K#f").expect("url");
    assert_eq!(upstream_label(&url), "https://api.example.com/v1/x");
}

#[tokio::test]
async fn missing_credential_answers_error_result_fails() {
    let spec = RestToolsetSpec::from_yaml(WEATHER, "inline").expect("parses");
    let client = UpstreamClient::new().expect("client");
    let options = ToolsetOptions::default()
        // Port 9 on loopback: were a request attempted, the text would be a connect error.
        .with_base_url(Url::parse("http://127.0.0.1:9/v1").expect("url"))
        .with_fixed_query(
            "key",
            FixedValue::Missing {
                hint: "set WEATHERAPI_API_KEY to your WeatherAPI key".into(),
            },
        );
    let toolset = build_toolset_with(&spec, &client, &options, "inline").expect("builds");
    let result = toolset.tools()[0]
        .call(
            args(json!({"query_q": "London"})),
            CallContext::detached(Principal::anonymous()),
        )
        .await
        .expect("a tool result, not a protocol error");
    assert_eq!(result.is_error, Some(true));
    let text = text_of(&result);
    assert!(
        text.contains("set WEATHERAPI_API_KEY to your WeatherAPI key"),
        "{text}"
    );
    assert!(text.contains("'realtime-api'"), "{text}");
}

#[test]
fn query_styles_follow_the_parameter_ok() {
    let tool = tool(concat!(
        "    path: /x\n    parameters:\n",
        "      - {name: ids, in: query, schema: {type: array}, explode: false}\n",
        "      - {name: pipes, in: query, schema: {type: array}, style: pipeDelimited}\n",
        "      - {name: filter, in: query, schema: {type: object}, style: deepObject}\n",
    ));
    let request = tool
        .build_request(&args(json!({
            "query_ids": [1, 2],
            "query_pipes": ["a", "b"],
            "query_filter": {"color": "red", "size": "L"}
        })))
        .expect("request");
    assert_eq!(
        request.url().query(),
        Some("ids=1%2C2&pipes=a%7Cb&filter%5Bcolor%5D=red&filter%5Bsize%5D=L")
    );
}

#[test]
fn unsupported_style_for_location_fails_at_build() {
    let spec = RestToolsetSpec::from_yaml(
        "name: t\nbase_url: https://api.example.com\ntools:\n  - description: D\n    path: /x/{id}\n    parameters:\n      - {name: id, in: path, type: string, style: deepObject}\n",
        "inline",
    )
    .expect("parses");
    let client = UpstreamClient::new().expect("client");
    let error = build_tools(&spec, &client, &ToolsetOptions::default(), "inline")
        .expect_err("deepObject is a query style");
    assert!(
        error.to_string().contains("tools[0].parameters[0].style"),
        "{error}"
    );
}

#[test]
fn path_label_and_matrix_styles_ok() {
    let tool = tool(concat!(
        "    path: /a/{l}/b/{m}\n    parameters:\n",
        "      - {name: l, in: path, schema: {type: array}, style: label}\n",
        "      - {name: m, in: path, schema: {type: array}, style: matrix, explode: true}\n",
    ));
    let request = tool
        .build_request(&args(json!({"path_l": ["x", "y/z"], "path_m": [1, 2]})))
        .expect("request");
    assert_eq!(request.url().path(), "/v1/a/.x,y%2Fz/b/;m=1;m=2");
}

#[test]
fn cookie_arguments_are_encoded_into_one_header_ok() {
    let tool = tool(concat!(
        "    path: /x\n    parameters:\n",
        "      - {name: session, in: cookie, type: string}\n",
        "      - {name: theme, in: cookie, type: string}\n",
    ));
    let request = tool
        .build_request(&args(
            json!({"cookie_session": "a;b=c", "cookie_theme": "dark"}),
        ))
        .expect("request");
    let cookie = &request.headers()[http::header::COOKIE];
    assert_eq!(cookie, "session=a%3Bb%3Dc; theme=dark");
    assert!(cookie.is_sensitive());
}

#[test]
fn form_body_is_urlencoded_ok() {
    let tool = tool(concat!(
        "    method: POST\n    path: /pets\n    request_body:\n      content:\n",
        "        application/x-www-form-urlencoded: {schema: {type: object}}\n",
        "        application/xml: {schema: {type: object}}\n",
    ));
    let request = tool
        .build_request(&args(
            json!({"body": {"name": "Rex Jr", "tags": ["a", "b"]}}),
        ))
        .expect("request");
    assert_eq!(
        request.headers()[http::header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    let body = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .expect("body");
    assert_eq!(body, b"name=Rex+Jr&tags=a&tags=b");
}

#[test]
fn json_media_type_of_the_operation_is_sent_ok() {
    let tool = tool(concat!(
        "    method: PATCH\n    path: /pets\n    request_body:\n      content:\n",
        "        application/merge-patch+json: {schema: {type: object}}\n",
    ));
    let request = tool
        .build_request(&args(json!({"body": {"name": "Rex"}})))
        .expect("request");
    assert_eq!(
        request.headers()[http::header::CONTENT_TYPE],
        "application/merge-patch+json"
    );
}

/// Values an attacker would put in an argument to move a request to another host.
const HOSTILE: &[&str] = &[
    "//evil.example",
    "//evil.example/x",
    "@evil.example",
    "user:pw@evil.example",
    "evil.example:444",
    ":444",
    "http://evil.example/",
    "https://evil.example:8443/a?b#c",
    "%2F%2Fevil.example",
    "%2F..",
    "..%2F..%2Fadmin",
    "%2e%2e",
    "..;/admin",
    "\\\\evil.example",
    "/\\evil.example",
    "a\r\nHost: evil.example",
    "a\r\n\r\nGET http://evil.example/ HTTP/1.1",
    "x#@evil.example",
    "x?@evil.example",
    "[::1]",
    "\u{ff45}vil.example",
    "\0",
    "%00",
];

/// The one tool of a document on `base`.
fn tool_on(base: &str, tool_fields: &str) -> RestTool {
    let text = format!("name: t\nbase_url: {base}\ntools:\n  - description: D\n{tool_fields}");
    tools_with(&text, &ToolsetOptions::default()).remove(0)
}

/// Scheme, host and port of `url`.
fn authority(url: &url::Url) -> (String, Option<String>, Option<u16>) {
    (
        url.scheme().to_owned(),
        url.host_str().map(str::to_owned),
        url.port_or_known_default(),
    )
}

#[test]
fn hostile_path_arguments_never_change_the_authority_ok() {
    for base in ["https://api.example.com/v1", "http://127.0.0.1:8080/v1/"] {
        let fixed = authority(&base.parse().expect("url"));
        for style in ["simple", "label", "matrix"] {
            let tool = tool_on(
                base,
                &format!(
                    "    path: /files/{{name}}/raw\n    parameters:\n      - {{name: name, in: path, style: {style}}}\n"
                ),
            );
            for value in HOSTILE {
                // Refused (an empty or dot segment) or sent to the configured authority.
                let Ok(request) = tool.build_request(&args(json!({"path_name": value}))) else {
                    continue;
                };
                let url = request.url();
                assert_eq!(authority(url), fixed, "{style} {value:?} → {url}");
                assert!(url.path().starts_with("/v1/files/"), "{value:?} → {url}");
                assert!(url.path().ends_with("/raw"), "{value:?} → {url}");
                assert_eq!(url.path().matches('/').count(), 4, "{value:?} → {url}");
                assert!(url.query().is_none() && url.fragment().is_none(), "{url}");
                assert!(
                    url.username().is_empty() && url.password().is_none(),
                    "{url}"
                );
            }
        }
    }
}

#[test]
fn hostile_path_arguments_in_arrays_and_objects_never_change_the_authority_ok() {
    let tool = tool(concat!(
        "    path: /a/{l}/b/{o}\n    parameters:\n",
        "      - {name: l, in: path, schema: {type: array}}\n",
        "      - {name: o, in: path, schema: {type: object}, style: matrix, explode: true}\n",
    ));
    for value in HOSTILE {
        let arguments = json!({"path_l": [value, value], "path_o": {*value: value}});
        let Ok(request) = tool.build_request(&args(arguments)) else {
            continue;
        };
        let url = request.url();
        assert_eq!(url.host_str(), Some("api.example.com"), "{value:?} → {url}");
        assert_eq!(url.path().matches('/').count(), 5, "{value:?} → {url}");
    }
}

#[test]
fn hostile_query_arguments_stay_one_query_value_ok() {
    let tool = tool_on(
        "http://127.0.0.1:8080/v1",
        "    path: /search\n    query:\n      key: [fixed]\n    parameters:\n      - {name: q, in: query}\n",
    );
    for value in HOSTILE
        .iter()
        .chain(&["a&key=stolen", "a=b&c", "#frag", "x y+z"])
    {
        let request = tool
            .build_request(&args(json!({"query_q": value})))
            .expect("a query value is never refused");
        let url = request.url();
        assert_eq!(
            authority(url),
            ("http".to_owned(), Some("127.0.0.1".to_owned()), Some(8080))
        );
        assert_eq!(url.path(), "/v1/search");
        assert!(url.fragment().is_none(), "{url}");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            vec![
                ("key".to_owned(), "fixed".to_owned()),
                ("q".to_owned(), (*value).to_owned())
            ],
            "{value:?}"
        );
    }
}

#[test]
fn hostile_header_arguments_are_refused_or_sent_as_one_value_ok() {
    let tool = tool("    path: /x\n    parameters:\n      - {name: X-Trace-Id, in: header}\n");
    for value in HOSTILE {
        match tool.build_request(&args(json!({"header_x_trace_id": value}))) {
            Ok(request) => {
                assert_eq!(request.url().host_str(), Some("api.example.com"));
                assert!(request.headers().get(http::header::HOST).is_none());
                assert_eq!(request.headers()["x-trace-id"], *value);
            }
            Err(_) => assert!(value.contains(['\r', '\n', '\0'])),
        }
    }
}

#[test]
fn host_and_framing_header_parameters_fail() {
    for name in [
        "Host",
        "host",
        "Content-Length",
        "Transfer-Encoding",
        "Connection",
    ] {
        let text = format!(
            "name: t\nbase_url: https://api.example.com\ntools:\n  - description: D\n    path: /x\n    parameters:\n      - {{name: {name}, in: header}}\n"
        );
        let spec = RestToolsetSpec::from_yaml(&text, "inline").expect("parses");
        let client = UpstreamClient::new().expect("client");
        let error =
            build_tools(&spec, &client, &ToolsetOptions::default(), "inline").expect_err("refused");
        assert!(error.to_string().contains("must not choose"), "{error}");
    }
}
