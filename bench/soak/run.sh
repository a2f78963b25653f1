#!/usr/bin/env bash
# The soak run (`just soak`; not part of tests/all.sh or CI). Loopback only, bounded.
#
# Keeps `toolgate serve -c bench/soak/soak.yaml` under mixed authenticated traffic for
# SOAK_DURATION seconds (default 600): wrk with soak.lua, one connection per thread, each
# walking a cycle of JWT, opaque-token (introspection) and API-key tools/calls, tools/list,
# requests without or with a bad token (which must get 401), a tool call the consumer's group
# is denied (which must get -32602), and a whole stateful session (initialize, initialized,
# tools/call, DELETE). The traffic runs in consecutive wrk segments of SOAK_SEGMENT seconds
# (new connections each time); a sampler reads the gateway's RSS, open file descriptors and
# threads from /proc every SOAK_INTERVAL seconds. Then bench/soak/report.py writes
# docs/soak.md and its chart docs/soak.svg: RSS and descriptors over time, requests and
# failures per segment and per kind of request.
#
# Environment:
#   SOAK_DURATION=600   seconds of traffic (the run stops by itself after it)
#   SOAK_SEGMENT=30     seconds per wrk segment
#   SOAK_INTERVAL=5     seconds between samples
#   SOAK_CONNECTIONS=4  connections (= wrk threads)
#   SOAK_STEPS=a,b      only these steps of soak.lua's cycle (diagnosis; default: all)
#   SKIP_BUILD=1        use the existing target/release/toolgate
#   NO_DOCS=1           print the report instead of writing docs/soak.md
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/.work"
raw="$work/raw"
logs="$work/logs"
rm -rf "$raw" "$logs" "$work/nginx-tmp"
mkdir -p "$raw" "$logs" "$work/nginx-tmp"
cd "$root"

duration="${SOAK_DURATION:-600}"
segment="${SOAK_SEGMENT:-30}"
interval="${SOAK_INTERVAL:-5}"
conns="${SOAK_CONNECTIONS:-4}"
oidc="$root/tests/interop/oidc"
node22="$oidc/node_modules/.bin/node"

die() {
  echo "bench/soak: $*" >&2
  exit 1
}
[[ "$duration" =~ ^[0-9]+$ && "$duration" -ge 1 && "$duration" -le 86400 ]] || die "SOAK_DURATION must be 1..86400 seconds"
[[ "$segment" =~ ^[0-9]+$ && "$segment" -ge 1 ]] || die "SOAK_SEGMENT must be a positive number of seconds"
[[ "$interval" =~ ^[0-9]+$ && "$interval" -ge 1 ]] || die "SOAK_INTERVAL must be a positive number of seconds"

