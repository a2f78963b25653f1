#!/usr/bin/env bash
# OAuth interop: the weather server as an OAuth 2.1 resource server, with tokens from a real
# OpenID provider (provider.mjs, npm oidc-provider) and real MCP clients (TypeScript SDK,
# Python SDK 2.x and 1.x). See README.md beside this file.
#
#   tests/interop/oidc/run.sh
#
# Environment:
#   WEATHER_BIN   the weather binary (default: target/debug/weather under the repo root)
#   PYTHON        interpreter the venvs are made from (default: python3, needs >= 3.10)
#
# Ends with one line `N passed, N failed`; exits non-zero if anything failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
interop="$(cd "$here/.." && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="$here/.work"
logs="$work/logs"
mkdir -p "$logs"
rm -f "$logs/token-errors.log"

passed=0 failed=0
ok() { echo "ok  $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { # what expected actual
  if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}
die() {
  echo "FAIL setup: $*"
  echo "$passed passed, $((failed + 1)) failed"
  exit 1
}

bin="${WEATHER_BIN:-target/debug/weather}"
if [[ "$bin" != /* ]]; then
  if [[ -n "${WEATHER_BIN:-}" && -e "$PWD/$bin" ]]; then bin="$PWD/$bin"; else bin="$root/$bin"; fi
fi
[[ -x "$bin" ]] || die "weather binary not found at $bin: build it (cargo build -p toolgate-weather) or set WEATHER_BIN"
help="$("$bin" --help 2>&1 || true)"
for flag in --issuer --resource --introspection-endpoint --client-id --client-secret; do
  [[ "$help" == *"$flag"* ]] || die "$bin --help lists no $flag: this weather server is not an OAuth resource server yet"
done

# --- install (idempotent: each stamp holds the hash of what was installed) -------------------
stamp_ok() { [[ -f "$1" ]] && [[ "$(cat "$1")" == "$(sha256sum "$2" | cut -d' ' -f1)" ]]; }
stamp() { sha256sum "$2" | cut -d' ' -f1 >"$1"; }
npm_ci() { # dir stamp-name
  if ! stamp_ok "$1/node_modules/$2" "$1/package-lock.json" || [[ ! -x "$1/node_modules/.bin/node" ]]; then
    echo "== npm ci (${1#"$root/"})"
    (cd "$1" && timeout 600 npm ci --no-audit --no-fund >"$logs/npm-ci-$2.log" 2>&1) \
      || { tail -n 30 "$logs/npm-ci-$2.log" >&2; die "npm ci in $1 failed"; }
    stamp "$1/node_modules/$2" "$1/package-lock.json"
  fi
}
npm_ci "$here" .oidc-stamp
npm_ci "$interop" .interop-stamp # the TypeScript SDK; the same stamp as tests/interop/run.sh
node="$here/node_modules/.bin/node"
"$node" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' || die "$node is not Node 22"

python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || die "$python is missing or older than 3.10 (set PYTHON)"
for major in 2 1; do # the venvs of tests/interop/run.sh, made the same way when missing
  venv="$interop/.work/venv-mcp$major" req="$interop/requirements-mcp$major.txt"
  if ! stamp_ok "$venv/.interop-stamp" "$req" || [[ ! -x "$venv/bin/python" ]]; then
    echo "== venv for mcp $major.x"
    rm -rf "$venv"
    "$python" -m venv "$venv" || die "$python -m venv failed"
    timeout 600 "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >"$logs/pip-mcp$major.log" 2>&1 \
      || { tail -n 30 "$logs/pip-mcp$major.log" >&2; die "pip install -r $req failed"; }
    stamp "$venv/.interop-stamp" "$req"
  fi
done

# --- processes: the provider and two weather servers --------------------------------------------
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
free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Emptied here, not by the redirection below: that one runs in the child, maybe after the
# first look for READY, which would then read the previous run's line.
: >"$logs/provider.out"
"$node" "$here/provider.mjs" 0 >"$logs/provider.out" 2>"$logs/provider.log" &
pids+=($!)
issuer=""
for _ in $(seq 1 100); do # up to ~20 s
  issuer="$(sed -n 's/^READY //p' "$logs/provider.out" | head -n 1)"
  [[ -n "$issuer" ]] && break
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$issuer" ]] || { tail -n 20 "$logs/provider.log" >&2; die "the provider printed no READY line"; }
echo "== provider: $issuer (log: $logs/provider.log)"

start_weather() { # name port extra-args...
  local name="$1" port="$2"
  shift 2
  local url="http://127.0.0.1:$port/weather/mcp"
  "$bin" --demo --listen "127.0.0.1:$port" --resource "$url" --issuer "$issuer" "$@" >"$logs/weather-$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 150); do # up to ~30 s
    kill -0 "$pid" 2>/dev/null || break
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST "$url" -H 'content-type: application/json' \
      -H 'accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":0,"method":"ping"}' || true)"
    if [[ "$code" != "000" ]]; then
      echo "== weather ($name): $url (log: $logs/weather-$name.log)"
      return 0
    fi
    sleep 0.2
  done
  tail -n 30 "$logs/weather-$name.log" >&2
  die "weather server '$name' did not answer on $url (its log is above)"
}
# Three servers: JWTs checked against the JWKS its issuer's metadata names; opaque tokens
# introspected at a configured endpoint (client_secret_basic); and introspection found by
# discovery, with client_secret_post and a required scope.
ports=()
while [[ ${#ports[@]} -lt 3 ]]; do # three distinct free ports
  p="$(free_port)"
  [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
jwt_url="http://127.0.0.1:${ports[0]}/weather/mcp"
intro_url="http://127.0.0.1:${ports[1]}/weather/mcp"
post_url="http://127.0.0.1:${ports[2]}/weather/mcp"
start_weather jwt "${ports[0]}"
start_weather introspection "${ports[1]}" --introspection-endpoint "$issuer/token/introspection" \
  --client-id toolgate-rs --client-secret toolgate-rs-secret
start_weather introspection-post "${ports[2]}" --client-id toolgate-rs-post --client-secret toolgate-rs-post-secret \
  --client-auth post --required-scope mcp:access

token() { # resource → prints the token, or nothing (the error goes to token-errors.log)
  "$node" "$here/token.mjs" "$issuer" mcp-cc mcp-cc-secret "$@" 2>>"$logs/token-errors.log" || true
}

# --- (a) the challenge and the Protected Resource Metadata --------------------------------------
call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"realtime-api","arguments":{"query_q":"London"}}}'
post() { # url [curl args...]: prints status, then the WWW-Authenticate value
  local url="$1"
  shift
  curl -s -D - -o /dev/null --max-time 10 -X POST "$url" -H 'content-type: application/json' \
    -H 'accept: application/json, text/event-stream' -d "$call" "$@" |
    tr -d '\r' | awk 'NR==1{print $2} tolower($1)=="www-authenticate:"{sub(/^[^:]*: */,""); print}'
}
for pair in "jwt $jwt_url" "introspection $intro_url" "introspection-post $post_url"; do
  name="${pair%% *}" url="${pair#* }"
  out="$(post "$url")"
  status="$(head -n 1 <<<"$out")" challenge="$(sed -n 2p <<<"$out")"
  check "$name: POST tools/call without a token is 401" "401" "$status"
  prm_url="$(sed -n 's/.*resource_metadata="\([^"]*\)".*/\1/p' <<<"$challenge")"
  check "$name: WWW-Authenticate is Bearer with resource_metadata" "Bearer yes" \
    "${challenge%% *} $([[ -n "$prm_url" ]] && echo yes || echo "no ($challenge)")"
  if [[ -n "$prm_url" ]]; then
    prm="$(curl -s -w '\n%{http_code} %{content_type}' --max-time 5 "$prm_url" || true)"
    check "$name: the PRM URL answers 200 JSON" "200 application/json" "$(tail -n 1 <<<"$prm" | cut -d';' -f1)"
    doc="$(sed '$d' <<<"$prm")"
    check "$name: PRM resource == the configured resource" "$url" \
      "$("$node" -e 'try { process.stdout.write(String(JSON.parse(process.argv[1]).resource)); } catch (e) { process.stdout.write(`unparseable: ${process.argv[1].slice(0, 200)}`); }' "$doc")"
    check "$name: PRM authorization_servers has the issuer" "true" \
      "$("$node" -e 'try { const a = JSON.parse(process.argv[1]).authorization_servers; process.stdout.write(String(Array.isArray(a) && a.some((s) => s.replace(/\/$/, "") === process.argv[2]))); } catch { process.stdout.write("unparseable"); }' "$doc" "$issuer")"
  fi
done

# --- tokens ----------------------------------------------------------------------------------------
jwt="$(token "$jwt_url")"
opaque="$(token "$intro_url?opaque=1")"
jwt_intro="$(token "$intro_url")"                 # a JWT for the server that introspects
jwt_other="$jwt_intro"                            # for the jwt server: a JWT for another resource
opaque_other="$(token "$jwt_url?opaque=1")"       # for the introspection server: another resource
opaque_revoked="$(token "$intro_url?opaque=1")"
opaque_post="$(token "$post_url?opaque=1")"
noscope_post="$(token "$post_url?opaque=1" '')"   # no scope, for the server that requires one
for name in jwt opaque jwt_intro opaque_other opaque_revoked opaque_post noscope_post; do
  [[ -n "${!name}" ]] || fail "token ($name) from the provider" "$(tail -n 1 "$logs/token-errors.log" 2>/dev/null)"
done
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -u mcp-cc:mcp-cc-secret "$issuer/token/revocation" \
  --data-urlencode "token=$opaque_revoked")"
check "revoking an unused opaque token" "200" "$code"

# --- (d) refusals, with plain HTTP ----------------------------------------------------------------
refused() { # what url token [status error]
  local out status challenge want_status="${4:-401}" want_error="${5:-invalid_token}"
  out="$(post "$2" -H "Authorization: Bearer $3")"
  status="$(head -n 1 <<<"$out")" challenge="$(sed -n 2p <<<"$out")"
  check "$1 is $want_status $want_error" "$want_status yes" \
    "$status $([[ "$challenge" == *"error=\"$want_error\""* ]] && echo yes || echo "no (WWW-Authenticate: $challenge)")"
}
accepted() { # what url token: an initialize with the token is answered 200
  local status
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$2" -H 'content-type: application/json' \
    -H 'accept: application/json, text/event-stream' -H "Authorization: Bearer $3" \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"0"}}}')"
  check "$1 is accepted (initialize 200)" "200" "$status"
}
refused "jwt: a JWT for another resource (wrong aud)" "$jwt_url" "$jwt_other"
refused "jwt: an opaque token (no introspection configured)" "$jwt_url" "$opaque_other"
refused "jwt: a token that is not one" "$jwt_url" "not-a-token"
refused "jwt: a JWT with a bad signature" "$jwt_url" "${jwt%.*}.$(printf 'x%.0s' $(seq 1 40))"
accepted "introspection: a JWT for its resource (a configured issuer's JWT)" "$intro_url" "$jwt_intro"
refused "introspection: a JWT for another resource (wrong aud)" "$intro_url" "$jwt"
refused "introspection: an opaque token for another resource (wrong aud)" "$intro_url" "$opaque_other"
refused "introspection: a revoked opaque token" "$intro_url" "$opaque_revoked"
accepted "introspection-post: an opaque token with scope mcp:access" "$post_url" "$opaque_post"
refused "introspection-post: an opaque token without the required scope" "$post_url" "$noscope_post" 403 insufficient_scope
challenge="$(post "$post_url" | sed -n 2p)"
check "introspection-post: the 401 challenge names the required scope" "yes" \
  "$([[ "$challenge" == *'scope="mcp:access"'* ]] && echo yes || echo "no ($challenge)")"

