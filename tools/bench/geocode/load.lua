-- wrk script for the geocoding load test: every request asks /v1/geocode for one query of the list
-- (QUERIES env var: a file with one query per line, URL-encoded by this script), round robin per thread.
local queries = {}
local counter = 0

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  for line in io.lines(os.getenv("QUERIES")) do
    if #line > 0 then table.insert(queries, "/v1/geocode?limit=1&q=" .. encode(line)) end
  end
  counter = math.random(#queries)
end

function request()
  counter = counter % #queries + 1
  return wrk.format("GET", queries[counter])
end

done = function(summary, latency, requests)
  io.write(string.format('{"engine":"citygeo-http","requests":%d,"errors":%d,"per_s":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
