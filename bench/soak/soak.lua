-- wrk script for bench/soak/run.sh: a mix of authenticated MCP traffic, every answer checked.
--
--   wrk -tN -cN ... http://127.0.0.1:P/weather/mcp -s soak.lua -- JWT OPAQUE ALICE_KEY BOB_KEY [STEPS]
--
-- Run with as many connections as threads (-tN -cN): each connection then walks the cycle
-- below in order, one request at a time, which the session steps rely on (the session id of
-- an `initialize` answer is used by the next requests on the same connection). JSON-RPC ids
-- are numbered per thread (thread k sends k*10^9 + 1, + 2, …). Each step says what a correct
-- answer is; anything else counts as a failure of that step. Refusals the gateway must make
-- (no token, a bad token, a tool the consumer's group may not call) are steps with their own
-- expected answers, not failures. done() prints one line `SOAK {json}` with per-step counts.

local threads = {}
local next_thread = 1

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local jwt, opaque, alice, bob
local counter = 0
local step = 1
local session = ""
-- Per-step counters, as globals (wrk copies numbers and strings between Lua states).
ok_count = {}
fail_count = {}
fail_text = {}

local META = '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
  .. '"io.modelcontextprotocol/clientInfo":{"name":"soak","version":"1"},'
  .. '"io.modelcontextprotocol/clientCapabilities":{}}'

local function next_id()
  counter = counter + 1
  return string.format("%d", tid * 1000000000 + counter)
end

local function stateless(method, name, params, auth)
  local h = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["Mcp-Protocol-Version"] = "2026-07-28",
    ["Mcp-Method"] = method,
  }
  if name then h["Mcp-Name"] = name end
  for k, v in pairs(auth) do h[k] = v end
  local body = '{"jsonrpc":"2.0","id":' .. next_id() .. ',"method":"' .. method .. '","params":{'
    .. params .. (params ~= "" and "," or "") .. META .. '}}'
  return wrk.format("POST", nil, h, body)
end

local function in_session(body, auth, method)
  local h = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["Mcp-Protocol-Version"] = "2025-11-25",
  }
  if session ~= "" then h["Mcp-Session-Id"] = session end
  for k, v in pairs(auth) do h[k] = v end
  return wrk.format(method or "POST", nil, h, body)
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if string.lower(k) == name then return v end
  end
  return nil
end

local function has(body, s)
  return body ~= nil and string.find(body, s, 1, true) ~= nil
end

local function good_call(status, headers, body)
  return status == 200 and has(body, '"London"') and has(body, '"result"') and not has(body, '"isError":true')
end

local CALL = '"name":"realtime-api","arguments":{"query_q":"London"}'

-- The cycle: name, request builder, check.
local steps = {
  { "jwt_call", function() return stateless("tools/call", "realtime-api", CALL, { Authorization = "Bearer " .. jwt }) end, good_call },
  { "opaque_call", function() return stateless("tools/call", "realtime-api", CALL, { Authorization = "Bearer " .. opaque }) end, good_call },
  { "apikey_call", function() return stateless("tools/call", "realtime-api", CALL, { apikey = alice }) end, good_call },
  { "jwt_list", function() return stateless("tools/list", nil, "", { Authorization = "Bearer " .. jwt }) end,
    -- history-api is for the admin group only: a token naming no consumer does not see it.
    function(status, headers, body)
      return status == 200 and has(body, '"realtime-api"') and has(body, '"forecast-api"') and not has(body, '"history-api"')
    end },
  { "no_token_401", function() return stateless("tools/call", "realtime-api", CALL, {}) end,
    function(status, headers, body)
      local w = header(headers, "www-authenticate")
      return status == 401 and w ~= nil and has(w, "resource_metadata=")
    end },
  { "bad_token_401", function() return stateless("tools/call", "realtime-api", CALL, { Authorization = "Bearer not-a-valid-token" }) end,
    function(status, headers, body) return status == 401 end },
  { "denied_tool", function()
      return stateless("tools/call", "history-api", '"name":"history-api","arguments":{"query_q":"London","query_dt":"2025-06-01"}', { apikey = bob })
    end,
    function(status, headers, body) return status == 200 and has(body, "-32602") and not has(body, '"result"') end },
  { "session_initialize", function()
      session = ""
      return in_session('{"jsonrpc":"2.0","id":' .. next_id() .. ',"method":"initialize","params":{"protocolVersion":"2025-11-25",'
        .. '"capabilities":{},"clientInfo":{"name":"soak","version":"1"}}}', { apikey = alice })
    end,
    function(status, headers, body)
      session = header(headers, "mcp-session-id") or ""
      return status == 200 and session ~= "" and has(body, '"serverInfo"')
    end },
  { "session_initialized", function()
      return in_session('{"jsonrpc":"2.0","method":"notifications/initialized"}', { apikey = alice })
    end,
    function(status, headers, body) return status == 202 end },
  { "session_call", function()
      return in_session('{"jsonrpc":"2.0","id":' .. next_id() .. ',"method":"tools/call","params":{' .. CALL .. '}}', { apikey = alice })
    end, good_call },
  { "session_delete", function() return in_session(nil, { apikey = alice }, "DELETE") end,
    function(status, headers, body) return status == 204 or status == 200 or status == 202 end },
}

function init(args)
  jwt, opaque, alice, bob = args[1], args[2], args[3], args[4]
  -- An optional fifth argument keeps only the steps it names (comma-separated), for
  -- finding which kind of request a problem comes with.
  if args[5] and args[5] ~= "" then
    local keep, kept = {}, {}
    for name in string.gmatch(args[5], "[^,]+") do keep[name] = true end
    for _, s in ipairs(steps) do
      if keep[s[1]] then table.insert(kept, s) end
    end
    steps = kept
  end
  for _, s in ipairs(steps) do
    ok_count[s[1]] = 0
    fail_count[s[1]] = 0
  end
end

-- The cycle advances on answers, not on requests: wrk may ask for a request it then does
-- not send (it did for the first request of a connection in trials), and a step must not
-- be skipped for that.
function request()
  return steps[step][2]()
end

function response(status, headers, body)
  local s = steps[step]
  step = step % #steps + 1
  if s[3](status, headers, body) then
    ok_count[s[1]] = ok_count[s[1]] + 1
  else
    fail_count[s[1]] = fail_count[s[1]] + 1
    if not fail_text[s[1]] then
      fail_text[s[1]] = status .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

function done(summary, latency, requests)
  local ok, fail, text = {}, {}, {}
  for _, t in ipairs(threads) do
    local o, f, x = t:get("ok_count"), t:get("fail_count"), t:get("fail_text")
    for k, v in pairs(o or {}) do ok[k] = (ok[k] or 0) + v end
    for k, v in pairs(f or {}) do fail[k] = (fail[k] or 0) + v end
    for k, v in pairs(x or {}) do text[k] = text[k] or v end
  end
  local parts, bad = {}, ""
  for _, s in ipairs(steps) do
    local k = s[1]
    -- done() runs in wrk's main Lua state, where init() did not narrow `steps`.
    if ok[k] or fail[k] then
      table.insert(parts, string.format('"%s":[%d,%d]', k, ok[k] or 0, fail[k] or 0))
    end
    if text[k] then
      bad = bad .. (bad == "" and "" or "; ") .. k .. ": " .. text[k]
    end
  end
  bad = string.gsub(bad, '[%c"\\]', " ")
  local e = summary.errors
  io.write(string.format(
    'SOAK {"requests":%d,"duration_us":%d,"steps":{%s},"first_fail":"%s",'
      .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, table.concat(parts, ","), bad,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
