#!/usr/bin/env bash
# Benchmark of the OpenAPI import (`just bench`; not part of tests/all.sh or CI).
#
# Builds toolgate in release mode, fetches GitHub's REST description (npm @octokit/openapi
# 23.0.2, cached in tests/openapi-large/.work/), then measures:
#   - toolgate: `toolgate openapi inspect <spec> --json`, 7 runs per document: the report's
#     import_ms (load + parse + import), the process's wall time and its peak RSS
#     (/usr/bin/time), for GitHub's description, petstore-3.0.yaml and weatherapi.yaml;
#   - FastMCP 4.1.2 (pinned in requirements-fastmcp.txt, venv in bench/.work/): in-process
#     time of FastMCP.from_openapi(spec, client=…) + list_tools, 3 runs per document, and peak
#     RSS the same way;
#   - for both, on GitHub's description: tool count, skipped operations, and how many input
#     and output schemas pass JSON Schema 2020-12 meta-validation (jsonschema).
# Then regenerates the "OpenAPI import" section of docs/benchmarks.md from what it measured.
#
# Environment:
#   PYTHON          interpreter the venv is made from (default: python3, needs >= 3.10)
#   TOOLGATE_RUNS   runs per document for toolgate (default 7)
#   FASTMCP_RUNS    runs per document for FastMCP (default 3)
#   SKIP_BUILD=1    use the existing target/release/toolgate
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="$here/.work"
raw="$work/raw"
rm -rf "$raw"
mkdir -p "$raw"
cd "$root"

toolgate_runs="${TOOLGATE_RUNS:-7}"
fastmcp_runs="${FASTMCP_RUNS:-3}"

die() {
  echo "bench: $*" >&2
  exit 1
}
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"

# --- build, document, venv -----------------------------------------------------------------
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  echo "== cargo build --release -p toolgate"
  cargo build --release -p toolgate --locked
fi
bin="$root/target/release/toolgate"
[[ -x "$bin" ]] || die "no $bin"

github="$(bash "$root/tests/openapi-large/fetch-spec.sh")"

py="$(bash "$here/fastmcp-venv.sh")"

# --- the documents: id, file, toolgate's extra arguments -----------------------------------
# petstore-3.0.yaml has only relative servers (/api/v3): give it a base URL (nothing is
# called; port 9 is discard). FastMCP always gets a client with that base URL.
ids=(github petstore-3.0 weatherapi)
declare -A file=(
  [github]="$github"
  [petstore-3.0]="$root/openapi-specs/petstore-3.0.yaml"
  [weatherapi]="$root/openapi-specs/weatherapi.yaml"
)
declare -A extra=(
  [github]=""
  [petstore-3.0]="--base-url http://127.0.0.1:9/"
  [weatherapi]=""
)

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# The last line /usr/bin/time wrote ("%M %U %S") -> "max_rss_kib cpu_ms" (user + system).
rss_cpu() { tail -n 1 "$1" | awk '{ printf "%d %d\n", $1, ($2 + $3) * 1000 }'; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
load_start="$(load_avg)"

# github-load: the same document with a filter that selects no operation, so its import_ms
# is reading and parsing the document (and the fixed costs) without building any tool.
file[github-load]="$github"
extra[github-load]="--path /no-operation-matches"

# --- toolgate --------------------------------------------------------------------------------
for id in "${ids[@]}" github-load; do
  echo "== toolgate openapi inspect $id ($toolgate_runs runs)"
  out="$raw/toolgate-$id.json"
  : >"$raw/toolgate-$id.tsv"
  for i in $(seq 1 "$toolgate_runs"); do
    start="$(now_ms)"
    # shellcheck disable=SC2086 # extra is a word list on purpose
    timeout 300 /usr/bin/time -f '%M %U %S' -o "$raw/rss" \
      "$bin" openapi inspect "${file[$id]}" --json ${extra[$id]} >"$out" 2>"$raw/toolgate-$id.err" \
      || { cat "$raw/toolgate-$id.err" >&2; die "toolgate failed on $id"; }
    end="$(now_ms)"
    ms="$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["import_ms"])' "$out")"
    read -r rss cpu < <(rss_cpu "$raw/rss")
    printf '%s\t%s\t%s\t%s\n' "$ms" "$rss" "$((end - start))" "$cpu" >>"$raw/toolgate-$id.tsv"
    echo "   run $i: import_ms $ms, wall $((end - start)) ms, CPU $cpu ms, max RSS $rss KiB"
  done
done

# --- FastMCP ---------------------------------------------------------------------------------
for id in "${ids[@]}"; do
  echo "== FastMCP.from_openapi $id ($fastmcp_runs runs)"
  : >"$raw/fastmcp-$id.tsv"
  for i in $(seq 1 "$fastmcp_runs"); do
    res="$raw/fastmcp-$id-$i.json"
    timeout 600 /usr/bin/time -f '%M %U %S' -o "$raw/rss" \
      "$py" "$here/fastmcp_import.py" "${file[$id]}" --base-url http://127.0.0.1:9 --no-validate \
      >"$res" 2>"$raw/fastmcp-$id.err" \
      || { tail -n 30 "$raw/fastmcp-$id.err" >&2; die "FastMCP failed on $id"; }
    read -r ms load < <("$py" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["import_ms"], r["load_ms"])' "$res")
    read -r rss cpu < <(rss_cpu "$raw/rss")
    printf '%s\t%s\t%s\t%s\n' "$ms" "$rss" "$load" "$cpu" >>"$raw/fastmcp-$id.tsv"
    echo "   run $i: from_openapi + list_tools $ms ms (document load $load ms), process CPU $cpu ms, max RSS $rss KiB"
  done
done

# --- schema quality on GitHub's description (untimed) ----------------------------------------
echo "== schema meta-validation (toolgate's tools, GitHub)"
timeout 600 "$py" "$here/schema_stats.py" "$raw/toolgate-github.json" >"$raw/toolgate-github-schemas.json"
echo "== schema meta-validation (FastMCP's tools, GitHub)"
timeout 600 "$py" "$here/fastmcp_import.py" "$github" --base-url http://127.0.0.1:9 --no-validate \
  --out "$raw/fastmcp-github-tools.json" >/dev/null 2>>"$raw/fastmcp-github.err"
timeout 600 "$py" "$here/schema_stats.py" "$raw/fastmcp-github-tools.json" >"$raw/fastmcp-github-schemas.json"

# --- the machine and the versions ------------------------------------------------------------
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$root" status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
  commit="$commit (with uncommitted changes in crates/)"
fi
"$py" - "$raw/meta.json" <<EOF
import json, sys
json.dump({
    "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
    "load_start": "$load_start",
    "load_end": "$(load_avg)",
    "nproc": "$(nproc)",
    "cpu": "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')",
    "mem": "$(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)",
    "kernel": "$(uname -sr)",
    "toolgate": "$("$bin" --version)",
    "commit": "$commit",
    "rustc": "$(rustc --version)",
    "python": "$("$py" -c 'import platform; print(platform.python_version())')",
    "fastmcp": "$("$py" -c 'import importlib.metadata as m; print(m.version("fastmcp"))')",
    "jsonschema": "$("$py" -c 'import importlib.metadata as m; print(m.version("jsonschema"))')",
    "github_sha256": "$(sha256sum "$github" | cut -d' ' -f1)",
    "toolgate_runs": $toolgate_runs,
    "fastmcp_runs": $fastmcp_runs,
}, open(sys.argv[1], "w"), indent=1)
EOF

echo "== docs/benchmarks.md"
"$py" "$here/report.py" "$raw" "$root/docs/benchmarks.md"
