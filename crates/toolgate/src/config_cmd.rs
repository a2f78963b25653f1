//! `serve`, `validate`, `tools` and `import kong`: the commands that read a configuration.

use std::{fmt::Write as _, net::SocketAddr, path::PathBuf};

use anyhow::{Context as _, bail};
use serde::Serialize;
use toolgate_config::{
    ConfigError, EndpointKind, Environment, Gateway, GatewayBuilder, LoadedConfig, Problem,
    kong::{self, EnvHandling},
    load_file, load_value,
};

/// Where the configuration comes from.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SourceArgs {
    /// The toolgate.yaml file.
    #[arg(
        short = 'c',
        long = "config",
        value_name = "FILE",
        env = "TOOLGATE_CONFIG",
        required_unless_present = "kong",
        conflicts_with = "kong"
    )]
    config: Option<PathBuf>,
    /// A Kong decK state file instead (services, routes, consumers and the plugins toolgate
    /// supports: ai-mcp-proxy, ai-mcp-oauth2, key-auth, cors, …).
    #[arg(long, value_name = "FILE")]
    kong: Option<PathBuf>,
}

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Serve every endpoint on this address instead of the configured listeners.
    #[arg(long, value_name = "ADDR", env = "TOOLGATE_LISTEN")]
    listen: Option<SocketAddr>,
    /// On SIGTERM or Ctrl-C, how long tool calls in flight may take to finish (`30s`,
    /// `500ms`, `2m`).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = toolgate_config::model::parse_duration)]
    drain_timeout: std::time::Duration,
    /// Serve one endpoint over stdin/stdout (for clients that start the server themselves).
    #[arg(long)]
    pub(crate) stdio: bool,
    /// The endpoint served with --stdio (by name; default: the only tools endpoint).
    #[arg(long, value_name = "NAME", requires = "stdio")]
    endpoint: Option<String>,
    /// With --stdio: act as this configured consumer (by username, id or custom id), so its
    /// ACLs apply; default: an anonymous caller.
    #[arg(long, value_name = "CONSUMER", requires = "stdio")]
    consumer: Option<String>,
    /// Serve /metrics, /healthz and /readyz on this address (`127.0.0.1:9100`, or a port
    /// alone for loopback) instead of the file's `admin.listen`. No authentication: keep it
    /// off public networks.
    #[arg(long, value_name = "ADDR", env = "TOOLGATE_ADMIN_LISTEN", value_parser = admin_address)]
    admin_listen: Option<SocketAddr>,
}

/// `ADDR` or a port alone, which means loopback.
fn admin_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.parse()
        .map_err(|e| format!("`{text}` is neither host:port nor a port: {e}"))
}

/// Arguments of `tools`.
#[derive(Debug, clap::Args)]
pub(crate) struct ToolsArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Only this endpoint (by name).
    #[arg(long, value_name = "NAME")]
    endpoint: Option<String>,
    /// What this configured consumer sees (by username, id or custom id); default: every
    /// tool, ACLs not applied.
    #[arg(long, value_name = "CONSUMER")]
    consumer: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Arguments of `import kong`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportKongArgs {
    /// The decK state file (kong.yaml).
    file: PathBuf,
    /// Write here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

impl SourceArgs {
    fn origin(&self) -> String {
        self.config
            .as_ref()
            .or(self.kong.as_ref())
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    }

    fn load(&self) -> Result<LoadedConfig, ConfigError> {
        if let Some(path) = &self.config {
            return load_file(path);
        }
        let path = self.kong.as_ref().map_or_else(PathBuf::new, Clone::clone);
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            origin: origin.clone(),
            source,
        })?;
        let base_dir = path.parent().map(std::path::Path::to_path_buf);
        let env = Environment::process(base_dir.as_deref());
        let import = kong::translate_str(&text, &origin, EnvHandling::Resolve(&env))?;
        for note in &import.notes {
            tracing::info!("{origin}: {note}");
        }
        let mut loaded = load_value(import.document, &origin, None)?;
        loaded.base_dir = base_dir;
        Ok(loaded)
    }
}

