#!/usr/bin/env bash
# The official MCP conformance suite through toolgate's passthrough endpoint: the fixture
# server (servers/conformance) behind `passthrough` (servers/passthrough), compared with the
# suite run directly against the fixture (tests/conformance/run.sh). Passes when both runs
# pass their baseline and score the same.
#
#   tests/conformance/run-passthrough.sh
#
# Environment: CONFORMANCE_BIN (default target/debug/conformance-server), PASSTHROUGH_BIN
# (default target/debug/passthrough).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/.work"
mkdir -p "$work"

bin="${CONFORMANCE_BIN:-$root/target/debug/conformance-server}"
proxy="${PASSTHROUGH_BIN:-$root/target/debug/passthrough}"
for b in "$bin" "$proxy"; do
  if [[ ! -x "$b" ]]; then
    echo "FAIL setup: $b not found: build it with cargo build -p toolgate-conformance -p toolgate-passthrough" >&2
    exit 1
  fi
done

echo "== direct run"
"$here/run.sh" | tee "$work/direct.log"
direct="$(grep -E '^Total:' "$work/direct.log" | tail -n 1)"

node="$here/node_modules/.bin/node"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
free_port() {
  "$node" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}
upstream_port="$(free_port)"
proxy_port="$(free_port)"
while [[ "$proxy_port" == "$upstream_port" ]]; do proxy_port="$(free_port)"; done

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
"$bin" --listen "127.0.0.1:$upstream_port" >"$work/server.log" 2>&1 &
pids+=($!)
# An ACL that denies nobody present turns on the JSON-RPC inspection and tools/list
# filtering, so the suite exercises them.
"$proxy" --listen "127.0.0.1:$proxy_port" --upstream "http://127.0.0.1:$upstream_port/mcp" \
  --deny-group nobody >"$work/passthrough.log" 2>&1 &
pids+=($!)

for port in "$upstream_port" "$proxy_port"; do
  ready=""
  for _ in $(seq 1 100); do # up to ~10 s
    for pid in "${pids[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        cat "$work/server.log" "$work/passthrough.log" >&2
        echo "FAIL setup: a server exited" >&2
        exit 1
      fi
    done
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      ready=yes
      break
    fi
    sleep 0.1
  done
  [[ -n "$ready" ]] || { echo "FAIL setup: nothing listens on $port" >&2; exit 1; }
done

url="http://127.0.0.1:$proxy_port/mcp"
echo "== conformance suite through the passthrough at $url"
rm -rf "$work/results-passthrough"
timeout 900 "$node" "$suite" server --url "$url" -o "$work/results-passthrough" \
  --suite all --expected-failures "$here/expected-failures.yaml" | tee "$work/passthrough-run.log"
through="$(grep -E '^Total:' "$work/passthrough-run.log" | tail -n 1)"

echo "== direct:           $direct"
echo "== through passthrough: $through"
if [[ -z "$direct" || "$direct" != "$through" ]]; then
  echo "FAIL: the passthrough changes the conformance score" >&2
  exit 1
fi
echo "PASS: same score through the passthrough"
