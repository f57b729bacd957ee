-- wrk script for the portal load benchmark: GET /m/{token}/read with a
-- valid session cookie. Reads SESSIONS_FILE (lines "<path> <cookie>", from
-- portal_sessions.py); each wrk thread walks the sessions round-robin from
-- its own offset, so every request carries a live session and all sessions
-- are used. Counts answers that are not 200 or lack the message's text
-- (the BSN in the sample message), and prints them at the end.

local sessions = {}
for line in io.lines(os.getenv("SESSIONS_FILE")) do
  local path, cookie = line:match("^(%S+)%s+(%S+)$")
  if path then
    sessions[#sessions + 1] = { path = path, cookie = cookie }
  end
end

-- Globals, not locals: setup() sets and done() reads them per thread
-- (thread:set / thread:get see a thread's globals only).
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  n = (thread_id or 0) * 7
  ok, bad_status, bad_body = 0, 0, 0
end

function request()
  n = n + 1
  local s = sessions[(n % #sessions) + 1]
  return wrk.format("GET", s.path, { ["Cookie"] = "zegel_r=" .. s.cookie })
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif not body:find("111222333", 1, true) then
    bad_body = bad_body + 1
  else
    ok = ok + 1
  end
end

function done(summary, latency, requests)
  local s, b, o = 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("bad_status")
    b = b + t:get("bad_body")
    o = o + t:get("ok")
  end
  io.write(string.format("checked: %d answers 200 with the message, %d not 200, %d 200 without it\n", o, s, b))
  io.write(string.format("sessions: %d\n", #sessions))
  for _, p in ipairs({ 50, 75, 90, 99, 99.9 }) do
    io.write(string.format("latency p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max: %.2f ms, requests: %d, errors: connect %d read %d write %d timeout %d status %d\n",
    latency.max / 1000, summary.requests, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status))
end
