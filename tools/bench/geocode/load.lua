-- wrk script for the geocoding load test. MODE=forward: GET /v1/geocode for each line of QUERIES (URL-encoded
-- here); MODE=reverse: GET /v1/reverse for each "lon,lat" line of QUERIES. Round robin from a random start per
-- thread. THINK_MS=n makes each of the connections wait n ms after an answer before its next request (clients
-- that do something between requests, as case-intake desks do), instead of a closed loop at saturation.
-- Prints one JSON line: requests/s, errors, p50/p99/max latency (ENGINE names the server measured).
local paths = {}
local counter = 0
local think = tonumber(os.getenv("THINK_MS") or "0")

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local mode = os.getenv("MODE") or "forward"
  for line in io.lines(os.getenv("QUERIES")) do
    if #line > 0 then
      if mode == "reverse" then
        local lon, lat = line:match("([^,]+),([^,]+)")
        table.insert(paths, "/v1/reverse?lon=" .. lon .. "&lat=" .. lat)
      else
        table.insert(paths, "/v1/geocode?limit=1&q=" .. encode(line))
      end
    end
  end
  counter = math.random(#paths)
end

function delay()
  return think
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('{"engine":"%s","mode":"%s","think_ms":%d,"requests":%d,"errors":%d,"per_s":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    os.getenv("ENGINE") or "citygeo-http", os.getenv("MODE") or "forward", think, summary.requests, errors, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
