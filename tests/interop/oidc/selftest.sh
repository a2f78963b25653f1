#!/usr/bin/env bash
# Self-test of the test OpenID provider (provider.mjs): installs it, starts it on a free port,
# and checks discovery, JWT and opaque tokens, introspection, revocation, the code flow and
# dynamic registration with plain HTTP. See README.md beside this file.
#
# Ends with one line `N passed, N failed`; exits non-zero if anything failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$here/.work"
mkdir -p "$work"
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

# --- install (idempotent: a stamp holds the lockfile's hash) --------------------------------
node="$here/node_modules/.bin/node"
stamp="$here/node_modules/.oidc-stamp"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [[ ! -x "$node" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "== npm ci (tests/interop/oidc)"
  (cd "$here" && timeout 600 npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1) \
    || { tail -n 30 "$work/npm-ci.log" >&2; die "npm ci failed"; }
  echo "$want" >"$stamp"
fi
"$node" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' \
  || die "node_modules/.bin/node is $("$node" --version), not 22"

# jget EXPR: evaluates a JS expression over `o`, the JSON document on stdin ('' if it fails).
jget() { "$node" -e 'let o; try { o = JSON.parse(require("fs").readFileSync(0, "utf8")); } catch { o = undefined; }
  let v; try { v = (0, eval)("(o) => " + process.argv[1])(o); } catch { v = ""; }
  process.stdout.write(v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));' "$1"; }
# jwt_part N TOKEN: the decoded JSON of a JWT's header (0) or payload (1).
jwt_part() { "$node" -e 'try { process.stdout.write(Buffer.from(process.argv[2].split(".")[+process.argv[1]], "base64url").toString()); } catch {}' "$1" "$2"; }

# --- the provider ----------------------------------------------------------------------------
pid=""
cleanup() {
  [[ -n "$pid" ]] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}
trap cleanup EXIT
# Emptied here, not by the redirection below: that one runs in the child, maybe after the
# first look for READY, which would then read the previous run's line.
: >"$work/provider.out"
"$node" "$here/provider.mjs" 0 >"$work/provider.out" 2>"$work/provider.log" &
pid=$!
issuer=""
for _ in $(seq 1 100); do # up to ~20 s
  issuer="$(sed -n 's/^READY //p' "$work/provider.out" | head -n 1)"
  [[ -n "$issuer" ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
[[ -n "$issuer" ]] || { tail -n 20 "$work/provider.log" >&2; die "provider printed no READY line"; }
echo "== provider: $issuer (pid $pid, log: $work/provider.log)"
port="${issuer##*:}"

# --- discovery ---------------------------------------------------------------------------------
meta="$(curl -sf --max-time 5 "$issuer/.well-known/oauth-authorization-server" || true)"
check "RFC 8414 metadata: issuer" "$issuer" "$(jget o.issuer <<<"$meta")"
check "RFC 8414 metadata: endpoints" "$issuer/token $issuer/token/introspection $issuer/token/revocation $issuer/reg $issuer/jwks" \
  "$(jget '[o.token_endpoint, o.introspection_endpoint, o.revocation_endpoint, o.registration_endpoint, o.jwks_uri].join(" ")' <<<"$meta")"
check "RFC 8414 metadata: scopes, PKCE S256, client_credentials" "true true true" \
  "$(jget '[["mcp:access","mcp:admin"].every(s => o.scopes_supported.includes(s)), o.code_challenge_methods_supported.includes("S256"), o.grant_types_supported.includes("client_credentials")].join(" ")' <<<"$meta")"
oidc="$(curl -sf --max-time 5 "$issuer/.well-known/openid-configuration" || true)"
check "OpenID discovery: issuer" "$issuer" "$(jget o.issuer <<<"$oidc")"
jwks="$(curl -sf --max-time 5 "$issuer/jwks" || true)"
check "JWKS serves the fixed key of keys.json (public part only)" "$(jget 'o.keys[0].kid' <"$here/keys.json") false" \
  "$(jget 'o.keys.map(k => k.kid).join(",") + " " + o.keys.some(k => "d" in k)' <<<"$jwks")"

# --- JWT access token (client credentials, resource indicator) --------------------------------
resource="http://127.0.0.1:8000/weather/mcp"
if jwt="$("$node" "$here/token.mjs" "$issuer" mcp-cc mcp-cc-secret "$resource" "mcp:access" 2>"$work/token.err")"; then
  header="$(jwt_part 0 "$jwt")" payload="$(jwt_part 1 "$jwt")"
  check "JWT header: alg, typ, kid" "RS256 at+jwt $(jget 'o.keys[0].kid' <<<"$jwks")" "$(jget '[o.alg, o.typ, o.kid].join(" ")' <<<"$header")"
  check "JWT claims: aud, iss, scope, client_id, sub" "$resource $issuer mcp:access mcp-cc mcp-cc" \
    "$(jget '[o.aud, o.iss, o.scope, o.client_id, o.sub].join(" ")' <<<"$payload")"
  check "JWT lifetime 3600 s" "3600" "$(jget 'o.exp - o.iat' <<<"$payload")"
  sig="$("$node" -e 'const c = require("crypto"); const [t, jwks] = process.argv.slice(1); const [h, p, s] = t.split(".");
    const key = c.createPublicKey({ key: JSON.parse(jwks).keys[0], format: "jwk" });
    process.stdout.write(String(c.verify("sha256", Buffer.from(h + "." + p), key, Buffer.from(s, "base64url"))));' "$jwt" "$jwks" 2>&1 || true)"
  check "JWT signature verifies with the JWKS" "true" "$sig"
  res="$(curl -s --max-time 5 -u toolgate-rs:toolgate-rs-secret "$issuer/token/introspection" --data-urlencode "token=$jwt")"
  check "introspecting a JWT is refused (JWTs are checked against the JWKS)" "unsupported_token_type" "$(jget o.error <<<"$res")"
else
  fail "JWT access token" "$(cat "$work/token.err")"
fi

# --- opaque access token: introspection and revocation ----------------------------------------
if opaque="$("$node" "$here/token.mjs" "$issuer" mcp-cc mcp-cc-secret "$resource?opaque=1" "mcp:access mcp:admin" 2>"$work/token.err")"; then
  check "opaque token is not a JWT" "0" "$(tr -cd . <<<"$opaque" | wc -c)"
  res="$(curl -s --max-time 5 -u toolgate-rs:toolgate-rs-secret "$issuer/token/introspection" --data-urlencode "token=$opaque")"
  check "introspection (toolgate-rs, client_secret_basic): active, aud, iss, scope, client_id" \
    "true $resource $issuer mcp:access mcp:admin mcp-cc" "$(jget '[o.active, o.aud, o.iss, o.scope, o.client_id].join(" ")' <<<"$res")"
  res="$(curl -s --max-time 5 "$issuer/token/introspection" -d client_id=toolgate-rs-post \
    -d client_secret=toolgate-rs-post-secret --data-urlencode "token=$opaque")"
  check "introspection (toolgate-rs-post, client_secret_post): active, aud" "true $resource" "$(jget '[o.active, o.aud].join(" ")' <<<"$res")"
  res="$(curl -s -w ' %{http_code}' --max-time 5 "$issuer/token/introspection" --data-urlencode "token=$opaque")"
  check "introspection without client authentication is refused (400 invalid_request)" "invalid_request 400" \
    "$(jget o.error <<<"${res% *}") ${res##* }"
  res="$(curl -s --max-time 5 -u toolgate-rs:wrong "$issuer/token/introspection" --data-urlencode "token=$opaque")"
  check "introspection with a wrong secret is invalid_client" "invalid_client" "$(jget o.error <<<"$res")"
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -u mcp-cc:mcp-cc-secret "$issuer/token/revocation" \
    --data-urlencode "token=$opaque" -d token_type_hint=access_token)"
  check "revocation by the token's client is 200" "200" "$code"
  res="$(curl -s --max-time 5 -u toolgate-rs:toolgate-rs-secret "$issuer/token/introspection" --data-urlencode "token=$opaque")"
  check "introspection after revocation: inactive" '{"active":false}' "$res"
else
  fail "opaque access token" "$(cat "$work/token.err")"
fi

# --- errors ------------------------------------------------------------------------------------
if out="$("$node" "$here/token.mjs" "$issuer" mcp-cc mcp-cc-secret "https://example.com/mcp" 2>&1)"; then
  fail "a resource off the loopback is invalid_target" "got a token"
else
  check "a resource off the loopback is invalid_target" "yes" "$([[ "$out" == *invalid_target* ]] && echo yes || echo "$out")"
fi
if out="$("$node" "$here/token.mjs" "$issuer" mcp-cc wrong "$resource" 2>&1)"; then
  fail "a wrong client secret is invalid_client" "got a token"
else
  check "a wrong client secret is invalid_client" "yes" "$([[ "$out" == *invalid_client* ]] && echo yes || echo "$out")"
fi

# --- authorization code + PKCE (public client), and dynamic client registration --------------
if tok="$("$node" "$here/code-flow.mjs" "$issuer" "http://localhost:8001/weather/mcp" "mcp:access" bob 2>"$work/code.err")"; then
  check "code flow + PKCE (mcp-public): JWT with sub, aud, scope, client_id" "bob http://localhost:8001/weather/mcp mcp:access mcp-public" \
    "$(jget '[o.sub, o.aud, o.scope, o.client_id].join(" ")' <<<"$(jwt_part 1 "$tok")")"
else
  fail "code flow + PKCE (mcp-public)" "$(cat "$work/code.err")"
fi
res="$(curl -s --max-time 5 "$issuer/reg" -H 'content-type: application/json' \
  -d '{"redirect_uris":["http://localhost:6274/oauth/callback"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"response_types":["code"],"client_name":"selftest"}')"
check "dynamic client registration (public client)" "true none" "$(jget '[!!o.client_id, o.token_endpoint_auth_method].join(" ")' <<<"$res")"

# --- restart: the same keys, so an earlier JWT still verifies ----------------------------------
cleanup
: >"$work/provider.out"
"$node" "$here/provider.mjs" "$port" >"$work/provider.out" 2>>"$work/provider.log" &
pid=$!
again=""
for _ in $(seq 1 100); do
  again="$(sed -n 's/^READY //p' "$work/provider.out" | head -n 1)"
  [[ -n "$again" ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
check "restart on the same port: READY with the same issuer" "$issuer" "$again"
check "after a restart on the same port the JWKS is the same" "$jwks" "$(curl -sf --max-time 5 "$issuer/jwks" || true)"
cleanup

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
