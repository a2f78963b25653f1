"""Writes the benchmark suite's section of docs/benchmarks.md and its chart.

    python3 report.py RAW_DIR docs/benchmarks.md [--svg docs/benchmarks-throughput.svg]
    python3 report.py RAW_DIR -                    (print the section)
    python3 report.py --line WRK_OUTPUT LABEL      (one console line for run.sh)

RAW_DIR is bench/suite/.work/raw as run.sh leaves it: `<config>-c<N>-r<round>.txt` (wrk's
output with one `MCPLOAD {json}` or `PASSLOAD {json}` line and a `load_after` line),
`sessions-*.json`, `proc-*.txt`, `import/` (bench/run.sh's raw files) and `meta.json`.
Only the text between `<!-- suite:start -->` and `<!-- suite:end -->` is replaced; without
the markers, the heading and the section go before the first `## ` heading. The chart is a
plain SVG written here (no plotting library). `bench/suite/findings.md`, when present, goes
after the memory table: what people found out about a figure, which the script cannot measure.
Standard library only.
"""

import glob
import json
import math
import os
import re
import statistics
import sys

START = "<!-- suite:start -->"
END = "<!-- suite:end -->"
HEADING = "## Gateway overhead against nginx and FastMCP (`just bench`)"

LABEL = {
    "nginx": "nginx, static JSON (direct upstream)",
    "hop": "nginx `proxy_pass` hop → nginx",
    "noauth": "toolgate tools/call, no auth",
    "jwt": "toolgate tools/call, JWT (JWKS)",
    "introspection": "toolgate tools/call, opaque token (cached introspection)",
    "passthrough": "toolgate passthrough → toolgate (no auth)",
    "fastmcp": "FastMCP `from_openapi` tools/call",
    "everything": "server-everything (Node) tools/call echo, direct",
    "everything-pt": "toolgate passthrough → server-everything",
}
SHORT = {
    "nginx": "nginx direct",
    "hop": "nginx hop",
    "noauth": "toolgate, no auth",
    "jwt": "toolgate, JWT",
    "introspection": "toolgate, introspection",
    "passthrough": "passthrough → toolgate",
    "fastmcp": "FastMCP",
    "everything": "server-everything",
    "everything-pt": "passthrough → server-everything",
}
COLOR = {
    "nginx": "#555555",
    "hop": "#999999",
    "noauth": "#1f77b4",
    "jwt": "#2ca02c",
    "introspection": "#17becf",
    "passthrough": "#9467bd",
    "fastmcp": "#d62728",
    "everything": "#ff7f0e",
    "everything-pt": "#8c564b",
}
DASH = {"hop": "6 3", "everything-pt": "6 3", "passthrough": "6 3"}


# --- parsing ---------------------------------------------------------------------------------
def parse_wrk(path):
    """One wrk run, normalised: rps, p50/p90/p99 in µs, requests, errors, load after."""
    r, load = None, ""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("MCPLOAD "):
                j = json.loads(line[8:])
                e = j["errors"]
                lat = j["latency_us"]
                r = {
                    "requests": j["requests"],
                    "duration_us": j["duration_us"],
                    "errors": j["non200"] + j["bad_body"] + e["connect"] + e["read"] + e["write"] + e["timeout"],
                    "first_bad": j.get("first_bad", ""),
                    "p50": lat["p50"],
                    "p90": lat["p90"],
                    "p99": lat["p99"],
                }
            elif line.startswith("PASSLOAD "):
                j = json.loads(line[9:])
                r = {
                    "requests": j["requests"],
                    "duration_us": j["duration_us"],
                    "errors": j["non200"] + j["bad_body"] + j["socket_errors"],
                    "first_bad": j.get("first_bad", ""),
                    "p50": j["p50_us"],
                    "p90": j["p90_us"],
                    "p99": j["p99_us"],
                }
            elif line.startswith("load_after "):
                load = line.split(" ", 1)[1].strip()
    if r is None:
        raise SystemExit(f"report.py: no MCPLOAD/PASSLOAD line in {path}")
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["load"] = load
    return r


def load_runs(raw):
    runs = {}
    for path in glob.glob(os.path.join(raw, "*-c*-r*.txt")):
        m = re.fullmatch(r"(.+)-c(\d+)-r(\d+)\.txt", os.path.basename(path))
        if not m:
            continue
        runs.setdefault((m.group(1), int(m.group(2))), []).append(parse_wrk(path))
    return runs


