//! The HTTP client for the authorization server: bounded time, TLS verification on by
//! default, optional extra CA certificates, no redirects.

use std::time::Duration;

use crate::{ConfigError, ResourceServerConfig};

/// Largest metadata, JWKS or introspection answer read.
pub(crate) const MAX_ANSWER_BYTES: usize = 1024 * 1024;

pub(crate) fn build(config: &ResourceServerConfig) -> Result<reqwest::Client, ConfigError> {
    // Whatever built a client first installed a provider; either way one is set.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("toolgate-auth/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.http_timeout)
        .connect_timeout(config.http_timeout.min(Duration::from_secs(5)))
        .danger_accept_invalid_certs(!config.ssl_verify);
    if let Some(pem) = &config.ca_bundle {
        let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| ConfigError {
            field: "ca_bundle",
            reason: format!("not a PEM certificate bundle: {e}"),
        })?;
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder.build().map_err(|e| ConfigError {
        field: "ssl_verify",
        reason: format!("cannot build the HTTP client: {e}"),
    })
}

/// GETs a JSON document; every failure is a plain reason (no URL query, no secrets).
pub(crate) async fn get_json(
    client: &reqwest::Client,
    url: &url::Url,
) -> Result<serde_json::Value, String> {
    let response = client
        .get(url.clone())
        .header(http::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| describe(&e))?;
    read_json(response).await
}

pub(crate) async fn read_json(response: reqwest::Response) -> Result<serde_json::Value, String> {
    let status = response.status();
    if response
        .content_length()
        .is_some_and(|len| len > MAX_ANSWER_BYTES as u64)
    {
        return Err(format!("answer larger than {MAX_ANSWER_BYTES} bytes"));
    }
    let bytes = response.bytes().await.map_err(|e| describe(&e))?;
    if bytes.len() > MAX_ANSWER_BYTES {
        return Err(format!("answer larger than {MAX_ANSWER_BYTES} bytes"));
    }
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("answer is not JSON: {e}"))
}

/// A transport error in plain words, without reqwest's URL (it could carry a query).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut innermost = None;
    let mut current = error.source();
    while let Some(source) = current {
        innermost = Some(source);
        current = source.source();
    }
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    match innermost {
        Some(cause) => format!("{kind}: {cause}"),
        None => kind.to_owned(),
    }
}
