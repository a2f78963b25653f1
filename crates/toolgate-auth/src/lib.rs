//! The OAuth 2.1 resource server of toolgate, as a tower layer that knows nothing of MCP.
//!
//! Put [`AuthLayer`] in front of an endpoint and serve [`prm_router`] beside it:
//!
//! - every request needs a valid access token from the `Authorization` header (never the
//!   query string): a JWT checked against the authorization server's JWKS, or an opaque
//!   token checked by RFC 7662 introspection (cached);
//! - the token's audience must name this resource (RFC 8707), its issuer must be a configured
//!   authorization server, its scopes must cover the endpoint's required scopes;
//! - the token maps to a consumer and consumer groups; an API key can identify a consumer too;
//! - the request goes on with an [`Identity`] in its extensions and without the credentials;
//! - otherwise the answer is 401 or 403 with a `WWW-Authenticate: Bearer resource_metadata=…`
//!   challenge that points at the RFC 9728 Protected Resource Metadata, or 503 when the
//!   authorization server cannot be reached (fail closed).
//!
//! ```no_run
//! use std::sync::Arc;
//! use toolgate_auth::{AuthLayer, ResourceServer, ResourceServerConfig};
//!
//! # fn build() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ResourceServerConfig::new(
//!     "http://127.0.0.1:8000/weather/mcp".parse()?,
//!     vec!["https://idp.example.com".parse()?],
//! );
//! let server = Arc::new(ResourceServer::new(config)?);
//! let mcp = axum::Router::new(); // the endpoint's routes
//! let app = mcp
//!     .layer(AuthLayer::new(Arc::clone(&server)))
//!     .merge(toolgate_auth::prm_router(&[Arc::clone(&server)]));
//! # let _ = app;
//! # Ok(())
//! # }
//! ```

mod cache;
mod challenge;
mod config;
mod consumers;
mod discovery;
mod error;
mod http_client;
mod identity;
mod introspection;
mod jwt;
mod layer;
mod prm;
mod resource_server;
mod sessions;

pub use challenge::Challenge;
pub use config::{
    ApiKeyConfig, ClaimToHeader, ClientAuth, ConsumerMapping, ConsumerRef, IntrospectionConfig,
    ResourceServerConfig,
};
pub use consumers::{Consumer, ConsumerStore, StoredKey};
pub use error::{AuthError, ConfigError};
pub use identity::{Identity, TokenKind};
pub use layer::{AuthLayer, AuthService};
pub use prm::{
    ProtectedResourceMetadata, metadata_cors, metadata_preflight, prm_router, prm_router_with_root,
};
pub use resource_server::ResourceServer;
pub use sessions::SessionBindings;
pub use toolgate_secret::SecretString;

/// Secrets with a redacted `Debug`.
mod toolgate_secret {
    use std::fmt;

    /// A string whose `Debug` and `Display` print `[redacted]`.
    #[derive(Clone, PartialEq, Eq)]
    pub struct SecretString(String);

    impl SecretString {
        /// Wraps a secret.
        #[must_use]
        pub fn new(value: impl Into<String>) -> Self {
            Self(value.into())
        }

        /// The secret itself; call only where it is sent.
        #[must_use]
        pub fn expose(&self) -> &str {
            &self.0
        }
    }

    impl fmt::Debug for SecretString {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("SecretString([redacted])")
        }
    }

    impl fmt::Display for SecretString {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("[redacted]")
        }
    }
}
