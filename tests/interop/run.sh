#!/usr/bin/env bash
# Interop: real MCP clients nobody here wrote against the toolgate weather server, over
# streamable HTTP and over stdio. See README.md beside this file.
#
#   tests/interop/run.sh                   # every client
#   tests/interop/run.sh ts-sdk py-sdk2    # some of: inspector ts-sdk py-sdk2 py-sdk1
#
# Environment:
#   WEATHER_BIN   the weather binary (default: target/debug/weather under the repo root)
#   WEATHER_URL   test this already-running server over HTTP instead of starting one
#   PYTHON        interpreter the venvs are made from (default: python3, needs >= 3.10)
#
# Ends with one line `N passed, N failed`; exits non-zero if anything failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/.work"
logs="$work/logs"
mkdir -p "$logs"

all_clients=(inspector ts-sdk py-sdk2 py-sdk1)
clients=("$@")
[[ $# -gt 0 ]] || clients=("${all_clients[@]}")
for c in "${clients[@]}"; do
  case " ${all_clients[*]} " in *" $c "*) ;; *) echo "unknown client '$c' (known: ${all_clients[*]})" >&2; exit 2 ;; esac
done
wants() { case " ${clients[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# A setup failure is one failed check, so the run still ends with the summary line.
die() {
  echo "FAIL setup: $*"
  echo "0 passed, 1 failed"
  exit 1
}

bin="${WEATHER_BIN:-target/debug/weather}"
if [[ "$bin" != /* ]]; then
  if [[ -n "${WEATHER_BIN:-}" && -e "$PWD/$bin" ]]; then bin="$PWD/$bin"; else bin="$root/$bin"; fi
fi
[[ -x "$bin" ]] || die "weather binary not found at $bin: build it (cargo build -p toolgate-weather) or set WEATHER_BIN"

# --- install (idempotent: a stamp holds the hash of what was installed) ----------------------
stamp_ok() { [[ -f "$1" ]] && [[ "$(cat "$1")" == "$(sha256sum "$2" | cut -d' ' -f1)" ]]; }
stamp() { sha256sum "$2" | cut -d' ' -f1 >"$1"; }

node="$here/node_modules/.bin/node"
if wants inspector || wants ts-sdk; then
  if ! stamp_ok "$here/node_modules/.interop-stamp" "$here/package-lock.json" || [[ ! -x "$node" ]]; then
    echo "== npm ci (tests/interop)"
    (cd "$here" && timeout 600 npm ci --no-audit --no-fund >"$logs/npm-ci.log" 2>&1) \
      || { tail -n 30 "$logs/npm-ci.log" >&2; die "npm ci failed"; }
    stamp "$here/node_modules/.interop-stamp" "$here/package-lock.json"
  fi
  "$node" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)' \
    || die "node_modules/.bin/node is $("$node" --version); the Inspector needs >= 22.19"
fi

python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
  || die "$python is missing or older than 3.10 (set PYTHON)"
for major in 2 1; do
  wants "py-sdk$major" || continue
  venv="$work/venv-mcp$major" req="$here/requirements-mcp$major.txt"
  if ! stamp_ok "$venv/.interop-stamp" "$req" || [[ ! -x "$venv/bin/python" ]]; then
    echo "== venv for mcp $major.x"
    rm -rf "$venv"
    "$python" -m venv "$venv" || die "$python -m venv failed"
    timeout 600 "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >"$logs/pip-mcp$major.log" 2>&1 \
      || { tail -n 30 "$logs/pip-mcp$major.log" >&2; die "pip install -r $req failed"; }
    stamp "$venv/.interop-stamp" "$req"
  fi
done

# --- the server under test ----------------------------------------------------------------
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] || return 0
  kill "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do # up to ~5 s for a graceful stop, then SIGKILL
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

if [[ -n "${WEATHER_URL:-}" ]]; then
  url="$WEATHER_URL"
else
  port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  url="http://127.0.0.1:$port/weather/mcp"
  "$bin" --demo --listen "127.0.0.1:$port" >"$logs/weather-http.log" 2>&1 &
  server_pid=$!
  ready=""
  for _ in $(seq 1 150); do # up to ~30 s
    kill -0 "$server_pid" 2>/dev/null || break
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST "$url" \
      -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
      -d '{"jsonrpc":"2.0","id":0,"method":"ping"}' || true)"
    if [[ "$code" != "000" ]]; then ready=1; break; fi
    sleep 0.2
  done
  if [[ -z "$ready" ]]; then
    tail -n 30 "$logs/weather-http.log" >&2
    die "weather server did not answer on $url (its log is above)"
  fi
fi
echo "== server: $url${server_pid:+ (log: $logs/weather-http.log)}"
stdio_cmd=("$bin" --demo --stdio)

# --- the clients ---------------------------------------------------------------------------
passed=0 failed=0
run_client() { # name transport command...
  local name="$1" transport="$2"
  shift 2
  local out="$logs/$name-$transport.out" err="$logs/$name-$transport.err" rc=0
  timeout 300 "$@" >"$out" 2>"$err" </dev/null || rc=$?
  cat "$out"
  local ok bad
  ok="$(grep -c '^ok  ' "$out" || true)"
  bad="$(grep -c '^FAIL ' "$out" || true)"
  if [[ "$bad" -eq 0 && ("$rc" -ne 0 || "$ok" -eq 0) ]]; then
    echo "FAIL $name $transport run: exit $rc after $ok passed checks and no failed one"
    bad=$((bad + 1))
  fi
  if [[ "$bad" -ne 0 && -s "$err" ]]; then
    echo "   --- $name $transport stderr (last lines) ---"
    tail -n 15 "$err" | sed 's/^/   /'
  fi
  passed=$((passed + ok))
  failed=$((failed + bad))
}

for transport in http stdio; do
  if [[ "$transport" == http ]]; then target=("$url"); else target=("${stdio_cmd[@]}"); fi
  # PATH first holds Node 22, so the Inspector and the SDK run on it.
  wants inspector && run_client inspector "$transport" env PATH="$here/node_modules/.bin:$PATH" \
    "$node" "$here/inspector-cli.mjs" "$transport" "${target[@]}"
  wants ts-sdk && run_client ts-sdk "$transport" env PATH="$here/node_modules/.bin:$PATH" \
    "$node" "$here/ts-sdk-client.mjs" "$transport" "${target[@]}"
  for major in 2 1; do
    wants "py-sdk$major" && run_client "py-sdk$major" "$transport" \
      "$work/venv-mcp$major/bin/python" "$here/python-client.py" "$transport" "${target[@]}"
  done
done

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
