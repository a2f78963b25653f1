#!/usr/bin/env bash
# Fetches GitHub's REST API description (npm @octokit/openapi@23.0.2,
# generated/api.github.com.json) into tests/openapi-large/.work/ once, checks its sha256 and
# prints its path. Later calls reuse the cached file. Used by run.sh here and by bench/run.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$here/.work"
pkg="@octokit/openapi@23.0.2"
member="package/generated/api.github.com.json"
sha="829b4bebb19a53133289f7b0bc819f4f1118115821db2ca9f25e9ee995a7da2a"
spec="$work/api.github.com.json"

sha_ok() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$sha" ]]; }

if ! sha_ok "$spec"; then
  mkdir -p "$work"
  tmp="$(mktemp -d "$work/fetch.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "== npm pack $pkg (about 29 MB, once)" >&2
  # npm pack only downloads the tarball: no install, no lockfile, no scripts run.
  (cd "$tmp" && timeout 600 npm pack "$pkg" --silent --no-audit --no-fund >"$tmp/pack.out" 2>"$tmp/pack.err") \
    || { tail -n 20 "$tmp/pack.err" >&2; echo "npm pack $pkg failed" >&2; exit 1; }
  tarball="$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n 1)"
  [[ -n "$tarball" ]] || { echo "npm pack wrote no tarball" >&2; exit 1; }
  tar -xzf "$tarball" -O "$member" >"$tmp/spec.json"
  rm -f "$tarball"
  if ! sha_ok "$tmp/spec.json"; then
    echo "sha256 mismatch for $member of $pkg: got $(sha256sum "$tmp/spec.json" | cut -d' ' -f1), want $sha" >&2
    exit 1
  fi
  mv "$tmp/spec.json" "$spec"
fi
echo "$spec"