# --- (b), (c): real clients --------------------------------------------------------------------
run_client() { # label command...
  local label="$1"
  shift
  local out="$logs/$label.out" err="$logs/$label.err" rc=0
  timeout 120 "$@" >"$out" 2>"$err" </dev/null || rc=$?
  cat "$out"
  local good bad
  good="$(grep -c '^ok  ' "$out" || true)"
  bad="$(grep -c '^FAIL ' "$out" || true)"
  if [[ "$bad" -eq 0 && ("$rc" -ne 0 || "$good" -eq 0) ]]; then
    echo "FAIL $label run: exit $rc after $good passed checks and no failed one"
    bad=$((bad + 1))
  fi
  if [[ "$bad" -ne 0 && -s "$err" ]]; then
    echo "   --- $label stderr (last lines) ---"
    tail -n 15 "$err" | sed 's/^/   /'
  fi
  passed=$((passed + good))
  failed=$((failed + bad))
}
ts=(env PATH="$interop/node_modules/.bin:$PATH" "$node" "$here/ts-sdk-auth.mjs")
run_client ts-jwt "${ts[@]}" bearer "$jwt_url" jwt "$jwt"
run_client ts-opaque "${ts[@]}" bearer "$intro_url" opaque "$opaque"
run_client ts-opaque-post "${ts[@]}" bearer "$post_url" opaque-post "$opaque_post"
run_client ts-wrong-aud "${ts[@]}" refused "$jwt_url" wrong-aud "$jwt_other"
run_client ts-client-credentials "${ts[@]}" client-credentials "$jwt_url" client-credentials "$issuer"
# The interactive flow needs a scope to ask for: the provider grants nothing without one, and
# the SDK takes it from the challenge or the PRM, so it runs against the server that requires one.
run_client ts-dcr "${ts[@]}" dcr "$post_url" dcr-code-flow
for major in 2 1; do
  py="$interop/.work/venv-mcp$major/bin/python"
  run_client "py$major-jwt" "$py" "$here/py-auth.py" bearer "$jwt_url" jwt "$jwt"
  run_client "py$major-opaque" "$py" "$here/py-auth.py" bearer "$intro_url" opaque "$opaque"
  run_client "py$major-wrong-aud" "$py" "$here/py-auth.py" refused "$intro_url" wrong-aud "$opaque_other"
done

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
