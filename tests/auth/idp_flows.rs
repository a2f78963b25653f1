//! The resource server against a live IdP over time: discovery from the issuer alone, a real
//! MCP client with a token, key rotation and the unknown-`kid` rate limit, outages (fail
//! closed, recover by itself), and the introspection cache and client authentication.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use toolgate_auth::{ClientAuth, IntrospectionConfig, ResourceServerConfig, SecretString};
use url::Url;

use super::{REQUIRED_SCOPES, Reply, call_with_token, discovered, http, prm_url};
use crate::harness::{
    ClientAuth as IdpClientAuth, Gateway, Idp, RestUpstream, call, connect_with_token, text_of,
    try_connect_with_token,
};

/// The RFC 8414 path the resource server discovers the IdP at.
const DISCOVERY: &str = "/.well-known/oauth-authorization-server";

/// A weather gateway in front of `upstream`, configured by `configure` from its URL and the
/// IdP's issuer.
async fn gateway(
    idp: &Idp,
    upstream: &RestUpstream,
    configure: fn(&Url, &str) -> ResourceServerConfig,
) -> Gateway {
    let issuer = idp.issuer();
    Gateway::builder()
        .upstream(upstream)
        .auth(move |url| configure(url, &issuer))
        .start()
        .await
}

/// Discovery from the issuer alone.
fn by_issuer(resource: &Url, issuer: &str) -> ResourceServerConfig {
    discovered(resource, issuer)
}

/// A JWKS URL configured: no discovery at all.
fn with_jwks_uri(resource: &Url, issuer: &str) -> ResourceServerConfig {
    let mut config = discovered(resource, issuer);
    config.jwks_uri = Some(format!("{issuer}/jwks").parse().expect("JWKS URL"));
    config
}

/// A token for `gateway`'s resource with `sub` = `subject`.
fn token_for(idp: &Idp, gateway: &Gateway, subject: &str) -> String {
    idp.jwt(json!({"sub": subject, "aud": gateway.url()}))
}

#[tokio::test]
async fn discovery_only_full_stack_lists_and_calls_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, |url, issuer| {
        let mut config = discovered(url, issuer);
        config.required_scopes = REQUIRED_SCOPES.map(str::to_owned).to_vec();
        config
    })
    .await;
    let token = idp.jwt(json!({
        "sub": "alice", "aud": gateway.url(), "scope": "mcp:tools weather:read"
    }));

    let client = connect_with_token(&gateway, &token).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 5);
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("tools/call");
    assert_eq!(result.is_error, Some(false), "{}", text_of(&result));
    let structured = result.structured_content.expect("structuredContent");
    assert_eq!(structured["location"]["name"], "London");
    client.cancel().await.expect("close");

    let received = upstream.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/current.json");
    // Every MCP request was checked, yet the IdP was asked once for each document.
    assert_eq!((idp.hits(DISCOVERY), idp.hits("/jwks")), (1, 1));
}

#[tokio::test]
async fn client_without_token_gets_the_challenge_fails() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, by_issuer).await;

    let Err(refused) = try_connect_with_token(&gateway, None).await else {
        panic!("connected without a token");
    };
    assert!(refused.is_authorization_required(), "{refused}");
    assert_eq!(
        refused.auth_challenge(),
        Some(format!(r#"Bearer resource_metadata="{}""#, prm_url(&gateway)).as_str())
    );

    let elsewhere = idp.jwt(json!({"sub": "alice", "aud": "https://other.example/mcp"}));
    let Err(refused) = try_connect_with_token(&gateway, Some(&elsewhere)).await else {
        panic!("connected with a token for another resource");
    };
    let challenge = refused.auth_challenge().expect("a challenge");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    assert!(upstream.received().is_empty());
}

#[tokio::test]
async fn client_credentials_token_for_the_resource_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, by_issuer).await;
    let http = http();
    let token_for = |resource: String| {
        http.post(idp.token_endpoint())
            .basic_auth(Idp::MCP_CLIENT_ID, Some(Idp::MCP_CLIENT_SECRET))
            .form(&[
                ("grant_type", "client_credentials".to_owned()),
                ("scope", "mcp:tools".to_owned()),
                ("resource", resource),
            ])
            .send()
    };
    let answer: Value = token_for(gateway.url())
        .await
        .expect("token request")
        .json()
        .await
        .expect("token JSON");
    let token = answer["access_token"].as_str().expect("access_token");
    let client = connect_with_token(&gateway, token).await;
    assert_eq!(client.list_all_tools().await.expect("tools/list").len(), 5);
    client.cancel().await.expect("close");

    let answer: Value = token_for("https://other.example/mcp".to_owned())
        .await
        .expect("token request")
        .json()
        .await
        .expect("token JSON");
    let other = answer["access_token"].as_str().expect("access_token");
    assert_eq!(
        call_with_token(&http, &gateway, other).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Regression: a fetch to fill the cache counted against the unknown-`kid` rate limit, so a
/// key rotated within 10 s of it was refused for up to 10 s.
#[tokio::test]
async fn rotation_right_after_fetch_refetches_once_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, by_issuer).await;
    let http = http();
    let old = token_for(&idp, &gateway, "alice");
    assert_eq!(
        call_with_token(&http, &gateway, &old).await.status,
        StatusCode::OK
    );
    assert_eq!(idp.hits("/jwks"), 1);

    assert_eq!(idp.rotate_keys(), "rsa-2");
    let new = token_for(&idp, &gateway, "alice");
    assert_eq!(
        call_with_token(&http, &gateway, &new).await.status,
        StatusCode::OK
    );
    assert_eq!(idp.hits("/jwks"), 2, "one fetch for the new kid");
    assert_eq!(
        call_with_token(&http, &gateway, &new).await.status,
        StatusCode::OK
    );
    // The retired key is gone from the JWKS: its tokens fail, without another fetch.
    assert_eq!(
        call_with_token(&http, &gateway, &old).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(idp.hits("/jwks"), 2);
    assert_eq!(upstream.received().len(), 3);
}

