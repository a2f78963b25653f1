//! One table: the ways a request carries (or fails to carry) credentials, the exact answer to
//! each (status, `WWW-Authenticate` parameters, error code), and proof that a refused request
//! never reached the MCP service: the recording upstream saw no call and no session opened.
//! Positive controls in the same table show each check can pass.

use std::collections::{BTreeMap, HashMap};

use reqwest::{Client, RequestBuilder, StatusCode, header::AUTHORIZATION};
use serde_json::{Value, json};
use toolgate_auth::{IntrospectionConfig, ResourceServerConfig, SecretString};
use url::Url;

use super::{REQUIRED_SCOPES, Reply, discovered, http, initialize, params, prm_url, realtime_call};
use crate::harness::{Gateway, Idp, RestUpstream};

mod cases;

use cases::{ATTACKER_X5U_PATH, cases};

/// How the gateway in front of a case is configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Gate {
    /// Trusts the IdP by issuer; keys come from discovery.
    Discovered,
    /// `jwks_uri` configured: the issuer is checked by token validation alone.
    JwksUri,
    /// Requires the scopes `mcp:tools weather:read`.
    Scoped,
    /// `insecure_relaxed_audience_validation`.
    Relaxed,
    /// Introspection (endpoint discovered) beside the JWKS.
    Introspection,
    /// Introspection with relaxed audience validation.
    IntrospectionRelaxed,
    /// Introspection with a client secret the IdP refuses.
    IntrospectionRefused,
}

const GATES: [Gate; 7] = [
    Gate::Discovered,
    Gate::JwksUri,
    Gate::Scoped,
    Gate::Relaxed,
    Gate::Introspection,
    Gate::IntrospectionRelaxed,
    Gate::IntrospectionRefused,
];

impl Gate {
    fn config(self, resource: &Url, issuer: &str, jwks_uri: &str) -> ResourceServerConfig {
        let mut config = discovered(resource, issuer);
        let introspection = |secret: &str| {
            Some(IntrospectionConfig::new(
                Idp::RS_CLIENT_ID,
                Some(SecretString::new(secret)),
            ))
        };
        match self {
            Self::Discovered => {}
            Self::JwksUri => config.jwks_uri = Some(jwks_uri.parse().expect("JWKS URL")),
            Self::Scoped => {
                config.required_scopes = REQUIRED_SCOPES.map(str::to_owned).to_vec();
            }
            Self::Relaxed => config.insecure_relaxed_audience_validation = true,
            Self::Introspection => config.introspection = introspection(Idp::RS_CLIENT_SECRET),
            Self::IntrospectionRelaxed => {
                config.introspection = introspection(Idp::RS_CLIENT_SECRET);
                config.insecure_relaxed_audience_validation = true;
            }
            Self::IntrospectionRefused => config.introspection = introspection("not-the-secret"),
        }
        config
    }
}

/// What a case's request carries.
enum Credentials {
    None,
    /// These `Authorization` header values, each as its own header line.
    Authorization(Vec<String>),
    /// `?access_token=<token>`, with this `Authorization` value too when given.
    Query(String, Option<String>),
}

/// The answer a case must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// 200, no challenge, the call reaches the upstream, `initialize` opens a session.
    Accepted,
    /// 401 naming only the metadata (and the scopes, where required): no `error`.
    NoToken,
    /// 400 `invalid_request`.
    InvalidRequest,
    /// 401 `invalid_token`.
    InvalidToken,
    /// 403 `insufficient_scope` naming the required scopes.
    InsufficientScope,
    /// 503 with `Retry-After` and no challenge: fail closed.
    Unavailable,
}

impl Expect {
    fn status(self) -> StatusCode {
        match self {
            Self::Accepted => StatusCode::OK,
            Self::NoToken | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::InsufficientScope => StatusCode::FORBIDDEN,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_code(self) -> Option<&'static str> {
        match self {
            Self::Accepted => None,
            Self::NoToken => Some("unauthorized"),
            Self::InvalidRequest => Some("invalid_request"),
            Self::InvalidToken => Some("invalid_token"),
            Self::InsufficientScope => Some("insufficient_scope"),
            Self::Unavailable => Some("temporarily_unavailable"),
        }
    }

    fn challenge(self, prm: &str, gate: Gate) -> Option<BTreeMap<String, String>> {
        let scopes = REQUIRED_SCOPES.join(" ");
        let metadata = ("resource_metadata", prm);
        match self {
            Self::Accepted | Self::Unavailable => None,
            Self::NoToken if gate == Gate::Scoped => Some(params(&[metadata, ("scope", &scopes)])),
            Self::NoToken => Some(params(&[metadata])),
            Self::InvalidRequest => Some(params(&[metadata, ("error", "invalid_request")])),
            Self::InvalidToken => Some(params(&[
                metadata,
                ("error", "invalid_token"),
                ("error_description", "Invalid or inactive token"),
            ])),
            Self::InsufficientScope => Some(params(&[
                metadata,
                ("error", "insufficient_scope"),
                ("scope", &scopes),
            ])),
        }
    }
}

/// What cases build their credentials from.
struct Env<'a> {
    idp: &'a Idp,
    /// Another IdP, rotated to a key the real one does not serve.
    attacker: &'a Idp,
    /// The attacker's public signing key as a JWK.
    attacker_jwk: &'a Value,
    /// The resource identifier of the case's gateway.
    resource: String,
}