def summary(rs):
    return {
        "rps": statistics.median(r["rps"] for r in rs),
        "rps_min": min(r["rps"] for r in rs),
        "rps_max": max(r["rps"] for r in rs),
        "p50": statistics.median(r["p50"] for r in rs),
        "p99": statistics.median(r["p99"] for r in rs),
        "requests": sum(r["requests"] for r in rs),
        "errors": sum(r["errors"] for r in rs),
        "rounds": len(rs),
        "first_bad": next((r["first_bad"] for r in rs if r["first_bad"]), ""),
    }


# --- formatting ------------------------------------------------------------------------------
def ms(us):
    if us < 1000:
        return f"{us / 1000:.3f} ms"
    if us < 100000:
        return f"{us / 1000:.2f} ms"
    return f"{us / 1000:.0f} ms"


def num(x):
    return f"{x:,.0f}"


def ratio(a, b):
    if not b:
        return "–"
    x = a / b
    if x >= 10:
        return f"{x:.0f}×"
    if x >= 1:
        return f"{x:.2f}×"
    return f"{x:.2f}×"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def tsv_median(path, col):
    vals = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if parts:
                vals.append(float(parts[col]))
    return statistics.median(vals), len(vals)


# --- the chart -------------------------------------------------------------------------------
def svg_chart(meta, runs, configs):
    levels = meta["levels"]
    W, H = 760, 470
    left, right, top, bottom = 70, 250, 40, 60
    pw, ph = W - left - right, H - top - bottom
    pts = {}
    for cfg in configs:
        series = []
        for c in levels:
            if (cfg, c) in runs:
                series.append((c, summary(runs[(cfg, c)])["rps"]))
        if series:
            pts[cfg] = series
    allv = [v for s in pts.values() for _, v in s if v > 0]
    if not allv:
        return None
    ymin = 10 ** math.floor(math.log10(min(allv)))
    ymax = 10 ** math.ceil(math.log10(max(allv)))
    xmin, xmax = math.log2(min(levels)), math.log2(max(levels))

    def x(c):
        return left + (math.log2(c) - xmin) / ((xmax - xmin) or 1) * pw

    def y(v):
        return top + (1 - (math.log10(v) - math.log10(ymin)) / (math.log10(ymax) - math.log10(ymin))) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">Requests per second against '
        f"concurrency (loopback, {meta['nproc']} cores; log scales)</text>",
    ]
    # grid and axes
    d = ymin
    while d <= ymax * 1.0001:
        for k in (1, 2, 5):
            v = d * k
            if v > ymax * 1.0001:
                break
            yy = y(v)
            major = k == 1
            out.append(
                f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" '
                f'stroke="{"#cccccc" if major else "#eeeeee"}"/>'
            )
            out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{num(v)}</text>')
        d *= 10
    for c in levels:
        xx = x(c)
        out.append(f'<line x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{top + ph}" stroke="#eeeeee"/>')
        out.append(f'<text x="{xx:.1f}" y="{top + ph + 18}" text-anchor="middle">{c}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333333"/>')
    out.append(
        f'<text x="{left + pw / 2}" y="{H - 18}" text-anchor="middle">concurrent connections (wrk)</text>'
    )
    out.append(
        f'<text x="16" y="{top + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + ph / 2})">requests/s</text>'
    )
    # series
    for i, cfg in enumerate(c for c in configs if c in pts):
        s = pts[cfg]
        color = COLOR.get(cfg, "#000000")
        dash = f' stroke-dasharray="{DASH[cfg]}"' if cfg in DASH else ""
        path = " ".join(f"{'M' if j == 0 else 'L'}{x(c):.1f},{y(v):.1f}" for j, (c, v) in enumerate(s))
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        for c, v in s:
            out.append(f'<circle cx="{x(c):.1f}" cy="{y(v):.1f}" r="3" fill="{color}"/>')
        ly = top + 10 + i * 20
        lx = left + pw + 16
        out.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{color}" stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{lx + 30}" y="{ly + 4}">{SHORT.get(cfg, cfg)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# --- the section -----------------------------------------------------------------------------
def section(raw, meta, runs, svg_name):
    configs = [c for c in meta["configs"] if any((c, l) in runs for l in meta["levels"])]
    tl = meta["table_levels"]
    S = {(cfg, c): summary(runs[(cfg, c)]) for cfg in configs for c in meta["levels"] if (cfg, c) in runs}

    def get(cfg, c):
        return S.get((cfg, c))

    L = []
    L.append(
        f"Measured {meta['date']} by `just bench` (`bench/suite/run.sh`). **Machine:** "
        f"{meta['nproc']} cores ({meta['cpu']}), {meta['mem']} of memory, {meta['kernel']}. "
        f"toolgate {meta['toolgate'].split()[-1]} at commit {meta['commit']}, release build, "
        f"{meta['rustc']}; nginx {meta['nginx']}; wrk {meta['wrk']}; FastMCP {meta['fastmcp']} "
        f"(mcp {meta['mcp']}, uvicorn {meta['uvicorn']}) on Python {meta['python']}; "
        f"server-everything {meta['everything']} on Node {meta['node']}; OpenID provider "
        f"oidc-provider {meta['oidc_provider']} on Node {meta['node22']}. These figures are written by "
        "the script; rerun it to refresh them."
    )
    L.append("")
    L.append(
        f"Load average (1, 5, 15 min) when the load runs started: {meta['load_start']}; when they "
        f"ended: {meta['load_end']}. wrk, nginx, the gateways, the provider and the peers all "
        f"share the {meta['nproc']} cores; a load average well above the number of busy "
        "processes means other work shared them too, and absolute figures are then lower and "
        "noisier. Compare the rows of one run."
    )
    L.append("")

    # targets
    targets = []

    def target(text, ok, detail):
        if ok is None:
            targets.append(f"- **{text}: not measured** — {detail}")
        else:
            targets.append(f"- **{text}: {'met' if ok else 'not met'}** — {detail}")

    na1 = get("noauth", 1)
    if na1:
        extra = []
        for cfg in ("jwt", "introspection"):
            g = get(cfg, 1)
            if g:
                extra.append(f"{SHORT[cfg]} {ms(g['p50'])}")
        target(
            "p50 at concurrency 1 ≤ 0.3 ms",
            na1["p50"] <= 300,
            f"toolgate tools/call without auth: {ms(na1['p50'])}"
            + (f" ({', '.join(extra)})" if extra else "")
            + ".",
        )
    na32, hop32, fm32 = get("noauth", 32), get("hop", 32), get("fastmcp", 32)
    if na32 and hop32:
        target(
            "throughput at concurrency 32 ≥ 0.4× the nginx hop",
            na32["rps"] >= 0.4 * hop32["rps"],
            f"{num(na32['rps'])} against {num(hop32['rps'])} requests/s: "
            f"{na32['rps'] / hop32['rps']:.2f}×.",
        )
    if na32 and fm32:
        target(
            "throughput at concurrency 32 ≥ 50× FastMCP",
            na32["rps"] >= 50 * fm32["rps"],
            f"{num(na32['rps'])} against {num(fm32['rps'])} requests/s: "
            f"{na32['rps'] / fm32['rps']:.1f}×.",
        )
    for pt, direct, what in (
        ("passthrough", "noauth", "in front of toolgate"),
        ("everything-pt", "everything", "in front of server-everything"),
    ):
        parts, ok = [], True
        for c in tl:
            a, b = get(pt, c), get(direct, c)
            if a and b:
                r = a["rps"] / b["rps"]
                ok = ok and r >= 0.9
                d = a["p50"] - b["p50"]
                parts.append(
                    f"{r:.2f}× of direct requests/s at {c} (p50 {'+' if d >= 0 else '−'}{ms(abs(d))})"
                )
        if parts:
            target(f"passthrough within 10 % of direct ({what})", ok, "; ".join(parts) + ".")
    sess = os.path.join(raw, "sessions-toolgate.json")
    if os.path.exists(sess):
        s = json.load(open(sess, encoding="utf-8"))
        complete = s["opened"] == s["requested"] and s["probes_alive"] == s["probes"]
        target(
            f"{s['requested']:,} idle sessions in < 200 MB",
            complete and s["rss_after_kib"] < 200 * 1024,
            f"RSS {mib(s['rss_after_kib'])} with {s['opened']:,} sessions open "
            f"({mib(s['rss_before_kib'])} with one; "
            f"{(s['rss_after_kib'] - s['rss_before_kib']) / max(s['opened'] - 1, 1):.1f} KiB per session)"
            + ("" if complete else f"; only {s['opened']:,} opened or some dropped: {s['first_failure']}")
            + ".",
        )
    else:
        target("10,000 idle sessions in < 200 MB", None, "SESSIONS=0.")
    L.append("**Targets (issue 7):**")
    L.append("")
    L.extend(targets)
    L.append("")

    # main table
    head = "| configuration |"
    sep = "| --- |"
    for c in tl:
        head += f" req/s, c={c} | p50, c={c} | p99, c={c} |"
        sep += " ---: | ---: | ---: |"
    head += " failed answers |"
    sep += " ---: |"
    L.append(head)
    L.append(sep)
    for cfg in configs:
        row = f"| {LABEL.get(cfg, cfg)} |"
        errs, reqs = 0, 0
        for c in tl:
            g = get(cfg, c)
            if not g:
                row += " – | – | – |"
                continue
            rng = f" ({num(g['rps_min'])}–{num(g['rps_max'])})" if g["rounds"] > 1 else ""
            row += f" **{num(g['rps'])}**{rng} | {ms(g['p50'])} | {ms(g['p99'])} |"
            errs += g["errors"]
            reqs += g["requests"]
        row += f" {errs:,} of {reqs:,} |"
        L.append(row)
    L.append("")
    L.append(
        f"Medians of {meta['rounds']} rounds of {meta['duration']} s each (after {meta['warmup']} s "
        "of warm-up per run); requests/s ranges over the rounds in brackets; p50 and p99 are the "
        "medians of the rounds' wrk percentiles (from sending a request to its complete answer). "
        "*Failed answers* counts non-200 statuses, answers the Lua script rejected and wrk's "
        "socket errors and timeouts (5 s), over every round at both concurrencies."
    )
    L.append("")

    # ratios
    L.append("| ratio (requests/s) | " + " | ".join(f"c={c}" for c in tl) + " | p50 added at c=1 |")
    L.append("| --- | " + " | ".join("---:" for _ in tl) + " | ---: |")
    for a, b, text in (
        ("hop", "nginx", "nginx hop / nginx direct (the cost of one hop)"),
        ("noauth", "nginx", "toolgate no auth / nginx direct"),
        ("noauth", "hop", "toolgate no auth / nginx hop"),
        ("jwt", "noauth", "JWT / no auth"),
        ("introspection", "noauth", "introspection / no auth"),
        ("passthrough", "noauth", "passthrough → toolgate / toolgate direct"),
        ("everything-pt", "everything", "passthrough → server-everything / server-everything direct"),
        ("noauth", "fastmcp", "toolgate no auth / FastMCP"),
    ):
        cells = []
        for c in tl:
            ga, gb = get(a, c), get(b, c)
            cells.append(ratio(ga["rps"], gb["rps"]) if ga and gb else "–")
        ga, gb = get(a, 1), get(b, 1)
        added = ("+" if ga["p50"] >= gb["p50"] else "−") + ms(abs(ga["p50"] - gb["p50"])) if ga and gb else "–"
        if all(cell == "–" for cell in cells):
            continue
        L.append(f"| {text} | " + " | ".join(cells) + f" | {added} |")
    L.append("")

    # chart
    if svg_name:
        L.append(f"![Requests per second against concurrency]({svg_name})")
        L.append("")
    lv = meta["levels"]
    L.append("Requests/s at every concurrency measured (the chart's data; " +
             ", ".join(str(c) for c in lv if c not in tl) +
             " connections: one round each):")
    L.append("")
    L.append("| configuration | " + " | ".join(f"c={c}" for c in lv) + " |")
    L.append("| --- | " + " | ".join("---:" for _ in lv) + " |")
    for cfg in configs:
        L.append(
            f"| {SHORT.get(cfg, cfg)} | "
            + " | ".join(num(get(cfg, c)["rps"]) if get(cfg, c) else "–" for c in lv)
            + " |"
        )
    L.append("")

    # memory
    L.append("**Memory.**")
    L.append("")
    L.append("| process | sessions opened | RSS with 1 session | RSS with all | per session | opening took | still answering |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, label in (("toolgate", "toolgate serve (`sessions.yaml`, stateful)"), ("fastmcp", "FastMCP (stateful)")):
        p = os.path.join(raw, f"sessions-{name}.json")
        if not os.path.exists(p):
            continue
        s = json.load(open(p, encoding="utf-8"))
        per = (s["rss_after_kib"] - s["rss_before_kib"]) / max(s["opened"] - 1, 1)
        L.append(
            f"| {label} | {s['opened']:,} of {s['requested']:,} | {mib(s['rss_before_kib'])} | "
            f"{mib(s['rss_after_kib'])} | {per:.1f} KiB | {s['seconds']:.1f} s | "
            f"{s['probes_alive']} of {s['probes']} probed |"
        )
    L.append("")
    findings = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")
    if os.path.exists(findings):
        L.append(open(findings, encoding="utf-8").read().strip())
        L.append("")
    procs = []
    for name, label in (("gateway", "the toolgate gateway (3 endpoints)"), ("passthrough", "the passthrough gateway"), ("fastmcp", "FastMCP")):
        p = os.path.join(raw, f"proc-{name}.txt")
        if os.path.exists(p):
            rss, hwm, fds = open(p).read().split()
            procs.append(f"{label} {mib(int(rss))} (peak {mib(int(hwm))}, {fds} open files)")
    if procs:
        L.append("Resident memory after all the load runs: " + "; ".join(procs) + ".")
        L.append("")

    # import
    imp = os.path.join(raw, "import")
    if os.path.isdir(imp):
        im = json.load(open(os.path.join(imp, "meta.json"), encoding="utf-8"))
        tg, n = tsv_median(os.path.join(imp, "toolgate-github.tsv"), 0)
        fm, m = tsv_median(os.path.join(imp, "fastmcp-github.tsv"), 0)
        tw, _ = tsv_median(os.path.join(imp, "toolgate-weatherapi.tsv"), 0)
        fw, _ = tsv_median(os.path.join(imp, "fastmcp-weatherapi.tsv"), 0)
        L.append(
            f"**OpenAPI import** (same run, `bench/run.sh`; details in the next section): GitHub's "
            f"description (1,223 operations, 13 MB) in **{tg:,.0f} ms** with toolgate (median of {n}) "
            f"against {fm:,.0f} ms with FastMCP (median of {m}, {fm / tg:.0f}× longer); "
            f"`weatherapi.yaml` in {tw:,.0f} ms against {fw:,.0f} ms. Load average during the "
            f"import runs: {im['load_start']} → {im['load_end']}."
        )
    else:
        L.append("**OpenAPI import:** not measured in this run (`SKIP_IMPORT=1`); see the next section.")
    L.append("")

    # method
    L.append("### Method")
    L.append("")
    L.append(
        "Everything runs on loopback. The upstream is nginx (`bench/suite/nginx.conf.in`, "
        "`worker_processes auto`, access log off) serving `bench/suite/current.json`, an 816-byte "
        "WeatherAPI-shaped body for London, at `GET /v1/current.json`; a second nginx server "
        "block `proxy_pass`es to it over kept-alive upstream connections (the hop). "
        "`toolgate serve -c bench/suite/gateway.yaml` imports `openapi-specs/weatherapi.yaml` "
        "(the seed's five tools) with that nginx as the base URL and serves it on three "
        "endpoints: without auth, with JWTs (RS256, checked against the provider's JWKS, "
        "fetched once) and with opaque tokens (RFC 7662 introspection at the provider, answers "
        "cached); tokens come from `tests/interop/oidc/token.mjs` (client credentials). "
        "`toolgate serve -c bench/suite/passthrough.yaml` proxies the no-auth endpoint and "
        "server-everything as-is. FastMCP runs `bench/suite/fastmcp_serve.py`: "
        "`FastMCP.from_openapi` on the same document (the one operation called), with an "
        "`httpx` client on the same nginx base URL, stateless, one uvicorn worker, access log "
        "off. toolgate runs at its default log level (one line per tool call, to a file)."
    )
    L.append("")
    L.append(
        "Load: wrk with `bench/mcp/tools-call.lua` (MCP rows and the nginx GETs) or "
        "`bench/passthrough/echo.lua` (server-everything rows, one session opened with curl "
        "beforehand); both number the JSON-RPC ids (no two requests of a run share one) and "
        "check every answer (status 200, the expected text, a JSON-RPC result that is not an "
        "error). MCP requests are stateless protocol 2026-07-28 POSTs of `tools/call` "
        "`realtime-api` `{\"query_q\":\"London\"}` (FastMCP: `realtime_weather` `{\"q\":\"London\"}`) "
        "with `Mcp-Method`/`Mcp-Name` headers and `_meta` instead of an `initialize`; the tool "
        "makes one GET to nginx per call. Each measurement:"
    )
    L.append("")
    L.append("```sh")
    L.append("wrk -t2 -c32 -d10s --timeout 5s --latency -s bench/mcp/tools-call.lua \\")
    L.append("    http://127.0.0.1:$GW/weather/mcp -- mcp ''            # no auth")
    L.append("wrk … http://127.0.0.1:$GW/jwt/mcp -- mcp \"$JWT\"          # JWT")
    L.append("wrk … http://127.0.0.1:$FASTMCP/mcp -- mcp '' realtime_weather q")
    L.append("wrk … 'http://127.0.0.1:$NGINX/v1/current.json?q=London&key=bench' -- get")
    L.append("wrk … -s bench/passthrough/echo.lua http://127.0.0.1:$PT/everything/mcp -- \"$SESSION\"")
    L.append("```")
    L.append("")
    L.append(
        "with `-t1 -c1` at concurrency 1 and two threads above. The configurations alternate "
        "within each round, so drift in the machine's load hits them alike. Idle sessions: "
        "`bench/suite/sessions.py` opens them one after the other on one kept-alive connection "
        "(`initialize` then `notifications/initialized`, protocol 2025-11-25) against a fresh "
        "`toolgate serve -c bench/suite/sessions.yaml` (stateful, five tools), reads `VmRSS` "
        "from `/proc` with one session open and 5 s after the last, and checks that the first, "
        "a middle and the last session still answer `tools/list`."
    )
    L.append("")
    L.append("Rerun:")
    L.append("")
    L.append("```sh")
    L.append("just bench                                   # or: bash bench/suite/run.sh")
    L.append("DURATION=3 ROUNDS=1 SESSIONS=1000 SKIP_IMPORT=1 NO_DOCS=1 bash bench/suite/run.sh   # a quick try")
    L.append("```")
    return "\n".join(L) + "\n"


def write(doc_path, body):
    text = open(doc_path, encoding="utf-8").read() if os.path.exists(doc_path) else "# Benchmarks\n"
    block = f"{START}\n{body}{END}"
    if START in text and END in text:
        a = text.index(START)
        b = text.index(END) + len(END)
        text = text[:a] + block + text[b:]
    else:
        i = text.find("\n## ")
        insert = f"\n{HEADING}\n\n{block}\n"
        text = text + insert if i < 0 else text[: i + 1] + insert.lstrip("\n") + "\n" + text[i + 1 :]
    with open(doc_path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    if argv[:1] == ["--line"]:
        r = parse_wrk(argv[1])
        print(
            f"   {argv[2]:<28} {r['rps']:9.0f} req/s  p50 {r['p50'] / 1000:7.3f} ms  p99 "
            f"{r['p99'] / 1000:7.2f} ms  ({r['requests']} requests, {r['errors']} failed, load {r['load']})"
            + (f"  first bad: {r['first_bad'][:120]}" if r["first_bad"] else "")
        )
        return
    raw, out = argv[0], argv[1]
    svg_path = argv[argv.index("--svg") + 1] if "--svg" in argv else None
    meta = json.load(open(os.path.join(raw, "meta.json"), encoding="utf-8"))
    runs = load_runs(raw)
    svg_name = None
    if svg_path and out != "-":
        svg = svg_chart(meta, runs, meta["configs"])
        if svg:
            with open(svg_path, "w", encoding="utf-8") as f:
                f.write(svg)
            svg_name = os.path.relpath(svg_path, os.path.dirname(os.path.abspath(out)))
    body = section(raw, meta, runs, svg_name)
    if out == "-":
        sys.stdout.write(body)
    else:
        write(out, body)
        print(f"== wrote the suite's section of {out}" + (f" and {svg_path}" if svg_name else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