#[tokio::test]
async fn rotation_with_grace_period_keeps_old_tokens_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, by_issuer).await;
    let http = http();
    let old = token_for(&idp, &gateway, "alice");
    assert_eq!(
        call_with_token(&http, &gateway, &old).await.status,
        StatusCode::OK
    );
    idp.rotate_keys_keep_old();
    let new = token_for(&idp, &gateway, "alice");
    assert_eq!(
        call_with_token(&http, &gateway, &new).await.status,
        StatusCode::OK
    );
    assert_eq!(
        call_with_token(&http, &gateway, &old).await.status,
        StatusCode::OK
    );
    assert_eq!(idp.hits("/jwks"), 2);
}

#[tokio::test]
async fn unknown_kids_fetch_the_jwks_at_most_once_fails() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, by_issuer).await;
    let http = http();
    let good = token_for(&idp, &gateway, "alice");
    assert_eq!(
        call_with_token(&http, &gateway, &good).await.status,
        StatusCode::OK
    );
    assert_eq!(idp.hits("/jwks"), 1);
    for n in 0..5 {
        let rogue = idp
            .forge(json!({"sub": format!("mallory-{n}"), "aud": gateway.url()}))
            .unknown_key()
            .build();
        let reply = call_with_token(&http, &gateway, &rogue).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "rogue token {n}");
    }
    assert_eq!(idp.hits("/jwks"), 2, "one refetch for five unknown kids");
    assert_eq!(
        call_with_token(&http, &gateway, &good).await.status,
        StatusCode::OK
    );
    assert_eq!(upstream.received().len(), 2);
}

#[tokio::test]
async fn idp_outage_with_cached_keys_still_validates_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, by_issuer).await;
    let http = http();
    let alice = token_for(&idp, &gateway, "alice");
    assert_eq!(
        call_with_token(&http, &gateway, &alice).await.status,
        StatusCode::OK
    );

    idp.set_down(true);
    let hits = (idp.hits(DISCOVERY), idp.hits("/jwks"));
    let bob = token_for(&idp, &gateway, "bob");
    assert_eq!(
        call_with_token(&http, &gateway, &bob).await.status,
        StatusCode::OK
    );
    assert_eq!(
        (idp.hits(DISCOVERY), idp.hits("/jwks")),
        hits,
        "served from cache"
    );
    // An unknown kid during the outage is still a bad token, not an outage.
    let rogue = idp
        .forge(json!({"sub": "mallory", "aud": gateway.url()}))
        .unknown_key()
        .build();
    let reply = call_with_token(&http, &gateway, &rogue).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        call_with_token(&http, &gateway, &alice).await.status,
        StatusCode::OK
    );
    assert_eq!(upstream.received().len(), 3);
}

/// Checks a fail-closed answer: 503, `Retry-After`, no challenge, nothing upstream.
fn assert_unavailable(reply: &Reply) -> u64 {
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.header("www-authenticate"), None);
    assert_eq!(
        reply.error_code().as_deref(),
        Some("temporarily_unavailable")
    );
    reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds")
}

#[tokio::test]
async fn idp_down_fresh_gateway_fails_closed_then_recovers_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let http = http();

    // IdP answering 503.
    let gateway_a = gateway(&idp, &upstream, with_jwks_uri).await;
    idp.set_down(true);
    let token = token_for(&idp, &gateway_a, "alice");
    assert_unavailable(&call_with_token(&http, &gateway_a, &token).await);
    idp.set_down(false);
    assert_eq!(
        call_with_token(&http, &gateway_a, &token).await.status,
        StatusCode::OK
    );

    // IdP not listening at all.
    let gateway_b = gateway(&idp, &upstream, with_jwks_uri).await;
    idp.stop().await;
    let token = token_for(&idp, &gateway_b, "alice");
    assert_unavailable(&call_with_token(&http, &gateway_b, &token).await);
    idp.restart().await;
    assert_eq!(
        call_with_token(&http, &gateway_b, &token).await.status,
        StatusCode::OK
    );
    assert_eq!(upstream.received().len(), 2);
}

