#!/usr/bin/env bash
# The benchmark suite (`just bench`; not part of tests/all.sh or CI). Loopback only.
#
# One run measures, with wrk and Lua scripts that number the JSON-RPC ids and check every
# answer, at concurrency 1 and 32 (ROUNDS rounds each; medians reported) and, for the chart,
# 4, 8 and 16 (one round):
#   nginx          nginx serving a static WeatherAPI-shaped JSON body: GET /v1/current.json
#   hop            the same through a second nginx server block (proxy_pass, kept-alive
#                  upstream connections): the floor for one extra HTTP hop
#   noauth         toolgate serve (bench/suite/gateway.yaml): tools/call realtime-api, which
#                  GETs that nginx URL; no authentication
#   jwt            the same endpoint guarded by an OpenID provider (tests/interop/oidc,
#                  oidc-provider): a JWT checked against its JWKS
#   introspection  the same with an opaque token introspected there (answers cached)
#   passthrough    toolgate serve (bench/suite/passthrough.yaml) proxying `noauth` as-is
#   fastmcp        FastMCP 4.1.2 `from_openapi` on the same document and the same nginx URL
#   everything     @modelcontextprotocol/server-everything (Node), tools/call echo in a session
#   everything-pt  the same through toolgate's passthrough
# then the memory of SESSIONS idle MCP sessions on toolgate serve (bench/suite/sessions.py),
# then the OpenAPI import (bench/run.sh, which writes its own section), and writes the section
# between <!-- suite:start --> and <!-- suite:end --> of docs/benchmarks.md and the chart
# docs/benchmarks-throughput.svg (bench/suite/report.py).
#
# Environment:
#   DURATION=10        seconds of each measured run
#   WARMUP=2           seconds of the warm-up run before each measured run (not reported)
#   ROUNDS=3           rounds at the table's concurrencies (1 and 32)
#   LEVELS="1 4 8 16 32"  concurrencies; those other than 1 and 32 get one round (the chart)
#   CONFIGS="…"        a subset of the configurations above (for trying the script)
#   SESSIONS=10000     idle sessions to open (0: skip)
#   PEER_SESSIONS=1    also open them on FastMCP (stateful) for comparison (0: skip)
#   SKIP_IMPORT=1      do not run bench/run.sh (the import row then says "not measured")
#   SKIP_BUILD=1       use the existing target/release/toolgate
#   NO_DOCS=1          print the section instead of writing docs/benchmarks.md and the chart
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/.work"
raw="$work/raw"
logs="$work/logs"
rm -rf "$raw" "$logs" "$work/nginx-tmp"
mkdir -p "$raw" "$logs" "$work/nginx-tmp"
cd "$root"

duration="${DURATION:-10}"
warmup="${WARMUP:-2}"
rounds="${ROUNDS:-3}"
read -r -a levels <<<"${LEVELS:-1 4 8 16 32}"
table_levels=(1 32)
all_configs=(nginx hop noauth jwt introspection passthrough fastmcp everything everything-pt)
read -r -a configs <<<"${CONFIGS:-${all_configs[*]}}"
sessions="${SESSIONS:-10000}"
oidc="$root/tests/interop/oidc"
node22="$oidc/node_modules/.bin/node"
everything="$root/tests/remote/node_modules/@modelcontextprotocol/server-everything/dist/index.js"

die() {
  echo "bench/suite: $*" >&2
  exit 1
}
has() { [[ " ${configs[*]} " == *" $1 "* ]]; }
for c in "${configs[@]}"; do [[ " ${all_configs[*]} " == *" $c "* ]] || die "unknown configuration $c"; done

