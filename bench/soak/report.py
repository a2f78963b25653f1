"""Writes docs/soak.md and its chart from bench/soak/run.sh's raw results.

    python3 report.py RAW_DIR docs/soak.md [--svg docs/soak.svg]
    python3 report.py RAW_DIR -                      (print the report)
    python3 report.py --check WRK_OUTPUT             (exit 1 if any step failed)
    python3 report.py --line WRK_OUTPUT N SAMPLE     (one console line for run.sh)

`bench/soak/findings.md`, when present, is included after the result: what people found out
about a result, which a script cannot measure.

RAW_DIR holds `segment-NNNN.txt` (a `start SECONDS` line, then wrk's output with one
`SOAK {json}` line), `samples.txt` (`elapsed_s rss_kib fds threads load1` per line) and
`meta.json`. Standard library only.
"""

import glob
import json
import math
import os
import statistics
import sys

STEPS = {
    "jwt_call": ("tools/call with a JWT (JWKS)", "200, the London result"),
    "opaque_call": ("tools/call with an opaque token (introspection, cached)", "200, the London result"),
    "apikey_call": ("tools/call with an API key (alice, admin)", "200, the London result"),
    "jwt_list": ("tools/list with a JWT", "200, the tools without `history-api` (admin only)"),
    "no_token_401": ("tools/call without a token", "401 with `resource_metadata`"),
    "bad_token_401": ("tools/call with an invalid token", "401"),
    "denied_tool": ("tools/call `history-api` with bob's API key (developer)", "JSON-RPC error -32602"),
    "session_initialize": ("initialize (API key), protocol 2025-11-25", "200 with `Mcp-Session-Id`"),
    "session_initialized": ("notifications/initialized in that session", "202"),
    "session_call": ("tools/call in that session", "200, the London result"),
    "session_delete": ("DELETE of that session", "204"),
}


