//! The OAuth client credentials grant for upstreams that want the gateway's own token.

use serde_json::Value;

use crate::{ClientCredentials, RemoteError};

/// Time allowed for the token request.
const TOKEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// An access token for `grant`; with `deny_private_networks`, the token endpoint must be on a
/// public address (as the upstream must).
pub(crate) async fn token(
    name: &str,
    grant: &ClientCredentials,
    deny_private_networks: bool,
) -> Result<String, RemoteError> {
    let failed = |reason: String| RemoteError::Token {
        name: name.to_owned(),
        reason,
    };
    let secret = match (&grant.client_secret, &grant.client_secret_env) {
        (Some(secret), _) => secret.clone(),
        (None, Some(variable)) => std::env::var(variable).map_err(|e| {
            failed(format!(
                "environment variable '{variable}' (client_secret_env) is not usable: {e}"
            ))
        })?,
        (None, None) => return Err(failed("no client_secret or client_secret_env".to_owned())),
    };
    let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    if let Some(scope) = &grant.scope {
        form.push(("scope", scope));
    }
    if let Some(resource) = &grant.resource {
        form.push(("resource", resource));
    }
    if grant.client_secret_post {
        form.push(("client_id", &grant.client_id));
        form.push(("client_secret", &secret));
    }
    let builder = if deny_private_networks {
        let url = url::Url::parse(&grant.token_endpoint)
            .map_err(|e| failed(format!("token_endpoint is not a URL: {e}")))?;
        toolgate_net::check_url_resolved(&url)
            .await
            .map_err(|source| RemoteError::PrivateNetwork {
                name: name.to_owned(),
                source,
            })?;
        toolgate_net::guard(reqwest::Client::builder())
    } else {
        reqwest::Client::builder()
    };
    let client = builder
        .timeout(TOKEN_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| failed(format!("cannot build the HTTP client: {e}")))?;
    let mut request = client
        .post(&grant.token_endpoint)
        .header(http::header::ACCEPT, "application/json")
        .form(&form);
    if !grant.client_secret_post {
        let encode =
            |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
        request = request.basic_auth(encode(&grant.client_id), Some(encode(&secret)));
    }
    let response = request
        .send()
        .await
        .map_err(|e| failed(format!("token request failed: {}", e.without_url())))?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| {
        failed(format!(
            "HTTP {status}, the answer is not JSON: {}",
            e.without_url()
        ))
    })?;
    if !status.is_success() {
        let error = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("unknown error");
        return Err(failed(format!("HTTP {status}: {error}")));
    }
    body.get("access_token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| failed("the answer has no access_token".to_owned()))
}