# --- tools -------------------------------------------------------------------------------------
apt_updated=""
apt_install() { # package…
  if [[ -z "$apt_updated" ]]; then
    echo "== apt-get update"
    timeout 600 apt-get update >>"$logs/apt.log" 2>&1 || { tail -n 20 "$logs/apt.log" >&2; die "apt-get update failed"; }
    apt_updated=1
  fi
  echo "== apt-get install -y $*"
  timeout 600 apt-get install -y "$@" >>"$logs/apt.log" 2>&1 || { tail -n 20 "$logs/apt.log" >&2; die "cannot install $*"; }
}
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
[[ -x /usr/bin/time ]] || missing+=(time)
[[ ${#missing[@]} -eq 0 ]] || apt_install "${missing[@]}"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
command -v python3 >/dev/null || die "python3 is missing"
command -v node >/dev/null || die "node is missing (server-everything runs on it)"

want="$(sha256sum "$oidc/package-lock.json" | cut -d' ' -f1)"
if [[ ! -x "$node22" || "$(cat "$oidc/node_modules/.oidc-stamp" 2>/dev/null || true)" != "$want" ]]; then
  echo "== tests/interop/oidc/selftest.sh (installs the OpenID provider)"
  timeout 900 bash "$oidc/selftest.sh" >"$logs/oidc-selftest.log" 2>&1 \
    || { tail -n 30 "$logs/oidc-selftest.log" >&2; die "tests/interop/oidc/selftest.sh failed"; }
fi
if [[ ! -f "$everything" ]]; then
  echo "== npm ci in tests/remote (server-everything)"
  (cd tests/remote && timeout 900 npm ci --no-fund --no-audit >"$logs/npm-remote.log" 2>&1) \
    || { tail -n 20 "$logs/npm-remote.log" >&2; die "npm ci in tests/remote failed"; }
fi
py="$(bash "$root/bench/fastmcp-venv.sh")"

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== cargo build --release -p toolgate"
  cargo build --release -p toolgate --locked
fi
bin="$root/target/release/toolgate"
[[ -x "$bin" ]] || die "no $bin"

# toolgate as shipped: its default log level, none of the caller's TOOLGATE_* settings.
clean_env=(env -u RUST_LOG -u TOOLGATE_CONFIG -u TOOLGATE_LISTEN -u TOOLGATE_LOG_FORMAT)

# --- processes ---------------------------------------------------------------------------------
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
taken=" "
free_port() {
  local p
  while :; do
    p="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    [[ "$taken" == *" $p "* ]] || break
  done
  taken+="$p "
  echo "$p"
}
wait_http() { # name pid url
  for _ in $(seq 1 300); do # up to ~60 s
    kill -0 "$2" 2>/dev/null || break
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$3" || true)" != 000 ]] && return 0
    sleep 0.2
  done
  tail -n 30 "$logs/$1.log" >&2 || true
  die "$1 did not answer on $3"
}
# A process's RSS and open file descriptors, for the report.
proc_stats() { # pid -> "rss_kib hwm_kib fds"
  local rss hwm fds
  rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status")"
  hwm="$(awk '/^VmHWM:/ {print $2}' "/proc/$1/status")"
  fds="$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
  echo "$rss $hwm $fds"
}

static_port="$(free_port)" hop_port="$(free_port)"
sed -e "s|@WORK@|$work|g" -e "s|@ROOT@|$root|g" -e "s|@STATIC@|$static_port|g" \
  -e "s|@HOP@|$hop_port|g" -e "s|@WORKERS@|${NGINX_WORKERS:-auto}|g" \
  "$here/nginx.conf.in" >"$work/nginx.conf"
"$nginx_bin" -q -t -c "$work/nginx.conf" -g 'daemon off;' >"$logs/nginx-test.log" 2>&1 \
  || { cat "$logs/nginx-test.log" >&2; die "nginx -t failed"; }
"$nginx_bin" -c "$work/nginx.conf" -g 'daemon off;' >"$logs/nginx.log" 2>&1 &
pids+=($!)
upstream="http://127.0.0.1:$static_port/v1"
wait_http nginx "${pids[-1]}" "$upstream/current.json"
echo "== nginx: $upstream/current.json, proxy_pass hop on $hop_port ($("$nginx_bin" -v 2>&1 | cut -d/ -f2))"

"$node22" "$oidc/provider.mjs" 0 >"$logs/provider.out" 2>"$logs/provider.log" &
pids+=($!)
provider_pid=$!
issuer=""
for _ in $(seq 1 100); do
  issuer="$(sed -n 's/^READY //p' "$logs/provider.out" | head -n 1)"
  [[ -n "$issuer" ]] && break
  kill -0 "$provider_pid" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$issuer" ]] || { tail -n 20 "$logs/provider.log" >&2; die "the OpenID provider printed no READY line"; }
echo "== OpenID provider: $issuer"

gw_port="$(free_port)"
base="http://127.0.0.1:$gw_port"
BENCH_LISTEN="127.0.0.1:$gw_port" BENCH_UPSTREAM="$upstream" BENCH_ISSUER="$issuer" BENCH_BASE="$base" \
  "${clean_env[@]}" "$bin" serve -c "$here/gateway.yaml" >"$logs/gateway.log" 2>&1 &
pids+=($!)
gateway_pid=$!
wait_http gateway "$gateway_pid" "$base/weather/mcp"
echo "== toolgate serve -c bench/suite/gateway.yaml: $base (pid $gateway_pid)"

ev_port="$(free_port)"
PORT="$ev_port" node --require "$here/loopback.cjs" "$everything" streamableHttp >/dev/null 2>"$logs/everything.log" &
pids+=($!)
wait_http everything "${pids[-1]}" "http://127.0.0.1:$ev_port/mcp"
echo "== server-everything: http://127.0.0.1:$ev_port/mcp (node $(node --version))"

pt_port="$(free_port)"
BENCH_PT_LISTEN="127.0.0.1:$pt_port" BENCH_PT_UPSTREAM="$base/weather/mcp" \
  BENCH_PT_EVERYTHING="http://127.0.0.1:$ev_port/mcp" \
  "${clean_env[@]}" "$bin" serve -c "$here/passthrough.yaml" >"$logs/passthrough.log" 2>&1 &
pids+=($!)
pt_pid=$!
wait_http passthrough "$pt_pid" "http://127.0.0.1:$pt_port/weather/mcp"
echo "== toolgate serve -c bench/suite/passthrough.yaml: http://127.0.0.1:$pt_port (pid $pt_pid)"

fm_port="$(free_port)"
"$py" "$here/fastmcp_serve.py" "$root/openapi-specs/weatherapi.yaml" --base-url "$upstream" \
  --port "$fm_port" >"$logs/fastmcp.out" 2>"$logs/fastmcp.log" &
pids+=($!)
fm_pid=$!
wait_http fastmcp "$fm_pid" "http://127.0.0.1:$fm_port/mcp"
fm_tool="$(awk '/^READY/ {print $3}' "$logs/fastmcp.out")"
[[ -n "$fm_tool" ]] || die "FastMCP printed no tool name"
echo "== FastMCP from_openapi: http://127.0.0.1:$fm_port/mcp, tool $fm_tool (pid $fm_pid)"

# --- tokens and sessions -------------------------------------------------------------------------
jwt="$("$node22" "$oidc/token.mjs" "$issuer" mcp-cc mcp-cc-secret "$base/jwt/mcp" 2>>"$logs/token.log")" \
  || { cat "$logs/token.log" >&2; die "no JWT from the provider"; }
opaque="$("$node22" "$oidc/token.mjs" "$issuer" mcp-cc mcp-cc-secret "$base/introspection/mcp?opaque=1" 2>>"$logs/token.log")" \
  || { cat "$logs/token.log" >&2; die "no opaque token from the provider"; }
[[ "$jwt" == *.*.* && "$opaque" != *.*.* ]] || die "unexpected token shapes"

# open_session URL -> Mcp-Session-Id after initialize + notifications/initialized
open_session() {
  local heads="$raw/session-headers" sid
  curl -sS --max-time 10 -o /dev/null -D "$heads" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    --data '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}' \
    "$1"
  sid="$(grep -i '^mcp-session-id:' "$heads" | head -n 1 | cut -d' ' -f2 | tr -d '\r\n')"
  [[ -n "$sid" ]] || die "no session id from $1: $(head -n 1 "$heads")"
  curl -sS --max-time 10 -o /dev/null -H "Mcp-Session-Id: $sid" -H 'Mcp-Protocol-Version: 2025-11-25' \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    --data '{"jsonrpc":"2.0","method":"notifications/initialized"}' "$1"
  echo "$sid"
}

# What each configuration is: URL, wrk script and its arguments.
declare -A url script args
url[nginx]="$upstream/current.json?q=London&key=bench"
url[hop]="http://127.0.0.1:$hop_port/v1/current.json?q=London&key=bench"
url[noauth]="$base/weather/mcp"
url[jwt]="$base/jwt/mcp"
url[introspection]="$base/introspection/mcp"
url[passthrough]="http://127.0.0.1:$pt_port/weather/mcp"
url[fastmcp]="http://127.0.0.1:$fm_port/mcp"
url[everything]="http://127.0.0.1:$ev_port/mcp"
url[everything-pt]="http://127.0.0.1:$pt_port/everything/mcp"
tools_call="$root/bench/mcp/tools-call.lua" echo_lua="$root/bench/passthrough/echo.lua"
for cfg in nginx hop; do script[$cfg]="$tools_call" args[$cfg]="get"; done
for cfg in noauth passthrough; do script[$cfg]="$tools_call" args[$cfg]="mcp ''"; done
script[jwt]="$tools_call" args[jwt]="mcp $jwt"
script[introspection]="$tools_call" args[introspection]="mcp $opaque"
script[fastmcp]="$tools_call" args[fastmcp]="mcp '' $fm_tool q"
if has everything || has everything-pt; then
  script[everything]="$echo_lua" args[everything]="$(open_session "${url[everything]}")"
  script[everything-pt]="$echo_lua" args[everything-pt]="$(open_session "${url[everything-pt]}")"
fi

# --- one request each with curl: the answer the load runs count as good ----------------------
for cfg in "${configs[@]}"; do
  out="$logs/curl-$cfg.txt"
  case "$cfg" in
    nginx | hop) curl -sS --max-time 10 -i "${url[$cfg]}" >"$out" ;;
    everything | everything-pt)
      curl -sS --max-time 10 -i -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H "Mcp-Session-Id: ${args[$cfg]}" -H 'Mcp-Protocol-Version: 2025-11-25' \
        --data '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"bench"}}}' \
        "${url[$cfg]}" >"$out"
      ;;
    *)
      tool=realtime-api arg=query_q auth=()
      [[ "$cfg" == fastmcp ]] && tool="$fm_tool" arg=q
      [[ "$cfg" == jwt ]] && auth=(-H "Authorization: Bearer $jwt")
      [[ "$cfg" == introspection ]] && auth=(-H "Authorization: Bearer $opaque")
      curl -sS --max-time 10 -i -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H 'Mcp-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H "Mcp-Name: $tool" "${auth[@]}" \
        --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"$tool\",\"arguments\":{\"$arg\":\"London\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"curl\",\"version\":\"1\"},\"io.modelcontextprotocol/clientCapabilities\":{}}}}" \
        "${url[$cfg]}" >"$out"
      ;;
  esac
  status="$(head -n 1 "$out" | tr -d '\r')"
  want='"London"'
  [[ "$cfg" == everything* ]] && want='Echo: bench'
  if [[ "$status" != *" 200"* ]] || ! grep -q "$want" "$out" || grep -q '"isError":true' "$out"; then
    head -c 2000 "$out" >&2
    die "curl check of $cfg failed (above)"
  fi
  echo "   curl $cfg: $status, $(grep -i '^content-type:' "$out" | head -n 1 | tr -d '\r' | cut -d' ' -f2-)"