impl Env<'_> {
    /// `sub` and `aud` (this resource) with `extra` merged over them (`null` removes one);
    /// the IdP adds `iss`, `iat`, `nbf` and `exp`.
    fn claims(&self, extra: Value) -> Value {
        let mut claims = json!({"sub": "alice", "aud": self.resource});
        let (Value::Object(claims_map), Value::Object(extra)) = (&mut claims, extra) else {
            panic!("claims are JSON objects");
        };
        claims_map.extend(extra);
        claims
    }

    /// A good RS256 token from the trusted IdP, with `extra` claims.
    fn token(&self, extra: Value) -> String {
        self.idp.jwt(self.claims(extra))
    }

    /// An opaque token the trusted IdP's introspection knows, with `extra` claims.
    fn opaque(&self, extra: Value) -> String {
        self.idp.opaque(self.claims(extra))
    }

    /// The URL of the same host with another path.
    fn sibling(&self, path: &str) -> String {
        let mut url = Url::parse(&self.resource).expect("resource URL");
        url.set_path(path);
        url.to_string()
    }
}

/// One line of the table.
struct Case {
    name: &'static str,
    gate: Gate,
    expect: Expect,
    credentials: fn(&Env<'_>) -> Credentials,
}

/// The request `build` makes for `url`, carrying `credentials`.
fn send(
    http: &Client,
    url: &str,
    credentials: &Credentials,
    build: fn(&Client, &str) -> RequestBuilder,
) -> RequestBuilder {
    match credentials {
        Credentials::None => build(http, url),
        Credentials::Authorization(lines) => {
            lines.iter().fold(build(http, url), |request, line| {
                request.header(AUTHORIZATION, line)
            })
        }
        Credentials::Query(token, line) => {
            let request = build(http, &format!("{url}?access_token={token}"));
            match line {
                Some(line) => request.header(AUTHORIZATION, line),
                None => request,
            }
        }
    }
}

/// The start of a body, for failure messages.
fn short(body: &str) -> String {
    body.chars().take(200).collect()
}

/// What is wrong with the gateway's answers to `case`; empty when all is right.
async fn check(
    case: &Case,
    env: &Env<'_>,
    gateway: &Gateway,
    upstream: &RestUpstream,
    http: &Client,
) -> Vec<String> {
    let credentials = (case.credentials)(env);
    let expect = case.expect;
    let mut problems = Vec::new();

    let before = upstream.received().len();
    let call = Reply::of(send(http, &gateway.url(), &credentials, realtime_call)).await;
    let reached = upstream.received().len() - before;
    if call.status != expect.status() {
        problems.push(format!(
            "tools/call: status {} (want {})",
            call.status,
            expect.status()
        ));
    }
    let challenge = call.challenge();
    let want = expect.challenge(&prm_url(gateway), case.gate);
    if challenge != want {
        problems.push(format!(
            "tools/call: challenge {challenge:?} (want {want:?})"
        ));
    }
    if expect == Expect::Accepted {
        if reached != 1 || call.result().is_none() {
            problems.push(format!(
                "tools/call: upstream saw {reached} calls; body {}",
                short(&call.body)
            ));
        }
    } else {
        if reached != 0 {
            problems.push(format!("tools/call reached the upstream {reached} times"));
        }
        if call.error_code().as_deref() != expect.error_code() {
            problems.push(format!("tools/call: body {}", short(&call.body)));
        }
    }
    let retry_after = call
        .header("retry-after")
        .and_then(|v| v.parse::<u64>().ok());
    if (expect == Expect::Unavailable) != retry_after.is_some_and(|secs| secs > 0) {
        problems.push(format!("tools/call: Retry-After {retry_after:?}"));
    }

    let credentials = (case.credentials)(env);
    let response = send(http, &gateway.url(), &credentials, initialize)
        .send()
        .await
        .expect("initialize reaches the gateway");
    if response.status() != expect.status() {
        problems.push(format!("initialize: status {}", response.status()));
    }
    let session = response.headers().contains_key("mcp-session-id");
    if session != (expect == Expect::Accepted) {
        problems.push(format!("initialize: session opened = {session}"));
    }
    problems
}

#[tokio::test]
async fn rejection_table_exact_answers_and_nothing_reaches_mcp_ok() {
    let idp = Idp::start().await;
    let attacker = Idp::start().await;
    attacker.rotate_keys();
    let http = http();
    let attacker_jwks: Value = http
        .get(attacker.jwks_uri())
        .send()
        .await
        .expect("attacker JWKS")
        .json()
        .await
        .expect("JWKS JSON");
    let attacker_jwk = attacker_jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == json!(attacker.kid())))
        .cloned()
        .expect("the attacker's key in its JWKS");
    let attacker_hits = attacker.hits("/jwks");

    let upstream = RestUpstream::start().await;
    let mut gateways = HashMap::new();
    for gate in GATES {
        let (issuer, jwks_uri) = (idp.issuer(), idp.jwks_uri());
        let gateway = Gateway::builder()
            .upstream(&upstream)
            .auth(move |url| gate.config(url, &issuer, &jwks_uri))
            .start()
            .await;
        gateways.insert(gate, gateway);
    }

    let cases = cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    assert!(cases.len() >= 40, "{} cases", cases.len());

    let mut failures = Vec::new();
    for case in &cases {
        let suffix_ok = case.name.ends_with("_ok");
        assert!(
            suffix_ok == (case.expect == Expect::Accepted)
                && (suffix_ok || case.name.ends_with("_fails")),
            "{}: the name's suffix contradicts {:?}",
            case.name,
            case.expect
        );
        let gateway = &gateways[&case.gate];
        let env = Env {
            idp: &idp,
            attacker: &attacker,
            attacker_jwk: &attacker_jwk,
            resource: gateway.url(),
        };
        for problem in check(case, &env, gateway, &upstream, &http).await {
            eprintln!("FAILED {}: {problem}", case.name);
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems in {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        (attacker.hits("/jwks"), attacker.hits(ATTACKER_X5U_PATH)),
        (attacker_hits, 0),
        "URLs in token headers are never fetched"
    );
}
