-- wrk script for bench/mcp/run.sh: MCP tools/call load with a fresh JSON-RPC id per request.
--
--   wrk ... http://127.0.0.1:P/weather/mcp -s tools-call.lua -- mcp [BEARER_TOKEN [TOOL [ARG]]]
--   wrk ... 'http://127.0.0.1:U/current.json?q=London&key=demo' -s tools-call.lua -- get
--
-- mode `mcp`: POSTs a stateless (protocol 2026-07-28) tools/call of TOOL (default
-- `realtime-api`) with {ARG:"London"} (default ARG `query_q`; FastMCP's tool is
-- `realtime_weather` with `q`; pass '' as BEARER_TOKEN for none); ids are numbered per thread
-- (thread k sends k*10^9 + 1, + 2, …) so no two requests of a run share one. mode `get`: the
-- plain GET of the URL given to wrk.
--
-- Every answer is checked: a status other than 200 counts as `non200`; a 200 whose body lacks
-- `"London"` (or, in mcp mode, a JSON-RPC `"result"`, or that carries `"isError":true`) counts
-- as `bad_body`. done() prints one line `MCPLOAD {json}` with the counts and wrk's summary
-- (durations and latencies in microseconds) for run.sh to read.

local threads = {}
local next_thread = 1

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local mode, token
local counter = 0
local body_head, body_tail
non200 = 0
bad_body = 0
checked = 0
first_bad = ""

function init(args)
  mode = args[1] or "mcp"
  token = args[2]
  local tool = args[3] or "realtime-api"
  local arg = args[4] or "query_q"
  if mode == "mcp" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Accept"] = "application/json, text/event-stream"
    wrk.headers["Mcp-Protocol-Version"] = "2026-07-28"
    wrk.headers["Mcp-Method"] = "tools/call"
    wrk.headers["Mcp-Name"] = tool
    if token and token ~= "" then
      wrk.headers["Authorization"] = "Bearer " .. token
    end
    body_head = '{"jsonrpc":"2.0","id":'
    body_tail = ',"method":"tools/call","params":{"name":"' .. tool .. '",'
      .. '"arguments":{"' .. arg .. '":"London"},"_meta":{'
      .. '"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
      .. '"io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"},'
      .. '"io.modelcontextprotocol/clientCapabilities":{}}}}'
  else
    wrk.method = "GET"
  end
end

function request()
  if mode ~= "mcp" then
    return wrk.format()
  end
  counter = counter + 1
  local id = string.format("%d", tid * 1000000000 + counter)
  return wrk.format(nil, nil, nil, body_head .. id .. body_tail)
end

function response(status, headers, body)
  checked = checked + 1
  local ok = true
  if status ~= 200 then
    non200 = non200 + 1
    ok = false
  elseif not string.find(body, '"London"', 1, true) then
    bad_body = bad_body + 1
    ok = false
  elseif mode == "mcp" and (not string.find(body, '"result"', 1, true)
      or string.find(body, '"isError":true', 1, true)) then
    bad_body = bad_body + 1
    ok = false
  end
  if not ok and first_bad == "" then
    first_bad = status .. " " .. string.sub(body or "", 1, 300)
  end
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local n200, nbad, nchecked, bad = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    n200 = n200 + (t:get("non200") or 0)
    nbad = nbad + (t:get("bad_body") or 0)
    nchecked = nchecked + (t:get("checked") or 0)
    local b = t:get("first_bad") or ""
    if bad == "" then bad = b end
  end
  local e = summary.errors
  io.write(string.format(
    'MCPLOAD {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"checked":%d,"non200":%d,"bad_body":%d,"first_bad":%s,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"stdev":%.1f,'
      .. '"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p99.9":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    nchecked, n200, nbad, json_string(bad),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, latency.stdev,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end
