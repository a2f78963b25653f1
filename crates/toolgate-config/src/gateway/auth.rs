//! Auth profiles and consumers to resource servers.

use std::{net::SocketAddr, path::Path, str::FromStr, sync::Arc};

use jsonwebtoken::Algorithm;
use toolgate_auth::{
    ApiKeyConfig, ClaimToHeader, ClientAuth, Consumer, ConsumerRef, ConsumerStore,
    IntrospectionConfig, ResourceServer, ResourceServerConfig, SecretString, StoredKey,
};
use url::Url;

use crate::{
    Problem,
    model::{AuthConfig, Config},
};

/// The consumers of the file with their keys.
pub(crate) fn consumer_store(config: &Config, problems: &mut Vec<Problem>) -> ConsumerStore {
    let mut store = ConsumerStore::new();
    for (i, spec) in config.consumers.iter().enumerate() {
        let at = format!("consumers[{i}]");
        let id = spec
            .id
            .clone()
            .or_else(|| spec.username.clone())
            .or_else(|| spec.custom_id.clone())
            .unwrap_or_default();
        let mut consumer =
            Consumer::new(id.clone(), spec.username.clone()).with_groups(&spec.groups);
        if let Some(custom_id) = &spec.custom_id {
            consumer = consumer.with_custom_id(custom_id.clone());
        }
        if let Err(error) = store.add(consumer) {
            problems.push(Problem::error(at.clone(), error.reason));
            continue;
        }
        for (k, key) in spec.keys.iter().enumerate() {
            if let Err(error) = store.add_key(&id, &StoredKey::parse(key)) {
                problems.push(Problem::error(format!("{at}.keys[{k}]"), error.reason));
            }
        }
    }
    store
}

