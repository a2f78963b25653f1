//! OpenAPI documents served as tools: every argument location and body type reaches a
//! loopback upstream as the document describes, credentials are injected, and the weather
//! server runs from WeatherAPI's OpenAPI description with the seed's tool names.

use std::sync::Arc;

use serde_json::json;
use toolgate_rest::{
    FixedValue, UpstreamClient,
    openapi::{ImportOptions, OpenApiDocument, import_toolset},
};
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::ToolRegistry;

use crate::harness::{Gateway, RestUpstream, call, connect, text_of};

fn fixture(name: &str) -> String {
    format!("{}/../openapi-specs/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The petstore 3.0 document served at `/mcp`, calling `upstream`, with an API key.
async fn petstore(upstream: &RestUpstream) -> Gateway {
    let document = OpenApiDocument::load(&fixture("petstore-3.0.yaml"))
        .await
        .expect("petstore loads");
    let options = ImportOptions::new("petstore")
        .with_tags(["pets"])
        .with_base_url(upstream.url())
        .with_credential("api_key", FixedValue::value("secret-key"));
    let client = UpstreamClient::new().expect("client");
    let imported = import_toolset(&document, &options, &client).expect("imports");
    let mut registry = ToolRegistry::new();
    registry.add(imported.toolset);
    let server = ToolServer::new(
        Arc::new(registry.catalog_for_tags(&["pets"]).expect("catalog")),
        ServerIdentity::new("petstore", "0"),
    );
    Gateway::serve(HttpEndpoint::new("/mcp", server).into_router(), "/mcp").await
}

#[tokio::test]
async fn path_header_and_api_key_reach_the_upstream_ok() {
    let upstream = RestUpstream::answering(r#"{"id": 7, "name": "Rex", "photoUrls": []}"#).await;
    let gateway = petstore(&upstream).await;
    let client = connect(&gateway).await;
    let result = call(
        &client,
        "getPetById",
        json!({"path_petId": 7, "header_x_request_id": "3f2504e0-4f89-11d3-9a0c-0305e82c3301"}),
    )
    .await
    .expect("call");
    assert_eq!(result.is_error, Some(false), "{}", text_of(&result));
    assert_eq!(
        result.structured_content.expect("structured")["name"],
        "Rex"
    );
    let received = &upstream.received()[0];
    assert_eq!(received.method, "GET");
    assert_eq!(received.path, "/v1/pet/7");
    assert_eq!(
        received.headers["x-request-id"],
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    );
    assert_eq!(received.headers["api_key"], "secret-key");
}

#[tokio::test]
async fn query_arrays_follow_explode_ok() {
    let upstream = RestUpstream::answering("[]").await;
    let gateway = petstore(&upstream).await;
    let client = connect(&gateway).await;
    call(
        &client,
        "findPetsByStatus",
        json!({"query_status": ["available", "sold"]}),
    )
    .await
    .expect("call");
    call(
        &client,
        "findPetsByTags",
        json!({"query_tags": ["a", "b"], "query_page": {"limit": 5, "offset": 10}}),
    )
    .await
    .expect("call");
    let received = upstream.received();
    assert_eq!(
        received[0].query.as_deref(),
        Some("status=available&status=sold")
    );
    assert_eq!(
        received[1].query_pairs(),
        vec![
            ("tags".into(), "a,b".into()),
            ("page[limit]".into(), "5".into()),
            ("page[offset]".into(), "10".into())
        ]
    );
}

#[tokio::test]
async fn cookie_argument_and_credential_reach_the_upstream_ok() {
    let upstream = RestUpstream::answering(r#"{"available": 3}"#).await;
    let gateway = petstore(&upstream).await;
    let client = connect(&gateway).await;
    let result = call(
        &client,
        "getInventory",
        json!({"cookie_store_session": "abc 123"}),
    )
    .await
    .expect("call");
    assert_eq!(
        result.structured_content.expect("structured")["available"],
        3
    );
    let received = &upstream.received()[0];
    assert_eq!(received.headers["cookie"], "store_session=abc%20123");
    assert_eq!(received.headers["api_key"], "secret-key");
}

#[tokio::test]
async fn json_and_form_bodies_reach_the_upstream_ok() {
    let upstream = RestUpstream::answering(r#"{"id": 1, "name": "Rex", "photoUrls": []}"#).await;
    let gateway = petstore(&upstream).await;
    let client = connect(&gateway).await;
    call(
        &client,
        "addPet",
        json!({"body": {"name": "Rex", "photoUrls": ["http://127.0.0.1/rex.png"]}}),
    )
    .await
    .expect("call");
    call(
        &client,
        "updatePetWithForm",
        json!({"path_petId": 1, "body": {"name": "Rex II", "status": "sold"}}),
    )
    .await
    .expect("call");
    let received = upstream.received();
    assert_eq!(received[0].method, "POST");
    assert_eq!(received[0].headers["content-type"], "application/json");
    assert_eq!(received[1].path, "/v1/pet/1");
    assert_eq!(
        received[1].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
}

#[tokio::test]
async fn body_outside_its_schema_is_refused_fails() {
    let upstream = RestUpstream::answering("{}").await;
    let gateway = petstore(&upstream).await;
    let client = connect(&gateway).await;
    let error = crate::harness::error_of(
        call(
            &client,
            "addPet",
            json!({"body": {"name": "Rex", "photoUrls": [], "status": "lost"}}),
        )
        .await,
    );
    assert_eq!(error.code.0, -32602, "{}", error.message);
    assert!(
        error.message.contains("argument 'body.status'"),
        "{}",
        error.message
    );
    let error =
        crate::harness::error_of(call(&client, "addPet", json!({"body": {"photoUrls": []}})).await);
    assert!(
        error
            .message
            .contains("'body' is missing required property 'name'"),
        "{}",
        error.message
    );
    assert!(upstream.received().is_empty());
}

#[tokio::test]
async fn weather_server_runs_from_the_openapi_description_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .openapi(&fixture("weatherapi.yaml"))
        .start()
        .await;
    let client = connect(&gateway).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for seed in [
        "realtime-api",
        "forecast-api",
        "history-api",
        "search-api",
        "ip-lookup-api",
    ] {
        assert!(names.contains(&seed), "{seed} missing from {names:?}");
    }
    assert_eq!(tools.len(), 11, "{names:?}");
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("call");
    assert_eq!(result.is_error, Some(false), "{}", text_of(&result));
    assert_eq!(
        result.structured_content.expect("structured")["location"]["name"],
        "London"
    );
    let search = call(&client, "search-api", json!({"query_q": "Lon"}))
        .await
        .expect("call");
    let structured = search.structured_content.expect("wrapped array answer");
    assert!(structured["result"].is_array(), "{structured}");
    let received = upstream.received();
    assert_eq!(received[0].path, "/v1/current.json");
    assert!(
        received[0]
            .query_pairs()
            .contains(&("key".into(), "test-key".into())),
        "{:?}",
        received[0].query_pairs()
    );
}

/// Serves `openapi-specs/` over loopback HTTP, as a documentation site would.
async fn spec_site() -> Gateway {
    async fn file(
        axum::extract::Path(path): axum::extract::Path<String>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        if path
            .split('/')
            .any(|segment| segment == ".." || segment.is_empty())
        {
            return axum::http::StatusCode::BAD_REQUEST.into_response();
        }
        match tokio::fs::read_to_string(fixture(&path)).await {
            Ok(text) => text.into_response(),
            Err(_) => axum::http::StatusCode::NOT_FOUND.into_response(),
        }
    }
    Gateway::serve(
        axum::Router::new().route("/specs/{*path}", axum::routing::get(file)),
        "/specs",
    )
    .await
}

#[tokio::test]
async fn document_over_http_resolves_relative_servers_and_files_ok() {
    let site = spec_site().await;
    let client = UpstreamClient::new().expect("client");

    let petstore = OpenApiDocument::load(&format!("{}/petstore-3.0.yaml", site.url()))
        .await
        .expect("loads over HTTP");
    assert_eq!(
        petstore
            .server_url()
            .expect("relative server resolves")
            .as_str(),
        format!("{}/api/v3", site.url().trim_end_matches("/specs")).as_str()
    );

    let refs = OpenApiDocument::load(&format!("{}/refs/main.yaml", site.url()))
        .await
        .expect("loads with the files it references");
    let imported = import_toolset(
        &refs,
        &ImportOptions::new("refs").with_base_url("http://127.0.0.1:9/".parse().expect("url")),
        &client,
    )
    .expect("imports");
    let forest = imported
        .toolset
        .tools()
        .iter()
        .find(|t| t.descriptor().name == "getForest")
        .expect("getForest, whose schema lives in another file");
    let output = serde_json::to_string(&forest.descriptor().output_schema).expect("json");
    assert!(output.contains("TreeNode"), "{output}");

    let missing = OpenApiDocument::load(&format!("{}/nope.yaml", site.url()))
        .await
        .expect_err("404");
    assert!(missing.to_string().contains("HTTP 404"), "{missing}");
}
