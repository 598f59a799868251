-- wrk script for bench/wrk-catalogue-miss.sh: every request asks a random showroom's
-- catalogue with random filters (price ceiling to the thousand rupiah, often a minimum
-- year, a sort, sometimes a transmission, a body type or page 2), so nearly every
-- request is a page-cache miss, as crawlers and filtering shoppers make them.
-- Showrooms are bench1..benchN.localhost (N from the TENANTS environment variable).
local tenants = tonumber(os.getenv("TENANTS") or "200")
local sorts = { "newest", "price_asc", "price_desc", "year_desc", "year_asc", "mileage_asc" }
local bodies = { "MPV", "SUV", "LCGC", "hatchback" }
local threads = 0

-- Each wrk thread has its own Lua state: give each its own random sequence.
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0) * 7919)
end

function request()
  local q = { "price_max=" .. (math.random(100, 500) * 1000000 + math.random(0, 999) * 1000) }
  if math.random() < 0.7 then q[#q + 1] = "year_min=" .. math.random(2012, 2024) end
  if math.random() < 0.3 then q[#q + 1] = "transmission=" .. (math.random() < 0.5 and "AT" or "MT") end
  if math.random() < 0.2 then q[#q + 1] = "body_type=" .. bodies[math.random(#bodies)] end
  q[#q + 1] = "sort=" .. sorts[math.random(#sorts)]
  if math.random() < 0.15 then q[#q + 1] = "page=2" end
  local host = "bench" .. math.random(1, tenants) .. ".localhost"
  return wrk.format("GET", "/mobil?" .. table.concat(q, "&"), { ["Host"] = host, ["Accept-Encoding"] = "gzip" })
end
