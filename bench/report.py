"""Writes the "OpenAPI import" section of docs/benchmarks.md from bench/run.sh's raw results.

    python report.py RAW_DIR DOCS_FILE

Every figure comes from RAW_DIR (what run.sh measured). The section runs from its
`## OpenAPI import` heading to the next `## ` heading; the rest of the file is kept. A
missing file is created with a title.
"""

import json
import os
import statistics
import sys

TARGET_MS = 500
IDS = [
    ("github", "GitHub REST (`@octokit/openapi` 23.0.2, `api.github.com.json`, 13 MB)"),
    ("petstore-3.0", "`openapi-specs/petstore-3.0.yaml`"),
    ("weatherapi", "`openapi-specs/weatherapi.yaml`"),
]


def rows(path):
    with open(path, encoding="utf-8") as f:
        return [[float(x) for x in line.split("\t")] for line in f if line.strip()]


def med(values):
    return statistics.median(values)


def mb(kib):
    return f"{kib / 1024:.0f} MB"


def ms(v):
    return f"{v:,.0f} ms" if v >= 10 else f"{v:.1f} ms"


def cpu(v):
    # /usr/bin/time reports CPU seconds with two decimals.
    return ms(v) if v >= 10 else "< 10 ms"


def spread(values):
    return f"{ms(min(values))}–{ms(max(values))}"


def load(raw, name):
    with open(os.path.join(raw, name), encoding="utf-8") as f:
        return json.load(f)


