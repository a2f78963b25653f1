#!/usr/bin/env bash
# The OpenAPI importer on a large real document: GitHub's REST API description (npm
# @octokit/openapi@23.0.2, 1,223 operations, 13 MB), fetched once into .work/ and checked by
# sha256. Runs `toolgate openapi inspect <spec> --json` and checks the tools with check.py:
# count, names, skipped reasons, JSON Schema 2020-12 meta-validation, no $ref, no credential
# arguments.
#
# Environment:
#   TOOLGATE_BIN  the toolgate binary (default: target/debug/toolgate under the repo root)
#   PYTHON        interpreter the venv is made from (default: python3, needs >= 3.10)
#
# Ends with one line `N passed, N failed`; exits non-zero if anything failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/.work"
mkdir -p "$work"

# A setup failure is one failed check, so the run still ends with the summary line.
die() {
  echo "FAIL setup: $*"
  echo "0 passed, 1 failed"
  exit 1
}

bin="${TOOLGATE_BIN:-target/debug/toolgate}"
if [[ "$bin" != /* ]]; then
  if [[ -n "${TOOLGATE_BIN:-}" && -e "$PWD/$bin" ]]; then bin="$PWD/$bin"; else bin="$root/$bin"; fi
fi
[[ -x "$bin" ]] || die "toolgate binary not found at $bin: build it (cargo build -p toolgate) or set TOOLGATE_BIN"

# --- the document (cached after the first run) --------------------------------------------
spec="$(bash "$here/fetch-spec.sh")" || die "could not fetch GitHub's OpenAPI description"

# --- jsonschema in a venv (idempotent: a stamp holds the hash of requirements.txt) --------
python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
  || die "$python is missing or older than 3.10 (set PYTHON)"
venv="$work/venv" req="$here/requirements.txt"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.stamp" 2>/dev/null || true)" != "$want" ]]; then
  echo "== venv for jsonschema"
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "$python -m venv failed"
  timeout 300 "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >"$work/pip.log" 2>&1 \
    || { tail -n 30 "$work/pip.log" >&2; die "pip install -r $req failed"; }
  echo "$want" >"$venv/.stamp"
fi

# --- import and check ---------------------------------------------------------------------
report="$work/inspect.json"
echo "== $bin openapi inspect $spec --json"
rc=0
timeout 120 "$bin" openapi inspect "$spec" --json >"$report" 2>"$work/inspect.err" || rc=$?
if [[ "$rc" -ne 0 ]]; then
  tail -n 30 "$work/inspect.err" >&2
  die "toolgate openapi inspect exited $rc (stderr above)"
fi
timeout 300 "$venv/bin/python" "$here/check.py" "$report" "$spec"
