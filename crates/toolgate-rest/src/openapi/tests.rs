use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;
use crate::UpstreamClient;

fn fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "openapi-specs",
        name,
    ]
    .iter()
    .collect();
    path.display().to_string()
}

async fn load(name: &str) -> OpenApiDocument {
    OpenApiDocument::load(&fixture(name))
        .await
        .expect("fixture loads")
}

fn import(document: &OpenApiDocument, options: &ImportOptions) -> ImportedToolset {
    import_toolset(document, options, &UpstreamClient::new().expect("client")).expect("imports")
}

fn local() -> Url {
    Url::parse("http://127.0.0.1:9/api/v3").expect("url")
}

fn names(imported: &ImportedToolset) -> Vec<String> {
    imported
        .toolset
        .tools()
        .iter()
        .map(|t| t.descriptor().name.to_string())
        .collect()
}

fn tool<'a>(imported: &'a ImportedToolset, name: &str) -> &'a toolgate_tools::ToolDescriptor {
    imported
        .toolset
        .tools()
        .iter()
        .map(|t| t.descriptor())
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no tool {name} in {:?}", names(imported)))
}

fn input(descriptor: &toolgate_tools::ToolDescriptor) -> Value {
    Value::Object((*descriptor.input_schema).clone())
}

fn output(descriptor: &toolgate_tools::ToolDescriptor) -> Value {
    Value::Object((**descriptor.output_schema.as_ref().expect("output schema")).clone())
}

fn no_refs(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.contains_key("$ref") && map.values().all(no_refs),
        Value::Array(items) => items.iter().all(no_refs),
        _ => true,
    }
}

#[tokio::test]
async fn weatherapi_imports_every_operation_ok() {
    let document = load("weatherapi.yaml").await;
    assert_eq!(document.version(), SpecVersion::OpenApi30);
    let imported = import(&document, &ImportOptions::new("weather"));
    assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
    assert_eq!(imported.toolset.tools().len(), 11);
    assert_eq!(imported.base_url.as_str(), "https://api.weatherapi.com/v1");
    let realtime = tool(&imported, "realtime-weather");
    let schema = input(realtime);
    assert_eq!(schema["properties"]["query_q"]["type"], "string");
    assert!(
        schema["properties"].get("query_key").is_none(),
        "the API key is never an argument"
    );
    assert_eq!(
        realtime.annotations.as_ref().and_then(|a| a.read_only_hint),
        Some(true)
    );
    let search = output(tool(&imported, "search-autocomplete-weather"));
    assert_eq!(search["type"], "object");
    assert_eq!(
        search["properties"]["result"]["type"], "array",
        "an array root is wrapped"
    );
    for descriptor in imported.toolset.tools().iter().map(|t| t.descriptor()) {
        assert!(no_refs(&input(descriptor)), "{}", descriptor.name);
        if descriptor.output_schema.is_some() {
            assert!(no_refs(&output(descriptor)), "{}", descriptor.name);
        }
    }
}

#[tokio::test]
async fn names_follow_overrides_and_stay_unique_ok() {
    let document = load("weatherapi.yaml").await;
    let options = ImportOptions::new("weather")
        .with_name("realtime-weather", "realtime-api")
        .with_name("GET /forecast.json", "forecast-api");
    let imported = import(&document, &options);
    let names = names(&imported);
    assert!(names.contains(&"realtime-api".to_owned()), "{names:?}");
    assert!(names.contains(&"forecast-api".to_owned()), "{names:?}");
    assert!(!names.contains(&"realtime-weather".to_owned()));
}

#[tokio::test]
async fn selection_includes_and_excludes_ok() {
    let document = load("weatherapi.yaml").await;
    let options = ImportOptions::new("weather")
        .include(Selector::any().path("/*.json"))
        .exclude(Selector::any().operation_id("*weather"));
    let imported = import(&document, &options);
    let names = names(&imported);
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| !n.ends_with("weather")), "{names:?}");
    assert!(names.contains(&"ip-lookup".to_owned()), "{names:?}");
}

