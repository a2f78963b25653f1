//! `toolgate validate`, `tools` and `serve` on configuration files, run as a user would:
//! every example validates, broken files list every problem with path and line, a consumer's
//! view of the tools, stdio serving, and SIGHUP reloads of a running server.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::Duration,
};

use rmcp::{ServiceExt, transport::TokioChildProcess};
use serde_json::{Value, json};

use crate::harness::{RestUpstream, call, text_of, toolgate_binary};

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// Test values for every variable the example and seed configurations read.
const VARIABLES: &[(&str, &str)] = &[
    ("WEATHERAPI_API_KEY", "test-weather-key"),
    ("IDP_ISSUER", "https://idp.example.test/oauth2/default"),
    ("IDP_CLIENT_ID", "toolgate"),
    ("IDP_CLIENT_SECRET", "test-client-secret"),
    ("ALICE_API_KEY", "alice-test-key-0123456789"),
    ("BOB_API_KEY", "bob-test-key-0123456789"),
    ("DECK_WEATHERAPI_API_KEY", "test-weather-key"),
    ("DECK_OKTA_CLIENT_ID", "kong-web-app"),
    ("DECK_OKTA_CLIENT_SECRET", "test-okta-secret"),
    (
        "DECK_OKTA_AUTH_SERVER",
        "https://example.okta.test/oauth2/default",
    ),
    (
        "DECK_OKTA_INTROSPECTION_ENDPOINT",
        "https://example.okta.test/oauth2/default/v1/introspect",
    ),
    ("DECK_MCP_AUTH_URL", "http://localhost:8000/mcp"),
    (
        "DECK_KEYCLOAK_AUTHZ_URL",
        "https://keycloak.example.test/realms/mcp",
    ),
    (
        "DECK_KEYCLOAK_INTROSPECTION_URL",
        "https://keycloak.example.test/realms/mcp/protocol/openid-connect/token/introspect",
    ),
    ("DECK_CLIENT_ID", "kong"),
    ("DECK_CLIENT_SECRET", "test-keycloak-secret"),
    ("DECK_KONNECT_MCP_HOST", "konnect-mcp.example.test"),
    (
        "DECK_OAUTH_AUTH_SERVER",
        "https://idp.example.test/oauth2/default",
    ),
    (
        "DECK_OAUTH_INTROSPECTION_URL",
        "https://idp.example.test/oauth2/default/v1/introspect",
    ),
    ("DECK_OAUTH_CLIENT_ID", "kong-gateway"),
    ("DECK_OAUTH_CLIENT_SECRET", "test-oauth-secret"),
    ("DECK_KONNECT_MCP_TOKEN", "kpat_test_token"),
];

