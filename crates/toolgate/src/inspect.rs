//! `toolgate openapi inspect`: the tools of an OpenAPI document, for people or, with
//! `--json`, for machines.

use std::{fmt::Write as _, time::Instant};

use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;
use toolgate_rest::{
    UpstreamClient,
    openapi::{ImportOptions, ImportedToolset, OpenApiDocument, Selector, import_toolset},
};
use url::Url;

/// Stands in for the base URL of a document whose servers are relative, so it can be
/// inspected; shown as such.
const PLACEHOLDER_BASE: &str = "http://base-url.invalid/";

/// Arguments of `toolgate openapi inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct InspectArgs {
    /// The document: a file path or an http(s) URL (JSON or YAML; OpenAPI 3.0, 3.1 or
    /// Swagger 2.0).
    spec: String,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
    /// Base URL the tools would call, replacing the document's servers.
    #[arg(long)]
    base_url: Option<Url>,
    /// Only operations with this OpenAPI tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Only operations whose path matches this glob (repeatable), e.g. '/pets/**'.
    #[arg(long = "path", value_name = "GLOB")]
    paths: Vec<String>,
    /// Leave out operations whose operationId matches this glob (repeatable).
    #[arg(long = "exclude-operation", value_name = "GLOB")]
    exclude_operations: Vec<String>,
}

#[derive(Serialize)]
struct Report<'a> {
    source: String,
    title: Option<&'a str>,
    version: String,
    base_url: String,
    base_url_placeholder: bool,
    import_ms: u128,
    tools: Vec<ToolReport>,
    skipped: &'a [toolgate_rest::openapi::SkippedOperation],
    warnings: &'a [String],
}

#[derive(Serialize)]
struct ToolReport {
    name: String,
    title: Option<String>,
    method: String,
    path: String,
    operation_id: Option<String>,
    description: Option<String>,
    arguments: Vec<Argument>,
    input_schema: Value,
    output_schema: Option<Value>,
    annotations: Option<Value>,
}

#[derive(Serialize)]
struct Argument {
    name: String,
    required: bool,
    kind: String,
    description: Option<String>,
}

pub(crate) async fn run(args: &InspectArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let document = OpenApiDocument::load(&args.spec).await?;
    let mut options = ImportOptions::new("inspect");
    for tag in &args.tags {
        options = options.include(Selector::any().tag(tag));
    }
    for path in &args.paths {
        options = options.include(Selector::any().path(path));
    }
    for id in &args.exclude_operations {
        options = options.exclude(Selector::any().operation_id(id));
    }
    let mut placeholder = false;
    let base = match &args.base_url {
        Some(url) => url.clone(),
        None => document.server_url().or_else(|_| {
            placeholder = true;
            Url::parse(PLACEHOLDER_BASE)
        })?,
    };
    options = options.with_base_url(base);
    let client = UpstreamClient::new()?;
    let imported =
        import_toolset(&document, &options, &client).context("importing the document")?;
    let import_ms = started.elapsed().as_millis();
    let report = report(&document, &imported, placeholder, import_ms);
    let text = if args.json {
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        text
    } else {
        human(&report)
    };
    // A reader that stops early (`| head`) is not an error.
    let mut stdout = std::io::stdout().lock();
    match std::io::Write::write_all(&mut stdout, text.as_bytes())
        .and_then(|()| std::io::Write::flush(&mut stdout))
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error.into()),
        _ => Ok(()),
    }
}

fn report<'a>(
    document: &'a OpenApiDocument,
    imported: &'a ImportedToolset,
    placeholder: bool,
    import_ms: u128,
) -> Report<'a> {
    let tools = imported
        .toolset
        .tools()
        .iter()
        .zip(&imported.origins)
        .map(|(tool, origin)| {
            let descriptor = tool.descriptor();
            let input = Value::Object((*descriptor.input_schema).clone());
            ToolReport {
                name: descriptor.name.to_string(),
                title: descriptor.title.clone(),
                method: origin.method.clone(),
                path: origin.path.clone(),
                operation_id: origin.operation_id.clone(),
                description: descriptor.description.as_ref().map(ToString::to_string),
                arguments: arguments(&input),
                input_schema: input,
                output_schema: descriptor
                    .output_schema
                    .as_ref()
                    .map(|schema| Value::Object((**schema).clone())),
                annotations: descriptor
                    .annotations
                    .as_ref()
                    .and_then(|a| serde_json::to_value(a).ok()),
            }
        })
        .collect();
    Report {
        source: document.origin(),
        title: document.title(),
        version: document.version().to_string(),
        base_url: imported.base_url.to_string(),
        base_url_placeholder: placeholder,
        import_ms,
        tools,
        skipped: &imported.skipped,
        warnings: &imported.warnings,
    }
}

fn arguments(schema: &Value) -> Vec<Argument> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .map(|(name, property)| Argument {
                    name: name.clone(),
                    required: required.contains(&name.as_str()),
                    kind: kind_of(property),
                    description: property
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn kind_of(schema: &Value) -> String {
    match schema.get("type") {
        Some(Value::String(kind)) => match (kind.as_str(), schema.get("format")) {
            (_, Some(Value::String(format))) => format!("{kind} ({format})"),
            ("array", _) => format!(
                "array of {}",
                schema.get("items").map_or_else(|| "any".into(), kind_of)
            ),
            _ => kind.clone(),
        },
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ if schema.get("oneOf").is_some() => "one of several".into(),
        _ if schema.get("anyOf").is_some() => "any of several".into(),
        _ if schema.get("properties").is_some() => "object".into(),
        _ => "any".into(),
    }
}

fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() > max {
        format!(
            "{}…",
            line.chars().take(max.saturating_sub(1)).collect::<String>()
        )
    } else {
        line.to_owned()
    }
}

fn human(report: &Report<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) — {} tools, {} skipped, imported in {} ms",
        report.title.unwrap_or(&report.source),
        report.version,
        report.tools.len(),
        report.skipped.len(),
        report.import_ms
    );
    if report.base_url_placeholder {
        let _ = writeln!(
            out,
            "base URL: none usable in the document (servers are relative); pass --base-url"
        );
    } else {
        let _ = writeln!(out, "base URL: {}", report.base_url);
    }
    for tool in &report.tools {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}  {} {}{}",
            tool.name,
            tool.method,
            tool.path,
            tool.description
                .as_deref()
                .map(|d| format!("  — {}", first_line(d, 80)))
                .unwrap_or_default()
        );
        for argument in &tool.arguments {
            let _ = writeln!(
                out,
                "    {}{}  {}{}",
                argument.name,
                if argument.required { "*" } else { "" },
                argument.kind,
                argument
                    .description
                    .as_deref()
                    .map(|d| format!("  {}", first_line(d, 70)))
                    .unwrap_or_default()
            );
        }
        if tool.output_schema.is_some() {
            let _ = writeln!(out, "    → structured output");
        }
    }
    if !report.skipped.is_empty() {
        let _ = writeln!(out, "\nskipped operations:");
        for skipped in report.skipped {
            let _ = writeln!(out, "  {skipped}");
        }
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for warning in report.warnings {
            let _ = writeln!(out, "  {warning}");
        }
    }
    let _ = writeln!(out, "\n(* required)");
    out
}
