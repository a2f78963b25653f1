#!/usr/bin/env bash
# MCP tools/call throughput (`just bench-mcp`; not part of tests/all.sh or CI).
#
# Builds the weather server in release mode and measures, with wrk and tools-call.lua, a
# stateless (protocol 2026-07-28) `tools/call` of `realtime-api` with {"query_q":"London"}
# against `target/release/weather --demo` over streamable HTTP, in four configurations:
#   direct         the bundled sample upstream alone: GET /current.json?q=London&key=demo
#   noauth         the gateway without authentication
#   jwt            the gateway with --issuer (a real OpenID provider, oidc-provider) and a JWT
#                  checked against the provider's JWKS (fetched once, then cached)
#   introspection  the gateway with --client-id/--client-secret/--introspection-endpoint and
#                  an opaque token (introspected once, then answered from the cache)
# each at concurrency 1 and 16, a warm-up run then a measured run. Every answer is checked
# (200, `"London"` in the body, a JSON-RPC result that is not an error). Then it replaces the
# section between <!-- mcp-load:start --> and <!-- mcp-load:end --> of docs/benchmarks.md
# with what it measured (report.py).
#
# Environment:
#   DURATION=10       seconds of each measured run
#   WARMUP=2          seconds of the warm-up run before each measured run (not reported)
#   CONCURRENCY="1 16"  connections; wrk threads = min(2, connections)
#   SKIP_BUILD=1      use the existing target/release/weather
#   NO_DOCS=1         measure and print, but leave docs/benchmarks.md alone
#   NODELAY_SHIM=1    diagnostic: run the weather servers with nodelay.c preloaded, which sets
#                     TCP_NODELAY on every accepted socket (needs a C compiler); the section
#                     then says so in bold. Off by default: the server is measured as shipped.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/.work"
raw="$work/raw"
logs="$work/logs"
rm -rf "$raw" "$logs"
mkdir -p "$raw" "$logs"
cd "$root"

duration="${DURATION:-10}"
warmup="${WARMUP:-2}"
read -r -a concurrency <<<"${CONCURRENCY:-1 16}"
lua="$here/tools-call.lua"
oidc="$root/tests/interop/oidc"
node="$oidc/node_modules/.bin/node"

die() {
  echo "bench-mcp: $*" >&2
  exit 1
}

# --- tools -------------------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is missing"
command -v curl >/dev/null || die "curl is missing"
if ! command -v wrk >/dev/null; then
  echo "== apt-get install -y wrk"
  if ! timeout 300 apt-get install -y wrk >"$logs/apt.log" 2>&1; then
    timeout 300 apt-get update >>"$logs/apt.log" 2>&1 || true
    timeout 300 apt-get install -y wrk >>"$logs/apt.log" 2>&1 \
      || { tail -n 20 "$logs/apt.log" >&2; die "cannot install wrk"; }
  fi
fi
want="$(sha256sum "$oidc/package-lock.json" | cut -d' ' -f1)"
if [[ ! -x "$node" || "$(cat "$oidc/node_modules/.oidc-stamp" 2>/dev/null || true)" != "$want" ]]; then
  echo "== tests/interop/oidc/selftest.sh (installs the OpenID provider)"
  timeout 900 bash "$oidc/selftest.sh" >"$logs/oidc-selftest.log" 2>&1 \
    || { tail -n 30 "$logs/oidc-selftest.log" >&2; die "tests/interop/oidc/selftest.sh failed"; }
fi

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== cargo build --release -p toolgate-weather"
  cargo build --release -p toolgate-weather --locked
fi
bin="$root/target/release/weather"
[[ -x "$bin" ]] || die "no $bin"
preload=()
if [[ "${NODELAY_SHIM:-}" == 1 ]]; then
  echo "== NODELAY_SHIM=1: TCP_NODELAY forced on the weather servers' accepted sockets (diagnostic)"
  cc -shared -fPIC -O2 -o "$work/nodelay.so" "$here/nodelay.c" -ldl || die "cannot build nodelay.c"
  preload=("LD_PRELOAD=$work/nodelay.so")
fi

