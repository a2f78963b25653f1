"""Official Python SDK client (PyPI `mcp`, 2.x or 1.x) against a weather MCP server.

    python python-client.py http  <url>
    python python-client.py stdio <command> [args...]

Run it with the interpreter of a venv holding `mcp` 2.x (label `py-sdk2`: the high-level
`mcp.Client`, default mode, which probes `server/discover` first) or `mcp` 1.x (label `py-sdk1`:
`ClientSession` over `streamablehttp_client` / `stdio_client`). Prints `ok  <label> <transport>
<check>` or `FAIL <label> <transport> <check>: why` per check; exits 1 if any check failed.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.metadata import version

import anyio

TITLES = {
    "realtime-api": "Realtime API",
    "forecast-api": "Forecast API",
    "history-api": "History API",
    "search-api": "Search API",
    "ip-lookup-api": "IP Lookup API",
}
TIMEOUT_S = 20
CONNECT_LIMIT_S = 5  # the 2.x client waits 10 s on a server/discover probe left unanswered
SDK_MAJOR = int(version("mcp").split(".")[0])
LABEL = f"py-sdk{SDK_MAJOR}"

failed = 0


def check(mode: str, name: str, cond: bool, why: object = "") -> None:
    global failed
    if cond:
        print(f"ok  {LABEL} {mode} {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {LABEL} {mode} {name}: {str(why)[:300]}", flush=True)


if SDK_MAJOR >= 2:
    from mcp import Client, MCPError, StdioServerParameters

    @asynccontextmanager
    async def connect(mode: str, target: list[str]):
        server = target[0] if mode == "http" else StdioServerParameters(command=target[0], args=target[1:])
        async with Client(server, read_timeout_seconds=TIMEOUT_S) as client:
            yield client, client.protocol_version

    def error_code(exc: BaseException) -> int | None:
        return exc.code if isinstance(exc, MCPError) else None

    def schema_of(tool):
        return tool.input_schema

    def structured(result):
        return result.structured_content

    def is_error(result) -> bool:
        return result.is_error

else:
    from mcp import ClientSession, McpError, StdioServerParameters
    from mcp.client.stdio import stdio_client

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from mcp.client.streamable_http import streamablehttp_client

    @asynccontextmanager
    async def connect(mode: str, target: list[str]):
        if mode == "http":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                transport = streamablehttp_client(target[0])
        else:
            transport = stdio_client(StdioServerParameters(command=target[0], args=target[1:]))
        async with transport as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write, read_timeout_seconds=timedelta(seconds=TIMEOUT_S)) as session:
                init = await session.initialize()
                yield session, init.protocolVersion

    def error_code(exc: BaseException) -> int | None:
        return exc.error.code if isinstance(exc, McpError) else None

    def schema_of(tool):
        return tool.inputSchema

    def structured(result):
        return result.structuredContent

    def is_error(result) -> bool:
        return result.isError


def location_name(text: str | None) -> object:
    try:
        return json.loads(text or "null")["location"]["name"]
    except (ValueError, TypeError, KeyError) as exc:
        return f"unparseable ({exc!r}): {text!r:.200}"


async def run(mode: str, target: list[str]) -> None:
    started = time.monotonic()
    async with connect(mode, target) as (client, protocol):
        took = time.monotonic() - started
        check(mode, f"connect (protocol {protocol}) within {CONNECT_LIMIT_S}s", took < CONNECT_LIMIT_S, f"{took:.1f}s")

        tools = {t.name: t for t in (await client.list_tools()).tools}
        missing = [n for n in TITLES if n not in tools]
        check(mode, "tools/list has the five weather tools", not missing, f"missing {missing} in {list(tools)}")
        titles = {n: getattr(tools.get(n), "title", None) for n in TITLES}
        wrong = {n: got for n, got in titles.items() if got != TITLES[n]}
        check(mode, "tools/list titles", not wrong, f"wrong titles {wrong}")
        schema = schema_of(tools["realtime-api"]) if "realtime-api" in tools else {}
        props = schema.get("properties") or {}
        check(
            mode,
            "realtime-api schema: query_q required string, no query_key",
            (props.get("query_q") or {}).get("type") == "string"
            and "query_q" in (schema.get("required") or [])
            and "query_key" not in props,
            json.dumps(schema)[:300],
        )

        res = await client.call_tool("realtime-api", {"query_q": "London"})
        check(mode, "tools/call realtime-api is not an error", not is_error(res), res)
        text = next((c.text for c in res.content if c.type == "text"), None)
        name = location_name(text)
        check(mode, "tools/call realtime-api text location.name == London", name == "London", name)
        sc = structured(res)
        sc_name = (sc.get("location") or {}).get("name") if isinstance(sc, dict) else None
        check(mode, "tools/call realtime-api structuredContent location.name == London", sc_name == "London", sc)

        try:
            outcome = await client.call_tool("forecast-api", {})
            code, why = None, f"no JSON-RPC error; result {outcome}"
        except Exception as exc:  # noqa: BLE001 - judged by its code below
            code, why = error_code(exc), repr(exc)
        check(mode, "tools/call forecast-api without required args is a -32602 error", code == -32602, why)


async def _main(mode: str, target: list[str]) -> None:
    global failed
    try:
        with anyio.fail_after(4 * TIMEOUT_S):
            await run(mode, target)
    except Exception as exc:  # noqa: BLE001 - a crash is one failed check, with its cause
        failed += 1
        print(f"FAIL {LABEL} {mode} session: {exc!r}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("http", "stdio"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    anyio.run(_main, sys.argv[1], sys.argv[2:])
    sys.exit(1 if failed else 0)
