//! Toolsets of the file to [`ToolSet`]s: inline REST, OpenAPI, remote MCP and Rust.

use std::{collections::HashMap, path::Path, sync::Arc, time::Duration};

use tokio::{sync::watch, task::JoinHandle};

use toolgate_remote::{RemoteConfig, RemoteToolset};
use toolgate_rest::{
    FixedValue, RestToolsetSpec, ToolsetOptions, UpstreamClient, build_toolset_with,
    openapi::{ImportOptions, OpenApiDocument, import_toolset},
};
use toolgate_tools::{
    AclPolicy, AclRule, ConcurrencyLimit, ConsumerIdentifier, ToolCatalog, ToolRegistry, ToolSet,
};
use url::Url;

use crate::{
    Problem,
    model::{Config, DefaultAclConfig, ToolsetConfig},
};

/// A toolset as built: fixed tools, or a remote server whose tools follow the upstream.
#[derive(Debug)]
pub(crate) enum Built {
    Fixed(ToolSet),
    /// A remote server, and the ACL of the file applied to each of its tool lists.
    Remote(RemoteToolset, AclPolicy),
}

/// The ACL policy of Kong's `default_acl`/`acl` fields.
pub(crate) fn acl_policy(
    default_acl: &[DefaultAclConfig],
    acl: &std::collections::BTreeMap<String, AclRule>,
    identifier: ConsumerIdentifier,
    include_groups: bool,
) -> AclPolicy {
    let mut policy = AclPolicy::default();
    policy.consumer_identifier = identifier;
    policy.include_consumer_groups = include_groups;
    if !default_acl.is_empty() {
        let mut rule = AclRule::default();
        for entry in default_acl {
            rule.allow.extend(entry.allow.iter().cloned());
            rule.deny.extend(entry.deny.iter().cloned());
        }
        policy.default = Some(rule);
    }
    for (tool, rule) in acl {
        policy.tools.insert(tool.clone(), rule.clone());
    }
    policy
}

fn resolve(base_dir: Option<&Path>, source: &str) -> String {
    if source.starts_with("http://") || source.starts_with("https://") {
        return source.to_owned();
    }
    match base_dir {
        Some(dir) if Path::new(source).is_relative() => dir.join(source).display().to_string(),
        _ => source.to_owned(),
    }
}

