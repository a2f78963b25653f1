#!/usr/bin/env bash
# Every test of the project, from a fresh machine: one debug build, then unit, integration
# and doc tests (cargo test), the OpenAPI importer on GitHub's REST description
# (tests/openapi-large/run.sh), interop with real MCP clients (tests/interop/run.sh), OAuth
# interop with a real OpenID provider (tests/interop/oidc/), and the official MCP conformance
# suite, directly and through the passthrough endpoint (tests/conformance/). Each stage installs what it needs.
#
# Ends with one line `N passed, N failed` counting the stages; exits non-zero if any failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1

passed=0
failed=0
failures=()
stage() {
  local name="$1"
  shift
  echo
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

stage "build" cargo build --workspace --all-targets --locked
stage "cargo test" cargo test --workspace --locked
stage "OpenAPI import of a large real spec" bash tests/openapi-large/run.sh
stage "interop (real MCP clients)" bash tests/interop/run.sh
stage "OAuth interop (real OpenID provider)" bash -c 'bash tests/interop/oidc/selftest.sh && bash tests/interop/oidc/run.sh'
stage "conformance (official suite, direct and through the passthrough)" bash tests/conformance/run-passthrough.sh

echo
if ((failed > 0)); then
  echo "failed stages: ${failures[*]}"
fi
echo "stages: $passed passed, $failed failed"
((failed == 0))
