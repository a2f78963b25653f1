//! An in-process OpenID provider on a loopback port, for testing the resource server: discovery
//! (RFC 8414 and OpenID), a JWKS, a client-credentials token endpoint, RFC 7662 introspection,
//! key rotation, outages, and forged tokens, all with the committed test keys in `tests/keys/`.
//!
//! ```ignore
//! let idp = Idp::start().await;
//! let token = idp.jwt(json!({"sub": "alice", "aud": "http://127.0.0.1:1/mcp", "scope": "mcp:tools"}));
//! let forged = idp.forge(json!({"sub": "alice"})).hmac_with_public_key().build();
//! idp.rotate_keys();
//! assert_eq!(idp.hits("/jwks"), 1);
//! ```

mod endpoints;
mod keys;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use serde_json::{Map, Value, json};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use keys::{Damage, Keys, Signer};
pub(crate) use keys::{EC_KID, ROGUE_KID};

/// How a client authenticated at the token or introspection endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientAuth {
    /// `Authorization: Basic …` (`client_secret_basic`).
    Basic,
    /// `client_id` and `client_secret` form fields (`client_secret_post`).
    Post,
}

/// One request to `POST /introspect`, as the IdP understood it.
#[derive(Clone, Debug)]
pub(crate) struct Introspection {
    /// The client authentication method tried, if any.
    pub(crate) auth: Option<ClientAuth>,
    pub(crate) client_id: Option<String>,
    /// Whether the client credentials were right.
    pub(crate) authenticated: bool,
    /// The `token` form field.
    pub(crate) token: Option<String>,
    /// What the IdP answered (`false` when the client was refused).
    pub(crate) active: bool,
}

/// One request to `POST /token`, as the IdP understood it.
#[derive(Clone, Debug)]
pub(crate) struct TokenRequest {
    pub(crate) auth: Option<ClientAuth>,
    pub(crate) client_id: Option<String>,
    pub(crate) authenticated: bool,
    pub(crate) grant_type: Option<String>,
    pub(crate) scope: Option<String>,
    /// Every `resource` form field (RFC 8707), in order.
    pub(crate) resource: Vec<String>,
}

/// The running IdP. Stops when dropped.
pub(crate) struct Idp {
    address: SocketAddr,
    shared: Arc<Shared>,
    server: Mutex<Option<Server>>,
}

/// What the endpoints and the [`Idp`] handle share.
struct Shared {
    /// `http://127.0.0.1:PORT`, no trailing slash; the port survives [`Idp::restart`].
    issuer: String,
    inner: Mutex<Inner>,
}

struct Inner {
    /// Index of the signing key in the RSA ring.
    current: usize,
    /// A retired key the JWKS still serves (grace period).
    previous: Option<usize>,
    clients: HashMap<String, String>,
    /// Tokens introspection knows: [`Idp::opaque`] ones and those from `POST /token`.
    tokens: HashMap<String, Registered>,
    hits: HashMap<String, usize>,
    down: bool,
    metadata_patch: Map<String, Value>,
    introspections: Vec<Introspection>,
    token_requests: Vec<TokenRequest>,
}

struct Registered {
    claims: Map<String, Value>,
    revoked: bool,
}

struct Server {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `claims` with `iss`, `iat`, `nbf` and `exp` (+1 h) filled in unless given; a claim
    /// given as `null` is left out.
    fn with_defaults(&self, claims: Value) -> Map<String, Value> {
        let Value::Object(given) = claims else {
            panic!("token claims must be a JSON object, got {claims}");
        };
        let now = jsonwebtoken::get_current_timestamp();
        let mut full = Map::new();
        full.insert("iss".into(), self.issuer.clone().into());
        full.insert("iat".into(), now.into());
        full.insert("nbf".into(), now.into());
        full.insert("exp".into(), (now + Idp::TOKEN_LIFETIME_SECS).into());
        keys::merge(&mut full, &given);
        full
    }

    fn sign(
        &self,
        signer: &Signer,
        header: &Map<String, Value>,
        claims: &Map<String, Value>,
        damage: &Damage,
    ) -> String {
        let current = self.lock().current;
        keys::sign(&Keys::get().rsa[current], signer, header, claims, damage)
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        if let Some(server) = self
            .server
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = server.shutdown.send(());
            server.task.abort();
        }
    }
}

impl Idp {
    /// Registered at start for the resource server's introspection calls.
    pub(crate) const RS_CLIENT_ID: &str = "toolgate-rs";
    pub(crate) const RS_CLIENT_SECRET: &str = "toolgate-secret";
    /// Registered at start for client-credentials token requests.
    pub(crate) const MCP_CLIENT_ID: &str = "mcp-client";
    pub(crate) const MCP_CLIENT_SECRET: &str = "mcp-client-secret";
    /// `scopes_supported`; `POST /token` refuses others with `invalid_scope`.
    pub(crate) const SCOPES: [&str; 4] = ["openid", "mcp:tools", "weather:read", "admin"];
    /// Lifetime of issued tokens and the default `exp` (now + this).
    pub(crate) const TOKEN_LIFETIME_SECS: u64 = 3600;