# --- tools -------------------------------------------------------------------------------------
apt_updated=""
apt_install() {
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
[[ ${#missing[@]} -eq 0 ]] || apt_install "${missing[@]}"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
command -v python3 >/dev/null || die "python3 is missing"
want="$(sha256sum "$oidc/package-lock.json" | cut -d' ' -f1)"
if [[ ! -x "$node22" || "$(cat "$oidc/node_modules/.oidc-stamp" 2>/dev/null || true)" != "$want" ]]; then
  echo "== tests/interop/oidc/selftest.sh (installs the OpenID provider)"
  timeout 900 bash "$oidc/selftest.sh" >"$logs/oidc-selftest.log" 2>&1 \
    || { tail -n 30 "$logs/oidc-selftest.log" >&2; die "tests/interop/oidc/selftest.sh failed"; }
fi
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== cargo build --release -p toolgate"
  cargo build --release -p toolgate --locked
fi
bin="$root/target/release/toolgate"
[[ -x "$bin" ]] || die "no $bin"

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
  for _ in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || break
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$3" || true)" != 000 ]] && return 0
    sleep 0.2
  done
  tail -n 30 "$logs/$1.log" >&2 || true
  die "$1 did not answer on $3"
}

static_port="$(free_port)" hop_port="$(free_port)"
sed -e "s|@WORK@|$work|g" -e "s|@ROOT@|$root|g" -e "s|@STATIC@|$static_port|g" \
  -e "s|@HOP@|$hop_port|g" -e "s|@WORKERS@|1|g" \
  "$root/bench/suite/nginx.conf.in" >"$work/nginx.conf"
"$nginx_bin" -c "$work/nginx.conf" -g 'daemon off;' >"$logs/nginx.log" 2>&1 &
pids+=($!)
upstream="http://127.0.0.1:$static_port/v1"
wait_http nginx "${pids[-1]}" "$upstream/current.json"

"$node22" "$oidc/provider.mjs" 0 >"$logs/provider.out" 2>"$logs/provider.log" &
pids+=($!)
issuer=""
for _ in $(seq 1 100); do
  issuer="$(sed -n 's/^READY //p' "$logs/provider.out" | head -n 1)"
  [[ -n "$issuer" ]] && break
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$issuer" ]] || { tail -n 20 "$logs/provider.log" >&2; die "the OpenID provider printed no READY line"; }

port="$(free_port)"
resource="http://127.0.0.1:$port/weather/mcp"
alice_key="soak-alice-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
bob_key="soak-bob-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
SOAK_LISTEN="127.0.0.1:$port" SOAK_UPSTREAM="$upstream" SOAK_ISSUER="$issuer" SOAK_RESOURCE="$resource" \
  ALICE_API_KEY="$alice_key" BOB_API_KEY="$bob_key" \
  env -u RUST_LOG -u TOOLGATE_CONFIG -u TOOLGATE_LISTEN -u TOOLGATE_LOG_FORMAT \
  "$bin" serve -c "$here/soak.yaml" >"$logs/gateway.log" 2>&1 &
pids+=($!)
gw=$!
wait_http gateway "$gw" "$resource"
echo "== toolgate serve -c bench/soak/soak.yaml: $resource (pid $gw); nginx $upstream; provider $issuer"

jwt="$("$node22" "$oidc/token.mjs" "$issuer" mcp-cc mcp-cc-secret "$resource" 2>>"$logs/token.log")" \
  || { cat "$logs/token.log" >&2; die "no JWT from the provider"; }
opaque="$("$node22" "$oidc/token.mjs" "$issuer" mcp-cc mcp-cc-secret "$resource?opaque=1" 2>>"$logs/token.log")" \
  || { cat "$logs/token.log" >&2; die "no opaque token from the provider"; }

# One short segment first, to check every step succeeds before the long run.
wrk -t1 -c1 -d2s --timeout 5s -s "$here/soak.lua" "$resource" -- "$jwt" "$opaque" "$alice_key" "$bob_key" "${SOAK_STEPS:-}" \
  >"$raw/check.txt" 2>&1 || { cat "$raw/check.txt" >&2; die "wrk failed"; }
python3 "$here/report.py" --check "$raw/check.txt" || die "the check segment had failures (above)"

# --- the soak ------------------------------------------------------------------------------------
sample() { # elapsed
  local rss fds threads
  rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$gw/status" 2>/dev/null || echo 0)"
  threads="$(awk '/^Threads:/ {print $2}' "/proc/$gw/status" 2>/dev/null || echo 0)"
  fds="$(find "/proc/$gw/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
  echo "$1 $rss $fds $threads $(cut -d' ' -f1 /proc/loadavg)" >>"$raw/samples.txt"
}
start=$(date +%s)
deadline=$((start + duration))
: >"$raw/samples.txt"
sample 0
(
  # The sampler: bounded by the deadline (plus a margin for the last segment), and stops
  # early when the gateway exits.
  while [[ $(date +%s) -le $((deadline + segment + 10)) ]] && kill -0 "$gw" 2>/dev/null; do
    sleep "$interval"
    [[ -f "$raw/done" ]] && break
    sample $(($(date +%s) - start))
  done
) &
sampler=$!
pids+=("$sampler")
echo "== soak: ${duration} s of traffic in ${segment} s segments, $conns connections; samples every ${interval} s (load $(cut -d' ' -f1-3 /proc/loadavg))"
n=0
while :; do
  now=$(date +%s)
  left=$((deadline - now))
  [[ $left -gt 0 ]] || break
  secs=$((left < segment ? left : segment))
  n=$((n + 1))
  f="$raw/segment-$(printf '%04d' "$n").txt"
  echo "start $((now - start))" >"$f"
  timeout $((secs + 60)) wrk -t"$conns" -c"$conns" -d"${secs}s" --timeout 5s -s "$here/soak.lua" "$resource" -- \
    "$jwt" "$opaque" "$alice_key" "$bob_key" "${SOAK_STEPS:-}" >>"$f" 2>&1 || { cat "$f" >&2; die "wrk failed in segment $n"; }
  kill -0 "$gw" 2>/dev/null || die "the gateway exited during segment $n"
  python3 "$here/report.py" --line "$f" "$n" "$(tail -n 1 "$raw/samples.txt")"
done
touch "$raw/done"
wait "$sampler" 2>/dev/null || true
sample $(($(date +%s) - start))
# The gateway's WARN and ERROR lines, grouped by message (ids, sessions and numbers elided).
sed 's/\x1b\[[0-9;]*m//g' "$logs/gateway.log" | grep -E ' (WARN|ERROR) ' \
  | sed -E 's/^[^ ]+ +//; s/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/…/g; s/[0-9]+/N/g' | cut -c1-200 \
  | sort | uniq -c | sort -rn | head -n 10 | sed -E 's/^ *//' >"$raw/warnings.txt" || true
fd_limit="$(awk '/^Max open files/ {print $4}' "/proc/$gw/limits")"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$root" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
  commit="$commit (with uncommitted changes in crates/)"
fi
python3 - "$raw/meta.json" <<EOF
import json, sys
json.dump({
    "date": "$(date -u -d "@$start" '+%Y-%m-%d %H:%M UTC')",
    "duration": $duration,
    "segment": $segment,
    "interval": $interval,
    "connections": $conns,
    "nproc": "$(nproc)",
    "cpu": "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')",
    "mem": "$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)",
    "kernel": "$(uname -sr)",
    "toolgate": "$("$bin" --version)",
    "commit": "$commit",
    "rustc": "$(rustc --version)",
    "wrk": "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f2)",
    "oidc_provider": "$("$node22" -p 'require(process.argv[1]).version' "$oidc/node_modules/oidc-provider/package.json")",
    "fd_limit": "$fd_limit",
    "skip_build": $([[ "${SKIP_BUILD:-}" == 1 ]] && echo True || echo False),
    "built": "$(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC')",
    "gateway_log_lines": $(wc -l <"$logs/gateway.log"),
    "gateway_warnings": $(sed 's/\x1b\[[0-9;]*m//g' "$logs/gateway.log" | grep -cE ' (WARN|ERROR) ' || true),
}, open(sys.argv[1], "w"), indent=1)
EOF
cleanup
pids=()

if [[ "${NO_DOCS:-}" == 1 ]]; then
  python3 "$here/report.py" "$raw" -
else
  python3 "$here/report.py" "$raw" "$root/docs/soak.md" --svg "$root/docs/soak.svg"
fi