/// The resource server of one endpoint: the profile `name`, with the endpoint's URL as the
/// resource when the profile names none.
#[allow(clippy::too_many_arguments)]
pub(crate) fn resource_server(
    name: &str,
    profile: &AuthConfig,
    consumers: &ConsumerStore,
    listen: SocketAddr,
    path: &str,
    base_dir: Option<&Path>,
    passthrough_user_token: bool,
    token_swap: bool,
    endpoint_resource: Option<&str>,
) -> Result<Arc<ResourceServer>, Problem> {
    let at = format!("auth.{name}");
    let bad = |field: &str, message: String| Problem::error(format!("{at}.{field}"), message);
    let url = |field: &str, text: &str| {
        Url::parse(text).map_err(|e| bad(field, format!("`{text}` is not a URL: {e}")))
    };
    let resource = match (&profile.resource, endpoint_resource) {
        (Some(resource), _) => url("resource", resource)?,
        // A passthrough's own public URL names the resource of a profile without one.
        (None, Some(resource)) => url("resource", resource)?,
        (None, None) => {
            if listen.ip().is_unspecified() {
                return Err(bad(
                    "resource",
                    format!(
                        "required when listening on {listen}: the URL clients use to reach the endpoint"
                    ),
                ));
            }
            Url::parse(&format!("http://{listen}{path}"))
                .map_err(|e| bad("resource", e.to_string()))?
        }
    };
    let issuers = profile
        .authorization_servers
        .iter()
        .enumerate()
        .map(|(i, s)| url(&format!("authorization_servers[{i}]"), s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut config = ResourceServerConfig::new(resource, issuers);
    if let Some(jwks) = &profile.jwks_uri {
        config.jwks_uri = Some(url("jwks_uri", jwks)?);
    }
    if let Some(client_id) = &profile.client_id {
        let secret = profile.client_secret.clone().map(SecretString::new);
        let mut introspection = IntrospectionConfig::new(client_id.clone(), secret);
        if let Some(endpoint) = &profile.introspection_endpoint {
            introspection = introspection.with_endpoint(url("introspection_endpoint", endpoint)?);
        }
        if let Some(method) = &profile.client_auth {
            introspection = introspection
                .with_client_auth(ClientAuth::from_str(method).map_err(|e| bad("client_auth", e))?);
        }
        if let Some(cache) = profile.cache_introspection {
            introspection.cache = cache;
        }
        config.introspection = Some(introspection);
    }
    config.required_scopes.clone_from(&profile.required_scopes);
    config
        .scopes_supported
        .clone_from(&profile.scopes_supported);
    config.tool_scopes = profile
        .tool_scopes
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    config.insecure_relaxed_audience_validation = profile.insecure_relaxed_audience_validation;
    config
        .metadata_endpoint
        .clone_from(&profile.metadata_endpoint);
    config.resource_name.clone_from(&profile.resource_name);
    if let Some(doc) = &profile.resource_documentation {
        config.resource_documentation = Some(url("resource_documentation", doc)?);
    }
    config.consumers = consumers.clone();
    if !profile.consumer_claim.is_empty() {
        // Kong's `consumer_claim` is one claim path, as a list of segments.
        config.consumer_mapping.claim = profile
            .consumer_claim
            .iter()
            .flat_map(|c| c.split('.'))
            .map(str::to_owned)
            .collect();
    }
    if !profile.consumer_by.is_empty() {
        config.consumer_mapping.by = profile
            .consumer_by
            .iter()
            .enumerate()
            .map(|(i, by)| match by.as_str() {
                "username" => Ok(ConsumerRef::Username),
                "custom_id" => Ok(ConsumerRef::CustomId),
                "id" => Ok(ConsumerRef::Id),
                other => Err(bad(
                    &format!("consumer_by[{i}]"),
                    format!("`{other}`: expected username, custom_id or id"),
                )),
            })
            .collect::<Result<_, _>>()?;
    }
    // Without `consumer_claim` (Kong: no consumer lookup) a token need not name a consumer;
    // `sub` is still matched against consumers' usernames and custom ids when it does.
    config.consumer_mapping.optional =
        profile.consumer_optional || profile.consumer_claim.is_empty();
    if !profile.consumer_groups_claim.is_empty() {
        config.consumer_mapping.groups_claim = Some(
            profile
                .consumer_groups_claim
                .iter()
                .flat_map(|c| c.split('.'))
                .map(str::to_owned)
                .collect(),
        );
    }
    config.claim_to_header = profile
        .claim_to_header
        .iter()
        .map(|m| ClaimToHeader::new(&m.claim, m.header.clone()))
        .collect();
    config.passthrough_credentials = profile.passthrough_credentials || passthrough_user_token;
    if let Some(verify) = profile.ssl_verify {
        config.ssl_verify = verify;
    }
    if let Some(bundle) = &profile.ca_bundle {
        let file = match base_dir {
            Some(dir) if Path::new(bundle).is_relative() => dir.join(bundle),
            _ => Path::new(bundle).to_path_buf(),
        };
        config.ca_bundle = Some(
            std::fs::read(&file)
                .map_err(|e| bad("ca_bundle", format!("cannot read {}: {e}", file.display())))?,
        );
    }
    if !profile.algorithms.is_empty() {
        config.algorithms = profile
            .algorithms
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let algorithm = Algorithm::from_str(a).map_err(|_| {
                    bad(
                        &format!("algorithms[{i}]"),
                        format!("`{a}` is not a JWT algorithm"),
                    )
                })?;
                if matches!(
                    algorithm,
                    Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
                ) {
                    return Err(bad(
                        &format!("algorithms[{i}]"),
                        format!("`{a}`: shared-secret (HMAC) algorithms are never accepted"),
                    ));
                }
                Ok(algorithm)
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(seconds) = profile.jwt_claims_leeway {
        config.jwt_claims_leeway = std::time::Duration::from_secs(seconds);
    }
    if let Some(keys) = &profile.key_auth {
        let mut api_keys = ApiKeyConfig::default();
        api_keys.header_names.clone_from(&keys.key_names);
        // With a token swap the stored credential is only for a validated token: a key alone
        // must not unlock it (it still names the consumer beside the token).
        api_keys.sufficient = keys.sufficient && !token_swap;
        config.api_keys = Some(api_keys);
    }
    ResourceServer::new(config)
        .map(Arc::new)
        .map_err(|e| bad(e.field, e.reason))
}
