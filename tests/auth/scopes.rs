//! Per-tool scopes: a `tools/call` of a tool whose scopes the token lacks is answered 403
//! `insufficient_scope` naming them (step-up); other tools stay callable.

use serde_json::json;

use super::{Reply, discovered, http, params, prm_url, tool_call};
use crate::harness::{Gateway, Idp, RestUpstream};

#[tokio::test]
async fn tool_scope_missing_steps_up_fails() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let issuer = idp.issuer();
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .auth(move |url| {
            let mut config = discovered(url, &issuer);
            config
                .tool_scopes
                .insert("history-api".to_owned(), vec!["weather:history".to_owned()]);
            config
        })
        .start()
        .await;
    let resource = gateway.url();
    let reader = idp.jwt(json!({"sub": "r", "aud": resource, "scope": "weather:read"}));
    let http = http();

    let history = json!({"query_q": "London", "query_dt": "2024-01-01"});
    let refused =
        Reply::of(tool_call(&http, &gateway.url(), "history-api", &history).bearer_auth(&reader))
            .await;
    assert_eq!(refused.status, reqwest::StatusCode::FORBIDDEN);
    assert_eq!(
        refused.challenge(),
        Some(params(&[
            ("resource_metadata", &prm_url(&gateway)),
            ("error", "insufficient_scope"),
            ("scope", "weather:history"),
        ]))
    );
    assert!(
        upstream.received().is_empty(),
        "a refused call reached the upstream"
    );

    let realtime = Reply::of(
        tool_call(
            &http,
            &gateway.url(),
            "realtime-api",
            &json!({"query_q": "London"}),
        )
        .bearer_auth(&reader),
    )
    .await;
    assert_eq!(
        realtime.status,
        reqwest::StatusCode::OK,
        "other tools stay callable"
    );

    let historian =
        idp.jwt(json!({"sub": "h", "aud": resource, "scope": "weather:read weather:history"}));
    let allowed = Reply::of(
        tool_call(&http, &gateway.url(), "history-api", &history).bearer_auth(&historian),
    )
    .await;
    assert_eq!(allowed.status, reqwest::StatusCode::OK);
    assert!(allowed.result().is_some(), "{}", allowed.body);
}