fn print_problems(origin: &str, problems: &[Problem]) {
    for problem in problems {
        eprintln!("{}", problem.display_in(origin));
    }
}

/// Loads, or prints every problem and says why not.
fn load_or_report(source: &SourceArgs) -> anyhow::Result<LoadedConfig> {
    match source.load() {
        Ok(loaded) => {
            print_problems(&loaded.origin, &loaded.warnings);
            Ok(loaded)
        }
        Err(ConfigError::Invalid { origin, problems }) => {
            print_problems(&origin, &problems);
            let errors = problems.iter().filter(|p| p.is_error()).count();
            bail!(
                "{origin}: {errors} error{} (nothing was started)",
                if errors == 1 { "" } else { "s" }
            )
        }
        Err(error) => Err(error.into()),
    }
}

/// `toolgate validate`.
pub(crate) async fn validate(source: &SourceArgs) -> anyhow::Result<bool> {
    let origin = source.origin();
    match source.load() {
        Ok(loaded) => {
            print_problems(&origin, &loaded.warnings);
            let config = &loaded.config;
            println!(
                "{origin}: valid ({} endpoint{}, {} toolset{}, {} auth profile{}, {} consumer{}{})",
                config.endpoints.len(),
                plural(config.endpoints.len()),
                config.toolsets.len(),
                plural(config.toolsets.len()),
                config.auth.len(),
                plural(config.auth.len()),
                config.consumers.len(),
                plural(config.consumers.len()),
                match loaded.warnings.len() {
                    0 => String::new(),
                    n => format!(", {n} warning{}", plural(n)),
                }
            );
            Ok(true)
        }
        Err(ConfigError::Invalid { origin, problems }) => {
            print_problems(&origin, &problems);
            let errors = problems.iter().filter(|p| p.is_error()).count();
            println!("{origin}: {errors} error{}", plural(errors));
            Ok(false)
        }
        Err(error) => {
            eprintln!("{error}");
            Ok(false)
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `toolgate serve`.
pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<bool> {
    let loaded = load_or_report(&args.source)?;
    let builder = |loaded: LoadedConfig| {
        let mut builder = Gateway::builder(loaded);
        if let Some(address) = args.listen {
            builder = builder.with_listen(address);
        }
        if let Some(address) = args.admin_listen {
            builder = builder.with_admin_listen(address);
        }
        builder
    };
    let gateway = builder(loaded).build().await?;
    print_problems(&args.source.origin(), gateway.warnings());

    if args.stdio {
        let tools: Vec<_> = gateway
            .endpoints()
            .iter()
            .filter(|e| matches!(e.kind, EndpointKind::Tools { .. }))
            .collect();
        let endpoint = match &args.endpoint {
            Some(name) => gateway.endpoint(name).with_context(|| {
                format!(
                    "no endpoint named `{name}`; the endpoints are: {}",
                    names(&gateway)
                )
            })?,
            None if tools.len() == 1 => tools[0],
            None => bail!(
                "--stdio serves one endpoint: choose it with --endpoint ({})",
                names(&gateway)
            ),
        };
        let EndpointKind::Tools { server } = &endpoint.kind else {
            bail!(
                "`{}` is a passthrough endpoint, which only speaks HTTP",
                endpoint.name
            );
        };
        let mut server = server.clone();
        if let Some(name) = &args.consumer {
            let principal = gateway.consumer_principal(name).with_context(|| {
                format!("no consumer `{name}` (by username, id or custom id) in the configuration")
            })?;
            server = server.with_fallback_principal(principal);
        }
        tracing::info!(endpoint = %endpoint.name, consumer = args.consumer.as_deref(), "serving over stdio (no authentication: the client started this process)");
        toolgate_server::serve_stdio(server).await?;
        gateway.shutdown().await;
        return Ok(true);
    }

    let endpoints: Vec<(String, String, String, bool)> = gateway
        .endpoints()
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                e.path.clone(),
                e.listener.clone(),
                e.auth.is_some(),
            )
        })
        .collect();
    let admin = gateway.admin_address();
    let bound = gateway.bind().await?;
    for (listener, address) in bound.local_addrs() {
        for (name, path, _, auth) in endpoints.iter().filter(|e| e.2 == listener) {
            tracing::info!(
                endpoint = %name,
                auth = if *auth { "on" } else { "off" },
                "serving http://{address}{path}"
            );
        }
    }
    let reloader = bound.reloader();
    if let Some(address) = admin {
        serve_admin(address, &bound.local_addrs(), &reloader).await?;
    }
    let source = args.source.clone();
    let listen = args.listen;
    #[cfg(unix)]
    tokio::spawn(async move {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            tracing::error!("cannot listen for SIGHUP: reloading is off");
            return;
        };
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading {}", source.origin());
            let loaded = match source.load() {
                Ok(loaded) => loaded,
                Err(error) => {
                    tracing::error!("reload refused, the running configuration stays: {error}");
                    continue;
                }
            };
            let mut builder: GatewayBuilder = Gateway::builder(loaded);
            if let Some(address) = listen {
                builder = builder.with_listen(address);
            }
            match reloader.reload(builder).await {
                Ok(warnings) => {
                    for warning in &warnings {
                        tracing::warn!("{}", warning.display_in(&source.origin()));
                    }
                    tracing::info!("reloaded {}", source.origin());
                }
                Err(error) => {
                    tracing::error!("reload refused, the running configuration stays: {error}");
                }
            }
        }
    });
    bound
        .with_drain_timeout(args.drain_timeout)
        .serve(shutdown_signal())
        .await?;
    Ok(true)
}