done
for cfg in jwt introspection; do
  has "$cfg" || continue
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' --data '{}' "${url[$cfg]}")"
  [[ "$code" == 401 ]] || die "$cfg answered HTTP $code without a token, not 401"
done

# --- load ----------------------------------------------------------------------------------------
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
run_wrk() { # cfg c seconds out
  local cfg="$1" c="$2" secs="$3" out="$4" threads=$(($2 < 2 ? $2 : 2))
  local a
  eval "a=(${args[$cfg]})"
  timeout $((secs + 60)) wrk -t"$threads" -c"$c" -d"${secs}s" --timeout 5s --latency -s "${script[$cfg]}" \
    "${url[$cfg]}" -- "${a[@]}" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed ($cfg, c=$c)"; }
  grep -qE '^(MCPLOAD|PASSLOAD) ' "$out" || { cat "$out" >&2; die "wrk printed no result line ($cfg, c=$c)"; }
}
load_start="$(load_avg)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
echo "== load: ${configs[*]} at ${levels[*]} connections; ${warmup} s warm-up + ${duration} s each; $rounds rounds at 1 and 32 (load $load_start)"
for round in $(seq 1 "$rounds"); do
  for c in "${levels[@]}"; do
    if [[ " ${table_levels[*]} " != *" $c "* && "$round" -gt 1 ]]; then continue; fi
    for cfg in "${configs[@]}"; do
      run_wrk "$cfg" "$c" "$warmup" "$raw/warmup.txt"
      f="$raw/$cfg-c$c-r$round.txt"
      run_wrk "$cfg" "$c" "$duration" "$f"
      echo "load_after $(load_avg)" >>"$f"
      python3 "$here/report.py" --line "$f" "round $round $cfg c=$c"
    done
  done
