use axum::{Router, routing::get};
use toolgate_tools::{CallContext, Principal};

use super::*;
use crate::{
    UpstreamClient,
    openapi::{ImportOptions, import_toolset},
};

const DOCUMENT: &str = r"
openapi: 3.0.3
info: {title: Loopback, version: '1'}
paths:
  /ping:
    get:
      operationId: ping
      parameters:
        - {name: Host, in: header, schema: {type: string}}
      responses: {'200': {description: OK}}
";

const FILE_REF: &str = r"
openapi: 3.0.3
info: {title: Pulls a local file, version: '1'}
paths:
  /x:
    get:
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: 'file:///etc/hostname#/x'}
";

/// A loopback server of the two documents and a `/ping` answer; its port.
async fn serve_documents() -> u16 {
    let app = Router::new()
        .route("/openapi.yaml", get(|| async { DOCUMENT }))
        .route("/file-ref.yaml", get(|| async { FILE_REF }))
        .route("/ping", get(|| async { "pong" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

#[tokio::test]
async fn document_on_loopback_loads_without_the_guard_ok() {
    let port = serve_documents().await;
    let client = UpstreamClient::new().expect("client");
    for host in ["127.0.0.1", "localhost"] {
        let url = format!("http://{host}:{port}/openapi.yaml");
        let document = OpenApiDocument::load_with(&url, &client)
            .await
            .expect("loads");
        assert_eq!(document.title(), Some("Loopback"));
    }
}

#[tokio::test]
async fn document_on_loopback_with_the_guard_fails() {
    let port = serve_documents().await;
    let client = UpstreamClient::public_only().expect("client");
    assert!(client.is_public_only());
    for host in ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433"] {
        let url = format!("http://{host}:{port}/openapi.yaml");
        let error = OpenApiDocument::load_with(&url, &client)
            .await
            .expect_err("refused");
        let message = error.to_string();
        assert!(
            message.contains("loopback") && message.contains("deny_private_networks"),
            "{host}: {message}"
        );
    }
}

#[tokio::test]
async fn remote_document_referring_to_a_local_file_fails() {
    let port = serve_documents().await;
    let client = UpstreamClient::new().expect("client");
    let url = format!("http://127.0.0.1:{port}/file-ref.yaml");
    let error = OpenApiDocument::load_with(&url, &client)
        .await
        .expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("cannot refer to the local file /etc/hostname"),
        "{error}"
    );
}

#[tokio::test]
async fn imported_tools_call_loopback_only_without_the_guard_ok() {
    let port = serve_documents().await;
    let document = OpenApiDocument::from_text(DOCUMENT, "loopback.yaml").expect("parses");
    for (host, client, answered) in [
        ("localhost", UpstreamClient::new().expect("client"), true),
        ("127.0.0.1", UpstreamClient::new().expect("client"), true),
        (
            "localhost",
            UpstreamClient::public_only().expect("client"),
            false,
        ),
        (
            "127.0.0.1",
            UpstreamClient::public_only().expect("client"),
            false,
        ),
    ] {
        let base: Url = format!("http://{host}:{port}/").parse().expect("url");
        let options = ImportOptions::new("loopback").with_base_url(base);
        let imported = import_toolset(&document, &options, &client).expect("imports");
        assert!(
            imported
                .warnings
                .iter()
                .any(|w| w.contains("header parameter 'Host' is ignored")),
            "{:?}",
            imported.warnings
        );
        let tool = imported.toolset.tools()[0].clone();
        let result = tool
            .call(
                serde_json::Map::new(),
                CallContext::detached(Principal::anonymous()),
            )
            .await
            .expect("a tool result");
        let text = format!("{:?}", result.content);
        assert_eq!(result.is_error != Some(true), answered, "{host}: {text}");
        if !answered {
            assert!(text.contains("loopback"), "{text}");
        }
    }
}