    /// Listens on `127.0.0.1:0`, signing with `rsa-1`, with the two default clients.
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let clients = [
            (Self::RS_CLIENT_ID, Self::RS_CLIENT_SECRET),
            (Self::MCP_CLIENT_ID, Self::MCP_CLIENT_SECRET),
        ]
        .into_iter()
        .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        .collect();
        let shared = Arc::new(Shared {
            issuer: format!("http://{address}"),
            inner: Mutex::new(Inner {
                current: 0,
                previous: None,
                clients,
                tokens: HashMap::new(),
                hits: HashMap::new(),
                down: false,
                metadata_patch: Map::new(),
                introspections: Vec::new(),
                token_requests: Vec::new(),
            }),
        });
        let server = spawn(listener, Arc::clone(&shared));
        Self {
            address,
            shared,
            server: Mutex::new(Some(server)),
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub(crate) fn issuer(&self) -> String {
        self.shared.issuer.clone()
    }

    /// `{issuer}/.well-known/oauth-authorization-server` (RFC 8414).
    pub(crate) fn metadata_url(&self) -> String {
        format!(
            "{}/.well-known/oauth-authorization-server",
            self.shared.issuer
        )
    }

    pub(crate) fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.shared.issuer)
    }

    pub(crate) fn token_endpoint(&self) -> String {
        format!("{}/token", self.shared.issuer)
    }

    pub(crate) fn introspection_endpoint(&self) -> String {
        format!("{}/introspect", self.shared.issuer)
    }

    /// The `kid` of the current signing key (`rsa-1` at start).
    pub(crate) fn kid(&self) -> String {
        Keys::get().rsa[self.shared.lock().current].kid.to_owned()
    }

    /// An RS256 access token (`typ: at+jwt`, `kid` of the current key) carrying `claims` over
    /// the defaults `iss`, `iat`, `nbf`, `exp` (+1 h); set a claim to `null` to leave it out.
    /// No `aud`, `sub` or `scope` unless given.
    pub(crate) fn jwt(&self, claims: Value) -> String {
        self.forge(claims).build()
    }

    /// A token with a twist (header overrides, another key or algorithm, damage): see
    /// [`JwtBuilder`].
    pub(crate) fn forge(&self, claims: Value) -> JwtBuilder<'_> {
        JwtBuilder {
            idp: self,
            claims,
            header: Map::new(),
            signer: Signer::Current,
            damage: Damage::default(),
        }
    }

    /// Registers a random opaque token that introspection answers with `{"active": true}` and
    /// `claims` over the defaults `iss`, `iat`, `nbf`, `exp` (+1 h) (`null` leaves one out).
    /// Past `exp` or future `nbf` make it inactive.
    pub(crate) fn opaque(&self, claims: Value) -> String {
        let claims = self.shared.with_defaults(claims);
        let token = format!("opaque-{}", keys::random_id());
        self.shared.lock().tokens.insert(
            token.clone(),
            Registered {
                claims,
                revoked: false,
            },
        );
        token
    }

    /// Introspection answers `{"active": false}` for `token` from now on.
    pub(crate) fn revoke(&self, token: &str) {
        let mut inner = self.shared.lock();
        let registered = inner
            .tokens
            .get_mut(token)
            .expect("revoke a token this IdP issued");
        registered.revoked = true;
    }

    /// Adds (or changes the secret of) a client for both endpoints.
    pub(crate) fn register_client(&self, id: &str, secret: &str) {
        self.shared
            .lock()
            .clients
            .insert(id.to_owned(), secret.to_owned());
    }

    /// Switches to the next RSA key of the ring (`rsa-1` → `rsa-2` → `rsa-3` → `rsa-1`); the
    /// JWKS serves only the new one (and the EC key). Returns the new `kid`.
    pub(crate) fn rotate_keys(&self) -> String {
        self.rotate(false)
    }

    /// Like [`Self::rotate_keys`], but the JWKS keeps serving the old key too until the next
    /// rotation or [`Self::retire_old_key`].
    pub(crate) fn rotate_keys_keep_old(&self) -> String {
        self.rotate(true)
    }

    /// Ends the grace period of [`Self::rotate_keys_keep_old`].
    pub(crate) fn retire_old_key(&self) {
        self.shared.lock().previous = None;
    }

    fn rotate(&self, keep_old: bool) -> String {
        let mut inner = self.shared.lock();
        let old = inner.current;
        inner.current = (old + 1) % Keys::get().rsa.len();
        inner.previous = keep_old.then_some(old);
        Keys::get().rsa[inner.current].kid.to_owned()
    }

    /// Merged into both discovery documents (`null` removes a field), e.g. a wrong `issuer`.
    pub(crate) fn patch_metadata(&self, patch: Value) {
        let Value::Object(patch) = patch else {
            panic!("a metadata patch is a JSON object, got {patch}");
        };
        // Kept as given: a `null` must still remove the field when the document is served.
        self.shared.lock().metadata_patch.extend(patch);
    }

    /// While down, every endpoint answers 503 with a JSON body naming the cause.
    pub(crate) fn set_down(&self, down: bool) {
        self.shared.lock().down = down;
    }

    /// Closes the listener and every open connection: connections are refused until
    /// [`Self::restart`].
    pub(crate) async fn stop(&self) {
        let server = self
            .server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(server) = server {
            let _ = server.shutdown.send(());
            server.task.await.expect("IdP server task ends");
        }
    }

    /// Listens again on the same port (so the issuer is unchanged), keeping all state.
    pub(crate) async fn restart(&self) {
        let listener = TcpListener::bind(self.address)
            .await
            .expect("bind the IdP's port again");
        let server = spawn(listener, Arc::clone(&self.shared));
        let previous = self
            .server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(server);
        assert!(previous.is_none(), "restart an IdP that was not stopped");
    }

    /// How many requests reached `path` (e.g. `/jwks`, `/introspect`), 503s included.
    pub(crate) fn hits(&self, path: &str) -> usize {
        self.shared.lock().hits.get(path).copied().unwrap_or(0)
    }

    /// Every `POST /introspect` so far.
    pub(crate) fn introspections(&self) -> Vec<Introspection> {
        self.shared.lock().introspections.clone()
    }

    /// Every `POST /token` so far.
    pub(crate) fn token_requests(&self) -> Vec<TokenRequest> {
        self.shared.lock().token_requests.clone()
    }
}