#[tokio::test]
async fn petstore_30_skips_multipart_and_serves_the_rest_ok() {
    let document = load("petstore-3.0.yaml").await;
    let imported = import(
        &document,
        &ImportOptions::new("pets").with_base_url(local()),
    );
    assert_eq!(imported.skipped.len(), 1, "{:?}", imported.skipped);
    let skipped = &imported.skipped[0];
    assert_eq!(skipped.operation_id.as_deref(), Some("uploadFile"));
    assert!(skipped.reason.contains("multipart/form-data"), "{skipped}");
    assert_eq!(imported.toolset.tools().len(), 18);

    let add = input(tool(&imported, "addPet"));
    assert!(
        add["required"]
            .as_array()
            .expect("required")
            .contains(&json!("body"))
    );
    assert!(
        add["properties"]["body"]["properties"].get("id").is_none(),
        "readOnly id is not an input: {add}"
    );
    let get = tool(&imported, "getPetById");
    assert!(
        output(get)["properties"].get("id").is_some(),
        "readOnly id stays in outputs"
    );
    let user = output(tool(&imported, "getUserByName"));
    assert!(
        user["properties"].get("password").is_none(),
        "writeOnly password is not an output"
    );
    let inventory = input(tool(&imported, "getInventory"));
    assert!(
        inventory["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .any(|k| k.starts_with("cookie_")),
        "{inventory}"
    );
}

#[tokio::test]
async fn relative_server_needs_a_located_document_fails() {
    let document = load("petstore-3.0.yaml").await;
    let error = import_toolset(
        &document,
        &ImportOptions::new("pets"),
        &UpstreamClient::new().expect("client"),
    )
    .expect_err("relative server from a file");
    let message = error.to_string();
    assert!(message.contains("/servers/0/url"), "{message}");
    assert!(message.contains("/api/v3"), "{message}");
}

#[tokio::test]
async fn petstore_31_normalises_to_2020_12_ok() {
    let document = load("petstore-3.1.yaml").await;
    assert_eq!(document.version(), SpecVersion::OpenApi31);
    let imported = import(
        &document,
        &ImportOptions::new("pets").with_base_url(local()),
    );
    assert!(
        imported
            .skipped
            .iter()
            .all(|s| s.reason.contains("not supported")),
        "{:?}",
        imported.skipped
    );
    assert!(
        imported.toolset.tools().len() >= 17,
        "{:?}",
        names(&imported)
    );
}

#[tokio::test]
async fn refs_across_files_cycles_and_compositions_ok() {
    let document = load("refs/main.yaml").await;
    let imported = import(
        &document,
        &ImportOptions::new("refs").with_base_url(local()),
    );
    let skipped: Vec<&str> = imported
        .skipped
        .iter()
        .filter_map(|s| s.operation_id.as_deref())
        .collect();
    assert_eq!(
        skipped,
        ["uploadXml", "uploadForm"],
        "{:?}",
        imported.skipped
    );
    for descriptor in imported.toolset.tools().iter().map(|t| t.descriptor()) {
        assert!(
            no_refs(&input(descriptor)),
            "{}: {}",
            descriptor.name,
            input(descriptor)
        );
        if descriptor.output_schema.is_some() {
            assert!(no_refs(&output(descriptor)), "{}", descriptor.name);
        }
    }
    let forest = output(tool(&imported, "getForest")).to_string();
    assert!(
        forest.contains("recursive reference to 'TreeNode'"),
        "{forest}"
    );
    let employee = input(tool(&imported, "createEmployee"));
    assert!(
        employee["properties"]["body"].get("allOf").is_none(),
        "safe allOf merged: {employee}"
    );
    let conflict = input(tool(&imported, "postConflict")).to_string();
    assert!(
        conflict.contains("allOf"),
        "conflicting allOf kept: {conflict}"
    );
}

#[tokio::test]
async fn dangling_ref_skips_only_its_operation_fails() {
    let document = load("refs/broken.yaml").await;
    let imported = import(
        &document,
        &ImportOptions::new("broken").with_base_url(local()),
    );
    assert_eq!(names(&imported), ["getFine"]);
    assert_eq!(imported.skipped.len(), 1);
    let reason = &imported.skipped[0].reason;
    assert!(reason.contains("#/components/schemas/Missing"), "{reason}");
    assert!(reason.contains("points nowhere"), "{reason}");
    assert!(
        reason.contains("/paths/"),
        "the JSON pointer of the use: {reason}"
    );
}

#[test]
fn yaml_syntax_error_names_the_line_fails() {
    let error = OpenApiDocument::from_text("openapi: 3.0.3\ninfo: [unclosed\n", "bad.yaml")
        .expect_err("syntax");
    let message = error.to_string();
    assert!(message.starts_with("bad.yaml:"), "{message}");
    assert!(
        matches!(error, OpenApiError::Parse { line: Some(_), .. }),
        "{message}"
    );
}

#[test]
fn json_syntax_error_names_the_line_fails() {
    let error = OpenApiDocument::from_text("{\n  \"openapi\": \"3.0.3\",\n  oops\n}", "bad.json")
        .expect_err("syntax");
    assert!(
        matches!(error, OpenApiError::Parse { line: Some(3), .. }),
        "{error}"
    );
}

#[test]
fn unknown_version_fails() {
    let error =
        OpenApiDocument::from_text("openapi: 4.0.0\npaths: {}\n", "v4.yaml").expect_err("version");
    assert!(error.to_string().contains("openapi: \"4.0.0\""), "{error}");
    let error = OpenApiDocument::from_text("hello: world\n", "x.yaml").expect_err("no version");
    assert!(matches!(error, OpenApiError::Version { .. }));
}

#[test]
fn paths_not_an_object_fails_with_pointer() {
    let document = OpenApiDocument::from_text(
        "openapi: 3.0.3\nservers: [{url: 'http://127.0.0.1:9'}]\npaths: [1, 2]\n",
        "p.yaml",
    )
    .expect("parses");
    let error = import_toolset(
        &document,
        &ImportOptions::new("p"),
        &UpstreamClient::new().expect("client"),
    )
    .expect_err("paths");
    assert!(
        error.to_string().contains("/paths: must be an object"),
        "{error}"
    );
}

#[test]
fn names_are_sanitised_and_deduplicated_ok() {
    let text = r#"
openapi: 3.0.3
servers: [{url: 'http://127.0.0.1:9'}]
paths:
  /a:
    get: {operationId: "repos/get content", responses: {'200': {description: ok}}}
  /b:
    get: {operationId: "repos/get content", responses: {'200': {description: ok}}}
  /c/{id}:
    get:
      x-mcp-name: custom-name
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
  /d:
    post: {responses: {'201': {description: made}}}
"#;
    let document = OpenApiDocument::from_text(text, "n.yaml").expect("parses");
    let imported = import(&document, &ImportOptions::new("n"));
    assert_eq!(
        names(&imported),
        [
            "repos_get_content",
            "repos_get_content_2",
            "custom-name",
            "post_d"
        ]
    );
    let d = tool(&imported, "post_d");
    assert_eq!(
        d.annotations.as_ref().and_then(|a| a.read_only_hint),
        Some(false)
    );
    assert_eq!(d.description.as_deref(), Some("POST /d"));
}

#[test]
fn nullable_and_exclusive_bounds_are_2020_12_ok() {
    let text = r"
openapi: 3.0.3
servers: [{url: 'http://127.0.0.1:9'}]
paths:
  /n:
    get:
      operationId: n
      parameters:
        - {name: a, in: query, schema: {type: integer, minimum: 1, exclusiveMinimum: true, nullable: true, example: 2}}
        - {name: b, in: query, schema: {type: string, enum: [x, y], nullable: true}}
      responses: {'200': {description: ok}}
";
    let document = OpenApiDocument::from_text(text, "n.yaml").expect("parses");
    let imported = import(&document, &ImportOptions::new("n"));
    let schema = input(tool(&imported, "n"));
    assert_eq!(
        schema["properties"]["query_a"],
        json!({"type": ["integer", "null"], "exclusiveMinimum": 1, "examples": [2]})
    );
    assert_eq!(
        schema["properties"]["query_b"],
        json!({"type": ["string", "null"], "enum": ["x", "y", null]})
    );
}

#[test]
fn deep_self_reference_is_cut_not_overflowed_ok() {
    let text = r"
openapi: 3.0.3
servers: [{url: 'http://127.0.0.1:9'}]
paths:
  /loop:
    get:
      operationId: loop
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}
    B: {type: object, properties: {a: {$ref: '#/components/schemas/A'}, self: {$ref: '#/components/schemas/B'}}}
    Alias: {$ref: '#/components/schemas/Alias'}
";
    let document = OpenApiDocument::from_text(text, "loop.yaml").expect("parses");
    let imported = import(&document, &ImportOptions::new("loop"));
    let out = output(tool(&imported, "loop"));
    assert_eq!(out["properties"]["b"]["properties"]["a"]["type"], "object");
    assert!(
        out["properties"]["b"]["properties"]["a"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("recursive reference to 'A'")),
        "{out}"
    );
}

