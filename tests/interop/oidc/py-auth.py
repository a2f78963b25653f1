"""Official Python SDK (PyPI `mcp`, 2.x or 1.x) with a Bearer token against a weather MCP server
that is an OAuth resource server.

    python py-auth.py bearer  <url> <label> <token>   # lists tools and calls realtime-api
    python py-auth.py refused <url> <label> <token>   # connecting must fail with HTTP 401

Run it with the interpreter of tests/interop/.work/venv-mcp2 or venv-mcp1. Prints `ok  py-sdkN
<label> <check>` or `FAIL py-sdkN <label> <check>: why`; exits 1 if any check failed.
"""

from __future__ import annotations

import json
import sys
import warnings
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.metadata import version

import anyio

TIMEOUT_S = 20
SDK_MAJOR = int(version("mcp").split(".")[0])
failed = 0
seen_statuses: set[int] = set()  # HTTP statuses the 2.x client saw (it reports a 401 as -32603)


def check(label: str, name: str, cond: bool, why: object = "") -> None:
    global failed
    if cond:
        print(f"ok  py-sdk{SDK_MAJOR} {label} {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL py-sdk{SDK_MAJOR} {label} {name}: {' '.join(str(why).split())[:400]}", flush=True)


if SDK_MAJOR >= 2:
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    @asynccontextmanager
    async def connect(url: str, token: str):
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})

        async def record(response) -> None:
            seen_statuses.add(response.status_code)

        http.event_hooks["response"] = [record]
        async with http, Client(streamable_http_client(url, http_client=http), read_timeout_seconds=TIMEOUT_S) as client:
            yield client

    def is_error(result) -> bool:
        return result.is_error

else:
    from mcp import ClientSession

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from mcp.client.streamable_http import streamablehttp_client

    @asynccontextmanager
    async def connect(url: str, token: str):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            transport = streamablehttp_client(url, headers={"Authorization": f"Bearer {token}"})
        async with transport as streams:
            async with ClientSession(streams[0], streams[1], read_timeout_seconds=timedelta(seconds=TIMEOUT_S)) as session:
                await session.initialize()
                yield session

    def is_error(result) -> bool:
        return result.isError


def status_in(exc: BaseException) -> set[int]:
    """HTTP statuses found in an exception, its causes and exception-group members."""
    found: set[int] = set()
    todo, seen = [exc], set()
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        response = getattr(e, "response", None)
        code = getattr(response, "status_code", None)
        if isinstance(code, int):
            found.add(code)
        if "401" in str(e):
            found.add(401)
        todo.extend([e.__cause__, e.__context__, *getattr(e, "exceptions", ())])
    return found


async def bearer(url: str, label: str, token: str) -> None:
    async with connect(url, token) as client:
        check(label, "connect with a Bearer header", True)
        tools = [t.name for t in (await client.list_tools()).tools]
        check(label, "tools/list has realtime-api", "realtime-api" in tools, tools)
        res = await client.call_tool("realtime-api", {"query_q": "London"})
        text = next((c.text for c in res.content if c.type == "text"), None)
        try:
            name = json.loads(text or "null")["location"]["name"]
        except (ValueError, TypeError, KeyError):
            name = None
        check(label, "tools/call realtime-api: location.name == London", not is_error(res) and name == "London", res)


async def refused(url: str, label: str, token: str) -> None:
    try:
        async with connect(url, token) as client:
            await client.list_tools()
    except BaseException as exc:  # noqa: BLE001 - judged by the status inside
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        statuses = status_in(exc) | seen_statuses
        check(label, "connect is refused with 401", 401 in statuses, f"HTTP {sorted(statuses)}: {exc!r}")
        return
    check(label, "connect is refused with 401", False, "connected")


async def _main(mode: str, url: str, label: str, token: str) -> None:
    global failed
    try:
        with anyio.fail_after(4 * TIMEOUT_S):
            await (bearer if mode == "bearer" else refused)(url, label, token)
    except Exception as exc:  # noqa: BLE001 - a crash is one failed check, with its cause
        failed += 1
        print(f"FAIL py-sdk{SDK_MAJOR} {label} session: {exc!r}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("bearer", "refused"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    anyio.run(_main, *sys.argv[1:])
    sys.exit(1 if failed else 0)
