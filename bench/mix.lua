-- A realistic query mix for `wrk`: clients near a city with a radius and a filter, text near a
-- city, referrers' nearest-first lists, type-ahead, and the plain directory listing. Centres
-- are large cities, where the generated practitioners (and real traffic) concentrate.
-- `stillpoint-bench mix` (crates/stillpoint-bench/src/mix.rs) draws the same requests
-- in-process: change both together.
local cities = {
  {40.7143, -74.006}, {34.0522, -118.2437}, {41.85, -87.65}, {29.7633, -95.3633},
  {51.5085, -0.1257}, {53.4809, -2.2374}, {52.4814, -1.8998}, {55.8652, -4.2576},
  {40.015, -105.2705}, {39.7392, -104.9847}, {47.6062, -122.3321}, {45.5234, -122.6762},
  {37.7749, -122.4194}, {42.3584, -71.0598}, {38.8951, -77.0364}, {33.749, -84.388},
  {43.7001, -79.4163}, {49.2497, -123.1193}, {45.5088, -73.5878}, {48.8534, 2.3488},
  {52.5244, 13.4105}, {47.3667, 8.55}, {-33.8679, 151.2073}, {-37.814, 144.9633},
}
local specialties = {"infants", "tmj", "headaches-migraines", "concussion-tbi", "chronic-pain",
  "neck-back-pain", "pregnancy", "anxiety-stress", "trauma-ptsd", "sleep"}
local professions = {"massage-therapist", "physical-therapist", "osteopath", "chiropractor",
  "occupational-therapist", "nurse"}
local words = {"migraine", "baby", "jaw", "concussion", "biodynamic", "trauma", "back pain"}
local prefixes = {"mig", "inf", "bou", "lon", "con", "tmj"}

local function pick(t) return t[math.random(#t)] end

request = function()
  local c = pick(cities)
  local lat = string.format("%.4f", c[1] + (math.random() - 0.5) * 0.2)
  local lon = string.format("%.4f", c[2] + (math.random() - 0.5) * 0.2)
  local r = math.random(100)
  local path
  if r <= 40 then
    path = "/v1/search?lat=" .. lat .. "&lon=" .. lon .. "&radius=" .. pick({"10km", "25km", "50km"})
      .. "&specialty=" .. pick(specialties) .. "&accepting=true"
  elseif r <= 60 then
    path = "/v1/search?q=" .. pick(words):gsub(" ", "+") .. "&lat=" .. lat .. "&lon=" .. lon
      .. "&radius=50km"
  elseif r <= 75 then
    path = "/v1/search?lat=" .. lat .. "&lon=" .. lon .. "&profession=" .. pick(professions)
      .. "&per_page=20&facets=none"
  elseif r <= 90 then
    path = "/v1/facets/specialty?prefix=" .. pick(prefixes) .. "&lat=" .. lat .. "&lon=" .. lon
      .. "&radius=25km"
  else
    path = "/v1/search?per_page=20"
  end
  return wrk.format("GET", path)
end

done = function(summary, latency)
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
