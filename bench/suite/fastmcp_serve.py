"""The peer of bench/suite/run.sh: FastMCP's `from_openapi` over the same upstream.

    python fastmcp_serve.py SPEC --base-url URL --port PORT [--stateful]

Loads SPEC (weatherapi.yaml), keeps the operation `realtime-weather` (the one the benchmark
calls; the whole document imports the same way, only tools/list gets longer), and serves
`FastMCP.from_openapi(spec, client=httpx.AsyncClient(base_url=URL))` over streamable HTTP on
127.0.0.1:PORT at /mcp, stateless unless --stateful (the gateway is driven with stateless
requests too), answering with SSE as toolgate does. Access logs are off (toolgate logs
nothing per request at its default level either). Prints `READY <url> <tool name>` once the
tools are built, before the server starts listening.
"""

import argparse
import asyncio
import logging
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--operation", default="realtime-weather")
    ap.add_argument("--stateful", action="store_true")
    args = ap.parse_args()

    import yaml
    from fastmcp import FastMCP

    try:
        import httpx2 as httpx  # fastmcp 4 uses httpx2
    except ImportError:  # pragma: no cover
        import httpx

    with open(args.spec, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    # Keep one operation: the same tool the gateway serves.
    for path, item in list(spec["paths"].items()):
        for method in [m for m in item if m in ("get", "post", "put", "patch", "delete")]:
            if item[method].get("operationId") != args.operation:
                del item[method]
        if not any(m in item for m in ("get", "post", "put", "patch", "delete")):
            del spec["paths"][path]

    # The document's apiKey scheme is a `key` query parameter: send it as toolgate does.
    client = httpx.AsyncClient(base_url=args.base_url, params={"key": "bench"}, timeout=10.0)
    mcp = FastMCP.from_openapi(spec, client=client, name="fastmcp-weather")
    tools = asyncio.run(mcp.list_tools())
    names = [t.name for t in tools]
    if len(names) != 1:
        sys.exit(f"expected one tool, got {names}")

    logging.getLogger("uvicorn.access").disabled = True
    print(f"READY http://127.0.0.1:{args.port}/mcp {names[0]}", flush=True)
    mcp.run(
        transport="http",
        host="127.0.0.1",
        port=args.port,
        path="/mcp",
        log_level="warning",
        show_banner=False,
        stateless_http=not args.stateful,
        json_response=False,
    )


if __name__ == "__main__":
    main()
