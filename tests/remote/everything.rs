//! The real `@modelcontextprotocol/server-everything` (npm, pinned in
//! `tests/remote/package.json`), installed on first use with `npm ci`.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use crate::harness::free_port;

/// Longest wait for `npm ci`.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest wait for the HTTP server to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);

static INSTALL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `tests/remote/`.
pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("remote")
}

/// The server's entry point, installing the package first when it is missing. Fails the
/// test with a clear message when npm is not available.
pub(crate) async fn entry_point() -> PathBuf {
    let dir = fixtures_dir();
    let entry = dir.join("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    let _guard = INSTALL.lock().await;
    if entry.exists() {
        return entry;
    }
    let mut npm = tokio::process::Command::new("npm");
    npm.args(["ci", "--no-fund", "--no-audit"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = match tokio::time::timeout(INSTALL_TIMEOUT, npm.output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => panic!(
            "npm is needed to install @modelcontextprotocol/server-everything for the remote tests ({error}); install Node.js and npm, or run `npm ci` in {}",
            dir.display()
        ),
        Err(_) => panic!(
            "`npm ci` in {} took longer than {INSTALL_TIMEOUT:?}",
            dir.display()
        ),
    };
    assert!(
        output.status.success(),
        "`npm ci` in {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        entry.exists(),
        "{} is missing after `npm ci`",
        entry.display()
    );
    entry
}

/// server-everything over streamable HTTP on a free port; killed (by its PID) when
/// dropped. It binds every interface: tests only ever call it on 127.0.0.1.
pub(crate) struct EverythingHttp {
    child: tokio::process::Child,
    port: u16,
}

impl Drop for EverythingHttp {
    fn drop(&mut self) {
        if let Err(error) = self.child.start_kill() {
            eprintln!(
                "server-everything (pid {:?}) not killed: {error}",
                self.child.id()
            );
        }
    }
}

impl EverythingHttp {
    pub(crate) async fn start() -> Self {
        let entry = entry_point().await;
        let port = free_port();
        let child = tokio::process::Command::new("node")
            .arg(&entry)
            .arg("streamableHttp")
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts server-everything");
        let server = Self { child, port };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        while tokio::net::TcpStream::connect(address).await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "server-everything did not listen on {address} within {START_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// The MCP endpoint, on loopback.
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    /// Kills the server and waits for it to exit.
    pub(crate) async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
    }
}
