"""Memory of idle MCP sessions: bench/suite/run.sh's session row.

    python3 sessions.py URL PID [--count 10000] [--settle 5] [--out result.json]

Opens one MCP session on URL and reads the resident set size (VmRSS in /proc/PID/status) of the
server process PID, then opens the others up to COUNT sessions in all, one after the other over
one kept-alive connection: for each an `initialize` (protocol 2025-11-25) whose answer must
carry an `Mcp-Session-Id`, then the `notifications/initialized` notification in that session
(202). The sessions are then left idle; after SETTLE seconds the RSS is read again, and the
first, a middle and the last session must still answer `tools/list` (so none was dropped while
the others were opened). COUNT includes the first session, so a server capped at COUNT
sessions (toolgate's default cap is 10,000) holds them all. Prints and writes one JSON object:
RSS with one session and with all in KiB, sessions open, failures, seconds taken.
Standard library only; loopback only.
"""

import argparse
import http.client
import json
import sys
import time
import urllib.parse

INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "bench-sessions", "version": "1"},
    },
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


class Conn:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        if u.hostname not in ("127.0.0.1", "::1", "localhost"):
            sys.exit(f"sessions.py: loopback only, not {u.hostname}")
        self.host, self.port, self.path = u.hostname, u.port, u.path
        self.conn = None

    def post(self, body, headers):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(
                    "POST",
                    self.path,
                    body=json.dumps(body),
                    headers={
                        "Content-Type": "application/json",
                        "Accept": "application/json, text/event-stream",
                        **headers,
                    },
                )
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r.getheader("mcp-session-id"), data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("pid", type=int)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--settle", type=float, default=5.0)
    ap.add_argument("--out")
    args = ap.parse_args()

    conn = Conn(args.url)
    # One session first, so that whatever a server allocates lazily on its first request is in
    # the baseline, not in the per-session figure.
    status, sid, _ = conn.post(INIT, {})
    if status != 200 or not sid:
        sys.exit(f"sessions.py: initialize got HTTP {status} without a session id")
    time.sleep(1)
    before = rss_kib(args.pid)
    threads_before = threads(args.pid)

    sids, failures, first_failure = [sid], 0, ""
    t0 = time.monotonic()
    for i in range(1, args.count):
        status, sid, data = conn.post(INIT, {})
        if status != 200 or not sid:
            failures += 1
            if not first_failure:
                first_failure = f"initialize #{i}: HTTP {status} {data[:200]!r}"
            continue
        status, _, data = conn.post(
            INITIALIZED, {"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"}
        )
        if status not in (200, 202):
            failures += 1
            if not first_failure:
                first_failure = f"initialized #{i}: HTTP {status} {data[:200]!r}"
            continue
        sids.append(sid)
    took = time.monotonic() - t0
    time.sleep(args.settle)
    after = rss_kib(args.pid)

    alive = 0
    probes = [sids[0], sids[len(sids) // 2], sids[-1]] if sids else []
    for sid in probes:
        status, _, data = conn.post(
            LIST, {"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"}
        )
        if status == 200 and b'"tools"' in data:
            alive += 1
    result = {
        "url": args.url,
        "requested": args.count,
        "opened": len(sids),
        "failures": failures,
        "first_failure": first_failure,
        "seconds": round(took, 2),
        "rss_before_kib": before,
        "rss_after_kib": after,
        "threads_before": threads_before,
        "threads_after": threads(args.pid),
        "probes_alive": alive,
        "probes": len(probes),
        "settle_s": args.settle,
    }
    text = json.dumps(result)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
