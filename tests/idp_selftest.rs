//! The test IdP itself: discovery, JWKS, tokens (good and forged), client credentials,
//! introspection, rotation, outages and hit counts, checked with jsonwebtoken and reqwest
//! before any resource-server test relies on them.

use jsonwebtoken::{
    Algorithm, DecodingKey, Validation, decode, decode_header,
    errors::ErrorKind,
    jwk::{AlgorithmParameters, JwkSet},
};
use reqwest::{Client, StatusCode};
use serde_json::{Map, Value, json};

use crate::harness::{ClientAuth, EC_KID, Idp, ROGUE_KID};

const RESOURCE: &str = "http://127.0.0.1:9/mcp";

/// A plain HTTP client (reqwest wants the process-wide TLS provider installed first).
fn http() -> Client {
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    Client::new()
}

async fn get_json(http: &Client, url: &str) -> Value {
    let response = http.get(url).send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::OK, "GET {url}");
    response.json().await.expect("JSON body")
}

async fn jwks(http: &Client, idp: &Idp) -> JwkSet {
    let response = http.get(idp.jwks_uri()).send().await.expect("GET jwks");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("a JWK set")
}

fn kids(set: &JwkSet) -> Vec<String> {
    set.keys
        .iter()
        .map(|key| {
            key.common
                .key_id
                .clone()
                .expect("every served key has a kid")
        })
        .collect()
}

/// What a resource server does: `kid` → JWK → key, algorithm from an allow-list.
fn verify(
    set: &JwkSet,
    idp: &Idp,
    token: &str,
    algorithm: Algorithm,
) -> jsonwebtoken::errors::Result<Map<String, Value>> {
    let kid = decode_header(token)?.kid.expect("token has a kid");
    let jwk = set.find(&kid).ok_or(ErrorKind::InvalidKeyFormat)?;
    let key = DecodingKey::from_jwk(jwk)?;
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[idp.issuer()]);
    validation.set_audience(&[RESOURCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    Ok(decode::<Map<String, Value>>(token, &key, &validation)?.claims)
}

/// The error kind's name, e.g. `InvalidSignature` (`ErrorKind` has no `PartialEq`).
fn kind(error: &jsonwebtoken::errors::Error) -> String {
    format!("{:?}", error.kind())
}

/// The payload, unverified.
fn payload(token: &str) -> Map<String, Value> {
    jsonwebtoken::dangerous::insecure_decode_claims(token).expect("payload decodes")
}

fn part(token: &str, index: usize) -> Value {
    use base64::Engine;
    let segment = token.split('.').nth(index).expect("segment");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON segment")
}

#[tokio::test]
async fn discovery_documents_agree_ok() {
    let idp = Idp::start().await;
    let http = http();
    let issuer = idp.issuer();
    assert!(
        issuer.starts_with("http://127.0.0.1:") && !issuer.ends_with('/'),
        "{issuer}"
    );
    let oauth = get_json(&http, &idp.metadata_url()).await;
    let oidc = get_json(&http, &format!("{issuer}/.well-known/openid-configuration")).await;
    for document in [&oauth, &oidc] {
        assert_eq!(document["issuer"], json!(issuer));
        assert_eq!(document["jwks_uri"], json!(idp.jwks_uri()));
        assert_eq!(document["token_endpoint"], json!(idp.token_endpoint()));
        assert_eq!(
            document["introspection_endpoint"],
            json!(idp.introspection_endpoint())
        );
        let methods = json!(["client_secret_basic", "client_secret_post"]);
        assert_eq!(document["token_endpoint_auth_methods_supported"], methods);
        assert_eq!(
            document["introspection_endpoint_auth_methods_supported"],
            methods
        );
        assert_eq!(
            document["grant_types_supported"],
            json!(["client_credentials"])
        );
        assert_eq!(
            document["code_challenge_methods_supported"],
            json!(["S256"])
        );
        assert_eq!(document["scopes_supported"], json!(Idp::SCOPES));
    }
    assert_eq!(oidc["subject_types_supported"], json!(["public"]));
    let authorize = oauth["authorization_endpoint"]
        .as_str()
        .expect("authorization_endpoint");
    let response = http.get(authorize).send().await.expect("GET authorize");
    assert_eq!(response.status(), StatusCode::NOT_IMPLEMENTED);
}

#[tokio::test]
async fn metadata_patch_changes_both_documents_ok() {
    let idp = Idp::start().await;
    let http = http();
    idp.patch_metadata(json!({"issuer": "http://evil.example", "introspection_endpoint": null}));
    for path in ["oauth-authorization-server", "openid-configuration"] {
        let document = get_json(&http, &format!("{}/.well-known/{path}", idp.issuer())).await;
        assert_eq!(document["issuer"], "http://evil.example");
        assert!(document.get("introspection_endpoint").is_none());
        assert_eq!(document["jwks_uri"], json!(idp.jwks_uri()));
    }
}

#[tokio::test]
async fn jwt_verifies_against_served_jwks_ok() {
    let idp = Idp::start().await;
    let set = jwks(&http(), &idp).await;
    assert_eq!(kids(&set), ["rsa-1", EC_KID]);
    assert!(matches!(set.keys[0].algorithm, AlgorithmParameters::RSA(_)));
    assert!(matches!(
        set.keys[1].algorithm,
        AlgorithmParameters::EllipticCurve(_)
    ));

    let token = idp.jwt(json!({"sub": "alice", "aud": RESOURCE, "scope": "mcp:tools"}));
    let header = decode_header(&token).expect("header");
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.kid, Some(idp.kid()));
    let claims = verify(&set, &idp, &token, Algorithm::RS256).expect("verifies");
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["scope"], "mcp:tools");
    assert_eq!(claims["iss"], json!(idp.issuer()));
    let (iat, exp) = (claims["iat"].as_u64(), claims["exp"].as_u64());
    assert_eq!(
        exp.zip(iat).map(|(exp, iat)| exp - iat),
        Some(Idp::TOKEN_LIFETIME_SECS)
    );
    assert_eq!(claims["nbf"], claims["iat"]);
}

