//! The two ways in — `--kong` (translate, then load) and `import kong` (print, then load the
//! printed file) — build gateways serving the same tools to the same consumer.

use toolgate_tools::Principal;

use super::*;
use crate::{EndpointKind, Gateway};

/// Tool names a passthrough is asked about (its tools are the upstream's).
const PROBES: [&str; 12] = [
    "search_repositories",
    "get_file_contents",
    "list_issues",
    "list_pull_requests",
    "search_users",
    "search_code",
    "create_issue",
    "push_files",
    "create_pull_request",
    "merge_pull_request",
    "create_repository",
    "get_me",
];

async fn build(loaded: LoadedConfig) -> Gateway {
    Gateway::builder(loaded)
        .build()
        .await
        .expect("the gateway builds")
}

/// Per endpoint (by name), the tool names listed.
type Listing = Vec<(String, Vec<String>)>;

/// Per endpoint, the tools `principal` is listed.
fn listing(gateway: &Gateway, principal: &Principal) -> Listing {
    gateway
        .endpoints()
        .iter()
        .map(|endpoint| {
            let tools = match &endpoint.kind {
                EndpointKind::Tools { server } => {
                    let catalog = server.catalog();
                    catalog
                        .visible_to(principal)
                        .map(|d| d.name.to_string())
                        .collect()
                }
                EndpointKind::Passthrough { acl, .. } => PROBES
                    .iter()
                    .filter(|tool| acl.lists(tool, principal))
                    .map(|tool| (*tool).to_owned())
                    .collect(),
            };
            (endpoint.name.clone(), tools)
        })
        .collect()
}

/// Every consumer's listing, and an anonymous caller's.
fn listings(gateway: &Gateway) -> Vec<(String, Listing)> {
    let mut out = vec![(
        "(anonymous)".to_owned(),
        listing(gateway, &Principal::anonymous()),
    )];
    for consumer in &gateway.config().consumers {
        let name = consumer.username.clone().expect("a username");
        let principal = gateway.consumer_principal(&name).expect("a principal");
        out.push((name, listing(gateway, &principal)));
    }
    out
}

/// `loaded` with only its endpoint `index`. Two passthrough endpoints cannot share a
/// listener yet (each serves the root metadata path), so seed 002's are built one by one.
fn only_endpoint(loaded: &LoadedConfig, index: usize) -> LoadedConfig {
    let mut one = loaded.clone();
    one.config.endpoints = vec![loaded.config.endpoints[index].clone()];
    one
}

#[tokio::test]
async fn kong_and_imported_yaml_list_the_same_tools_ok() {
    for name in ["seed-000.yaml", "seed-001.yaml", "seed-002.yaml"] {
        let (_, direct) = resolved(name);
        let (_, printed) = kept(name);
        assert_eq!(
            direct.config.endpoints.len(),
            printed.config.endpoints.len()
        );
        for index in 0..direct.config.endpoints.len() {
            let direct = build(only_endpoint(&direct, index)).await;
            let printed = build(only_endpoint(&printed, index)).await;
            assert_eq!(listings(&direct), listings(&printed), "{name}");
            direct.shutdown().await;
            printed.shutdown().await;
        }
    }
}

#[tokio::test]
async fn seeds_list_the_tools_their_tutorials_show_ok() {
    let (_, weather) = resolved("seed-000.yaml");
    let weather = build(weather).await;
    let tools = listing(&weather, &Principal::anonymous());
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0].0, "weather-mcp");
    assert_eq!(tools[0].1.len(), 5, "{tools:?}");
    weather.shutdown().await;

    let (_, external) = resolved("seed-002.yaml");
    let github = external
        .config
        .endpoints
        .iter()
        .position(|e| e.path == "/github-mcp")
        .expect("the github endpoint");
    let external = build(only_endpoint(&external, github)).await;
    let github = |consumer: &str| {
        let principal = external.consumer_principal(consumer).expect("a consumer");
        listing(&external, &principal)
            .into_iter()
            .find(|(endpoint, _)| endpoint == "github-mcp")
            .expect("the github endpoint")
            .1
    };
    // The recipe's matrix: developers get the six read tools, nothing unlisted.
    assert_eq!(github("dev-user"), PROBES[..6]);
    assert_eq!(github("admin-user"), PROBES);
    external.shutdown().await;
}
