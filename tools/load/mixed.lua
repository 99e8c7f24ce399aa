-- wrk script of the mixed load test (tools/load/run-load.sh): every request picks one kind at random by weight:
--   geocode   GET  /v1/geocode?q=…        an address of QUERIES (one per line: real roads, plates and POIs)
--   reverse   GET  /v1/reverse?lon&lat    a random point of the urban core
--   locate    GET  /v1/locate?lon&lat     a random point of the urban core
--   positions POST /v1/positions          BATCH fixes of this thread's vehicles, time increasing per thread
--   tiles     GET  /tiles/SOURCE/z/x/y    a random tile over the urban core at z12-16 (SOURCES, comma separated
--                                         by '|'), gzip accepted
-- Environment: QUERIES (file), SOURCES, KINDS (e.g. "geocode=3,reverse=2,locate=2,positions=1,tiles=3"; a single
-- kind gives a per-kind pass), BATCH (positions per POST, default 20), CITYGEO_API_KEY (sent as a bearer token
-- when set), BBOX ("minlon,minlat,maxlon,maxlat" of the core).
-- done() prints one JSON line: requests, req/s, per-kind counts, statuses, socket errors, latency percentiles.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local kinds = {}      -- {name, cumulative weight}
local total_weight = 0
local queries = {}
local sources = {}
local headers = {}
local json_headers = {}
local batch = 20
local minlon, minlat, maxlon, maxlat = 120.425, 33.165, 120.505, 33.235
local seq = 0
-- Per-kind counters and statuses, read by done() through thread:get.
count_geocode, count_reverse, count_locate, count_positions, count_tiles = 0, 0, 0, 0, 0
status_2xx, status_3xx, status_4xx, status_5xx = 0, 0, 0, 0
positions_sent = 0

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
  local spec = os.getenv("KINDS") or "geocode=3,reverse=2,locate=2,positions=1,tiles=3"
  for name, weight in spec:gmatch("(%a+)=(%d+)") do
    total_weight = total_weight + tonumber(weight)
    table.insert(kinds, {name, total_weight})
  end
  for line in io.lines(os.getenv("QUERIES")) do
    if #line > 0 then table.insert(queries, "/v1/geocode?limit=1&q=" .. encode(line)) end
  end
  for s in (os.getenv("SOURCES") or "unit_grids"):gmatch("[^|]+") do table.insert(sources, s) end
  batch = tonumber(os.getenv("BATCH") or "20")
  local box = os.getenv("BBOX")
  if box then
    local a, b, c, d = box:match("([^,]+),([^,]+),([^,]+),([^,]+)")
    minlon, minlat, maxlon, maxlat = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
  end
  local key = os.getenv("CITYGEO_API_KEY")
  if key and #key > 0 then
    headers["Authorization"] = "Bearer " .. key
    json_headers["Authorization"] = "Bearer " .. key
  end
  headers["Accept-Encoding"] = "gzip"
  json_headers["Content-Type"] = "application/json"
end

local function random_point()
  return minlon + math.random() * (maxlon - minlon), minlat + math.random() * (maxlat - minlat)
end

local function tile_path()
  local lon, lat = random_point()
  local z = math.random(12, 16)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return string.format("/tiles/%s/%d/%d/%d.mvt", sources[math.random(#sources)], z, x, y)
end

-- 2026-11-23T08:00:00+08:00; each thread's fixes advance one second per batch, its 50 vehicles take turns.
local t0 = 1795392000

local function positions_body()
  seq = seq + 1
  local items = {}
  for k = 1, batch do
    local vehicle = string.format("LOAD%d-%02d", thread_id, (seq * batch + k) % 50)
    local lon, lat = random_point()
    items[k] = string.format('{"vehicle_id":"%s","time":%d,"lon":%.6f,"lat":%.6f,"speed_kmh":%d}',
      vehicle, t0 + seq * 60, lon, lat, math.random(0, 60))
  end
  positions_sent = positions_sent + batch
  return '{"positions":[' .. table.concat(items, ",") .. ']}'
end

function request()
  local pick = math.random() * total_weight
  local kind = kinds[#kinds][1]
  for _, k in ipairs(kinds) do
    if pick < k[2] then kind = k[1]; break end
  end
  if kind == "geocode" then
    count_geocode = count_geocode + 1
    return wrk.format("GET", queries[math.random(#queries)], headers)
  elseif kind == "reverse" then
    count_reverse = count_reverse + 1
    local lon, lat = random_point()
    return wrk.format("GET", string.format("/v1/reverse?lon=%.6f&lat=%.6f", lon, lat), headers)
  elseif kind == "locate" then
    count_locate = count_locate + 1
    local lon, lat = random_point()
    return wrk.format("GET", string.format("/v1/locate?lon=%.6f&lat=%.6f", lon, lat), headers)
  elseif kind == "positions" then
    count_positions = count_positions + 1
    return wrk.format("POST", "/v1/positions", json_headers, positions_body())
  else
    count_tiles = count_tiles + 1
    return wrk.format("GET", tile_path(), headers)
  end
end

function response(status, headers, body)
  if status < 300 then status_2xx = status_2xx + 1
  elseif status < 400 then status_3xx = status_3xx + 1
  elseif status < 500 then status_4xx = status_4xx + 1
  else status_5xx = status_5xx + 1 end
end

done = function(summary, latency, requests)
  local sum = function(name)
    local n = 0
    for _, t in ipairs(threads) do n = n + (t:get(name) or 0) end
    return n
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    '{"kinds":"%s","seconds":%.1f,"requests":%d,"per_s":%.0f,' ..
    '"sent":{"geocode":%d,"reverse":%d,"locate":%d,"positions":%d,"tiles":%d},"positions_fixes":%d,' ..
    '"status":{"2xx":%d,"3xx":%d,"4xx":%d,"5xx":%d},"non_2xx":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"errors":%d,' ..
    '"latency_ms":{"p50":%.2f,"p90":%.2f,"p99":%.2f,"p999":%.2f,"max":%.2f,"mean":%.2f},"bytes":%d}\n',
    os.getenv("KINDS") or "default", summary.duration / 1e6, summary.requests, summary.requests / (summary.duration / 1e6),
    sum("count_geocode"), sum("count_reverse"), sum("count_locate"), sum("count_positions"), sum("count_tiles"),
    sum("positions_sent"),
    sum("status_2xx"), sum("status_3xx"), sum("status_4xx"), sum("status_5xx"),
    summary.requests - sum("status_2xx"),
    e.connect, e.read, e.write, e.timeout, socket + (summary.requests - sum("status_2xx")),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, latency.mean / 1000, summary.bytes))
end