#[tokio::test]
async fn jwt_claim_overrides_fail_validation() {
    let idp = Idp::start().await;
    let set = jwks(&http(), &idp).await;
    let cases = [
        (
            json!({"aud": RESOURCE, "exp": 1_000_000}),
            "ExpiredSignature",
        ),
        (
            json!({"aud": RESOURCE, "iss": "http://evil.example"}),
            "InvalidIssuer",
        ),
        (
            json!({"aud": "http://127.0.0.1:9/other"}),
            "InvalidAudience",
        ),
        (
            json!({"aud": RESOURCE, "exp": null}),
            r#"MissingRequiredClaim("exp")"#,
        ),
        (json!({}), r#"MissingRequiredClaim("aud")"#),
    ];
    for (claims, expected) in cases {
        let error = verify(&set, &idp, &idp.jwt(claims.clone()), Algorithm::RS256)
            .expect_err("must not verify");
        assert_eq!(kind(&error), expected, "{claims}");
    }
    assert!(payload(&idp.jwt(json!({"exp": null}))).get("exp").is_none());
}

#[tokio::test]
async fn es256_token_verifies_with_ec_key_ok() {
    let idp = Idp::start().await;
    let set = jwks(&http(), &idp).await;
    let token = idp.forge(json!({"aud": RESOURCE})).es256().build();
    let header = decode_header(&token).expect("header");
    assert_eq!(
        (header.alg, header.kid.as_deref()),
        (Algorithm::ES256, Some(EC_KID))
    );
    verify(&set, &idp, &token, Algorithm::ES256).expect("ES256 verifies");
    // An RS256-only allow-list refuses it.
    let error = verify(&set, &idp, &token, Algorithm::RS256).expect_err("RS256 only");
    assert_eq!(kind(&error), "InvalidAlgorithm");
}

#[tokio::test]
async fn forged_tokens_fail() {
    let idp = Idp::start().await;
    let set = jwks(&http(), &idp).await;
    let claims = || json!({"sub": "mallory", "aud": RESOURCE});

    let rogue = idp.forge(claims()).unknown_key().build();
    assert_eq!(
        decode_header(&rogue).expect("header").kid.as_deref(),
        Some(ROGUE_KID)
    );
    assert!(set.find(ROGUE_KID).is_none());

    let none = idp.forge(claims()).alg_none().build();
    assert!(none.ends_with('.'), "{none}");
    assert_eq!(part(&none, 0), json!({"alg": "none"}));
    assert!(
        decode_header(&none).is_err(),
        "jsonwebtoken knows no alg none"
    );

    let confused = idp.forge(claims()).hmac_with_public_key().build();
    let header = decode_header(&confused).expect("header");
    assert_eq!(
        (header.alg, header.kid),
        (Algorithm::HS256, Some(idp.kid()))
    );
    let mut hs256 = Validation::new(Algorithm::HS256);
    hs256.set_audience(&[RESOURCE]);
    let public_pem = include_str!("keys/rsa-1.pub.pem");
    decode::<Value>(
        &confused,
        &DecodingKey::from_secret(public_pem.as_bytes()),
        &hs256,
    )
    .expect("really keyed with the public PEM");
    let error = verify(&set, &idp, &confused, Algorithm::RS256).expect_err("confusion");
    assert_eq!(kind(&error), "InvalidAlgorithm");

    let tampered = idp
        .forge(claims())
        .tamper(json!({"sub": "admin", "aud": null}))
        .build();
    assert_eq!(payload(&tampered)["sub"], "admin");
    assert!(payload(&tampered).get("aud").is_none());
    let error = verify(&set, &idp, &tampered, Algorithm::RS256).expect_err("tampered");
    assert_eq!(kind(&error), "InvalidSignature");

    let bad = idp.forge(claims()).bad_signature().build();
    let error = verify(&set, &idp, &bad, Algorithm::RS256).expect_err("bad signature");
    assert_eq!(kind(&error), "InvalidSignature");

    let lying = idp
        .forge(claims())
        .header("typ", json!("JWT"))
        .header("kid", Value::Null)
        .build();
    assert_eq!(part(&lying, 0), json!({"alg": "RS256", "typ": "JWT"}));
}

async fn request_token(
    http: &Client,
    idp: &Idp,
    auth: ClientAuth,
    secret: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    let request = http.post(idp.token_endpoint());
    let request = match auth {
        ClientAuth::Basic => request.basic_auth(Idp::MCP_CLIENT_ID, Some(secret)),
        ClientAuth::Post => {
            fields.extend([("client_id", Idp::MCP_CLIENT_ID), ("client_secret", secret)]);
            request
        }
    };
    request.form(&fields).send().await.expect("POST /token")
}

#[tokio::test]
async fn client_credentials_basic_and_post_ok() {
    let idp = Idp::start().await;
    let http = http();
    let set = jwks(&http, &idp).await;
    for auth in [ClientAuth::Basic, ClientAuth::Post] {
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", "mcp:tools weather:read"),
            ("resource", RESOURCE),
        ];
        let response = request_token(&http, &idp, auth, Idp::MCP_CLIENT_SECRET, &form).await;
        assert_eq!(response.status(), StatusCode::OK, "{auth:?}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: Value = response.json().await.expect("token JSON");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], Idp::TOKEN_LIFETIME_SECS);
        assert_eq!(body["scope"], "mcp:tools weather:read");
        let token = body["access_token"].as_str().expect("access_token");
        let claims = verify(&set, &idp, token, Algorithm::RS256).expect("issued token verifies");
        assert_eq!(claims["sub"], Idp::MCP_CLIENT_ID);
        assert_eq!(claims["client_id"], Idp::MCP_CLIENT_ID);
        assert_eq!(claims["aud"], RESOURCE);
        assert_eq!(claims["scope"], "mcp:tools weather:read");
        assert!(claims["jti"].as_str().is_some_and(|jti| !jti.is_empty()));
        assert_eq!(
            decode_header(token).expect("header").typ.as_deref(),
            Some("at+jwt")
        );
    }
    let requests = idp.token_requests();
    let seen: Vec<_> = requests.iter().map(|request| request.auth).collect();
    assert_eq!(seen, [Some(ClientAuth::Basic), Some(ClientAuth::Post)]);
    for request in &requests {
        assert!(request.authenticated);
        assert_eq!(request.client_id.as_deref(), Some(Idp::MCP_CLIENT_ID));
        assert_eq!(request.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(request.scope.as_deref(), Some("mcp:tools weather:read"));
        assert_eq!(request.resource, [RESOURCE]);
    }
}

#[tokio::test]
async fn client_credentials_errors_fail() {
    let idp = Idp::start().await;
    let http = http();
    let grant = ("grant_type", "client_credentials");
    let cases = [
        (
            ClientAuth::Basic,
            "wrong",
            vec![grant],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            ClientAuth::Post,
            "wrong",
            vec![grant],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            ClientAuth::Basic,
            Idp::MCP_CLIENT_SECRET,
            vec![("grant_type", "password")],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            ClientAuth::Post,
            Idp::MCP_CLIENT_SECRET,
            vec![],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            ClientAuth::Basic,
            Idp::MCP_CLIENT_SECRET,
            vec![grant, ("scope", "root")],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            ClientAuth::Basic,
            Idp::MCP_CLIENT_SECRET,
            vec![grant, ("resource", "/relative")],
            StatusCode::BAD_REQUEST,
            "invalid_target",
        ),
    ];
    for (auth, secret, form, status, error) in cases {
        let response = request_token(&http, &idp, auth, secret, &form).await;
        assert_eq!(response.status(), status, "{error}");
        let challenged = response.headers().contains_key("www-authenticate");
        assert_eq!(
            challenged,
            status == StatusCode::UNAUTHORIZED && auth == ClientAuth::Basic
        );
        let body: Value = response.json().await.expect("error JSON");
        assert_eq!(body["error"], error);
    }
    // Both methods at once.
    let both = [
        grant,
        ("client_id", Idp::MCP_CLIENT_ID),
        ("client_secret", Idp::MCP_CLIENT_SECRET),
    ];
    let response = request_token(
        &http,
        &idp,
        ClientAuth::Basic,
        Idp::MCP_CLIENT_SECRET,
        &both,
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(!idp.token_requests()[0].authenticated);
}

async fn introspect(
    http: &Client,
    idp: &Idp,
    auth: ClientAuth,
    (id, secret): (&str, &str),
    token: &str,
) -> reqwest::Response {
    let request = http.post(idp.introspection_endpoint());
    let request = match auth {
        ClientAuth::Basic => request
            .basic_auth(id, Some(secret))
            .form(&[("token", token)]),
        ClientAuth::Post => request.form(&[
            ("token", token),
            ("client_id", id),
            ("client_secret", secret),
        ]),
    };
    request.send().await.expect("POST /introspect")
}

const RS: (&str, &str) = (Idp::RS_CLIENT_ID, Idp::RS_CLIENT_SECRET);

#[tokio::test]
async fn introspection_active_inactive_revoked_ok() {
    let idp = Idp::start().await;
    let http = http();
    let live = idp.opaque(json!({"sub": "alice", "scope": "mcp:tools", "aud": RESOURCE}));
    let expired = idp.opaque(json!({"sub": "bob", "exp": 1_000_000}));
    let early = idp.opaque(json!({"nbf": u64::MAX / 2}));
    let revoked = idp.opaque(json!({"sub": "carol"}));
    idp.revoke(&revoked);

    let answer: Value = introspect(&http, &idp, ClientAuth::Basic, RS, &live)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["active"], true);
    assert_eq!(answer["sub"], "alice");
    assert_eq!(answer["scope"], "mcp:tools");
    assert_eq!(answer["aud"], RESOURCE);
    assert_eq!(answer["iss"], json!(idp.issuer()));
    assert!(answer["exp"].as_u64().is_some());

    for token in [
        expired.as_str(),
        early.as_str(),
        revoked.as_str(),
        "never-issued",
    ] {
        let response = introspect(&http, &idp, ClientAuth::Post, RS, token).await;
        assert_eq!(response.status(), StatusCode::OK);
        let answer: Value = response.json().await.expect("JSON");
        assert_eq!(answer, json!({"active": false}), "{token}");
    }
    let log = idp.introspections();
    let seen: Vec<_> = log.iter().map(|one| (one.auth, one.active)).collect();
    assert_eq!(
        seen[..2],
        [
            (Some(ClientAuth::Basic), true),
            (Some(ClientAuth::Post), false)
        ]
    );
    assert!(
        log.iter()
            .all(|one| one.authenticated && one.client_id.as_deref() == Some(Idp::RS_CLIENT_ID))
    );
    assert_eq!(log[0].token.as_deref(), Some(live.as_str()));
    assert_eq!(idp.hits("/introspect"), 5);
}

#[tokio::test]
async fn introspection_knows_issued_tokens_and_new_clients_ok() {
    let idp = Idp::start().await;
    let http = http();
    let form = [("grant_type", "client_credentials"), ("resource", RESOURCE)];
    let issued: Value = request_token(&http, &idp, ClientAuth::Post, Idp::MCP_CLIENT_SECRET, &form)
        .await
        .json()
        .await
        .expect("token JSON");
    let token = issued["access_token"].as_str().expect("access_token");
    idp.register_client("second-rs", "s3cr:et with spaces");
    let answer: Value = introspect(
        &http,
        &idp,
        ClientAuth::Basic,
        ("second-rs", "s3cr:et with spaces"),
        token,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(answer["active"], true);
    assert_eq!(answer["client_id"], Idp::MCP_CLIENT_ID);
    assert_eq!(answer["aud"], RESOURCE);
    assert!(answer.get("scope").is_none());
}

#[tokio::test]
async fn introspection_bad_client_fails() {
    let idp = Idp::start().await;
    let http = http();
    let token = idp.opaque(json!({"sub": "alice"}));
    for (auth, client) in [
        (ClientAuth::Basic, (Idp::RS_CLIENT_ID, "wrong")),
        (ClientAuth::Post, ("nobody", Idp::RS_CLIENT_SECRET)),
    ] {
        let response = introspect(&http, &idp, auth, client, &token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"], "invalid_client");
    }
    let anonymous = http
        .post(idp.introspection_endpoint())
        .form(&[("token", &token)]);
    let response = anonymous.send().await.expect("POST");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let log = idp.introspections();
    assert!(log.iter().all(|one| !one.authenticated && !one.active));
    assert_eq!(log[2].auth, None);
}

#[tokio::test]
async fn rotation_changes_the_kid_ok() {
    let idp = Idp::start().await;
    let http = http();
    let old_token = idp.jwt(json!({"aud": RESOURCE}));
    assert_eq!(idp.rotate_keys(), "rsa-2");
    assert_eq!(idp.kid(), "rsa-2");
    let set = jwks(&http, &idp).await;
    assert_eq!(kids(&set), ["rsa-2", EC_KID]);
    let new_token = idp.jwt(json!({"aud": RESOURCE}));
    assert_eq!(
        decode_header(&new_token).expect("header").kid.as_deref(),
        Some("rsa-2")
    );
    verify(&set, &idp, &new_token, Algorithm::RS256).expect("new key verifies");
    assert!(
        verify(&set, &idp, &old_token, Algorithm::RS256).is_err(),
        "old kid gone"
    );

    assert_eq!(idp.rotate_keys_keep_old(), "rsa-3");
    let set = jwks(&http, &idp).await;
    assert_eq!(kids(&set), ["rsa-3", "rsa-2", EC_KID]);
    verify(&set, &idp, &new_token, Algorithm::RS256).expect("grace period");
    idp.retire_old_key();
    assert_eq!(kids(&jwks(&http, &idp).await), ["rsa-3", EC_KID]);
    assert_eq!(idp.rotate_keys(), "rsa-1", "the ring wraps");
    assert_eq!(idp.hits("/jwks"), 3);
}

#[tokio::test]
async fn set_down_answers_503_then_recovers_ok() {
    let idp = Idp::start().await;
    let http = http();
    idp.set_down(true);
    for url in [idp.jwks_uri(), idp.metadata_url()] {
        let response = http.get(&url).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{url}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"], "temporarily_unavailable");
    }
    let token = idp.opaque(json!({}));
    let response = introspect(&http, &idp, ClientAuth::Basic, RS, &token).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        idp.introspections().is_empty(),
        "refused before the endpoint"
    );
    idp.set_down(false);
    jwks(&http, &idp).await;
    assert_eq!(idp.hits("/jwks"), 2);
    assert_eq!(idp.hits("/.well-known/oauth-authorization-server"), 1);
    assert_eq!(idp.hits("/introspect"), 1);
    assert_eq!(idp.hits("/token"), 0);
}

#[tokio::test]
async fn stop_refuses_connections_until_restart_ok() {
    let idp = Idp::start().await;
    let http = http();
    jwks(&http, &idp).await;
    idp.stop().await;
    // A fresh client: no pooled connection to race the server's close.
    let error = self::http()
        .get(idp.jwks_uri())
        .send()
        .await
        .expect_err("listener closed");
    assert!(error.is_connect(), "{error}");
    idp.restart().await;
    let set = jwks(&http, &idp).await;
    assert_eq!(kids(&set), ["rsa-1", EC_KID]);
    assert_eq!(idp.hits("/jwks"), 2);
}
