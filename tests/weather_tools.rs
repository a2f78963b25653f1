//! The weather server's tools as a client sees them, and calls reaching the upstream.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::harness::{Gateway, RestUpstream, call, connect, connect_discover, text_of};

const TOOL_NAMES: [&str; 5] = [
    "forecast-api",
    "history-api",
    "ip-lookup-api",
    "realtime-api",
    "search-api",
];

#[tokio::test]
async fn lists_the_five_seed_tools_with_titles_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: BTreeSet<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, TOOL_NAMES.into_iter().collect());
    let titles: BTreeSet<&str> = tools.iter().filter_map(|t| t.title.as_deref()).collect();
    assert_eq!(
        titles,
        [
            "Forecast API",
            "History API",
            "IP Lookup API",
            "Realtime API",
            "Search API"
        ]
        .into_iter()
        .collect()
    );
    for tool in &tools {
        let annotations = tool.annotations.as_ref().expect("annotations");
        assert_eq!(annotations.title.as_deref(), tool.title.as_deref());
        assert_eq!(annotations.read_only_hint, Some(true), "{}", tool.name);
        assert_eq!(annotations.open_world_hint, Some(true), "{}", tool.name);
    }
}

#[tokio::test]
async fn input_schemas_follow_the_seed_and_hide_fixed_values_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let schema = |name: &str| -> Value {
        let tool = tools.iter().find(|t| t.name == name).expect("tool listed");
        Value::Object((*tool.input_schema).clone())
    };
    for name in TOOL_NAMES {
        let schema = schema(name);
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false, "{name}");
        assert!(
            schema["properties"].get("query_key").is_none(),
            "{name} leaks the key"
        );
        assert!(
            schema["properties"].get("key").is_none(),
            "{name} leaks the key"
        );
        assert_eq!(schema["properties"]["query_q"]["type"], "string", "{name}");
        assert!(
            schema["required"]
                .as_array()
                .expect("required")
                .contains(&json!("query_q")),
            "{name}"
        );
    }
    let realtime = schema("realtime-api");
    assert_eq!(realtime["required"], json!(["query_q"]));
    assert_eq!(realtime["properties"]["query_lang"]["type"], "string");
    let forecast = schema("forecast-api");
    assert_eq!(forecast["properties"]["query_days"]["type"], "integer");
    assert_eq!(
        forecast["properties"]["query_days"]["enum"],
        json!([1, 2, 3])
    );
    assert_eq!(forecast["properties"]["query_dt"]["format"], "date");
    assert_eq!(forecast["required"], json!(["query_q", "query_days"]));
    let history = schema("history-api");
    assert_eq!(history["properties"]["query_dt"]["format"], "date");
    assert_eq!(history["properties"]["query_unixdt"]["type"], "integer");
    assert_eq!(history["required"], json!(["query_q", "query_dt"]));
}

#[tokio::test]
async fn realtime_reaches_upstream_as_get_current_json_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("tools/call");
    assert_eq!(result.is_error, Some(false), "{}", text_of(&result));
    let structured = result
        .structured_content
        .as_ref()
        .expect("structuredContent");
    assert_eq!(structured["location"]["name"], "London");
    let text: Value = serde_json::from_str(&text_of(&result)).expect("text is the JSON answer");
    assert_eq!(&text, structured);

    let received = upstream.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].method, "GET");
    assert_eq!(received[0].path, "/v1/current.json");
    assert_eq!(
        received[0].query_pairs(),
        vec![
            ("key".into(), "test-key".into()),
            ("q".into(), "London".into())
        ]
    );
}

#[tokio::test]
async fn optional_and_typed_arguments_reach_the_query_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let result = call(
        &client,
        "forecast-api",
        json!({"query_q": "Paris", "query_days": 2, "query_aqi": "no"}),
    )
    .await
    .expect("tools/call");
    assert_eq!(result.is_error, Some(false), "{}", text_of(&result));
    let structured = result.structured_content.expect("structuredContent");
    assert_eq!(
        structured["forecast"]["forecastday"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let pairs = upstream.received()[0].query_pairs();
    assert!(pairs.contains(&("days".into(), "2".into())), "{pairs:?}");
    assert!(pairs.contains(&("aqi".into(), "no".into())), "{pairs:?}");
    assert!(
        !pairs.iter().any(|(k, _)| k == "lang"),
        "absent optional sent: {pairs:?}"
    );
}

#[tokio::test]
async fn stateless_2026_client_lists_and_calls_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect_discover(&gateway).await;
    let info = client.peer_info().expect("discovered server info");
    assert_eq!(info.protocol_version.as_str(), "2026-07-28");
    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 5);
    let result = call(&client, "search-api", json!({"query_q": "Lon"}))
        .await
        .expect("tools/call");
    assert_eq!(result.is_error, Some(false), "{}", text_of(&result));
    assert_eq!(upstream.received()[0].path, "/v1/search.json");
}
