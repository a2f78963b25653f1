//! Who the caller is beyond the token: consumers found by a claim, consumer groups, API
//! keys, credentials kept from the service and the upstream, claims sent upstream as
//! headers, and MCP sessions bound to the caller that opened them.

use std::sync::Arc;

use axum::{Json, Router, extract::Request, routing::any};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use toolgate_auth::{
    ApiKeyConfig, AuthLayer, ClaimToHeader, Consumer, ConsumerMapping, ConsumerRef, ConsumerStore,
    Identity, ResourceServer, ResourceServerConfig, StoredKey,
};
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::{FnTool, ToolDescriptor, ToolRegistry, ToolSet, schema_object, text_result};
use url::Url;

use super::{Reply, call_with_token, discovered, http, initialize, post_mcp, tool_call};
use crate::harness::{Gateway, Idp, RestUpstream};

/// A tool that says who calls, as the tool sees it.
fn whoami_server() -> ToolServer {
    let whoami = FnTool::new(
        ToolDescriptor::new(
            "whoami",
            "Says who is calling.",
            schema_object(json!({"type": "object"})),
        ),
        |_args, ctx| async move {
            let principal = ctx.principal();
            Ok(text_result(format!(
                "subject={} consumer={} groups={}",
                principal.subject.as_deref().unwrap_or("-"),
                principal.consumer.as_deref().unwrap_or("-"),
                principal.groups.join(",")
            )))
        },
    );
    let mut registry = ToolRegistry::new();
    registry.add(ToolSet::new("custom").with_tool(Arc::new(whoami)));
    ToolServer::new(
        Arc::new(registry.catalog_all().expect("catalog")),
        ServerIdentity::new("whoami", "0"),
    )
}

/// Consumers `alice` (group `gold`, API key `alice-key`) and `bob` (custom id `ext-2`, group
/// `silver`).
fn consumers() -> ConsumerStore {
    let mut store = ConsumerStore::new();
    store
        .add(Consumer::new("c1", Some("alice".into())).with_groups(["gold"]))
        .expect("alice");
    store
        .add(
            Consumer::new("c2", Some("bob".into()))
                .with_custom_id("ext-2")
                .with_groups(["silver"]),
        )
        .expect("bob");
    store
        .add_key("c1", &StoredKey::parse("alice-key"))
        .expect("alice's key");
    store
}

/// The whoami tool behind the resource server, configured by `configure` from the
/// discovered defaults plus [`consumers`].
async fn whoami_gateway(idp: &Idp, configure: fn(&mut ResourceServerConfig)) -> Gateway {
    let issuer = idp.issuer();
    Gateway::serve_with("/mcp", move |url| {
        let mut config = discovered(url, &issuer);
        config.consumers = consumers();
        configure(&mut config);
        let server = ResourceServer::new(config).expect("valid auth config");
        HttpEndpoint::new("/mcp", whoami_server())
            .with_auth(Arc::new(server))
            .into_router()
    })
    .await
}

/// `whoami` called with `token`.
async fn whoami(http: &Client, gateway: &Gateway, token: &str) -> Reply {
    Reply::of(tool_call(http, &gateway.url(), "whoami", &json!({})).bearer_auth(token)).await
}

#[tokio::test]
async fn consumer_claim_by_username_then_custom_id_ok() {
    let idp = Idp::start().await;
    let gateway = whoami_gateway(&idp, |_| {}).await;
    let http = http();
    let token = |sub: &str| idp.jwt(json!({"sub": sub, "aud": gateway.url()}));
    for (sub, seen) in [
        ("alice", "subject=alice consumer=alice groups=gold"),
        ("ext-2", "subject=ext-2 consumer=bob groups=silver"),
        ("carol", "subject=carol consumer=- groups="),
    ] {
        assert_eq!(whoami(&http, &gateway, &token(sub)).await.tool_text(), seen);
    }
}

#[tokio::test]
async fn consumer_claim_nested_by_custom_id_only_ok() {
    let idp = Idp::start().await;
    let gateway = whoami_gateway(&idp, |config| {
        let mut mapping = ConsumerMapping::default();
        mapping.claim = vec!["ext".into(), "user".into()];
        mapping.by = vec![ConsumerRef::CustomId];
        config.consumer_mapping = mapping;
    })
    .await;
    let http = http();
    let token =
        |user: &str| idp.jwt(json!({"sub": "u-1", "aud": gateway.url(), "ext": {"user": user}}));
    let reply = whoami(&http, &gateway, &token("ext-2")).await;
    assert_eq!(reply.tool_text(), "subject=u-1 consumer=bob groups=silver");
    // A username is not a custom id.
    let reply = whoami(&http, &gateway, &token("alice")).await;
    assert_eq!(reply.tool_text(), "subject=u-1 consumer=- groups=");
}