def section(raw):
    meta = load(raw, "meta.json")
    tg_runs, fm_runs = meta["toolgate_runs"], meta["fastmcp_runs"]
    out = []
    w = out.append
    w("## OpenAPI import")
    w("")
    w(
        f"Measured {meta['date']} by `just bench` (`bench/run.sh`) on {meta['nproc']} cores "
        f"({meta['cpu']}), {meta['mem']} of memory, {meta['kernel']}. toolgate "
        f"{meta['toolgate'].split()[-1]} at commit {meta['commit']}, release build, "
        f"{meta['rustc']}; FastMCP {meta['fastmcp']} on Python {meta['python']}; "
        f"schemas checked with jsonschema {meta['jsonschema']}. These figures are written "
        "by the script; rerun it to refresh them."
    )
    w("")
    w(
        f"Load average (1, 5, 15 min) when the timed runs started: {meta['load_start']}; "
        f"when they ended: {meta['load_end']}. Anything above about 1 means other work "
        "shared the 2 cores and the wall-clock figures are inflated; CPU time is less so."
    )
    w("")

    # --- time and memory, every document ---
    tg = {i: rows(os.path.join(raw, f"toolgate-{i}.tsv")) for i, _ in IDS}
    fm = {i: rows(os.path.join(raw, f"fastmcp-{i}.tsv")) for i, _ in IDS}
    tg_rep = {i: load(raw, f"toolgate-{i}.json") for i, _ in IDS}
    fm_res = {i: load(raw, f"fastmcp-{i}-1.json") for i, _ in IDS}

    gh_ms = med([r[0] for r in tg["github"]])
    met = gh_ms < TARGET_MS
    w(
        f"**Target: GitHub's description ({fm_res['github']['operations']:,} operations) "
        f"imported in under {TARGET_MS} ms "
        f"— {'met' if met else 'not met'}: median {ms(gh_ms)}.**"
    )
    w("")
    w(
        "| document | operations | implementation | tools | import, median (range) | "
        "import incl. document load, median | process wall, median | process CPU, median | "
        "peak RSS, median |"
    )
    w("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for i, label in IDS:
        n_ops = fm_res[i]["operations"]
        t = tg[i]
        w(
            f"| {label} | {n_ops:,} | toolgate ({tg_runs} runs) | {len(tg_rep[i]['tools']):,} | "
            f"{ms(med([r[0] for r in t]))} ({spread([r[0] for r in t])}) | "
            f"{ms(med([r[0] for r in t]))} (included) | {ms(med([r[2] for r in t]))} | "
            f"{cpu(med([r[3] for r in t]))} | {mb(med([r[1] for r in t]))} |"
        )
        f = fm[i]
        w(
            f"| | | FastMCP ({fm_runs} runs) | {fm_res[i]['tools']:,} | "
            f"{ms(med([r[0] for r in f]))} ({spread([r[0] for r in f])}) | "
            f"{ms(med([r[0] + r[2] for r in f]))} | – | {cpu(med([r[3] for r in f]))} | "
            f"{mb(med([r[1] for r in f]))} |"
        )
    load_only = rows(os.path.join(raw, "toolgate-github-load.tsv"))
    lo = med([r[0] for r in load_only])
    w("")
    w(
        f"Of toolgate's {ms(gh_ms)} on GitHub's description, {ms(lo)} (median of "
        f"{len(load_only)}, {spread([r[0] for r in load_only])}) is reading and parsing the "
        "13 MB document plus fixed costs: the same command with `--path /no-operation-matches`, "
        f"which builds no tool, peaks at {mb(med([r[1] for r in load_only]))}. The rest, "
        f"about {ms(gh_ms - lo)}, is resolving references and building the "
        f"{len(tg_rep['github']['tools']):,} tools."
    )
    w("")

    # --- schema quality on GitHub ---
    tgs = load(raw, "toolgate-github-schemas.json")
    fms = load(raw, "fastmcp-github-schemas.json")

    def frac(s, kind):
        return f"{s[f'{kind}_valid']:,} / {s[f'{kind}_schemas']:,}"

    def largest(s, kind):
        big = s[f"{kind}_largest"]
        return f"{big[1] / 1024:,.0f} KiB (`{big[0]}`)" if big else "–"

    tg_skip = tg_rep["github"]["skipped"]
    fm_missing = fm_res["github"]["missing"]
    w("On GitHub's description:")
    w("")
    w(f"| | toolgate | FastMCP {meta['fastmcp']} |")
    w("| --- | ---: | ---: |")
    w(f"| tools | {tgs['tools']:,} | {fms['tools']:,} |")
    w(f"| operations not made into tools | {len(tg_skip)} | {len(fm_missing)} |")
    w(f"| input schemas valid (2020-12 meta-schema) | {frac(tgs, 'input')} | {frac(fms, 'input')} |")
    w(f"| output schemas valid (2020-12 meta-schema) | {frac(tgs, 'output')} | {frac(fms, 'output')} |")
    w(
        f"| schemas holding a `$ref` (input / output) | {tgs['input_with_ref']} / "
        f"{tgs['output_with_ref']} | {fms['input_with_ref']} / {fms['output_with_ref']} |"
    )
    w(
        f"| all input schemas, JSON size | {tgs['input_bytes'] / 1048576:.1f} MiB | "
        f"{fms['input_bytes'] / 1048576:.1f} MiB |"
    )
    w(
        f"| all output schemas, JSON size | {tgs['output_bytes'] / 1048576:.1f} MiB | "
        f"{fms['output_bytes'] / 1048576:.1f} MiB |"
    )
    w(f"| largest input schema | {largest(tgs, 'input')} | {largest(fms, 'input')} |")
    w(f"| largest output schema | {largest(tgs, 'output')} | {largest(fms, 'output')} |")
    w(
        f"| warnings / log lines during import | {len(tg_rep['github'].get('warnings', []))} | "
        f"{fm_res['github'].get('log_count', 0)} |"
    )
    w("")
    if tg_skip:
        w("Operations toolgate skipped, with its reasons:")
        w("")
        for s in tg_skip:
            w(f"- `{s['method']} {s['path']}` (`{s.get('operation_id')}`): {s['reason']}")
        w("")
    if fm_missing:
        w("Operations FastMCP made no tool of:")
        w("")
        for s in fm_missing[:30]:
            w(f"- `{s['method']} {s['path']}` (`{s.get('operation_id')}`)")
        w("")
    else:
        w(
            "FastMCP made a tool of every operation; it does not check request body media "
            "types at import."
        )
        w("")
    invalid = (
        tgs["input_invalid_examples"] + tgs["output_invalid_examples"],
        fms["input_invalid_examples"] + fms["output_invalid_examples"],
    )
    for who, examples in zip(("toolgate", "FastMCP"), invalid):
        if examples:
            w(f"First invalid {who} schemas:")
            w("")
            for e in examples:
                w(f"- {e}")
            w("")

    w("### Method")
    w("")
    w(
        f"toolgate: `target/release/toolgate openapi inspect <document> --json` run "
        f"{tg_runs} times per document, each a fresh process; *import* is the report's "
        "`import_ms` (reading and parsing the file, resolving references, building every "
        "tool with its schemas), *process wall* adds start-up and printing the JSON report, "
        "and *process CPU* is the process's user + system time. "
        "`petstore-3.0.yaml` gets `--base-url http://127.0.0.1:9/` because its servers are "
        "relative. FastMCP: a Python process loads the document into a dict (`json.load`, or "
        "`yaml.safe_load`), then times `FastMCP.from_openapi(spec, client=httpx2.AsyncClient("
        'base_url="http://127.0.0.1:9"))` plus `await mcp.list_tools()`; that is *import*, '
        "and *import incl. document load* adds the dict loading, which toolgate's figure "
        f"always includes. {fm_runs} runs per document, each a fresh process (imports of "
        "the Python packages excluded, like toolgate's start-up). Peak RSS is `/usr/bin/time` "
        "`%M` of the whole process, and process CPU its `%U` + `%S` (for FastMCP both include "
        "starting the interpreter and importing its packages). Schema validity: each tool's input and output schema through "
        "`jsonschema.Draft202012Validator.check_schema`, counted once per tool; `$ref` "
        "counts keywords only, not `$ref` keys inside example data. Nothing is sent upstream."
    )
    w("")
    return "\n".join(out)


def main():
    raw, docs = sys.argv[1], sys.argv[2]
    new = section(raw)
    if os.path.exists(docs):
        with open(docs, encoding="utf-8") as f:
            lines = f.read().splitlines()
    else:
        lines = [
            "# Benchmarks",
            "",
            "Figures measured on the project's machines by the scripts under `bench/`; "
            "each section says how to rerun it.",
            "",
        ]
    start = next((k for k, l in enumerate(lines) if l.strip() == "## OpenAPI import"), None)
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *new.splitlines()]
    else:
        end = next(
            (k for k in range(start + 1, len(lines)) if lines[k].startswith("## ")), len(lines)
        )
        tail = lines[end:]
        lines = lines[:start] + new.splitlines() + ([""] + tail if tail else [])
    text = "\n".join(lines).rstrip("\n") + "\n"
    os.makedirs(os.path.dirname(docs) or ".", exist_ok=True)
    with open(docs, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote the OpenAPI import section of {docs}")


if __name__ == "__main__":
    main()
