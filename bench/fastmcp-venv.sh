#!/usr/bin/env bash
# Makes (once) the FastMCP venv the benchmarks share, bench/.work/venv-fastmcp, from the pinned
# bench/requirements-fastmcp.txt, and prints its python. Rebuilt when the requirements change.
#
#   PYTHON   interpreter the venv is made from (default: python3, needs >= 3.10)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$here/.work"
mkdir -p "$work"
python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || {
  echo "bench: $python is missing or older than 3.10 (set PYTHON)" >&2
  exit 1
}
venv="$work/venv-fastmcp" req="$here/requirements-fastmcp.txt"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.stamp" 2>/dev/null || true)" != "$want" ]]; then
  echo "== venv for FastMCP (bench/.work/venv-fastmcp)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  timeout 900 "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >"$work/pip.log" 2>&1 || {
    tail -n 30 "$work/pip.log" >&2
    echo "bench: pip install -r $req failed" >&2
    exit 1
  }
  echo "$want" >"$venv/.stamp"
fi
echo "$venv/bin/python"
