//! `toolgate`: the command line. `serve` runs a `toolgate.yaml` (or a Kong decK file),
//! `validate` checks one and lists every problem, `tools` shows what an endpoint serves to a
//! given consumer, `import kong` prints the toolgate.yaml equivalent of a decK file, and
//! `openapi inspect` shows the tools an OpenAPI document becomes.

mod config_cmd;
mod inspect;

// Importing a large OpenAPI document allocates and frees millions of small JSON nodes;
// mimalloc does that markedly faster than the system allocator. It is built without
// transparent huge pages (`no_thp`): with them, 10,000 idle sessions held 1.35 GiB of RSS
// instead of 0.8 GiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;

const EXAMPLES: &str = "\
Examples:
  toolgate serve -c toolgate.yaml                 serve every endpoint of the file
  toolgate serve -c toolgate.yaml --stdio --endpoint weather
                                                  one endpoint over stdin/stdout (Claude Desktop)
  toolgate serve --kong kong.yaml --listen 127.0.0.1:8000
                                                  run a Kong decK state file as it is
  toolgate validate -c toolgate.yaml              every problem at once; exit 1 if any error
  toolgate tools -c toolgate.yaml --consumer bob  what bob sees on each endpoint
  toolgate import kong kong.yaml > toolgate.yaml  translate a decK file
  toolgate openapi inspect openapi-specs/weatherapi.yaml
  toolgate schema > toolgate.schema.json          the JSON Schema of toolgate.yaml

Logs go to stderr; RUST_LOG sets the filter (default info), --log-format json for JSON lines.
SIGHUP makes `serve` reload its file: an invalid file is refused and the running one stays.";

/// toolgate: an MCP gateway. Tools from REST APIs, OpenAPI documents, remote MCP servers and
/// Rust code, guarded by a built-in OAuth 2.1 resource server.
#[derive(Debug, Parser)]
#[command(version, about, after_help = EXAMPLES)]
struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "TOOLGATE_LOG_FORMAT")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the endpoints of a configuration (HTTP, or one endpoint over stdio).
    Serve(config_cmd::ServeArgs),
    /// Check a configuration: every problem with its path and line; exit 1 on any error.
    Validate(config_cmd::SourceArgs),
    /// The tools each endpoint serves, after tags, prefixes and ACLs: what a consumer sees.
    Tools(config_cmd::ToolsArgs),
    /// Translate other gateways' configurations.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print the JSON Schema of toolgate.yaml.
    Schema,
    /// Work with OpenAPI documents.
    #[command(subcommand)]
    Openapi(OpenApiCommand),
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Print the toolgate.yaml equivalent of a Kong decK state file; `${{ env "…" }}`
    /// references are kept, never their values.
    Kong(config_cmd::ImportKongArgs),
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
    let default_filter = match &cli.command {
        Command::Serve(_) => "info,rmcp=warn",
        _ => "warn,rmcp=error",
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Logs always go to stderr: with --stdio stdout carries the protocol.
    let stdio = matches!(&cli.command, Command::Serve(args) if args.stdio);
    match cli.log_format {
        LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(!stdio && std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
    }
    let outcome = match cli.command {
        Command::Serve(args) => config_cmd::serve(args).await,
        Command::Validate(args) => config_cmd::validate(&args).await,
        Command::Tools(args) => config_cmd::tools(&args).await,
        Command::Import(ImportCommand::Kong(args)) => config_cmd::import_kong(&args),
        Command::Schema => {
            print!("{}", toolgate_config::schema::json_schema());
            Ok(true)
        }
        Command::Openapi(OpenApiCommand::Inspect(args)) => inspect::run(&args).await.map(|()| true),
    };
    match outcome {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
