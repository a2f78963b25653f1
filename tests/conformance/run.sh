#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against
# toolgate's fixture server (servers/conformance), every scenario including the pending ones.
#
#   tests/conformance/run.sh                    # the whole suite
#   tests/conformance/run.sh --scenario ping    # extra arguments go to `conformance server`
#
# Environment: CONFORMANCE_BIN, the fixture binary (default target/debug/conformance-server).
# Installs the suite and Node 22 from package-lock.json into node_modules/ here when needed.
# Passes when the failing scenarios are exactly those in expected-failures.yaml.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/.work"
mkdir -p "$work"

bin="${CONFORMANCE_BIN:-$root/target/debug/conformance-server}"
if [[ ! -x "$bin" ]]; then
  echo "FAIL setup: $bin not found: build it with cargo build -p toolgate-conformance" >&2
  exit 1
fi

stamp="$here/node_modules/.conformance-stamp"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -x "$here/node_modules/.bin/node" ]]; then
  echo "== npm ci (tests/conformance)"
  (cd "$here" && timeout 600 npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1) \
    || { tail -n 30 "$work/npm-ci.log" >&2; echo "FAIL setup: npm ci failed" >&2; exit 1; }
  echo "$want" >"$stamp"
fi
node="$here/node_modules/.bin/node"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"

port="$("$node" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});')"
url="http://127.0.0.1:$port/mcp"
"$bin" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

ready=""
for _ in $(seq 1 100); do # up to ~10 s
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/server.log" >&2
    echo "FAIL setup: the fixture server exited" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    ready=yes
    break
  fi
  sleep 0.1
done
[[ -n "$ready" ]] || { echo "FAIL setup: the fixture server did not listen on $port" >&2; exit 1; }

echo "== conformance suite against $url"
args=("$@")
[[ $# -gt 0 ]] || args=(--suite all --expected-failures "$here/expected-failures.yaml")
rm -rf "$work/results"
timeout 900 "$node" "$suite" server --url "$url" -o "$work/results" "${args[@]}"
