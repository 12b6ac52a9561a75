-- serve_load.lua: wrk posts OTLP protobuf bodies to tracelm serve, each a
-- trace of its own (bench/bench_serve_load.py writes them, all the same
-- length, into one file).  wrk's threads take turns through the bodies,
-- so no body is sent twice while there are bodies left.
local path, size, count = os.getenv("BODIES"), tonumber(os.getenv("BODY_SIZE")), tonumber(os.getenv("BODY_COUNT"))
local threads, counter = {}, 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(path, "rb"))
  data = file:read("*a")
  file:close()
  step = tonumber(os.getenv("THREADS"))
  next_index = id
  failed = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-protobuf"
end

function request()
  local index = next_index % count
  next_index = next_index + step
  return wrk.format(nil, "/v1/traces", nil, data:sub(index * size + 1, (index + 1) * size))
end

function response(status, headers, body)
  if status ~= 200 then failed = failed + 1 end
end

function done(summary, latency, requests)
  local failures = 0
  for _, t in ipairs(threads) do failures = failures + t:get("failed") end
  io.write(string.format("LOAD requests=%d non200=%d errors=%d p50_us=%d p99_us=%d max_us=%d seconds=%.3f\n",
    summary.requests, failures, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max,
    summary.duration / 1e6))
end