#[test]
fn credentials_from_security_schemes_ok() {
    let text = r"
openapi: 3.0.3
servers: [{url: 'http://127.0.0.1:9'}]
security: [{key: []}]
paths:
  /k:
    get: {operationId: k, responses: {'200': {description: ok}}}
  /b:
    get: {operationId: b, security: [{oauth: []}, {bearer: []}], responses: {'200': {description: ok}}}
  /open:
    get: {operationId: open, security: [], responses: {'200': {description: ok}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
    bearer: {type: http, scheme: bearer}
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'http://127.0.0.1:9/token', scopes: {}}}}
";
    let document = OpenApiDocument::from_text(text, "s.yaml").expect("parses");
    let spec_tools = operation::convert(
        &document,
        &ImportOptions::new("s").with_credential("bearer", FixedValue::value("T0KEN")),
    )
    .expect("converts")
    .tools;
    let by_name = |name: &str| {
        spec_tools
            .iter()
            .find(|(r, _)| r.operation_id.as_deref() == Some(name))
            .map(|(_, spec)| spec.credentials.clone())
            .expect("tool")
    };
    let k = by_name("k");
    assert_eq!(k.len(), 1);
    assert_eq!(k[0].name, "X-Api-Key");
    assert!(matches!(&k[0].value, FixedValue::Missing { hint } if hint.contains("'key'")));
    let b = by_name("b");
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].name, "Authorization");
    assert_eq!(b[0].value, FixedValue::value("Bearer T0KEN"));
    assert!(by_name("open").is_empty());
}

