"""Report of bench/passthrough/run.sh: a table on stdout and the passthrough section of
docs/benchmarks.md (between its markers, appended when missing). Reads the environment
run.sh exports."""

import datetime
import json
import os
import pathlib
import platform
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- passthrough:start -->", "<!-- passthrough:end -->"
NAMES = {
    "direct": "server-everything directly",
    "bare": "through `passthrough` (bare proxy)",
    "seed": "through `passthrough --config` seed-002 (key-auth + ACL)",
}
SHORT = {"bare": "bare proxy", "seed": "seed-002 gateway (key-auth + ACL)"}


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib():
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def main():
    rows = [json.loads(l) for l in pathlib.Path(os.environ["RESULTS"]).read_text().splitlines() if l]
    env = os.environ

    def rps(r):
        res = r["result"]
        return res["requests"] / (res["duration_us"] / 1e6)

    # Each (target, concurrency): the round with the median requests/s, and the range.
    by, spread = {}, {}
    for key in sorted({(r["target"], r["concurrency"]) for r in rows}):
        runs = sorted((r for r in rows if (r["target"], r["concurrency"]) == key), key=rps)
        by[key] = runs[(len(runs) - 1) // 2]
        spread[key] = (rps(runs[0]), rps(runs[-1]), len(runs))

    table = [
        "| target | concurrency | requests/s (median) | range over rounds | p50 ms | p99 ms | failed answers | load (1 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for conc in (1, 16):
        for target in ("direct", "bare", "seed"):
            r = by.get((target, conc))
            if not r:
                continue
            res = r["result"]
            low, high, n = spread[(target, conc)]
            failed = sum(
                x["result"]["non200"] + x["result"]["bad_body"] + x["result"]["socket_errors"]
                for x in rows
                if (x["target"], x["concurrency"]) == (target, conc)
            )
            checked = sum(
                x["result"]["checked"]
                for x in rows
                if (x["target"], x["concurrency"]) == (target, conc)
            )
            table.append(
                f"| {NAMES[target]} | {conc} | {rps(r):,.0f} | {low:,.0f}–{high:,.0f} ({n}) | "
                f"{res['p50_us'] / 1000:.2f} | {res['p99_us'] / 1000:.2f} | "
                f"{failed} of {checked:,} | {r['load']} |"
            )

    overhead = [
        "| through | concurrency | requests/s vs direct | p50 added | p99 added |",
        "|---|---:|---:|---:|---:|",
    ]
    figures = {}
    for conc in (1, 16):
        d = by.get(("direct", conc))
        for target in ("bare", "seed"):
            t = by.get((target, conc))
            if not (d and t):
                continue
            ratio = rps(t) / rps(d)
            p50 = (t["result"]["p50_us"] - d["result"]["p50_us"]) / 1000
            p99 = (t["result"]["p99_us"] - d["result"]["p99_us"]) / 1000
            figures[(target, conc)] = (ratio, p50, p99)
            overhead.append(
                f"| {SHORT[target]} | {conc} | {ratio:.2f}× | {p50:+.2f} ms | {p99:+.2f} ms |"
            )

    print("\n".join(table))
    print()
    print("\n".join(overhead))
    bad = [r for r in rows if r["result"]["non200"] or r["result"]["bad_body"]]
    reading = []
    if ("seed", 1) in figures:
        ratio, p50, _ = figures[("seed", 1)]
        reading.append(
            f"one client at a time, the seed-002 gateway (key lookup, ACL check, a second "
            f"HTTP hop) moves the median latency by {p50:+.2f} ms and throughput to "
            f"{ratio:.2f}× of the direct figure"
        )
    if ("seed", 16) in figures:
        ratio, p50, _ = figures[("seed", 16)]
        reading.append(
            f"at 16 concurrent clients it reaches {ratio:.2f}× of the direct throughput "
            f"({p50:+.2f} ms at p50)"
        )
    for r in bad:
        print(f"WARNING {r['target']} c={r['concurrency']}: {r['result']['first_bad']}")

    if env.get("NO_DOCS") == "1":
        return
    today = datetime.date.today().isoformat()
    section = f"""{START}
## Passthrough gateway overhead (seed 002)

Measured {today} by `bench/passthrough/run.sh` (commit {env['GIT_REV']}); regenerate it with
that script, which rewrites this section only.

**What**: `tools/call echo` in one MCP session against the real
`@modelcontextprotocol/server-everything` {env['EVERYTHING_VERSION']} (Node {env['NODE_VERSION']},
streamable HTTP, stateful: it has no stateless mode, so each target gets one session opened
with curl), directly and through two release builds of `passthrough` (rustc
{env['RUSTC_VERSION']}) on loopback: the bare proxy (flags only, no auth, no ACL) and the
seed-002 gateway (`examples/seed-002/gateway.yaml`: bob's API key resolved to the developer
group, his Bearer token passed upstream, the tool ACL checked on every call, the API key
stripped, audit logging on: `RUST_LOG=info`, one line per call). server-everything answers every POST as SSE; the gateway relays it as a stream
and sets TCP_NODELAY on the connections it accepts.

**How**: wrk {env['WRK_VERSION']} with `bench/passthrough/echo.lua`, which numbers the
JSON-RPC ids (no two requests share one) and checks every answer (status 200 and the echo in
the body). Concurrency 1 (1 thread) and 16 (2 threads), {env['WARMUP']} s of warm-up then
{env['DURATION']} s measured per run; targets alternate within each concurrency, and the whole
set runs {env['ROUNDS']} times: the tables show each run's median round (by requests/s) and the
range over rounds.

**Machine**: {os.cpu_count()} cores ({cpu_model()}), {memory_gib():.1f} GiB, {platform.system()}
{platform.release()}; load average {env['LOAD_BEFORE']} before and {env['LOAD_AFTER']}
after. The machine is shared and busy (other builds and tests run beside the benchmark, and wrk
itself competes for the 2 cores with Node and the gateway), so absolute figures are low and
noisy; compare the rows of one run, not runs of different days. p99 in particular swings
from round to round with whatever else the machine is doing.

*Failed answers* counts non-200 statuses, 200s without the echo, and wrk's socket errors
and timeouts (2 s), over all rounds.

{chr(10).join(table)}

Overhead against the direct runs of the same concurrency:

{chr(10).join(overhead)}

Reading: {"; ".join(reading) or "no comparison measured"}. Every run
shares the 2 cores between wrk, single-threaded Node and (when proxied) the gateway, so at
concurrency 16 the ratio measures CPU contention as much as the gateway's own cost; a
difference smaller than the range over rounds is noise.
{END}"""
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if START in text and END in text:
        text = re.sub(
            re.escape(START) + r".*?" + re.escape(END), lambda _: section, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text)
    print(f"\nwrote the passthrough section of {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
