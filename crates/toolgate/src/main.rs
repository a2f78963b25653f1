//! `toolgate`: the command line. `toolgate openapi inspect <spec>` shows the tools an OpenAPI
//! document becomes, and every operation left out with the reason.

mod inspect;

// Importing a large OpenAPI document allocates and frees millions of small JSON nodes;
// mimalloc does that markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// toolgate: MCP tools from REST APIs, OpenAPI documents and remote MCP servers.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with OpenAPI documents.
    #[command(subcommand)]
    Openapi(OpenApiCommand),
}

#[derive(Debug, Subcommand)]
enum OpenApiCommand {
    /// Print the tools a document becomes, with their arguments, and every skipped operation
    /// with the reason.
    Inspect(inspect::InspectArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let outcome = match cli.command {
        Command::Openapi(OpenApiCommand::Inspect(args)) => inspect::run(&args).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