fn toolgate(args: &[&str]) -> Output {
    Command::new(toolgate_binary())
        .args(args)
        .envs(VARIABLES.iter().copied())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run toolgate")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A file in a fresh temporary directory, removed with it.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    fn new(name: &str, content: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "toolgate-cli-{}-{name}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, content).expect("write config");
        Self { dir, path }
    }

    fn write(&self, content: &str) {
        std::fs::write(&self.path, content).expect("rewrite config");
    }

    fn path(&self) -> &str {
        self.path.to_str().expect("utf-8 path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u8(0);
    hasher.finish()
}

#[test]
fn every_example_and_seed_config_validates_ok() {
    let mut files: Vec<(String, Vec<&str>)> = Vec::new();
    for config in [
        "examples/weather/toolgate.yaml",
        "examples/gateway/toolgate.yaml",
    ] {
        files.push((config.to_owned(), vec!["validate", "-c"]));
    }
    let custom = repo("servers/custom-tools/toolgate.yaml");
    if custom.exists() {
        files.push((
            "servers/custom-tools/toolgate.yaml".to_owned(),
            vec!["validate", "-c"],
        ));
    }
    for seed in ["seed-000.yaml", "seed-001.yaml", "seed-002.yaml"] {
        files.push((format!("examples/kong/{seed}"), vec!["validate", "--kong"]));
    }
    for (file, command) in files {
        let path = repo(&file);
        let path = path.to_str().expect("utf-8 path");
        let mut args = command.clone();
        args.push(path);
        let output = toolgate(&args);
        assert!(
            output.status.success(),
            "{file}: {}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
        assert!(
            text(&output.stdout).contains(": valid ("),
            "{file}: {}",
            text(&output.stdout)
        );
    }
}

/// Broken configurations, each with the lines `validate` must print (all at once).
#[test]
fn broken_configs_list_every_problem_with_path_and_line_fails() {
    let table: &[(&str, &[&str])] = &[
        (
            "endpoints:\n  - path: /mcp\n    tagz: [x]\n",
            &[
                "3: endpoints[0].tagz: unknown field `tagz`",
                "did you mean `tags`?",
            ],
        ),
        (
            "listeners:\n  - {listen: 0.0.0.0:8000}\ntoolsets:\n  - {name: a, tags: [t], rest: {tools: []}}\nendpoints:\n  - {path: /mcp, tags: [t]}\n",
            &["6: endpoints[0].auth: refusing to serve without authentication on 0.0.0.0:8000"],
        ),
        (
            "toolsets:\n  - {name: a, tags: [t], rest: {tools: []}}\n  - {name: a, tags: [t], openapi: {spec: x.yaml}, rest: {tools: []}}\nendpoints:\n  - {path: mcp, tags: [t], auth: nope}\n",
            &[
                "3: toolsets[1].name: a second toolset named `a`",
                "3: toolsets[1]: give only one of `rest`, `openapi`, `remote` or `rust`",
                "5: endpoints[0].path: `mcp` must start with /",
                "5: endpoints[0].auth: no auth profile named `nope`",
            ],
        ),
        (
            "auth:\n  p:\n    resource: not a url\n    introspection_endpoint: https://idp.test/introspect\nendpoints: []\n",
            &[
                "3: auth.p.resource: `not a url` is not a URL",
                "2: auth.p.client_id: introspection needs the gateway's client id",
            ],
        ),
        (
            "consumers:\n  - username: bob\n    groups: [developers]\nconsumer_groups:\n  - name: developer\n",
            &[
                "3: consumers[0].groups[0]: the group `developers` is not in `consumer_groups`; did you mean `developer`?",
            ],
        ),
        (
            "endpoints:\n  - path: /a\n    passthrough:\n      upstream: http://127.0.0.1:9/mcp\n      identity: token_swap\n",
            &[
                "endpoints[0].passthrough.credential: a token swap needs the stored credential",
                "endpoints[0].passthrough.identity: a token swap needs an `auth` profile",
            ],
        ),
        (
            "toolsets:\n  - name: a\n    rest:\n      query: {key: \"${{ env \"TOOLGATE_TEST_UNSET\" }}\"}\n      tools: []\n",
            &["4: the environment variable TOOLGATE_TEST_UNSET is not set"],
        ),
        ("endpoints: [\n", &["toolgate.yaml:"]),
    ];
    for (yaml, expected) in table {
        let file = TempFile::new("toolgate.yaml", yaml);
        let output = toolgate(&["validate", "-c", file.path()]);
        let stderr = text(&output.stderr);
        assert!(!output.status.success(), "accepted:\n{yaml}");
        for line in *expected {
            assert!(
                stderr.contains(line),
                "missing `{line}` for\n{yaml}\nin:\n{stderr}"
            );
        }
    }
}

fn acl_config(upstream: &str) -> String {
    format!(
        r#"consumer_groups: [{{name: admin}}, {{name: developer}}]
consumers:
  - {{username: alice, groups: [admin], keys: ["alice-key-0123456789"]}}
  - {{username: bob, groups: [developer], keys: ["bob-key-0123456789ab"]}}
auth:
  keys: {{key_auth: {{}}}}
toolsets:
  - name: weatherapi
    tags: [weather-tools]
    include_consumer_groups: true
    default_acl: [{{allow: [admin, developer]}}]
    acl: {{history-api: {{allow: [admin]}}}}
    rest:
      base_url: {upstream}
      tools:
        - {{name: realtime-api, description: Now., path: current.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
        - {{name: history-api, description: Then., path: history.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
endpoints:
  - {{name: weather, path: /weather/mcp, tags: [weather-tools], auth: keys}}
"#
    )
}

#[test]
fn tools_shows_what_each_consumer_sees_ok() {
    let file = TempFile::new("toolgate.yaml", &acl_config("http://127.0.0.1:9/"));
    let names = |consumer: Option<&str>| -> Vec<String> {
        let mut args = vec!["tools", "-c", file.path(), "--json"];
        if let Some(consumer) = consumer {
            args.extend(["--consumer", consumer]);
        }
        let output = toolgate(&args);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        report[0]["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|t| t["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(names(None), ["realtime-api", "history-api"]);
    assert_eq!(names(Some("alice")), ["realtime-api", "history-api"]);
    assert_eq!(names(Some("bob")), ["realtime-api"]);
    let output = toolgate(&["tools", "-c", file.path(), "--consumer", "carol"]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("no consumer `carol`"),
        "{}",
        text(&output.stderr)
    );
}

#[tokio::test]
async fn serve_stdio_serves_one_endpoint_ok() {
    let upstream = RestUpstream::start().await;
    let file = TempFile::new("toolgate.yaml", &acl_config(upstream.url().as_str()));
    let mut command = tokio::process::Command::new(toolgate_binary());
    command
        .args([
            "serve",
            "-c",
            file.path(),
            "--stdio",
            "--endpoint",
            "weather",
            "--consumer",
            "bob",
        ])
        .env("RUST_LOG", "warn");
    let transport = TokioChildProcess::new(command).expect("spawn toolgate");
    let client = ().serve(transport).await.expect("MCP handshake over stdio");
    let result = call(&client, "realtime-api", json!({"query_q": "Lima"}))
        .await
        .expect("call");
    assert!(text_of(&result).contains("Lima"), "{}", text_of(&result));
    // Bob's ACL applies over stdio too.
    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 1, "{tools:?}");
    client.cancel().await.expect("closed");
}

/// The tool names a running server at `url` lists, over plain HTTP (stateless request).
async fn listed(http: &reqwest::Client, url: &str) -> Option<Vec<String>> {
    let response = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/list")
        .header("apikey", "alice-key-0123456789")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"0"},"io.modelcontextprotocol/clientCapabilities":{}}}}"#)
        .send()
        .await
        .ok()?;
    let body = response.text().await.ok()?;
    let json = body
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap_or(&body);
    let value: Value = serde_json::from_str(json).ok()?;
    Some(
        value["result"]["tools"]
            .as_array()?
            .iter()
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect(),
    )
}

#[cfg(unix)]
#[tokio::test]
async fn serve_reloads_on_sighup_and_refuses_a_broken_file_ok() {
    let upstream = RestUpstream::start().await;
    let base = upstream.url().to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let original = acl_config(&base);
    let file = TempFile::new("toolgate.yaml", &original);
    let listen = format!("127.0.0.1:{port}");
    let child = tokio::process::Command::new(toolgate_binary())
        .args(["serve", "-c", file.path(), "--listen", &listen])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn toolgate serve");
    let pid = child.id().expect("pid");
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let http = reqwest::Client::new();
    let url = format!("http://{listen}/weather/mcp");
    let wait_for = |want: Vec<&'static str>| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            // Bounded: 10 s at most.
            for _ in 0..200 {
                if let Some(names) = listed(&http, &url).await
                    && names == want
                {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        }
    };
    assert!(
        wait_for(vec!["realtime-api", "history-api"]).await,
        "never served"
    );

    let hup = |pid: u32| {
        let status = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .expect("kill -HUP");
        assert!(status.success());
    };
    file.write(&original.replace(
        "  - {name: history-api",
        "  - {name: forecast-api, description: Soon., path: forecast.json, parameters: [{name: q, in: query, required: true, type: string}]}\n        - {name: history-api",
    ));
    hup(pid);
    assert!(
        wait_for(vec!["realtime-api", "forecast-api", "history-api"]).await,
        "the reload was not applied"
    );

    file.write("endpoints:\n  - path: /weather/mcp\n    tagz: [oops]\n");
    hup(pid);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        wait_for(vec!["realtime-api", "forecast-api", "history-api"]).await,
        "a broken file replaced the running configuration"
    );

    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let output = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("stopped in time")
        .expect("output");
    let log = text(&output.stderr);
    assert!(log.contains("reloaded"), "{log}");
    assert!(
        log.contains("reload refused, the running configuration stays")
            && log.contains("unknown field `tagz`"),
        "{log}"
    );
    assert!(
        !log.contains("alice-key-0123456789"),
        "a key was logged:\n{log}"
    );
}

/// Seed 000 run as its decK file (`serve --kong`), its WeatherAPI URL pointed at the test
/// upstream and its Okta variables at the test IdP: an unauthenticated `tools/call` gets 401
/// with the metadata pointer; the metadata names the IdP; with an introspected token the
/// five tools are listed and a call reaches the upstream with the decK key.
#[tokio::test]
async fn seed_000_runs_unchanged_with_kong_ok() {
    let idp = crate::harness::Idp::start().await;
    let upstream = RestUpstream::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let seed = std::fs::read_to_string(repo("examples/kong/seed-000.yaml")).expect("seed 000");
    let base = upstream.url().to_string();
    let seed = seed
        .replace("https://api.weatherapi.com/v1", base.trim_end_matches('/'))
        .replace(
            "http://localhost:8000/",
            &format!("http://localhost:{port}/"),
        );
    let file = TempFile::new("kong.yaml", &seed);
    let listen = format!("127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(toolgate_binary())
        .args(["serve", "--kong", file.path(), "--listen", &listen])
        .envs(VARIABLES.iter().copied())
        .env("DECK_OKTA_AUTH_SERVER", idp.issuer())
        .env(
            "DECK_OKTA_INTROSPECTION_ENDPOINT",
            idp.introspection_endpoint(),
        )
        .env("DECK_OKTA_CLIENT_ID", crate::harness::Idp::RS_CLIENT_ID)
        .env(
            "DECK_OKTA_CLIENT_SECRET",
            crate::harness::Idp::RS_CLIENT_SECRET,
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn toolgate serve --kong");
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let http = reqwest::Client::new();
    let url = format!("http://{listen}/weather/mcp");
    let call_body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"realtime-api","arguments":{"query_q":"London"}}}"#;
    // Bounded wait for the listener: 10 s.
    let mut refused = None;
    for _ in 0..200 {
        if let Ok(response) = http
            .post(&url)
            .header("content-type", "application/json")
            .body(call_body)
            .send()
            .await
        {
            refused = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = refused.expect("the gateway answered");
    assert_eq!(refused.status(), 401, "the seed's curl check");
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let metadata_url =
        format!("http://localhost:{port}/.well-known/oauth-protected-resource/weather/mcp");
    assert!(challenge.contains(&metadata_url), "{challenge}");
    let metadata: Value = http
        .get(format!(
            "http://{listen}/.well-known/oauth-protected-resource/weather/mcp"
        ))
        .send()
        .await
        .expect("metadata")
        .json()
        .await
        .expect("JSON metadata");
    assert_eq!(
        metadata["resource"],
        format!("http://localhost:{port}/weather/mcp")
    );
    assert_eq!(metadata["authorization_servers"][0], idp.issuer());
    // MCP Inspector's origin may call (the seed's cors plugin).
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://localhost:6274")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .expect("preflight");
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://localhost:6274"
    );

    // An opaque token, introspected (Okta does not put the resource in `aud`: relaxed).
    let token = idp.opaque(json!({"sub": "user-1", "scope": "mcp:access"}));
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let mut config =
        rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
            url.clone(),
        );
    config = config.auth_header(token);
    let client = ()
        .serve(rmcp::transport::StreamableHttpClientTransport::from_config(
            config,
        ))
        .await
        .expect("MCP handshake with a token");
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "forecast-api",
            "history-api",
            "ip-lookup-api",
            "realtime-api",
            "search-api"
        ]
    );
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("call");
    assert!(text_of(&result).contains("London"), "{}", text_of(&result));
    let received = upstream.received();
    let pairs = received.last().expect("upstream called").query_pairs();
    assert!(
        pairs.contains(&("key".to_owned(), "test-weather-key".to_owned())),
        "{pairs:?}"
    );
    assert!(
        !received
            .last()
            .expect("upstream called")
            .headers
            .contains_key("authorization"),
        "the token went upstream"
    );
    client.cancel().await.expect("closed");
    let _ = child.start_kill();
    let _ = child.wait().await;
}

