"""Writes the "MCP tools/call throughput" section of docs/benchmarks.md from bench/mcp/run.sh's
raw results.

    python3 report.py <raw dir> <docs/benchmarks.md | ->

Only the text between `<!-- mcp-load:start -->` and `<!-- mcp-load:end -->` is replaced; the
rest of the file is kept byte for byte. Without the markers, the heading and the marked section
are appended. The heading stays outside the markers (before them) so that a script that
replaces another section "up to the next `## ` heading" never removes a marker. `-` prints the
section instead. Standard library only.
"""

import json
import os
import sys

START = "<!-- mcp-load:start -->"
END = "<!-- mcp-load:end -->"
HEADING = "## MCP tools/call throughput"

LABEL = {
    "direct": "sample upstream, direct (`GET /current.json`)",
    "noauth": "gateway, no auth",
    "jwt": "gateway, JWT (JWKS)",
    "introspection": "gateway, opaque token (introspection)",
}
# (configuration, baseline, wanted ratio of requests/s or None, description)
TARGETS = [
    ("jwt", "noauth", 0.90, "JWT vs no auth: within 10 %"),
    ("introspection", "noauth", 0.85, "introspection vs no auth: within 15 %"),
]


def load(raw):
    meta = json.load(open(os.path.join(raw, "meta.json"), encoding="utf-8"))
    runs = {}
    for cfg in meta["configs"]:
        for c in meta["concurrency"]:
            r = json.load(open(os.path.join(raw, f"{cfg}-c{c}.json"), encoding="utf-8"))
            e = r["errors"]
            # wrk's `status` error count is the same thing as our non200 count.
            r["error_count"] = (
                r["non200"] + r["bad_body"] + e["connect"] + e["read"] + e["write"] + e["timeout"]
            )
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            runs[(cfg, c)] = r
    return meta, runs


def ms(us):
    if us < 1000:
        return f"{us:.0f} µs"
    if us < 10000:
        return f"{us / 1000:.2f} ms"
    return f"{us / 1000:.1f} ms"


def num(x):
    return f"{x:,.0f}"


def pct(x):
    return f"{x * 100:.0f} %" if x >= 0.1 else f"{x * 100:.1f} %"


def delta(us):
    sign = "+" if us >= 0 else "−"
    return sign + ms(abs(us))


def errors_text(r):
    if r["error_count"] == 0:
        return "0"
    parts = []
    if r["non200"]:
        parts.append(f"{r['non200']} not 200")
    if r["bad_body"]:
        parts.append(f"{r['bad_body']} bad body")
    for k in ("connect", "read", "write", "timeout"):
        if r["errors"][k]:
            parts.append(f"{r['errors'][k]} {k}")
    return "**" + ", ".join(parts) + "** ⚠"


