//! The IdP's HTTP side: discovery, JWKS, token, introspection, and the hit counter and
//! outage switch in front of them.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Map, Value, json};
use url::Url;

use super::{
    ClientAuth, Idp, Introspection, Registered, Shared, TokenRequest,
    keys::{self, Damage, Keys, Signer},
    metadata,
};

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(|State(shared): State<Arc<Shared>>| async move { discovery(&shared, true) }),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(|State(shared): State<Arc<Shared>>| async move { discovery(&shared, false) }),
        )
        .route("/jwks", get(jwks))
        .route("/token", axum::routing::post(token))
        .route("/introspect", axum::routing::post(introspect))
        .route(
            "/authorize",
            get(|| async {
                oauth_error(
                    StatusCode::NOT_IMPLEMENTED,
                    "unsupported_response_type",
                    "the test IdP only does client_credentials",
                )
            }),
        )
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), gate))
        .with_state(shared)
}

/// Counts every request by path, then answers 503 while the IdP is down.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let down = {
        let mut inner = shared.lock();
        *inner
            .hits
            .entry(request.uri().path().to_owned())
            .or_default() += 1;
        inner.down
    };
    if down {
        return oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the test IdP is down (Idp::set_down(true))",
        );
    }
    next.run(request).await
}

fn discovery(shared: &Shared, oidc: bool) -> Response {
    let patch = shared.lock().metadata_patch.clone();
    Json(metadata(&shared.issuer, oidc, &patch)).into_response()
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    let keys = Keys::get();
    let (current, previous) = {
        let inner = shared.lock();
        (inner.current, inner.previous)
    };
    let served: Vec<_> = [Some(current), previous]
        .into_iter()
        .flatten()
        .map(|index| &keys.rsa[index].jwk)
        .chain([&keys.ec.jwk])
        .collect();
    Json(json!({ "keys": served })).into_response()
}

/// `grant_type=client_credentials` with `client_secret_basic` or `client_secret_post`.
async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let mut inner = shared.lock();
    let caller = Caller::authenticate(&headers, &form, &inner.clients);
    let grant_type = form.first("grant_type");
    let scope = form.first("scope");
    let resource = form.all("resource");
    inner.token_requests.push(TokenRequest {
        auth: caller.auth,
        client_id: caller.client_id.clone(),
        authenticated: caller.authenticated,
        grant_type: grant_type.clone(),
        scope: scope.clone(),
        resource: resource.clone(),
    });
    if let Some(refused) = caller.refusal() {
        return refused;
    }
    match grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials",
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing",
            );
        }
    }
    if let Some(scope) = &scope
        && scope.split(' ').any(|one| !Idp::SCOPES.contains(&one))
    {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", "unknown scope");
    }
    if resource
        .iter()
        .any(|one| Url::parse(one).map_or(true, |url| url.fragment().is_some()))
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "resource must be an absolute URI without a fragment",
        );
    }

    let client_id = caller.client_id.unwrap_or_default();
    let mut claims = json!({
        "sub": client_id,
        "client_id": client_id,
        "jti": keys::random_id(),
    });
    if let Some(scope) = &scope {
        claims["scope"] = json!(scope);
    }
    match resource.as_slice() {
        [] => {}
        [one] => claims["aud"] = json!(one),
        many => claims["aud"] = json!(many),
    }
    let claims = shared.with_defaults(claims);
    let access_token = keys::sign(
        &Keys::get().rsa[inner.current],
        &Signer::Current,
        &Map::new(),
        &claims,
        &Damage::default(),
    );
    inner.tokens.insert(
        access_token.clone(),
        Registered {
            claims,
            revoked: false,
        },
    );
    let mut answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": Idp::TOKEN_LIFETIME_SECS,
    });
    if let Some(scope) = scope {
        answer["scope"] = json!(scope);
    }
    no_store(Json(answer).into_response())
}

/// RFC 7662: `{"active": true, …claims}` for known live tokens, `{"active": false}` otherwise.
async fn introspect(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let mut inner = shared.lock();
    let caller = Caller::authenticate(&headers, &form, &inner.clients);
    let token = form.first("token");
    let now = jsonwebtoken::get_current_timestamp();
    let claims = match (&token, caller.authenticated) {
        (Some(token), true) => inner
            .tokens
            .get(token)
            .filter(|registered| !registered.revoked && live(&registered.claims, now))
            .map(|registered| registered.claims.clone()),
        _ => None,
    };
    inner.introspections.push(Introspection {
        auth: caller.auth,
        client_id: caller.client_id.clone(),
        authenticated: caller.authenticated,
        token: token.clone(),
        active: claims.is_some(),
    });
    if let Some(refused) = caller.refusal() {
        return refused;
    }
    if token.is_none() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is missing",
        );
    }
    let answer = match claims {
        Some(claims) => {
            let mut answer = Map::new();
            answer.insert("active".into(), true.into());
            answer.extend(claims.into_iter().filter(|(name, _)| name != "active"));
            Value::Object(answer)
        }
        None => json!({ "active": false }),
    };
    no_store(Json(answer).into_response())
}

/// Not expired (`exp` > now) and not early (`nbf` <= now), where present.
fn live(claims: &Map<String, Value>, now: u64) -> bool {
    let exp_ok = claims
        .get("exp")
        .and_then(Value::as_u64)
        .is_none_or(|exp| exp > now);
    let nbf_ok = claims
        .get("nbf")
        .and_then(Value::as_u64)
        .is_none_or(|nbf| nbf <= now);
    exp_ok && nbf_ok
}

/// An `application/x-www-form-urlencoded` body.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    fn first(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }
}

/// Who called, by RFC 6749 §2.3.1.
struct Caller {
    auth: Option<ClientAuth>,
    client_id: Option<String>,
    authenticated: bool,
    /// Both methods at once (RFC 6749 §2.3: MUST NOT).
    both: bool,
}

impl Caller {
    fn authenticate(headers: &HeaderMap, form: &Form, clients: &HashMap<String, String>) -> Self {
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, credentials) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("basic").then_some(credentials)
            });
        let posted_secret = form.first("client_secret");
        let (auth, credentials) = match basic {
            Some(credentials) => (Some(ClientAuth::Basic), decode_basic(credentials.trim())),
            None => match (form.first("client_id"), posted_secret.clone()) {
                (Some(id), Some(secret)) => (Some(ClientAuth::Post), Some((id, secret))),
                (id, _) => (None, id.map(|id| (id, String::new()))),
            },
        };
        let authenticated = auth.is_some()
            && credentials.as_ref().is_some_and(|(id, secret)| {
                clients
                    .get(id)
                    .is_some_and(|known| constant_time_eq(known.as_bytes(), secret.as_bytes()))
            });
        Self {
            auth,
            client_id: credentials.map(|(id, _)| id),
            authenticated,
            both: basic.is_some() && posted_secret.is_some(),
        }
    }

    /// The error response, unless the client is authenticated.
    fn refusal(&self) -> Option<Response> {
        if self.both {
            return Some(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "more than one client authentication method",
            ));
        }
        if self.authenticated {
            return None;
        }
        let mut response = oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
        if self.auth == Some(ClientAuth::Basic) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="toolgate-test-idp""#),
            );
        }
        Some(response)
    }
}

/// `base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
fn decode_basic(credentials: &str) -> Option<(String, String)> {
    let decoded = String::from_utf8(STANDARD.decode(credentials).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |part: &str| -> String {
        url::form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 6749 §5.2 error JSON.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    no_store((status, Json(body)).into_response())
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