/// Seed 001's global ai-mcp-oauth2 plugin run as its decK file: a token the IdP introspects
/// gets through, and its `sub` reaches the upstream as `X-User-Id` (claim_to_header); the
/// token itself does not.
#[tokio::test]
async fn seed_001_claim_to_header_reaches_the_upstream_ok() {
    let idp = crate::harness::Idp::start().await;
    let upstream = RestUpstream::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let seed = std::fs::read_to_string(repo("examples/kong/seed-001.yaml"))
        .expect("seed 001")
        .replace(
            "https://httpbin.org",
            upstream.url().as_str().trim_end_matches('/'),
        );
    let file = TempFile::new("kong.yaml", &seed);
    let listen = format!("127.0.0.1:{port}");
    let resource = format!("http://localhost:{port}/mcp");
    let _child = tokio::process::Command::new(toolgate_binary())
        .args(["serve", "--kong", file.path(), "--listen", &listen])
        .envs(VARIABLES.iter().copied())
        .env("DECK_MCP_AUTH_URL", &resource)
        .env("DECK_KEYCLOAK_AUTHZ_URL", idp.issuer())
        .env(
            "DECK_KEYCLOAK_INTROSPECTION_URL",
            idp.introspection_endpoint(),
        )
        .env("DECK_CLIENT_ID", crate::harness::Idp::RS_CLIENT_ID)
        .env("DECK_CLIENT_SECRET", crate::harness::Idp::RS_CLIENT_SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn toolgate serve --kong");
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let token = idp.opaque(json!({"sub": "user-42"}));
    let url = format!("http://{listen}/mcp");
    // Bounded wait for the listener: 10 s.
    let mut client = None;
    for _ in 0..200 {
        let config =
            rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
                url.clone(),
            )
            .auth_header(token.clone());
        if let Ok(connected) = ()
            .serve(rmcp::transport::StreamableHttpClientTransport::from_config(
                config,
            ))
            .await
        {
            client = Some(connected);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = client.expect("connected with the token");
    let _ = call(&client, "get-ip", json!({})).await.expect("called");
    let received = upstream.received();
    let request = received.last().expect("the upstream was called");
    assert!(request.path.ends_with("/ip"), "{}", request.path);
    assert_eq!(request.headers["x-user-id"], "user-42");
    assert!(!request.headers.contains_key("authorization"));
    client.cancel().await.expect("closed");
}
