-- wrk script for the cached-tile load test: GET every path of PATHS (one per line) round robin from a random
-- start per thread, asking for gzip as browsers do. Prints one JSON line: requests/s, errors, p50/p99/max.
local paths = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("PATHS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], {["Accept-Encoding"] = "gzip"})
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('{"engine":"citygeo-http-tiles","requests":%d,"errors":%d,"per_s":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"bytes":%d}\n',
    summary.requests, errors, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.bytes))
end
