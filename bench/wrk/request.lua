-- wrk script for bench/run.py: one request shape, read from the environment.
--   BENCH_METHOD (GET), BENCH_PATH (/), BENCH_COOKIE (signed session value, optional),
--   BENCH_COOKIE_NAME (session), BENCH_BODY (form body, optional), BENCH_EXPECT (200),
--   BENCH_FOLLOW_COOKIE=1: take the session cookie from Set-Cookie like a browser.
-- done() prints one line "BENCHJSON {...}" that run.py parses (latencies in microseconds).
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local cookie = os.getenv("BENCH_COOKIE")
local cookie_name = os.getenv("BENCH_COOKIE_NAME") or "session"
local body = os.getenv("BENCH_BODY")
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local follow = os.getenv("BENCH_FOLLOW_COOKIE") == "1"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  responses = 0
  last_status = 0
end

function request()
  local headers = { ["User-Agent"] = "lentera-bench/1" }
  if cookie then headers["Cookie"] = cookie_name .. "=" .. cookie end
  if body then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, rbody)
  responses = responses + 1
  if status ~= expect then
    unexpected = unexpected + 1
    last_status = status
  end
  if follow then
    local set = headers["Set-Cookie"] or headers["set-cookie"]
    if set then
      local value = set:match(cookie_name .. "=([^;]*)")
      if value and value ~= "" then cookie = value end
    end
  end
end

function done(summary, latency, requests)
  local bad, seen, status = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("unexpected")
    seen = seen + t:get("responses")
    if t:get("last_status") ~= 0 then status = t:get("last_status") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,' ..
    '"unexpected":%d,"responses":%d,"unexpected_status":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout, bad, seen, status))
end
