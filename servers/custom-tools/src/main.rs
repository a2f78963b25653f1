//! `custom-tools`: toolgate embedded in a binary of your own. It loads a `toolgate.yaml`,
//! registers this crate's Rust toolset with the gateway builder, and serves every endpoint
//! of the file — REST, OpenAPI and remote toolsets included, under the file's auth and
//! ACLs.
//!
//! ```text
//! custom-tools -c servers/custom-tools/toolgate.yaml
//! ```

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context as _;
use clap::Parser;
use toolgate_config::{Gateway, load_file};
use tracing_subscriber::EnvFilter;

/// Command line of the example server.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "toolgate with custom Rust tools: serves a toolgate.yaml whose `rust: {}` toolset is this crate's"
)]
struct Cli {
    /// The configuration file.
    #[arg(
        short,
        long,
        default_value = "servers/custom-tools/toolgate.yaml",
        env = "TOOLGATE_CONFIG"
    )]
    config: PathBuf,
    /// Serve every endpoint on this address instead of the file's listeners.
    #[arg(long)]
    listen: Option<SocketAddr>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();

    let loaded = load_file(&cli.config)?;
    let origin = loaded.origin.clone();
    for warning in &loaded.warnings {
        tracing::warn!("{}", warning.display_in(&origin));
    }
    let mut builder = Gateway::builder(loaded).with_toolset(toolgate_custom_tools::toolset());
    if let Some(address) = cli.listen {
        builder = builder.with_listen(address);
    }
    let gateway = builder.build().await?;
    for warning in gateway.warnings() {
        tracing::warn!("{}", warning.display_in(&origin));
    }
    let endpoints: Vec<(String, String)> = gateway
        .endpoints()
        .iter()
        .map(|endpoint| (endpoint.listener.clone(), endpoint.path.clone()))
        .collect();
    let bound = gateway.bind().await.context("binding the listeners")?;
    for (listener, address) in bound.local_addrs() {
        for (_, path) in endpoints.iter().filter(|(name, _)| *name == listener) {
            tracing::info!("serving http://{address}{path}");
        }
    }
    bound
        .serve(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")?;
    Ok(())
}