def parse(path):
    start, r = 0, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("start "):
                start = int(line.split()[1])
            elif line.startswith("SOAK "):
                r = json.loads(line[5:])
    if r is None:
        raise SystemExit(f"report.py: no SOAK line in {path}")
    r["start"] = start
    r["ok"] = sum(v[0] for v in r["steps"].values())
    r["failed"] = sum(v[1] for v in r["steps"].values())
    r["socket"] = sum(r["socket_errors"].values())
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def svg(samples, segs, meta):
    W, H = 760, 420
    left, right, top, bottom = 70, 70, 40, 55
    pw, ph = W - left - right, H - top - bottom
    tmax = max(s[0] for s in samples) or 1
    rss = [s[1] / 1024 for s in samples]
    fds = [s[2] for s in samples]
    def nice(v):
        # The smallest 1, 2 or 5 × 10^n at or above v: five round grid steps.
        step = v / 5
        mag = 10 ** math.floor(math.log10(step)) if step > 0 else 1
        for m in (1, 2, 5, 10):
            if m * mag >= step:
                return 5 * m * mag
        return v

    rmax = nice(max(rss) * 1.1 or 1)
    fmax = nice(max(max(fds) * 1.1, 10))

    def x(t):
        return left + t / tmax * pw

    def yr(v):
        return top + (1 - v / rmax) * ph

    def yf(v):
        return top + (1 - v / fmax) * ph

    o = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">toolgate under mixed authenticated '
        f"traffic: resident memory and open files ({meta['duration']} s)</text>",
    ]
    for i in range(6):
        v = rmax * i / 5
        o.append(f'<line x1="{left}" y1="{yr(v):.1f}" x2="{left + pw}" y2="{yr(v):.1f}" stroke="#eeeeee"/>')
        o.append(f'<text x="{left - 6}" y="{yr(v) + 4:.1f}" text-anchor="end" fill="#1f77b4">{v:g}</text>')
        fv = fmax * i / 5
        o.append(f'<text x="{left + pw + 6}" y="{yf(fv) + 4:.1f}" fill="#d62728">{fv:g}</text>')
    steps = 10
    for i in range(steps + 1):
        t = tmax * i / steps
        o.append(f'<text x="{x(t):.1f}" y="{top + ph + 18}" text-anchor="middle">{t:.0f}</text>')
    o.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333333"/>')
    o.append(f'<text x="{left + pw / 2}" y="{H - 14}" text-anchor="middle">seconds</text>')
    o.append(
        f'<text x="18" y="{top + ph / 2}" text-anchor="middle" fill="#1f77b4" '
        f'transform="rotate(-90 18 {top + ph / 2})">RSS (MiB)</text>'
    )
    o.append(
        f'<text x="{W - 14}" y="{top + ph / 2}" text-anchor="middle" fill="#d62728" '
        f'transform="rotate(90 {W - 14} {top + ph / 2})">open file descriptors</text>'
    )
    pr = " ".join(f"{'M' if i == 0 else 'L'}{x(s[0]):.1f},{yr(s[1] / 1024):.1f}" for i, s in enumerate(samples))
    pf = " ".join(f"{'M' if i == 0 else 'L'}{x(s[0]):.1f},{yf(s[2]):.1f}" for i, s in enumerate(samples))
    o.append(f'<path d="{pr}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    o.append(f'<path d="{pf}" fill="none" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5 3"/>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def report(raw, svg_name):
    meta = json.load(open(os.path.join(raw, "meta.json"), encoding="utf-8"))
    segs = [parse(p) for p in sorted(glob.glob(os.path.join(raw, "segment-*.txt")))]
    samples = []
    for line in open(os.path.join(raw, "samples.txt"), encoding="utf-8"):
        p = line.split()
        if len(p) >= 5:
            samples.append((int(p[0]), int(p[1]), int(p[2]), int(p[3]), float(p[4])))
    samples.sort()
    total = sum(s["requests"] for s in segs)
    failed = sum(s["failed"] for s in segs)
    socket = sum(s["socket"] for s in segs)
    steps = {}
    for s in segs:
        for k, (ok, bad) in s["steps"].items():
            a = steps.setdefault(k, [0, 0])
            a[0] += ok
            a[1] += bad
    # Flatness: after the first minute (or the first fifth, if shorter), compare the median
    # RSS of the first and the last fifth of what remains.
    warm = min(60, meta["duration"] // 5)
    steady = [s for s in samples if s[0] >= warm] or samples
    k = max(1, len(steady) // 5)
    early = statistics.median(s[1] for s in steady[:k])
    late = statistics.median(s[1] for s in steady[-k:])
    growth = late - early
    flat = growth <= max(2048, early * 0.05)
    fds = [s[2] for s in samples]
    fds_steady = [s[2] for s in steady]
    fd_flat = max(fds_steady) - min(fds_steady) <= 2 * meta["connections"] + 8
    first_fail = next((s["first_fail"] for s in segs if s["first_fail"]), "")

    L = ["# Soak run", ""]
    L.append(
        f"Measured {meta['date']} by `just soak` (`bench/soak/run.sh`): {meta['duration']} s of "
        f"mixed authenticated traffic against one `toolgate serve -c bench/soak/soak.yaml` "
        f"(release build, toolgate {meta['toolgate'].split()[-1]} at commit {meta['commit']}"
        + (f", binary built {meta['built']} and not rebuilt for this run" if meta.get("skip_build") else "")
        + ", "
        f"{meta['rustc']}) on {meta['nproc']} cores ({meta['cpu']}), {meta['mem']}, {meta['kernel']}; "
        f"wrk {meta['wrk']}, oidc-provider {meta['oidc_provider']}. Written by the script; rerun it "
        "to refresh."
    )
    L.append("")
    L.append("| | |")
    L.append("| --- | --- |")
    L.append(f"| requests | {total:,} ({total / max(meta['duration'], 1):,.0f}/s over {len(segs)} wrk segments of up to {meta['segment']} s, {meta['connections']} connections) |")
    L.append(f"| failed answers | **{failed + socket:,}** ({failed:,} wrong answers, {socket:,} socket errors or timeouts) |")
    L.append(
        f"| resident memory (RSS) | {mib(samples[0][1])} at start, {mib(early)} → {mib(late)} "
        f"(medians of the first and last fifth after {warm} s), peak {mib(max(s[1] for s in samples))}, "
        f"end {mib(samples[-1][1])}: **{'flat' if flat else 'growing'}** ({growth / 1024:+.1f} MiB) |"
    )
    L.append(
        f"| open file descriptors | {fds[0]} at start, {min(fds_steady)}–{max(fds_steady)} during the run, "
        f"{fds[-1]} at the end (limit {meta['fd_limit']}): **{'flat' if fd_flat else 'growing'}** |"
    )
    L.append(f"| threads | {min(s[3] for s in samples)}–{max(s[3] for s in samples)} |")
    warn = os.path.join(raw, "warnings.txt")
    kinds = ""
    if os.path.exists(warn):
        lines = [l.strip() for l in open(warn, encoding="utf-8") if l.strip()]
        if lines:
            kinds = " — " + "; ".join(
                f"{int(l.split(' ', 1)[0]):,}× `{l.split(' ', 1)[1].replace('`', chr(39)).replace('|', '/')}`"
                for l in lines[:6]
            )
    L.append(f"| gateway log | {meta['gateway_log_lines']:,} lines, {meta['gateway_warnings']:,} at WARN or ERROR{kinds} |")
    L.append("")
    verdict = (failed + socket == 0) and flat and fd_flat
    L.append(
        f"**Result: {'passed' if verdict else 'not passed'}** — the issue asks for flat RSS, 0 errors "
        "and open file descriptors reported; *flat* here means the late median RSS is at most "
        "max(2 MiB, 5 %) above the early one, and descriptors stay within twice the connection "
        "count plus 8 of each other."
        + (f" First failure: `{first_fail}`." if first_fail else "")
    )
    L.append("")
    if svg_name:
        L.append(f"![RSS and open file descriptors over time]({svg_name})")
        L.append("")
    findings = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")
    if os.path.exists(findings):
        L.append(open(findings, encoding="utf-8").read().strip())
        L.append("")
    L.append("Each connection walks this cycle in order, one request at a time; every answer is checked:")
    L.append("")
    L.append("| request | expected answer | correct | wrong |")
    L.append("| --- | --- | ---: | ---: |")
    for k, (what, expect) in STEPS.items():
        if k not in steps:
            continue
        ok, bad = steps[k]
        L.append(f"| {what} | {expect} | {ok:,} | {bad:,} |")
    L.append("")
    L.append("Over time (one row per minute of samples; RSS and descriptors as sampled, requests per segment):")
    L.append("")
    L.append("| second | RSS | open files | threads | load (1 min) | segment requests/s | failed | p50 | p99 |")
    L.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    shown = set()
    for s in samples:
        minute = s[0] // 60
        if minute in shown and s is not samples[-1]:
            continue
        shown.add(minute)
        seg = next((g for g in reversed(segs) if g["start"] <= s[0]), None)
        segtext = (
            f"{seg['rps']:,.0f} | {seg['failed'] + seg['socket']} | {seg['p50_us'] / 1000:.2f} ms | {seg['p99_us'] / 1000:.2f} ms"
            if seg
            else "– | – | – | –"
        )
        L.append(f"| {s[0]} | {mib(s[1])} | {s[2]} | {s[3]} | {s[4]:.2f} | {segtext} |")
    L.append("")
    L.append("## Method")
    L.append("")
    L.append(
        "`bench/soak/run.sh` starts nginx serving the benchmark suite's static WeatherAPI body "
        "(`bench/suite/nginx.conf.in`, one worker), the OpenID provider of `tests/interop/oidc` "
        "(`oidc-provider`; one JWT and one opaque token by client credentials, valid for an hour) "
        "and the gateway with `bench/soak/soak.yaml`: the seed's five weather tools, an auth profile "
        "accepting JWTs (JWKS), opaque tokens (introspection, cached) and API keys (consumers alice "
        "in `admin` and bob in `developer`; `history-api` allowed to `admin` only). After a 2 s "
        "check that every step succeeds, wrk drives `bench/soak/soak.lua` in consecutive "
        f"segments of {meta['segment']} s with {meta['connections']} threads of one connection "
        "each (new connections every segment); a sampler reads `VmRSS`, `Threads` and the "
        f"entries of `/proc/PID/fd` every {meta['interval']} s. The gateway runs at its default "
        "log level, into a file."
    )
    L.append("")
    L.append("```sh")
    L.append("just soak                          # 10 minutes: bash bench/soak/run.sh")
    L.append("SOAK_DURATION=60 NO_DOCS=1 just soak   # a short try, report printed")
    L.append("```")
    return "\n".join(L) + "\n"


def main(argv):
    if argv[:1] == ["--check"]:
        r = parse(argv[1])
        bad = {k: v for k, v in r["steps"].items() if v[1] or not v[0]}
        print(f"   check: {r['requests']} requests, steps {json.dumps(r['steps'])}")
        if bad or r["socket"]:
            print(f"   failing steps: {bad}; first failure: {r['first_fail']}", file=sys.stderr)
            sys.exit(1)
        return
    if argv[:1] == ["--line"]:
        r = parse(argv[1])
        p = argv[3].split()
        print(
            f"   segment {argv[2]:>3} from {r['start']:>5} s: {r['rps']:7.0f} req/s, {r['failed'] + r['socket']} failed, "
            f"p99 {r['p99_us'] / 1000:.2f} ms; RSS {int(p[1]) / 1024:.1f} MiB, {p[2]} fds, {p[3]} threads"
            + (f"; first failure: {r['first_fail']}" if r["first_fail"] else "")
        )
        return
    raw, out = argv[0], argv[1]
    svg_path = argv[argv.index("--svg") + 1] if "--svg" in argv else None
    svg_name = None
    if svg_path and out != "-":
        meta = json.load(open(os.path.join(raw, "meta.json"), encoding="utf-8"))
        samples = []
        for line in open(os.path.join(raw, "samples.txt"), encoding="utf-8"):
            p = line.split()
            if len(p) >= 5:
                samples.append((int(p[0]), int(p[1]), int(p[2]), int(p[3]), float(p[4])))
        samples.sort()
        with open(svg_path, "w", encoding="utf-8") as f:
            f.write(svg(samples, None, meta))
        svg_name = os.path.relpath(svg_path, os.path.dirname(os.path.abspath(out)))
    text = report(raw, svg_name)
    if out == "-":
        sys.stdout.write(text)
    else:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"== wrote {out}" + (f" and {svg_path}" if svg_name else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
