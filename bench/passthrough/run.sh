#!/usr/bin/env bash
# Overhead of the passthrough gateway (not part of tests/all.sh or CI; release builds only).
#
# Starts the real @modelcontextprotocol/server-everything (pinned in tests/remote/package.json)
# over streamable HTTP and two release `passthrough` gateways in front of it:
#   - bare:     `passthrough --upstream …` (no auth, no ACL: the proxy alone);
#   - seed-002: `passthrough --config examples/seed-002/gateway.yaml` (key-auth consumer bob,
#               developer group, his Bearer passed upstream, the tool ACL checked per call).
# For each target it opens one MCP session with curl (server-everything is stateful: no
# stateless mode), then drives `tools/call echo` in that session with wrk and echo.lua
# (JSON-RPC ids numbered, every answer checked): a warm-up, then DURATION seconds, at
# concurrency 1 (1 thread) and 16 (2 threads). Targets alternate within each concurrency so
# drift in the machine's load hits them alike; the whole set is repeated ROUNDS times.
# Prints a table and rewrites the section of docs/benchmarks.md between
# `<!-- passthrough:start -->` and `<!-- passthrough:end -->` (appended when missing).
#
# Environment:
#   DURATION      seconds measured per run (default 10)
#   WARMUP        seconds of warm-up per run (default 3)
#   ROUNDS        rounds of every run (default 3); the report takes each run's median round
#   SKIP_BUILD=1  use the existing target/release/passthrough
#   NO_DOCS=1     do not touch docs/benchmarks.md
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
duration="${DURATION:-10}"
warmup="${WARMUP:-3}"
rounds="${ROUNDS:-3}"
work="$(mktemp -d -t toolgate-bench-passthrough.XXXXXX)"
pids=()

die() {
  echo "bench/passthrough: $*" >&2
  exit 1
}

cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -qq wrk >/dev/null || die "apt-get install wrk failed"
  else
    die "wrk is missing (apt-get install wrk)"
  fi
fi
command -v node >/dev/null || die "node is missing"
command -v curl >/dev/null || die "curl is missing"
command -v python3 >/dev/null || die "python3 is missing"

entry="tests/remote/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
if [[ ! -f $entry ]]; then
  (cd tests/remote && npm ci --no-fund --no-audit) || die "npm ci in tests/remote failed"
fi
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  cargo build --release -p toolgate-passthrough
fi
gateway_bin="target/release/passthrough"
[[ -x $gateway_bin ]] || die "$gateway_bin is missing"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {
  local port=$1 what=$2 pid=$3
  for _ in $(seq 1 300); do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "$what exited (see $work)"
    sleep 0.1
  done
  die "$what did not listen on 127.0.0.1:$port within 30 s"
}

# --- servers -------------------------------------------------------------------------------
se_port=$(free_port)
# server-everything binds every interface; it is only ever called on 127.0.0.1. It logs a
# line per request: discarded, for it and only it.
PORT=$se_port node "$entry" streamableHttp >/dev/null 2>"$work/everything.err" &
pids+=($!)
wait_port "$se_port" server-everything "${pids[-1]}"
upstream="http://127.0.0.1:$se_port/mcp"

bare_port=$(free_port)
RUST_LOG=info "$gateway_bin" --listen "127.0.0.1:$bare_port" --upstream "$upstream" --path /mcp \
  2>"$work/bare.log" &
pids+=($!)
wait_port "$bare_port" "passthrough (bare)" "${pids[-1]}"

seed_port=$(free_port)
bob_key="bench-bob-$RANDOM$RANDOM"
sed -e "s|^upstream:.*|upstream: $upstream|" \
  -e "s|^listen:.*|listen: 127.0.0.1:$seed_port|" \
  -e "s|^resource:.*|resource: http://127.0.0.1:$seed_port/mcp|" \
  examples/seed-002/gateway.yaml >"$work/gateway.yaml"
ALICE_API_KEY="bench-alice-$RANDOM$RANDOM" BOB_API_KEY="$bob_key" RUST_LOG=info \
  "$gateway_bin" --config "$work/gateway.yaml" 2>"$work/seed.log" &
pids+=($!)
wait_port "$seed_port" "passthrough (seed-002)" "${pids[-1]}"

# --- sessions ------------------------------------------------------------------------------
# open_session URL [HEADER…] → prints the Mcp-Session-Id after initialize + initialized.
open_session() {
  local url=$1
  shift
  local extra=()
  for h in "$@"; do extra+=(-H "$h"); done
  local heads="$work/heads.$RANDOM"
  curl -sS -o /dev/null -D "$heads" "${extra[@]}" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    --data '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}' \
    "$url"
  local sid
  sid=$(grep -i '^mcp-session-id:' "$heads" | head -1 | cut -d' ' -f2 | tr -d '\r\n')
  [[ -n $sid ]] || die "no session id from $url: $(head -1 "$heads")"
  curl -sS -o /dev/null "${extra[@]}" -H "Mcp-Session-Id: $sid" -H 'Mcp-Protocol-Version: 2025-11-25' \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    --data '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$url"
  echo "$sid"
}

declare -A url sid key token
url[direct]="$upstream"
url[bare]="http://127.0.0.1:$bare_port/mcp"
url[seed]="http://127.0.0.1:$seed_port/mcp"
key[direct]=""; token[direct]=""
key[bare]=""; token[bare]=""
key[seed]="$bob_key"; token[seed]="gho_bench_bob"
sid[direct]=$(open_session "${url[direct]}")
sid[bare]=$(open_session "${url[bare]}")
sid[seed]=$(open_session "${url[seed]}" "apikey: $bob_key" "Authorization: Bearer gho_bench_bob")

# --- load ----------------------------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results="$work/results.jsonl"
: >"$results"
for round in $(seq 1 "$rounds"); do
  for conc in 1 16; do
    threads=$((conc < 2 ? 1 : 2))
    for target in direct bare seed; do
      args=(-t"$threads" -c"$conc" --latency -s "$here/echo.lua" "${url[$target]}" --
        "${sid[$target]}" "${key[$target]}" "${token[$target]}")
      wrk -d"${warmup}s" "${args[@]}" >/dev/null
      line=$(wrk -d"${duration}s" "${args[@]}" | grep '^PASSLOAD ' | cut -d' ' -f2-)
      [[ -n $line ]] || die "no result from wrk for $target at concurrency $conc"
      echo "{\"round\":$round,\"target\":\"$target\",\"concurrency\":$conc,\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\",\"result\":$line}" >>"$results"
      echo "round $round $target c=$conc: $line" >&2
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report --------------------------------------------------------------------------------
export RESULTS="$results" LOAD_BEFORE="$load_before" LOAD_AFTER="$load_after" \
  DURATION="$duration" WARMUP="$warmup" ROUNDS="$rounds" NO_DOCS="${NO_DOCS:-0}" \
  NODE_VERSION="$(node --version)" WRK_VERSION="$(wrk --version 2>&1 | head -1 | cut -d' ' -f2)" \
  RUSTC_VERSION="$(rustc --version | cut -d' ' -f2)" \
  EVERYTHING_VERSION="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
    tests/remote/node_modules/@modelcontextprotocol/server-everything/package.json)" \
  GIT_REV="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
python3 "$here/report.py"