/// Builds toolset `index` of the file, its upstream calls limited to `timeout` when given;
/// `deny_private_networks` is the file's top-level setting.
pub(crate) async fn build(
    index: usize,
    spec: &ToolsetConfig,
    timeout: Option<Duration>,
    client: &UpstreamClient,
    base_dir: Option<&Path>,
    custom: &mut HashMap<String, ToolSet>,
    deny_private_networks: bool,
) -> Result<Built, Problem> {
    let at = format!("toolsets[{index}]");
    let deny_private_networks = spec.deny_private_networks.unwrap_or(deny_private_networks);
    let policy = acl_policy(
        &spec.default_acl,
        &spec.acl,
        spec.consumer_identifier,
        spec.include_consumer_groups,
    );
    if let Some(rest) = &spec.rest {
        let mut document = RestToolsetSpec::new(spec.name.clone(), rest.tools.clone());
        document.tags.clone_from(&spec.tags);
        document.base_url.clone_from(&rest.base_url);
        document.timeout = rest.timeout;
        document.max_response_size = rest.max_response_size;
        document.query.clone_from(&rest.query);
        document.headers.clone_from(&rest.headers);
        let mut options = ToolsetOptions::default();
        if let Some(timeout) = timeout {
            options = options.with_timeout(timeout);
        }
        let toolset = build_toolset_with(&document, client, &options, &at)
            .map_err(|e| Problem::error(format!("{at}.rest"), e.to_string()))?;
        // Per-tool `acl` of the tools themselves stays; the toolset's fields come on top.
        let mut merged = (**toolset.acl()).clone();
        merged.consumer_identifier = policy.consumer_identifier;
        merged.include_consumer_groups = policy.include_consumer_groups;
        if policy.default.is_some() {
            merged.default = policy.default;
        }
        merged.tools.extend(policy.tools);
        return Ok(Built::Fixed(toolset.with_acl(merged)));
    }
    if let Some(openapi) = &spec.openapi {
        let source = resolve(base_dir, &openapi.spec);
        let guarded;
        let client = if deny_private_networks {
            guarded = UpstreamClient::public_only()
                .map_err(|e| Problem::error(format!("{at}.openapi"), e.to_string()))?;
            &guarded
        } else {
            client
        };
        let document = OpenApiDocument::load_with(&source, client)
            .await
            .map_err(|e| Problem::error(format!("{at}.openapi.spec"), e.to_string()))?;
        let mut options = ImportOptions::new(spec.name.clone())
            .with_tags(spec.tags.iter().cloned())
            .with_acl(policy);
        if let Some(url) = &openapi.base_url {
            let url = Url::parse(url)
                .map_err(|e| Problem::error(format!("{at}.openapi.base_url"), e.to_string()))?;
            options = options.with_base_url(url);
        }
        if let Some(timeout) = timeout.or(openapi.timeout.map(Duration::from_millis)) {
            options = options.with_timeout(timeout);
        }
        for selector in &openapi.include {
            options = options.include(selector.clone());
        }
        for selector in &openapi.exclude {
            options = options.exclude(selector.clone());
        }
        for (operation, name) in &openapi.names {
            options = options.with_name(operation.clone(), name.clone());
        }
        for (scheme, value) in &openapi.credentials {
            options = options.with_credential(scheme.clone(), FixedValue::value(value.clone()));
        }
        let imported = import_toolset(&document, &options, client)
            .map_err(|e| Problem::error(format!("{at}.openapi"), e.to_string()))?;
        for skipped in &imported.skipped {
            tracing::warn!(toolset = %spec.name, "operation skipped: {skipped}");
        }
        for warning in &imported.warnings {
            tracing::warn!(toolset = %spec.name, "{warning}");
        }
        return Ok(Built::Fixed(imported.toolset));
    }
    if let Some(remote) = &spec.remote {
        let mut config = RemoteConfig::new(spec.name.clone(), remote.transport.clone())
            .with_deny_private_networks(deny_private_networks)
            .with_tags(spec.tags.iter().cloned())
            .with_include(remote.include.iter().cloned())
            .with_exclude(remote.exclude.iter().cloned());
        if let Some(prefix) = &remote.prefix {
            config = config.with_prefix(prefix.clone());
        }
        if let Some(timeout) = timeout.or(remote.timeout.map(Duration::from_millis)) {
            config = config.with_timeout(timeout);
        }
        let toolset = RemoteToolset::connect(config)
            .await
            .map_err(|e| Problem::error(format!("{at}.remote"), e.to_string()))?;
        for skipped in toolset.skipped() {
            tracing::warn!(toolset = %spec.name, "remote tool skipped: {skipped:?}");
        }
        return Ok(Built::Remote(toolset, policy));
    }
    if spec.rust.is_some() {
        let toolset = custom.remove(&spec.name).ok_or_else(|| {
            Problem::error(
                format!("{at}.rust"),
                format!(
                    "the toolset `{}` is provided by Rust code, and this binary registers no toolset of that name (`toolgate` itself has none: embed toolgate in your own binary, see docs/custom-tools.md)",
                    spec.name
                ),
            )
        })?;
        let mut tagged = toolset.with_tags(spec.tags.iter().cloned());
        let own = tagged.acl();
        if **own == AclPolicy::default() || policy != AclPolicy::default() {
            tagged = tagged.with_acl(policy);
        }
        return Ok(Built::Fixed(tagged));
    }
    Err(Problem::error(at, "no tool source"))
}

/// The ACL of `toolset` with the endpoint's per-tool scopes added.
pub(crate) fn with_scopes(
    toolset: &ToolSet,
    scopes: &HashMap<String, Vec<String>>,
    hide: bool,
) -> ToolSet {
    if scopes.is_empty() && !hide {
        return toolset.clone();
    }
    let mut policy = (**toolset.acl()).clone();
    policy
        .tool_scopes
        .extend(scopes.iter().map(|(k, v)| (k.clone(), v.clone())));
    policy.hide_tools_without_scopes = hide;
    toolset.clone().with_acl(policy)
}

/// How long a call of toolset `spec` may take: the endpoint's `timeout`, else the
/// toolset's own, else the source's default (what a call waits at most for a slot of its
/// concurrency cap).
pub(crate) fn call_timeout(spec: &ToolsetConfig, endpoint_timeout: Option<u64>) -> Duration {
    let own = spec
        .rest
        .as_ref()
        .and_then(|r| r.timeout)
        .or_else(|| spec.openapi.as_ref().and_then(|o| o.timeout))
        .or_else(|| spec.remote.as_ref().and_then(|r| r.timeout));
    match endpoint_timeout.or(own) {
        Some(ms) => Duration::from_millis(ms),
        None if spec.remote.is_some() => Duration::from_millis(toolgate_remote::DEFAULT_TIMEOUT_MS),
        None => toolgate_rest::DEFAULT_TIMEOUT,
    }
}

/// `toolset` with its tools taking slots of `cap`, when it has one.
pub(crate) fn capped(toolset: ToolSet, cap: Option<&ConcurrencyLimit>) -> ToolSet {
    match cap {
        Some(cap) => toolset.with_concurrency_limit(cap),
        None => toolset,
    }
}