#[tokio::test]
async fn swagger_2_petstore_imports_like_3_0_ok() {
    let document = load("petstore-swagger2.json").await;
    assert_eq!(document.version(), SpecVersion::Swagger2);
    let imported = import(&document, &ImportOptions::new("pets"));
    assert!(
        imported.base_url.as_str().starts_with("https://"),
        "{}",
        imported.base_url
    );
    let skipped: Vec<&str> = imported
        .skipped
        .iter()
        .filter_map(|s| s.operation_id.as_deref())
        .collect();
    assert_eq!(skipped, ["uploadFile"], "{:?}", imported.skipped);
    let add = input(tool(&imported, "addPet"));
    assert_eq!(add["properties"]["body"]["type"], "object", "{add}");
    let by_status = tool(&imported, "findPetsByStatus");
    assert_eq!(
        input(by_status)["properties"]["query_status"]["type"],
        "array"
    );
    let form = input(tool(&imported, "updatePetWithForm"));
    assert!(
        form["properties"]["body"]["properties"]
            .get("name")
            .is_some(),
        "{form}"
    );
}

#[test]
fn examples_holding_refs_and_deprecation_ok() {
    let text = r"
openapi: 3.0.3
servers: [{url: 'http://127.0.0.1:9'}]
paths:
  /old:
    put:
      operationId: old
      deprecated: true
      summary: Replaces the thing.
      parameters:
        - name: a
          in: query
          schema: {type: object, example: {$ref: '#/components/examples/nowhere'}}
      responses: {'200': {description: ok}}
";
    let document = OpenApiDocument::from_text(text, "d.yaml").expect("parses");
    let imported = import(&document, &ImportOptions::new("d"));
    let old = tool(&imported, "old");
    assert!(
        input(old)["properties"]["query_a"]
            .get("examples")
            .is_none(),
        "{}",
        input(old)
    );
    assert!(
        old.description
            .as_deref()
            .is_some_and(|d| d.starts_with("(Deprecated.)"))
    );
    let hints = old.annotations.as_ref().expect("annotations");
    assert_eq!(
        hints.destructive_hint, None,
        "PUT may be destructive: no false promise"
    );
    assert_eq!(hints.idempotent_hint, Some(true));
}

