-- purchases.lua - wrk drives card purchases as the portal makes them: the card to the test
-- gateway's tokenization endpoint, POST /api/v1/orders with the payment method, then Buy.
--
--   wrk -t C -c C -d 60s -s bench/purchases.lua URL -- TOKENS_FILE C
--
-- One connection per thread (-t and -c the same), so each thread is one client walking
-- its own organisations (line i of TOKENS_FILE, an API token, for i = thread, thread + C,
-- ...; an organisation buys once) through the three requests. The run lasts -d; a thread
-- that used all its organisations before stops and is counted as exhausted (give more;
-- each thread needs one at least: purchases.mjs checks).
-- done() prints "purchases=N failures=F exhausted=E seconds=S", which bench/purchases.mjs
-- reads.

local card = '{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2031,' ..
  '"cvc":"737","holder":"Bench Buyer"}}'
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

function init(args)
  local all = {}
  for line in io.lines(args[1]) do all[#all + 1] = line end
  local count = tonumber(args[2])
  mine = {}
  for i = index, #all, count do mine[#mine + 1] = all[i] end
  at, step, purchases, failures, exhausted = 1, 0, 0, 0, 0
end

local function api(method, path, body)
  return wrk.format(method, path, {
    ["Authorization"] = "Bearer " .. mine[at],
    ["Content-Type"] = "application/json",
  }, body)
end

function request()
  if step == 0 then
    return wrk.format("POST", "/test-gateway/v1/tokens", { ["Content-Type"] = "application/json" }, card)
  elseif step == 1 then
    return api("POST", "/api/v1/orders",
      '{"offer":"action-pack","action":"purchase","payment":{"method":"card","payment_method":"' ..
      pm .. '"}}')
  end
  return api("POST", "/api/v1/orders/" .. order .. "/purchase", "{}")
end

-- the next organisation, or the thread's end
local function next_org(ok)
  if ok then purchases = purchases + 1 else failures = failures + 1 end
  step, at = 0, at + 1
  if at > #mine then
    exhausted = 1
    wrk.thread:stop()
  end
end

function response(status, headers, body)
  if step == 0 then
    pm = body:match('"id"%s*:%s*"([^"]+)"')
    if status == 201 and pm then step = 1 else next_org(false) end
  elseif step == 1 then
    order = body:match('"id"%s*:%s*"([^"]+)"')
    if status == 201 and order then step = 2 else next_org(false) end
  else
    next_org(status == 200 and body:find('"status"%s*:%s*"confirmed"') ~= nil)
  end
end

function done(summary, latency, requests)
  local p, f, e = 0, 0, 0
  for _, t in ipairs(threads) do
    p = p + (t:get("purchases") or 0)
    f = f + (t:get("failures") or 0)
    e = e + (t:get("exhausted") or 0)
  end
  io.write(string.format("purchases=%d failures=%d exhausted=%d seconds=%.3f\n", p, f, e,
    summary.duration / 1e6))
end