done
load_end="$(load_avg)"
proc_stats "$gateway_pid" >"$raw/proc-gateway.txt"
proc_stats "$pt_pid" >"$raw/proc-passthrough.txt"
proc_stats "$fm_pid" >"$raw/proc-fastmcp.txt"

# --- idle sessions --------------------------------------------------------------------------------
if [[ "$sessions" -gt 0 ]]; then
  ss_port="$(free_port)"
  BENCH_SESSIONS_LISTEN="127.0.0.1:$ss_port" BENCH_UPSTREAM="$upstream" \
    "${clean_env[@]}" "$bin" serve -c "$here/sessions.yaml" >"$logs/sessions.log" 2>&1 &
  pids+=($!)
  ss_pid=$!
  wait_http sessions "$ss_pid" "http://127.0.0.1:$ss_port/weather/mcp"
  echo "== $sessions idle sessions on toolgate serve -c bench/suite/sessions.yaml (pid $ss_pid)"
  python3 "$here/sessions.py" "http://127.0.0.1:$ss_port/weather/mcp" "$ss_pid" --count "$sessions" \
    --settle 5 --out "$raw/sessions-toolgate.json"
  stop "$ss_pid"
  if [[ "${PEER_SESSIONS:-1}" == 1 ]]; then
    fs_port="$(free_port)"
    "$py" "$here/fastmcp_serve.py" "$root/openapi-specs/weatherapi.yaml" --base-url "$upstream" \
      --port "$fs_port" --stateful >"$logs/fastmcp-sessions.out" 2>"$logs/fastmcp-sessions.log" &
    pids+=($!)
    fs_pid=$!
    wait_http fastmcp-sessions "$fs_pid" "http://127.0.0.1:$fs_port/mcp"
    echo "== $sessions idle sessions on FastMCP (stateful, pid $fs_pid)"
    python3 "$here/sessions.py" "http://127.0.0.1:$fs_port/mcp" "$fs_pid" --count "$sessions" \
      --settle 5 --out "$raw/sessions-fastmcp.json" || echo "   (FastMCP sessions run failed; see the log)"
    stop "$fs_pid"
  fi
