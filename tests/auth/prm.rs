//! RFC 9728 Protected Resource Metadata: served publicly at the path-inserted and the root
//! well-known URLs with open CORS, naming the configured resource, and pointed at by every
//! challenge through a URL built from configuration, never from the `Host` header.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Reply, discovered, http, params, prm_url, realtime_call};
use crate::harness::{Gateway, Idp, RestUpstream};

/// A gateway requiring `mcp:tools`, advertising two scopes, with a resource name.
async fn gateway(idp: &Idp, upstream: &RestUpstream) -> Gateway {
    let issuer = idp.issuer();
    Gateway::builder()
        .upstream(upstream)
        .auth(move |url| {
            let mut config = discovered(url, &issuer);
            config.required_scopes = vec!["mcp:tools".to_owned()];
            config.scopes_supported = vec!["mcp:tools".to_owned(), "weather:read".to_owned()];
            config.resource_name = Some("Weather".to_owned());
            config
        })
        .start()
        .await
}

#[tokio::test]
async fn prm_path_inserted_and_root_documents_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream).await;
    let http = http();
    let root = format!(
        "http://{}/.well-known/oauth-protected-resource",
        gateway.address()
    );
    for url in [prm_url(&gateway), root] {
        let reply = Reply::of(http.get(&url)).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}");
        assert!(
            reply
                .header("content-type")
                .is_some_and(|v| v.starts_with("application/json")),
            "{url}: {:?}",
            reply.header("content-type")
        );
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some("*"),
            "{url}"
        );
        let document: Value = serde_json::from_str(&reply.body).expect("PRM is JSON");
        assert_eq!(
            document,
            json!({
                "resource": gateway.url(),
                "authorization_servers": [idp.issuer()],
                "scopes_supported": ["mcp:tools", "weather:read"],
                "bearer_methods_supported": ["header"],
                "resource_name": "Weather",
            }),
            "{url}"
        );
    }
    assert!(upstream.received().is_empty());
}

#[tokio::test]
async fn prm_preflight_needs_no_token_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream).await;
    let http = http();
    let reply = Reply::of(
        http.request(Method::OPTIONS, prm_url(&gateway))
            .header("origin", "http://localhost:6274")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "mcp-protocol-version"),
    )
    .await;
    assert!(reply.status.is_success(), "{}", reply.status);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert!(
        reply
            .header("access-control-allow-methods")
            .is_some_and(|v| v.contains("GET")),
        "{:?}",
        reply.header("access-control-allow-methods")
    );
    assert_eq!(reply.header("www-authenticate"), None);

    // A preflight to the MCP endpoint carries no credentials by design: the resource
    // server lets it through instead of challenging it.
    let mcp = Reply::of(
        http.request(Method::OPTIONS, gateway.url())
            .header("origin", "http://localhost:6274")
            .header("access-control-request-method", "POST"),
    )
    .await;
    assert_ne!(mcp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(mcp.header("www-authenticate"), None);
}

#[tokio::test]
async fn challenge_url_ignores_the_host_header_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let gateway = gateway(&idp, &upstream).await;
    let http = http();
    let port = gateway.address().port();
    for host in [format!("localhost:{port}"), "evil.example".to_owned()] {
        let reply = Reply::of(realtime_call(&http, &gateway.url()).header("host", &host)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "Host {host}");
        assert_eq!(
            reply.challenge(),
            Some(params(&[
                ("resource_metadata", &prm_url(&gateway)),
                ("scope", "mcp:tools"),
            ])),
            "Host {host}"
        );
        let document = Reply::of(http.get(prm_url(&gateway)).header("host", &host)).await;
        let document: Value = serde_json::from_str(&document.body).expect("PRM is JSON");
        assert_eq!(document["resource"], json!(gateway.url()), "Host {host}");
    }

    // The challenge leads a client to the document of this very resource.
    let reply = Reply::of(realtime_call(&http, &gateway.url())).await;
    let challenge = reply.challenge().expect("a challenge");
    let document = Reply::of(http.get(&challenge["resource_metadata"])).await;
    assert_eq!(document.status, StatusCode::OK);
    let document: Value = serde_json::from_str(&document.body).expect("PRM is JSON");
    assert_eq!(document["resource"], json!(gateway.url()));
    assert!(upstream.received().is_empty());
}

/// Behind a TLS-terminating proxy the resource is the public URL: challenges and the
/// document name it, while the document is served on the local path.
#[tokio::test]
async fn prm_behind_a_proxy_names_the_public_resource_ok() {
    const PUBLIC: &str = "https://mcp.example.com/weather/mcp";
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let issuer = idp.issuer();
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .auth(move |_| discovered(&PUBLIC.parse().expect("URL"), &issuer))
        .start()
        .await;
    let http = http();
    let reply = Reply::of(realtime_call(&http, &gateway.url())).await;
    assert_eq!(
        reply.challenge(),
        Some(params(&[(
            "resource_metadata",
            "https://mcp.example.com/.well-known/oauth-protected-resource/weather/mcp"
        )]))
    );
    let document = Reply::of(http.get(prm_url(&gateway))).await;
    assert_eq!(document.status, StatusCode::OK);
    let document: Value = serde_json::from_str(&document.body).expect("PRM is JSON");
    assert_eq!(document["resource"], json!(PUBLIC));

    // Tokens are for the public resource, not for the address the gateway listens on.
    let local = idp.jwt(json!({"sub": "alice", "aud": gateway.url()}));
    let public = idp.jwt(json!({"sub": "alice", "aud": PUBLIC}));
    let refused = Reply::of(realtime_call(&http, &gateway.url()).bearer_auth(local)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let accepted = Reply::of(realtime_call(&http, &gateway.url()).bearer_auth(public)).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(upstream.received().len(), 1);
}