def section(meta, runs):
    out = []
    w = out.append
    conc = meta["concurrency"]
    any_errors = any(r["error_count"] for r in runs.values())
    w(
        f"Measured {meta['date']} by `just bench-mcp` (`bench/mcp/run.sh`) on {meta['nproc']} cores "
        f"({meta['cpu']}), {meta['mem']} of memory, {meta['kernel']}. {meta['weather']} at commit "
        f"{meta['commit']}, release build, {meta['rustc']}; {meta['wrk']}; OpenID provider "
        f"oidc-provider {meta['oidc_provider']} on Node {meta['node']}. These figures are written by "
        "the script from one run of each configuration; rerun it to refresh them."
    )
    w("")
    w(
        f"Load average (1, 5, 15 min) when the runs started: {meta['load_start']}; when they ended: "
        f"{meta['load_end']}. The client (wrk), the gateway with its in-process sample upstream and "
        "the OpenID provider all share these cores; a load average above about 1 means other work "
        "shared them too and the figures are lower and noisier than on a quiet machine."
    )
    w("")
    if meta.get("nodelay_shim"):
        w(
            "**Diagnostic run (`NODELAY_SHIM=1`): `TCP_NODELAY` was forced on every socket the "
            "weather server accepted, by an `LD_PRELOAD` shim (`bench/mcp/nodelay.c`). These are "
            "not the figures of the server as shipped.**"
        )
        w("")
    if any_errors:
        w("**Some runs had errors (marked ⚠ below): their figures do not count.**")
        w("")
    # Targets.
    for cfg, base, want, text in TARGETS:
        ratios = [runs[(cfg, c)]["rps"] / runs[(base, c)]["rps"] for c in conc]
        erred = any(runs[(k, c)]["error_count"] for k in (cfg, base) for c in conc)
        detail = ", ".join(f"{pct(x)} of its requests/s at {c} connection{'s' if c > 1 else ''}"
                           for x, c in zip(ratios, conc))
        if erred:
            verdict = "not established (runs with errors)"
        elif all(x >= want for x in ratios):
            verdict = "met"
        else:
            verdict = "not met"
        w(f"**Target {text} — {verdict}: {detail}.**")
        w("")
    # Results.
    w("| configuration | connections | requests/s | p50 latency | p99 latency | requests | errors |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for c in conc:
        for cfg in meta["configs"]:
            r = runs[(cfg, c)]
            lat = r["latency_us"]
            w(
                f"| {LABEL[cfg]} | {c} | {num(r['rps'])} | {ms(lat['p50'])} | {ms(lat['p99'])} | "
                f"{num(r['requests'])} | {errors_text(r)} |"
            )
    w("")
    # Ratios.
    head = " | ".join(f"requests/s, {c} conn. | p50, {c} conn. | p99, {c} conn." for c in conc)
    w(f"| comparison | {head} |")
    w("| --- |" + " ---: |" * (3 * len(conc)))
    for cfg, base, text in [
        ("noauth", "direct", "gateway (no auth) vs direct upstream"),
        ("jwt", "noauth", "JWT vs no auth"),
        ("introspection", "noauth", "introspection vs no auth"),
    ]:
        cells = []
        for c in conc:
            a, b = runs[(cfg, c)], runs[(base, c)]
            mark = " ⚠" if a["error_count"] or b["error_count"] else ""
            cells.append(pct(a["rps"] / b["rps"]) + mark)
            cells.append(delta(a["latency_us"]["p50"] - b["latency_us"]["p50"]))
            cells.append(delta(a["latency_us"]["p99"] - b["latency_us"]["p99"]))
        w(f"| {text} | " + " | ".join(cells) + " |")
    w("")
    w(
        "Requests/s is the configuration's as a share of the baseline's; latencies are the "
        "difference from the baseline."
    )
    w("")
    w("### Method")
    w("")
    flags = " and ".join(f"`-t{min(2, c)} -c{c}`" for c in conc)
    w(
        f"`target/release/weather --demo` listens on a free loopback port, once without "
        f"authentication, once with `--issuer <provider> --resource http://127.0.0.1:P/weather/mcp` "
        f"(JWTs checked against the provider's JWKS, found by discovery) and once with, in "
        f"addition, `--introspection-endpoint <provider>/token/introspection --client-id "
        f"toolgate-rs --client-secret …` (opaque tokens). The provider is `oidc-provider` run by "
        f"`tests/interop/oidc/provider.mjs`; the tokens come from `tests/interop/oidc/token.mjs` "
        f"(client credentials, client `mcp-cc`, scope `mcp:access`): a JWT for the resource, an "
        f"opaque token for the resource plus `?opaque=1`. wrk ({flags}: threads, "
        f"connections kept alive) runs "
        f"`bench/mcp/tools-call.lua`: every request is a stateless protocol 2026-07-28 POST to "
        f"`/weather/mcp` — headers `Content-Type: application/json`, `Accept: application/json, "
        f"text/event-stream`, `Mcp-Protocol-Version: 2026-07-28`, `Mcp-Method: tools/call`, "
        f"`Mcp-Name: realtime-api` (and `Authorization: Bearer …`), body "
        f"`{{\"jsonrpc\":\"2.0\",\"id\":N,\"method\":\"tools/call\",\"params\":{{\"name\":"
        f"\"realtime-api\",\"arguments\":{{\"query_q\":\"London\"}},\"_meta\":{{…protocolVersion, "
        f"clientInfo, clientCapabilities…}}}}}}` with a new id N for every request, no session and "
        f"no `initialize`. The server answers each with `{meta['content_type']}` (one event, then "
        f"the response ends); the tool calls the sample upstream over loopback HTTP. *Direct* is "
        f"the same wrk on `GET /current.json?q=London&key=demo` of the no-auth server's sample "
        f"upstream (the address from its `demo mode: … upstream=` log line) — the request the "
        f"tool makes. Each run is a {meta['warmup']} s warm-up (which also fetches the JWKS and "
        f"fills the introspection cache) then {meta['duration']} s measured, the four "
        f"configurations one after the other at each concurrency; latencies are wrk's "
        f"(`--latency`), from sending a request to its complete answer. Every answer is checked "
        f"by the script's `response()`: status 200 and a body containing `\"London\"`, a JSON-RPC "
        f"`\"result\"` and no `\"isError\":true`; anything else, and wrk's socket errors and "
        f"timeouts (5 s), count as errors. Before the runs, curl checks one call per "
        f"configuration, and that the two guarded servers answer 401 without a token."
    )
    return "\n".join(out)


def main():
    raw, docs = sys.argv[1], sys.argv[2]
    meta, runs = load(raw)
    body = section(meta, runs)
    if docs == "-":
        print(body)
        return
    if os.path.exists(docs):
        text = open(docs, encoding="utf-8").read()
    else:
        text = (
            "# Benchmarks\n\nFigures measured on the project's machines by the scripts under "
            "`bench/`; each section says how to rerun it.\n"
        )
    block = f"{START}\n{body}\n{END}"
    s, e = text.find(START), text.find(END)
    if s != -1 and e != -1 and e > s:
        text = text[:s] + block + text[e + len(END):]
    else:
        if s != -1 or e != -1:
            sys.exit(f"{docs}: only one of the {START} / {END} markers is there; fix it by hand")
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{block}\n"
    with open(docs, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote the MCP tools/call throughput section of {docs}")


if __name__ == "__main__":
    main()
