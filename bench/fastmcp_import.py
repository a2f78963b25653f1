"""One FastMCP OpenAPI import, timed in-process: the peer side of bench/run.sh.

    python fastmcp_import.py SPEC [--base-url URL] [--out REPORT.json]

Loads SPEC (JSON or YAML) into a dict, then times `FastMCP.from_openapi(spec, client=…)` plus
listing the tools (`await mcp.list_tools()`), and prints one JSON object: the tool count, the
import time in ms (from_openapi + list_tools), the document load time, how many tools' input
and output schemas pass JSON Schema 2020-12 meta-validation, how many contain `$ref`, and
which operations of the document became no tool (with FastMCP's log lines about them).
Run it under `/usr/bin/time -v` for the peak memory. Nothing is sent upstream.
"""

import argparse
import asyncio
import json
import logging
import sys
import time

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(f"{record.levelname}: {record.getMessage()}"[:400])


def has_ref(node):
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "$ref" in n:
                return True
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return False


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--base-url", default="http://127.0.0.1:9")
    ap.add_argument("--out", help="also write the tools (name, input/output schema) here")
    ap.add_argument("--no-validate", action="store_true", help="skip meta-validation")
    args = ap.parse_args()

    collect = Collect()
    logging.getLogger().addHandler(collect)

    # Imports are outside the timed part, as toolgate's start-up is outside import_ms.
    import fastmcp
    from fastmcp import FastMCP

    try:
        import httpx2 as httpx  # fastmcp 4 uses httpx2; a plain httpx client is deprecated
    except ImportError:  # pragma: no cover
        import httpx

    for name in ("fastmcp", "FastMCP"):
        lg = logging.getLogger(name)
        lg.addHandler(collect)

    t0 = time.perf_counter()
    with open(args.spec, encoding="utf-8") as f:
        if args.spec.endswith((".yaml", ".yml")):
            import yaml

            spec = yaml.safe_load(f)
        else:
            spec = json.load(f)
    t1 = time.perf_counter()
    mcp = FastMCP.from_openapi(spec, client=httpx.AsyncClient(base_url=args.base_url))
    tools = await mcp.list_tools()
    t2 = time.perf_counter()

    n_ops = 0
    ops = {}
    for path, item in spec.get("paths", {}).items():
        for m, op in item.items():
            if m in HTTP_METHODS:
                n_ops += 1
                ops[(m.upper(), path)] = (op or {}).get("operationId")
    covered = set()
    for t in tools:
        route = getattr(t, "_route", None)
        if route is not None:
            covered.add((str(getattr(route.method, "value", route.method)).upper(), route.path))
    missing = [
        {"method": m, "path": p, "operation_id": oid}
        for (m, p), oid in sorted(ops.items())
        if (m, p) not in covered
    ]

    result = {
        "fastmcp_version": fastmcp.__version__,
        "tools": len(tools),
        "operations": n_ops,
        "import_ms": round((t2 - t1) * 1000, 1),
        "load_ms": round((t1 - t0) * 1000, 1),
        "missing": missing,
        "log": collect.records[:50],
        "log_count": len(collect.records),
        "input_ref": sum(1 for t in tools if has_ref(t.parameters)),
        "output_ref": sum(1 for t in tools if t.output_schema and has_ref(t.output_schema)),
        "output_schemas": sum(1 for t in tools if t.output_schema is not None),
    }
    if not args.no_validate:
        from jsonschema import Draft202012Validator

        def valid(s):
            try:
                Draft202012Validator.check_schema(s)
                return True
            except Exception:
                return False

        result["input_valid"] = sum(1 for t in tools if valid(t.parameters))
        result["output_valid"] = sum(
            1 for t in tools if t.output_schema is not None and valid(t.output_schema)
        )
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(
                [
                    {"name": t.name, "input_schema": t.parameters, "output_schema": t.output_schema}
                    for t in tools
                ],
                f,
            )
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    asyncio.run(main())