fn spawn(listener: TcpListener, shared: Arc<Shared>) -> Server {
    let (shutdown, stopped) = oneshot::channel::<()>();
    let app = endpoints::router(shared);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
            .expect("IdP serves");
    });
    Server { shutdown, task }
}

/// A JWT built by [`Idp::forge`]: RS256 with the current key unless told otherwise; the
/// claims get the defaults of [`Idp::jwt`].
#[must_use]
pub(crate) struct JwtBuilder<'a> {
    idp: &'a Idp,
    claims: Value,
    header: Map<String, Value>,
    signer: Signer,
    damage: Damage,
}

impl JwtBuilder<'_> {
    /// Sets a header parameter over the signer's (`alg`, `typ`, `kid`, `crit`…); `null`
    /// removes it. The signature still uses the signer's real algorithm and key.
    pub(crate) fn header(mut self, name: &str, value: Value) -> Self {
        self.header.insert(name.to_owned(), value);
        self
    }

    /// ES256 with the EC P-256 key `ec-1` (served in the JWKS).
    pub(crate) fn es256(mut self) -> Self {
        self.signer = Signer::Ec;
        self
    }

    /// RS256 with the key `rogue`, which no JWKS serves (an unknown `kid`).
    pub(crate) fn unknown_key(mut self) -> Self {
        self.signer = Signer::Rogue;
        self
    }

    /// Unsigned: header `{"alg":"none"}` and an empty signature (`h.p.`).
    pub(crate) fn alg_none(mut self) -> Self {
        self.signer = Signer::None;
        self
    }

    /// HS256 whose HMAC secret is the current RSA public key's PEM, `kid` of that key: the
    /// RS256/HS256 key-confusion attack.
    pub(crate) fn hmac_with_public_key(mut self) -> Self {
        self.signer = Signer::HmacWithPublicKey;
        self
    }

    /// After signing, merges `patch` into the payload (`null` removes a claim) and keeps the
    /// old signature.
    pub(crate) fn tamper(mut self, patch: Value) -> Self {
        let Value::Object(patch) = patch else {
            panic!("a tamper patch is a JSON object, got {patch}");
        };
        self.damage.tamper = Some(patch);
        self
    }

    /// Flips a bit of the signature.
    pub(crate) fn bad_signature(mut self) -> Self {
        self.damage.bad_signature = true;
        self
    }

    pub(crate) fn build(self) -> String {
        let shared = &self.idp.shared;
        let claims = shared.with_defaults(self.claims);
        shared.sign(&self.signer, &self.header, &claims, &self.damage)
    }
}

/// The RFC 8414 document; `oidc` adds what OpenID Discovery requires on top.
fn metadata(issuer: &str, oidc: bool, patch: &Map<String, Value>) -> Value {
    let mut document = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "introspection_endpoint": format!("{issuer}/introspect"),
        "scopes_supported": Idp::SCOPES,
        "response_types_supported": ["code"],
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    });
    let Value::Object(fields) = &mut document else {
        unreachable!("json! object");
    };
    if oidc {
        fields.insert("subject_types_supported".into(), json!(["public"]));
        fields.insert(
            "id_token_signing_alg_values_supported".into(),
            json!(["RS256", "ES256"]),
        );
    }
    keys::merge(fields, patch);
    document
}