#[test]
fn server_variables_cannot_amplify_fails() {
    let text = include_str!("../../../../fuzz/regressions/oom-server-variables.yaml");
    let started = std::time::Instant::now();
    let document = OpenApiDocument::from_text(text, "vars.yaml").expect("parses");
    let imported = import(
        &document,
        &ImportOptions::new("vars").with_base_url("http://127.0.0.1:9/".parse().expect("url")),
    );
    assert!(imported.toolset.tools().is_empty());
    assert_eq!(imported.skipped.len(), 1);
    assert!(
        imported.skipped[0].reason.contains("/servers/0/url"),
        "{}",
        imported.skipped[0]
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Each placeholder is replaced once; text a default inserts is not expanded again.
    let variables = serde_json::json!({"a": {"default": "{b}"}, "b": {"default": "x"}});
    assert_eq!(
        servers::substitute_variables("http://h/{a}/{b}", variables.as_object().expect("object")),
        Ok("http://h/{b}/x".to_owned())
    );
    let huge = serde_json::json!({"a": {"default": "y".repeat(3000)}});
    assert!(
        servers::substitute_variables("http://h/{a}", huge.as_object().expect("object")).is_err()
    );
}

#[test]
fn reference_amplification_across_operations_is_bounded_ok() {
    let text = include_str!("../../../../fuzz/regressions/oom-ref-amplification-many-ops.yaml");
    let started = std::time::Instant::now();
    let document = OpenApiDocument::from_text(text, "amp.yaml").expect("parses");
    let imported = import(
        &document,
        &ImportOptions::new("amp").with_base_url("http://127.0.0.1:9/".parse().expect("url")),
    );
    assert!(
        imported
            .skipped
            .iter()
            .any(|s| s.reason.contains("expand to more than")),
        "the import-wide budget stops the amplification"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn reference_amplification_is_bounded_ok() {
    let text = include_str!("../../../../fuzz/regressions/oom-ref-amplification.yaml");
    let started = std::time::Instant::now();
    let document = OpenApiDocument::from_text(text, "amp.yaml").expect("parses");
    let imported = import(
        &document,
        &ImportOptions::new("amp").with_base_url("http://127.0.0.1:9/".parse().expect("url")),
    );
    for tool in imported.toolset.tools() {
        let size = serde_json::to_string(&tool.descriptor().input_schema)
            .expect("json")
            .len();
        assert!(size < 50 * 1024 * 1024, "{size} bytes");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn deep_yaml_flow_nesting_is_refused_quickly_fails() {
    let text = include_str!("../../../../fuzz/regressions/slow-yaml-flow-nesting.yaml");
    let started = std::time::Instant::now();
    let error = OpenApiDocument::from_text(text, "deep.yaml").expect_err("too deep");
    assert!(error.to_string().contains("nested"), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    // An unclosed quote cannot hide brackets from the check.
    let bypass =
        include_str!("../../../../fuzz/regressions/slow-yaml-flow-nesting-quote-bypass.yaml");
    let started = std::time::Instant::now();
    assert!(OpenApiDocument::from_text(bypass, "bypass.yaml").is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    // Closers hidden in quoted scalars (or comments) cannot lower the count either.
    let closers =
        include_str!("../../../../fuzz/regressions/slow-yaml-flow-nesting-quoted-closers.yaml");
    let started = std::time::Instant::now();
    assert!(OpenApiDocument::from_text(closers, "closers.yaml").is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert_eq!(
        document::yaml_flow_depth("[[['x]]]', \"y\\\"]]\", z # ]]\n]]]"),
        3
    );
    assert_eq!(document::yaml_flow_depth("b: [1, {c: [2]}]\nd: x\n"), 3);
}
