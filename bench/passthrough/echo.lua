-- wrk script for bench/passthrough/run.sh: `tools/call echo` in one MCP session, a fresh
-- JSON-RPC id per request (thread k sends k*10^9 + 1, + 2, …; no two requests share one).
--
--   wrk ... http://127.0.0.1:P/mcp -s echo.lua -- SESSION_ID [APIKEY BEARER]
--
-- Every answer is checked: a status other than 200 counts as `non200`; a 200 without the
-- echo (`Echo: bench`) counts as `bad_body`. done() prints one line `PASSLOAD {json}` with
-- the counts and wrk's summary (microseconds) for run.sh to read.

local threads = {}
local next_thread = 1

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local counter = 0
local head = '{"jsonrpc":"2.0","id":'
local tail = ',"method":"tools/call","params":{"name":"echo","arguments":{"message":"bench"}}}'
non200 = 0
bad_body = 0
checked = 0
first_bad = ""

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  wrk.headers["Mcp-Protocol-Version"] = "2025-11-25"
  wrk.headers["Mcp-Session-Id"] = args[1]
  if args[2] and args[2] ~= "" then
    wrk.headers["apikey"] = args[2]
  end
  if args[3] and args[3] ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. args[3]
  end
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, head .. string.format("%d", tid * 1000000000 + counter) .. tail)
end

function response(status, headers, body)
  checked = checked + 1
  local ok = true
  if status ~= 200 then
    non200 = non200 + 1
    ok = false
  elseif not string.find(body, "Echo: bench", 1, true) then
    bad_body = bad_body + 1
    ok = false
  end
  if not ok and first_bad == "" then
    first_bad = status .. " " .. string.sub(body or "", 1, 200)
  end
end

function done(summary, latency, requests)
  local n200, nbad, nchecked, bad = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    n200 = n200 + (t:get("non200") or 0)
    nbad = nbad + (t:get("bad_body") or 0)
    nchecked = nchecked + (t:get("checked") or 0)
    if bad == "" then bad = t:get("first_bad") or "" end
  end
  bad = string.gsub(bad, '[%c"\\]', " ")
  local e = summary.errors
  io.write(string.format(
    'PASSLOAD {"requests":%d,"duration_us":%d,"checked":%d,"non200":%d,"bad_body":%d,'
      .. '"first_bad":"%s","socket_errors":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, nchecked, n200, nbad, bad,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
