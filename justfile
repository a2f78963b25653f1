# The developer and CI interface. `just --list` shows the recipes.

# Start the weather MCP server with sample data (no key needed).
run *ARGS:
    cargo run -- --demo {{ARGS}}

# Format the code.
fmt:
    cargo fmt --all

# Check formatting and lints (what CI checks before the tests), then the dependencies' licences, bans and sources with cargo-deny (offline; not in CI).
lint: _cargo-deny
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
    cargo deny --offline --locked check --hide-inclusion-graph licenses bans sources

# RustSec advisories of the dependencies (deny.toml); fetches the advisory database, so only where its git host is reachable.
advisories: _cargo-deny
    cargo deny --locked check advisories

# cargo-deny, installed when missing (about 10 minutes on 2 cores).
_cargo-deny:
    @command -v cargo-deny >/dev/null || cargo install --locked cargo-deny

# Every test: build, unit, integration, interop, conformance.
test:
    bash tests/all.sh

# Unit and integration tests only (no npm or pip installs).
test-rust:
    cargo test --workspace --locked

# Interop with real MCP clients (Inspector CLI, TypeScript SDK, Python SDK 2.x and 1.x).
interop *CLIENTS:
    cargo build -p toolgate-weather --locked
    bash tests/interop/run.sh {{CLIENTS}}

# The official MCP conformance suite against the fixture server.
conformance *ARGS:
    cargo build -p toolgate-conformance --locked
    bash tests/conformance/run.sh {{ARGS}}

# Build the documentation with warnings as errors.
doc:
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

# The benchmark suite: nginx, an nginx hop, toolgate (no auth, JWT, introspection, passthrough), FastMCP, idle sessions, OpenAPI import (release build; not in CI; ~25 min); rewrites its sections of docs/benchmarks.md.
bench:
    bash bench/suite/run.sh

# The OpenAPI import alone, toolgate against FastMCP (release build; not in CI); rewrites its section of docs/benchmarks.md.
bench-import:
    bash bench/run.sh

# Soak: mixed authenticated traffic for SOAK_DURATION seconds (default 600), RSS and open files over time; writes docs/soak.md.
soak:
    bash bench/soak/run.sh

# MCP tools/call throughput with wrk: direct upstream, gateway, JWT, introspection (release build; not in CI); rewrites its section of docs/benchmarks.md.
bench-mcp:
    bash bench/mcp/run.sh

# Regenerate the JSON Schema of toolgate.yaml and the configuration reference from the types.
schema:
    TOOLGATE_UPDATE_SCHEMA=1 cargo test -p toolgate-config --locked committed_schema_and_reference_are_current