fi

# --- the machine and the versions ----------------------------------------------------------------
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$root" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
  commit="$commit (with uncommitted changes in crates/)"
fi
python3 - "$raw/meta.json" <<EOF
import json, sys
json.dump({
    "date": "$started",
    "load_start": "$load_start",
    "load_end": "$load_end",
    "nproc": "$(nproc)",
    "cpu": "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')",
    "mem": "$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)",
    "kernel": "$(uname -sr)",
    "toolgate": "$("$bin" --version)",
    "commit": "$commit",
    "rustc": "$(rustc --version)",
    "nginx": "$("$nginx_bin" -v 2>&1 | cut -d/ -f2)",
    "wrk": "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f2)",
    "python": "$("$py" -c 'import platform; print(platform.python_version())')",
    "fastmcp": "$("$py" -c 'import importlib.metadata as m; print(m.version("fastmcp"))')",
    "mcp": "$("$py" -c 'import importlib.metadata as m; print(m.version("mcp"))')",
    "uvicorn": "$("$py" -c 'import importlib.metadata as m; print(m.version("uvicorn"))')",
    "node": "$(node --version)",
    "node22": "$("$node22" --version)",
    "everything": "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$(dirname "$everything")/../package.json")",
    "oidc_provider": "$("$node22" -p 'require(process.argv[1]).version' "$oidc/node_modules/oidc-provider/package.json")",
    "duration": $duration,
    "warmup": $warmup,
    "rounds": $rounds,
    "levels": [$(IFS=,; echo "${levels[*]}")],
    "table_levels": [$(IFS=,; echo "${table_levels[*]}")],
    "configs": $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${configs[@]}"),
    "sessions": $sessions,
}, open(sys.argv[1], "w"), indent=1)
EOF

cleanup
pids=()

# --- OpenAPI import (its own section; the suite's table quotes it) --------------------------------
if [[ "${SKIP_IMPORT:-}" != 1 ]]; then
  echo "== OpenAPI import: bench/run.sh"
  SKIP_BUILD=1 bash "$root/bench/run.sh"
  mkdir -p "$raw/import"
  cp "$root/bench/.work/raw/"{toolgate-github.tsv,fastmcp-github.tsv,toolgate-weatherapi.tsv,fastmcp-weatherapi.tsv,meta.json} \
    "$raw/import/"
fi

if [[ "${NO_DOCS:-}" == 1 ]]; then
  python3 "$here/report.py" "$raw" -
else
  python3 "$here/report.py" "$raw" "$root/docs/benchmarks.md" --svg "$root/docs/benchmarks-throughput.svg"
fi