#[tokio::test]
async fn consumer_required_unmapped_token_fails() {
    let idp = Idp::start().await;
    let gateway = whoami_gateway(&idp, |config| {
        config.consumer_mapping.optional = false;
    })
    .await;
    let http = http();
    let stranger = idp.jwt(json!({"sub": "carol", "aud": gateway.url()}));
    let reply = whoami(&http, &gateway, &stranger).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_code().as_deref(), Some("forbidden"));
    assert_eq!(
        reply.challenge(),
        None,
        "a valid token gets no new challenge"
    );
    let known = idp.jwt(json!({"sub": "alice", "aud": gateway.url()}));
    let reply = whoami(&http, &gateway, &known).await;
    assert_eq!(
        reply.tool_text(),
        "subject=alice consumer=alice groups=gold"
    );
}

#[tokio::test]
async fn consumer_groups_from_consumer_and_claim_ok() {
    let idp = Idp::start().await;
    let gateway = whoami_gateway(&idp, |config| {
        config.consumer_mapping.groups_claim = Some(vec!["realm_access".into(), "roles".into()]);
    })
    .await;
    let http = http();
    let token = idp.jwt(json!({
        "sub": "alice", "aud": gateway.url(), "realm_access": {"roles": ["ops", "gold"]}
    }));
    let reply = whoami(&http, &gateway, &token).await;
    assert_eq!(
        reply.tool_text(),
        "subject=alice consumer=alice groups=gold,ops"
    );
    let unmapped = idp.jwt(json!({
        "sub": "carol", "aud": gateway.url(), "realm_access": {"roles": ["ops"]}
    }));
    let reply = whoami(&http, &gateway, &unmapped).await;
    assert_eq!(reply.tool_text(), "subject=carol consumer=- groups=ops");
}

#[tokio::test]
async fn api_key_alone_identifies_the_consumer_ok() {
    let idp = Idp::start().await;
    let gateway = whoami_gateway(&idp, |config| {
        config.api_keys = Some(ApiKeyConfig::default());
    })
    .await;
    let http = http();
    let call = || tool_call(&http, &gateway.url(), "whoami", &json!({}));
    let reply = Reply::of(call().header("apikey", "alice-key")).await;
    assert_eq!(reply.tool_text(), "subject=- consumer=alice groups=gold");

    let reply = Reply::of(call().header("apikey", "mallory-key")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply
            .challenge()
            .and_then(|c| c.get("error").cloned())
            .as_deref(),
        Some("invalid_token")
    );
}

/// A weather gateway with API keys and consumers, configured further by `configure`.
async fn weather_gateway(
    idp: &Idp,
    upstream: &RestUpstream,
    configure: fn(&mut ResourceServerConfig),
) -> Gateway {
    let issuer = idp.issuer();
    Gateway::builder()
        .upstream(upstream)
        .auth(move |url: &Url| {
            let mut config = discovered(url, &issuer);
            config.consumers = consumers();
            config.api_keys = Some(ApiKeyConfig::default());
            configure(&mut config);
            config
        })
        .start()
        .await
}

#[tokio::test]
async fn api_key_and_token_never_reach_the_upstream_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = weather_gateway(&idp, &upstream, |_| {}).await;
    let http = http();
    let reply =
        Reply::of(super::realtime_call(&http, &gateway.url()).header("apikey", "alice-key")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let unknown =
        Reply::of(super::realtime_call(&http, &gateway.url()).header("apikey", "nope")).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let token = idp.jwt(json!({"sub": "alice", "aud": gateway.url()}));
    assert_eq!(
        call_with_token(&http, &gateway, &token).await.status,
        StatusCode::OK
    );

    let received = upstream.received();
    assert_eq!(received.len(), 2, "the unknown key got nowhere");
    for request in &received {
        assert!(
            !request.headers.contains_key("apikey"),
            "{:?}",
            request.headers
        );
        assert!(
            !request.headers.contains_key("authorization"),
            "{:?}",
            request.headers
        );
        assert!(!format!("{:?}", request.query).contains(&token));
    }
}

/// What a service behind the layer sees: the credential headers and the identity.
async fn probe(request: Request) -> Json<Value> {
    let headers = request.headers();
    let identity = request.extensions().get::<Arc<Identity>>();
    Json(json!({
        "authorization": headers.contains_key("authorization"),
        "apikey": headers.contains_key("apikey"),
        "consumer": identity.and_then(|i| i.consumer.clone()),
    }))
}