/// Discovery failures are remembered for a few seconds (the IdP is not hammered), fewer than
/// the `Retry-After` the gateway announces: a client that waits as told gets through. This
/// test waits that long (10 s).
#[tokio::test]
async fn idp_down_during_discovery_recovers_within_retry_after_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, by_issuer).await;
    let http = http();
    idp.set_down(true);
    let token = token_for(&idp, &gateway, "alice");
    let retry_after = assert_unavailable(&call_with_token(&http, &gateway, &token).await);
    assert!(retry_after <= 10, "Retry-After {retry_after}");
    idp.set_down(false);
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_eq!(
        call_with_token(&http, &gateway, &token).await.status,
        StatusCode::OK
    );
}

/// Introspection (endpoint discovered) with `auth` and the answer cache on or off.
fn introspecting(
    resource: &Url,
    issuer: &str,
    auth: ClientAuth,
    cache: bool,
) -> ResourceServerConfig {
    let mut introspection = IntrospectionConfig::new(
        Idp::RS_CLIENT_ID,
        Some(SecretString::new(Idp::RS_CLIENT_SECRET)),
    )
    .with_client_auth(auth);
    introspection.cache = cache;
    let mut config = discovered(resource, issuer);
    config.introspection = Some(introspection);
    config
}

fn opaque_for(idp: &Idp, gateway: &Gateway) -> String {
    idp.opaque(json!({"sub": "alice", "aud": gateway.url()}))
}

/// Active answers are cached (up to 5 min, never past the token's `exp`): a token revoked
/// at the IdP stays usable here until then. Inactive answers are cached briefly too.
#[tokio::test]
async fn introspection_cache_asks_once_per_token_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, |url, issuer| {
        introspecting(url, issuer, ClientAuth::ClientSecretBasic, true)
    })
    .await;
    let http = http();
    let token = opaque_for(&idp, &gateway);
    for _ in 0..3 {
        assert_eq!(
            call_with_token(&http, &gateway, &token).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(idp.introspections().len(), 1);
    idp.revoke(&token);
    assert_eq!(
        call_with_token(&http, &gateway, &token).await.status,
        StatusCode::OK,
        "the cached active answer still stands"
    );
    assert_eq!(idp.introspections().len(), 1);

    let revoked = opaque_for(&idp, &gateway);
    idp.revoke(&revoked);
    for _ in 0..2 {
        let reply = call_with_token(&http, &gateway, &revoked).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        idp.introspections().len(),
        2,
        "the inactive answer is cached"
    );
    assert_eq!(upstream.received().len(), 4);
}

#[tokio::test]
async fn introspection_without_cache_sees_revocation_at_once_fails() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream, |url, issuer| {
        introspecting(url, issuer, ClientAuth::ClientSecretBasic, false)
    })
    .await;
    let http = http();
    let token = opaque_for(&idp, &gateway);
    assert_eq!(
        call_with_token(&http, &gateway, &token).await.status,
        StatusCode::OK
    );
    assert_eq!(
        call_with_token(&http, &gateway, &token).await.status,
        StatusCode::OK
    );
    idp.revoke(&token);
    let reply = call_with_token(&http, &gateway, &token).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(idp.introspections().len(), 3);
}

/// One introspection with `auth`: the IdP saw that method, the right client and answered.
async fn assert_introspected_with(auth: ClientAuth, method: IdpClientAuth) {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let issuer = idp.issuer();
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .auth(move |url| introspecting(url, &issuer, auth, true))
        .start()
        .await;
    let token = opaque_for(&idp, &gateway);
    let reply = call_with_token(&http(), &gateway, &token).await;
    assert_eq!(reply.status, StatusCode::OK);
    let seen = idp.introspections();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].auth, Some(method));
    assert_eq!(seen[0].client_id.as_deref(), Some(Idp::RS_CLIENT_ID));
    assert_eq!(seen[0].token.as_deref(), Some(token.as_str()));
    assert!(seen[0].authenticated && seen[0].active);
}

#[tokio::test]
async fn introspection_client_secret_basic_is_used_ok() {
    assert_introspected_with(ClientAuth::ClientSecretBasic, IdpClientAuth::Basic).await;
}

#[tokio::test]
async fn introspection_client_secret_post_is_used_ok() {
    assert_introspected_with(ClientAuth::ClientSecretPost, IdpClientAuth::Post).await;
}