/// One concurrency cap per toolset that sets `max_concurrent_calls` (by index in
/// `toolsets`), shared by every endpoint serving it.
pub(super) fn caps(config: &Config) -> HashMap<usize, ConcurrencyLimit> {
    config
        .toolsets
        .iter()
        .enumerate()
        .filter_map(|(index, spec)| {
            let max = spec.max_concurrent_calls?;
            Some((
                index,
                ConcurrencyLimit::new(spec.name.clone(), max, Duration::ZERO),
            ))
        })
        .collect()
}

/// Toolset `index`'s cap, if it has one, waiting for a slot at most the call timeout of an
/// endpoint with `endpoint_timeout`.
pub(super) fn cap_for(
    caps: &HashMap<usize, ConcurrencyLimit>,
    config: &Config,
    index: usize,
    endpoint_timeout: Option<u64>,
) -> Option<ConcurrencyLimit> {
    caps.get(&index)
        .map(|cap| cap.with_wait(call_timeout(&config.toolsets[index], endpoint_timeout)))
}

/// Every toolset an endpoint serves, built once per (toolset index, endpoint timeout);
/// Rust toolsets are taken out of `custom`.
pub(super) async fn build_all(
    config: &Config,
    base_dir: Option<&Path>,
    custom: &mut HashMap<String, ToolSet>,
    caps: &HashMap<usize, ConcurrencyLimit>,
) -> Result<HashMap<(usize, Option<u64>), Built>, Problem> {
    let client = UpstreamClient::new().map_err(|e| Problem::error("", e.to_string()))?;
    let mut built: HashMap<(usize, Option<u64>), Built> = HashMap::new();
    for endpoint in &config.endpoints {
        for (index, spec) in config.toolsets.iter().enumerate() {
            let selected = endpoint.toolsets.contains(&spec.name)
                || spec.tags.iter().any(|t| endpoint.tags.contains(t));
            if !selected || built.contains_key(&(index, endpoint.timeout)) {
                continue;
            }
            // Rust toolsets are taken out of `custom` once; a second timeout shares them.
            if spec.rust.is_some()
                && let Some(((_, _), toolgate_toolset)) =
                    built.iter().find(|((i, _), _)| *i == index)
            {
                let Built::Fixed(set) = toolgate_toolset else {
                    continue;
                };
                let copy = Built::Fixed(set.clone());
                built.insert((index, endpoint.timeout), copy);
                continue;
            }
            let timeout = endpoint.timeout.map(Duration::from_millis);
            let toolset = match build(
                index,
                spec,
                timeout,
                &client,
                base_dir,
                custom,
                config.deny_private_networks,
            )
            .await?
            {
                Built::Fixed(set) => Built::Fixed(capped(
                    set,
                    cap_for(caps, config, index, endpoint.timeout).as_ref(),
                )),
                remote @ Built::Remote(..) => remote,
            };
            built.insert((index, endpoint.timeout), toolset);
        }
    }
    Ok(built)
}

/// Rebuilds an endpoint's catalog whenever one of its remote toolsets changes.
pub(super) fn republish(
    registry: ToolRegistry,
    remotes: Vec<(String, watch::Receiver<ToolSet>, AclPolicy)>,
    caps: HashMap<String, ConcurrencyLimit>,
    sender: watch::Sender<Arc<ToolCatalog>>,
    scopes: HashMap<String, Vec<String>>,
    hide: bool,
    endpoint: String,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut toolsets = registry.into_toolsets();
        let mut remotes = remotes;
        loop {
            let changed = futures_select(&mut remotes).await;
            let Some((name, toolset)) = changed else {
                return;
            };
            let toolset = with_scopes(&capped(toolset, caps.get(&name)), &scopes, hide);
            // (the file's ACL was applied by `futures_select`)
            if let Some(slot) = toolsets.iter_mut().find(|t| t.name() == name) {
                *slot = toolset;
            }
            let mut registry = ToolRegistry::new();
            for toolset in &toolsets {
                registry.add(toolset.clone());
            }
            match registry.catalog_all() {
                Ok(catalog) => {
                    sender.send_replace(Arc::new(catalog));
                }
                Err(error) => {
                    tracing::error!(%endpoint, %error, "the remote toolset's new tools cannot be served; keeping the previous list");
                }
            }
        }
    })
}

/// Waits for the first of `remotes` to change; `None` when all are gone.
async fn futures_select(
    remotes: &mut [(String, watch::Receiver<ToolSet>, toolgate_tools::AclPolicy)],
) -> Option<(String, ToolSet)> {
    if remotes.is_empty() {
        return None;
    }
    let waits = remotes.iter_mut().map(|(name, receiver, policy)| {
        Box::pin(async move {
            receiver.changed().await.ok()?;
            let toolset = receiver
                .borrow_and_update()
                .clone()
                .with_acl(policy.clone());
            Some((name.clone(), toolset))
        })
    });
    let (result, _, _) = futures::future::select_all(waits).await;
    result
}