/// The layer removes credentials before the service sees them, unless told to pass them on.
#[tokio::test]
async fn credentials_are_removed_before_the_service_ok() {
    let idp = Idp::start().await;
    let http = http();
    for passthrough in [false, true] {
        let issuer = idp.issuer();
        let gateway = Gateway::serve_with("/probe", move |url| {
            let mut config = discovered(url, &issuer);
            config.consumers = consumers();
            let mut keys = ApiKeyConfig::default();
            keys.sufficient = false;
            config.api_keys = Some(keys);
            config.passthrough_credentials = passthrough;
            let server = Arc::new(ResourceServer::new(config).expect("valid auth config"));
            Router::new()
                .route("/probe", any(probe))
                .layer(AuthLayer::new(server))
        })
        .await;
        let token = idp.jwt(json!({"sub": "carol", "aud": gateway.url()}));
        let reply = Reply::of(
            http.get(gateway.url())
                .bearer_auth(&token)
                .header("apikey", "alice-key"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let seen: Value = serde_json::from_str(&reply.body).expect("probe JSON");
        assert_eq!(
            seen,
            json!({"authorization": passthrough, "apikey": false, "consumer": "alice"}),
            "passthrough_credentials = {passthrough}"
        );
    }
}

#[tokio::test]
async fn claim_to_header_reaches_the_upstream_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = weather_gateway(&idp, &upstream, |config| {
        config.claim_to_header = vec![
            ClaimToHeader::new("email", "x-user-email"),
            ClaimToHeader::new("realm_access.roles", "x-user-roles"),
            ClaimToHeader::new("note", "x-user-note"),
            ClaimToHeader::new("absent", "x-user-absent"),
        ];
    })
    .await;
    let token = idp.jwt(json!({
        "sub": "alice", "aud": gateway.url(), "email": "alice@example.com",
        "realm_access": {"roles": ["ops", "gold"]},
        "note": "hi\r\nx-injected: 1",
    }));
    let reply = call_with_token(&http(), &gateway, &token).await;
    assert_eq!(reply.status, StatusCode::OK);
    let received = upstream.received();
    assert_eq!(received.len(), 1);
    let headers = &received[0].headers;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("x-user-email"), Some("alice@example.com"));
    assert_eq!(header("x-user-roles"), Some("ops,gold"));
    assert_eq!(
        header("x-user-note"),
        None,
        "a value with CR/LF is not sent"
    );
    assert_eq!(header("x-injected"), None);
    assert_eq!(header("x-user-absent"), None);
}

/// A session id is not a credential: only the caller that opened the session may use it.
#[tokio::test]
async fn session_used_by_another_subject_fails() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = weather_gateway(&idp, &upstream, |_| {}).await;
    let http = http();
    let alice = idp.jwt(json!({"sub": "alice", "aud": gateway.url()}));
    let bob = idp.jwt(json!({"sub": "bob", "aud": gateway.url()}));
    // Another token for the same subject (a refreshed one).
    let alice_again = idp.jwt(json!({"sub": "alice", "aud": gateway.url(), "jti": "2"}));
    assert_ne!(alice, alice_again);

    let opened = initialize(&http, &gateway.url())
        .bearer_auth(&alice)
        .send()
        .await
        .expect("initialize");
    assert_eq!(opened.status(), StatusCode::OK);
    let session = opened.headers()["mcp-session-id"]
        .to_str()
        .expect("session id")
        .to_owned();
    drop(opened);
    let in_session = |token: &str, body: Value| {
        post_mcp(&http, &gateway.url())
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let status = |r: reqwest::Response| r.status();

    assert_eq!(
        status(in_session(&alice, initialized).await.expect("POST")),
        StatusCode::ACCEPTED
    );
    let refused = Reply::read(in_session(&bob, list.clone()).await.expect("POST")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code().as_deref(), Some("forbidden"));
    assert_eq!(
        status(in_session(&alice_again, list.clone()).await.expect("POST")),
        StatusCode::OK
    );
    assert_eq!(
        status(in_session(&alice, list).await.expect("POST")),
        StatusCode::OK
    );

    let delete = |token: &str| {
        http.delete(gateway.url())
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        delete(&bob).await.expect("DELETE").status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        delete(&alice).await.expect("DELETE").status(),
        StatusCode::NO_CONTENT
    );
    // The ended session, and one never opened here, are unknown to every caller: 404, the
    // answer that makes a client open a new session.
    for unknown in [session.clone(), "never-opened-here".to_owned()] {
        let answer = post_mcp(&http, &gateway.url())
            .header("mcp-session-id", &unknown)
            .header("mcp-protocol-version", "2025-11-25")
            .bearer_auth(&alice)
            .json(&json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}))
            .send()
            .await
            .expect("POST");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{unknown}");
    }
    assert!(upstream.received().is_empty());
}