# --- processes: the provider and three weather servers ----------------------------------------
pids=()
stop() {
  local pid="$1"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() { for pid in "${pids[@]}"; do stop "$pid"; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

: >"$logs/provider.out"
"$node" "$oidc/provider.mjs" 0 >"$logs/provider.out" 2>"$logs/provider.log" &
pids+=($!)
issuer=""
for _ in $(seq 1 100); do # up to ~20 s
  issuer="$(sed -n 's/^READY //p' "$logs/provider.out" | head -n 1)"
  [[ -n "$issuer" ]] && break
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$issuer" ]] || { tail -n 20 "$logs/provider.log" >&2; die "the provider printed no READY line"; }
echo "== OpenID provider: $issuer"

ports=()
while [[ ${#ports[@]} -lt 3 ]]; do
  p="$(free_port)"
  [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
declare -A url=(
  [noauth]="http://127.0.0.1:${ports[0]}/weather/mcp"
  [jwt]="http://127.0.0.1:${ports[1]}/weather/mcp"
  [introspection]="http://127.0.0.1:${ports[2]}/weather/mcp"
)
start_weather() { # name port extra-args...
  local name="$1" port="$2"
  shift 2
  # Only the flags given here: no TOOLGATE_* or WEATHER* setting from the caller's environment.
  env -u TOOLGATE_ISSUER -u TOOLGATE_RESOURCE -u TOOLGATE_INTROSPECTION_ENDPOINT -u TOOLGATE_JWKS_URI \
    -u TOOLGATE_CLIENT_ID -u TOOLGATE_CLIENT_SECRET -u TOOLGATE_CLIENT_AUTH -u TOOLGATE_REQUIRED_SCOPE \
    -u WEATHERAPI_BASE_URL -u WEATHER_LISTEN -u RUST_LOG "${preload[@]}" \
    "$bin" --demo --listen "127.0.0.1:$port" "$@" >"$logs/weather-$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 150); do # up to ~30 s
    kill -0 "$pid" 2>/dev/null || break
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/" || true)" != 000 ]]; then
      echo "== weather ($name): ${url[$name]} (log: ${logs#"$root/"}/weather-$name.log)"
      return 0
    fi
    sleep 0.2
  done
  tail -n 30 "$logs/weather-$name.log" >&2
  die "weather server '$name' did not answer on port $port"
}
start_weather noauth "${ports[0]}"
start_weather jwt "${ports[1]}" --issuer "$issuer" --resource "${url[jwt]}"
start_weather introspection "${ports[2]}" --issuer "$issuer" --resource "${url[introspection]}" \
  --introspection-endpoint "$issuer/token/introspection" --client-id toolgate-rs --client-secret toolgate-rs-secret

# The demo upstream's address, from the no-auth server's log line
# `demo mode: … upstream=http://127.0.0.1:PORT/` (colour codes removed).
upstream="$(sed 's/\x1b\[[0-9;]*m//g' "$logs/weather-noauth.log" | grep 'demo mode' \
  | grep -o 'upstream=http://127\.0\.0\.1:[0-9]*/' | head -n 1 | cut -d= -f2)"
[[ -n "$upstream" ]] || { cat "$logs/weather-noauth.log" >&2; die "no 'demo mode: … upstream=' line in the weather log"; }
url[direct]="${upstream}current.json?q=London&key=demo"
echo "== demo upstream: $upstream"

# --- tokens --------------------------------------------------------------------------------------
jwt="$("$node" "$oidc/token.mjs" "$issuer" mcp-cc mcp-cc-secret "${url[jwt]}" 2>>"$logs/token-errors.log")" \
  || { cat "$logs/token-errors.log" >&2; die "no JWT from the provider"; }
opaque="$("$node" "$oidc/token.mjs" "$issuer" mcp-cc mcp-cc-secret "${url[introspection]}?opaque=1" 2>>"$logs/token-errors.log")" \
  || { cat "$logs/token-errors.log" >&2; die "no opaque token from the provider"; }
[[ "$jwt" == *.*.* ]] || die "the JWT does not look like a JWT: ${jwt:0:40}…"
[[ "$opaque" != *.*.* ]] || die "the opaque token looks like a JWT"
declare -A token=([direct]="" [noauth]="" [jwt]="$jwt" [introspection]="$opaque")
declare -A mode=([direct]=get [noauth]=mcp [jwt]=mcp [introspection]=mcp)

# --- one request each with curl: the answer the load runs will count as good ---------------------
body='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"realtime-api","arguments":{"query_q":"London"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}'
mcp_curl() { # url [token] -> status line on stdout, headers and body in files
  local auth=()
  [[ -n "${2:-}" ]] && auth=(-H "Authorization: Bearer $2")
  curl -sS --max-time 10 -o "$raw/curl-body" -D "$raw/curl-headers" -w '%{http_code}' -X POST "$1" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H 'Mcp-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: realtime-api' \
    "${auth[@]}" -d "$body"
}
for cfg in noauth jwt introspection; do
  code="$(mcp_curl "${url[$cfg]}" "${token[$cfg]}")"
  cp "$raw/curl-body" "$logs/curl-$cfg.body"
  cp "$raw/curl-headers" "$logs/curl-$cfg.headers"
  if [[ "$code" != 200 ]] || ! grep -q '"London"' "$raw/curl-body" || ! grep -q '"result"' "$raw/curl-body" \
    || grep -q '"isError":true' "$raw/curl-body"; then
    cat "$raw/curl-headers" "$raw/curl-body" >&2
    die "curl tools/call on $cfg: HTTP $code, not a result naming London (above)"
  fi
  echo "   curl tools/call ($cfg): HTTP $code, $(grep -i '^content-type:' "$raw/curl-headers" | tr -d '\r' | cut -d' ' -f2-), result names London"
done
# Authentication really is on: no token is refused, the other kind of token too.
for cfg in jwt introspection; do
  code="$(mcp_curl "${url[$cfg]}")"
  [[ "$code" == 401 ]] || die "$cfg: a request without a token got HTTP $code, not 401"
done
[[ "$(mcp_curl "${url[noauth]}" "garbage")" == 200 ]] || die "noauth: a request with a stray token was refused"
echo "   without a token: 401 on jwt and introspection"
code="$(curl -sS --max-time 10 -o "$raw/curl-body" -w '%{http_code}' "${url[direct]}")"
[[ "$code" == 200 ]] && grep -q '"London"' "$raw/curl-body" || die "GET ${url[direct]}: HTTP $code"
echo "   curl GET current.json (direct): HTTP $code, names London"

# --- load ----------------------------------------------------------------------------------------
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
load_start="$(load_avg)"
run_wrk() { # cfg connections seconds out
  local cfg="$1" c="$2" secs="$3" out="$4" threads=$(($2 < 2 ? $2 : 2))
  local args=("${mode[$cfg]}")
  [[ -n "${token[$cfg]}" ]] && args+=("${token[$cfg]}")
  timeout $((secs + 30)) wrk -t"$threads" -c"$c" -d"${secs}s" --timeout 5s --latency -s "$lua" \
    "${url[$cfg]}" -- "${args[@]}" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed ($cfg, c=$c)"; }
  grep -q '^MCPLOAD ' "$out" || { cat "$out" >&2; die "wrk printed no MCPLOAD line ($cfg, c=$c)"; }
}
configs=(direct noauth jwt introspection)
for c in "${concurrency[@]}"; do
  for cfg in "${configs[@]}"; do
    run_wrk "$cfg" "$c" "$warmup" "$raw/warmup-$cfg-c$c.txt"
    run_wrk "$cfg" "$c" "$duration" "$raw/$cfg-c$c.txt"
    load="$(load_avg)"
    sed -n 's/^MCPLOAD //p' "$raw/$cfg-c$c.txt" \
      | python3 -c 'import json,sys; r=json.load(sys.stdin); r["load_after"]=sys.argv[1]; r["warmup"]=sys.argv[2]; print(json.dumps(r))' \
        "$load" "$(sed -n 's/^MCPLOAD //p' "$raw/warmup-$cfg-c$c.txt")" >"$raw/$cfg-c$c.json"
    python3 - "$raw/$cfg-c$c.json" "$cfg" "$c" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); l = r["latency_us"]; e = r["errors"]
rps = r["requests"] / (r["duration_us"] / 1e6)
bad = r["non200"] + r["bad_body"] + sum(e.values()) - e["status"]
print(f"   {sys.argv[2]:<13} c={sys.argv[3]:<3} {rps:9.0f} req/s  p50 {l['p50']/1000:7.2f} ms  p99 {l['p99']/1000:7.2f} ms"
      f"  ({r['requests']} requests, {bad} errors, load {r['load_after']})")
EOF
  done
done
load_end="$(load_avg)"

# --- the machine and the versions ----------------------------------------------------------------
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$root" status --porcelain -- crates servers Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
  commit="$commit (with uncommitted changes)"
fi
python3 - "$raw/meta.json" <<EOF
import json, sys
json.dump({
    "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
    "load_start": "$load_start",
    "load_end": "$load_end",
    "nproc": "$(nproc)",
    "cpu": "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')",
    "mem": "$(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)",
    "kernel": "$(uname -sr)",
    "weather": "$("$bin" --version)",
    "commit": "$commit",
    "rustc": "$(rustc --version)",
    "wrk": "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)",
    "node": "$("$node" --version)",
    "oidc_provider": "$("$node" -p 'require(process.argv[1]).version' "$oidc/node_modules/oidc-provider/package.json")",
    "content_type": "$(grep -i '^content-type:' "$logs/curl-noauth.headers" | tr -d '\r' | cut -d' ' -f2-)",
    "nodelay_shim": $([[ ${#preload[@]} -gt 0 ]] && echo True || echo False),
    "duration": $duration,
    "warmup": $warmup,
    "concurrency": [$(IFS=,; echo "${concurrency[*]}")],
    "configs": ["direct", "noauth", "jwt", "introspection"],
}, open(sys.argv[1], "w"), indent=1)
EOF

if [[ "${NO_DOCS:-}" == 1 ]]; then
  python3 "$here/report.py" "$raw" -
else
  python3 "$here/report.py" "$raw" "$root/docs/benchmarks.md"
fi