/// Binds the admin listener and serves the gateway's /metrics, /healthz and /readyz there.
async fn serve_admin(
    address: SocketAddr,
    public: &[(String, SocketAddr)],
    reloader: &toolgate_config::Reloader,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} (admin)"))?;
    let local = listener.local_addr()?;
    if let Some((name, _)) = public.iter().find(|(_, a)| *a == local) {
        bail!("the admin listener {local} is the listener `{name}`'s address");
    }
    if !local.ip().is_loopback() {
        tracing::warn!(
            "the admin listener on {local} has no authentication: keep it off public networks"
        );
    }
    tracing::info!("admin: http://{local}/metrics, /healthz, /readyz");
    let router = reloader.admin_router().await;
    tokio::spawn(async move {
        if let Err(error) =
            toolgate_server::serve_http(listener, router, std::future::pending()).await
        {
            tracing::error!(%error, "the admin listener failed");
        }
    });
    Ok(())
}

fn names(gateway: &Gateway) -> String {
    gateway
        .endpoints()
        .iter()
        .map(|e| e.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[derive(Serialize)]
struct EndpointReport {
    name: String,
    path: String,
    listener: String,
    auth: bool,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    upstream: Option<String>,
    tools: Vec<ToolReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<String>,
}

#[derive(Serialize)]
struct ToolReport {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    description: String,
}

/// `toolgate tools`.
pub(crate) async fn tools(args: &ToolsArgs) -> anyhow::Result<bool> {
    let loaded = load_or_report(&args.source)?;
    let gateway = Gateway::builder(loaded).build().await?;
    let principal = match &args.consumer {
        Some(name) => Some(gateway.consumer_principal(name).with_context(|| {
            format!("no consumer `{name}` (by username, id or custom id) in the configuration")
        })?),
        None => None,
    };
    if let Some(name) = &args.endpoint
        && gateway.endpoint(name).is_none()
    {
        bail!(
            "no endpoint named `{name}`; the endpoints are: {}",
            names(&gateway)
        );
    }
    let mut reports = Vec::new();
    for endpoint in gateway.endpoints() {
        if args.endpoint.as_ref().is_some_and(|n| *n != endpoint.name) {
            continue;
        }
        let mut report = EndpointReport {
            name: endpoint.name.clone(),
            path: endpoint.path.clone(),
            listener: endpoint.listener.clone(),
            auth: endpoint.auth.is_some(),
            kind: "tools",
            upstream: None,
            tools: Vec::new(),
            rules: Vec::new(),
        };
        match &endpoint.kind {
            EndpointKind::Tools { server } => {
                let catalog = server.catalog();
                let descriptors: Vec<_> = match &principal {
                    Some(principal) => catalog.visible_to(principal).collect(),
                    None => catalog.descriptors().collect(),
                };
                report.tools = descriptors
                    .into_iter()
                    .map(|d| ToolReport {
                        name: d.name.to_string(),
                        title: d.title.clone(),
                        description: d.description.as_deref().unwrap_or_default().to_owned(),
                    })
                    .collect();
            }
            EndpointKind::Passthrough { upstream, acl } => {
                report.kind = "passthrough";
                report.upstream = Some(upstream.to_string());
                report.rules = acl_rules(acl, principal.as_ref());
            }
        }
        reports.push(report);
    }
    gateway.shutdown().await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(true);
    }
    let mut out = String::new();
    match &args.consumer {
        Some(name) => {
            let _ = writeln!(out, "as consumer `{name}`");
        }
        None => {
            let _ = writeln!(
                out,
                "every tool (ACLs not applied; --consumer NAME shows what one consumer sees)"
            );
        }
    }
    for report in &reports {
        let _ = writeln!(
            out,
            "\n{} — {} on listener {} (auth {})",
            report.name,
            report.path,
            report.listener,
            if report.auth { "on" } else { "off" }
        );
        if let Some(upstream) = &report.upstream {
            let _ = writeln!(
                out,
                "  passthrough to {upstream}: the tools are the upstream's, filtered by these rules"
            );
            for rule in &report.rules {
                let _ = writeln!(out, "  {rule}");
            }
            continue;
        }
        let width = report.tools.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for tool in &report.tools {
            let first = tool.description.lines().next().unwrap_or_default();
            let summary: String = first.chars().take(70).collect();
            let _ = writeln!(out, "  {:width$}  {summary}", tool.name);
        }
        let _ = writeln!(out, "  ({} tools)", report.tools.len());
    }
    print!("{out}");
    Ok(true)
}

fn acl_rules(
    acl: &toolgate_tools::AclPolicy,
    principal: Option<&toolgate_tools::Principal>,
) -> Vec<String> {
    let mut rules = Vec::new();
    let describe =
        |rule: &toolgate_tools::AclRule| format!("allow {:?} deny {:?}", rule.allow, rule.deny);
    match &acl.default {
        Some(rule) => rules.push(format!("default: {}", describe(rule))),
        None => rules.push("default: every caller".to_owned()),
    }
    let mut tools: Vec<_> = acl.tools.iter().collect();
    tools.sort_by(|a, b| a.0.cmp(b.0));
    for (tool, rule) in tools {
        let verdict = principal.map(|p| {
            if acl.check(tool, p).is_ok() {
                " → allowed"
            } else {
                " → denied"
            }
        });
        rules.push(format!(
            "{tool}: {}{}",
            describe(rule),
            verdict.unwrap_or_default()
        ));
    }
    rules
}

/// `toolgate import kong`.
pub(crate) fn import_kong(args: &ImportKongArgs) -> anyhow::Result<bool> {
    let origin = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {origin}"))?;
    let import = match kong::translate_str(&text, &origin, EnvHandling::Keep) {
        Ok(import) => import,
        Err(ConfigError::Invalid { origin, problems }) => {
            print_problems(&origin, &problems);
            let errors = problems.iter().filter(|p| p.is_error()).count();
            eprintln!(
                "{origin}: {errors} error{}: nothing written",
                plural(errors)
            );
            return Ok(false);
        }
        Err(error) => return Err(error.into()),
    };
    let yaml = kong::to_yaml(&import);
    match &args.output {
        Some(path) => {
            std::fs::write(path, yaml).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("{origin}: written to {}", path.display());
        }
        None => print!("{yaml}"),
    }
    Ok(true)
}
