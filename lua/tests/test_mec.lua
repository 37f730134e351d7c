-- edgelab.mec from Lua: env construction (unknown keys rejected), reset/step, masks, baselines, evaluate.
local mec = require("edgelab").mec

local env = mec.env { scenario = "paper", users = 4, rho = 0.9, horizon = 20, arrival_rate = 0.5 }
assert(env.users == 4 and env.choices == 4 and env.horizon == 20)
assert(env.obs_dim == 4 * 13 + 9 + 2 * env.scenario.edge_gpus, "obs_dim " .. env.obs_dim)
assert(env.scenario.rho == 0.9 and env.scenario.users == 4)

local obs, info = env:reset(7)
assert(#obs == env.obs_dim and type(info) == "table")
local mask = env:mask()
assert(#mask == env.users * env.choices)

-- Same seed, same trajectory (always-offload as the fixed policy).
local function run(seed)
  local o = env:reset(seed)
  local trace = {}
  for t = 1, 20 do
    local a = {}
    local m = env:mask()
    for u = 1, env.users do a[u] = m[(u - 1) * env.choices + 1] and 0 or 1 end
    local o2, r, term, trunc, inf = env:step(a)
    trace[#trace + 1] = r
    assert(term == false)
    assert(trunc == (t == 20))
    assert(inf.queries >= 0 and inf.latency_mean >= 0)
  end
  return trace
end
local t1, t2 = run(3), run(3)
for i = 1, #t1 do assert(t1[i] == t2[i], "trajectory differs at " .. i) end

-- Errors are clear and catchable.
local ok, err = pcall(mec.env, { users = 3, bandwith = 1e6 })
assert(not ok and err:find("unknown option 'bandwith'"), err)
ok, err = pcall(mec.env, { bandwidth_hz = -1 })
assert(not ok and (err:find("bandwidth_hz must be > 0") or err:find("bandwidthHz must be > 0")), err)
ok, err = pcall(mec.env, { device_names = { "phone-99gb" } })
assert(not ok and err:find("unknown device"), err)
env:reset(1)
ok, err = pcall(env.step, env, { 0, 0 })
assert(not ok and err:find("expected one per user %(4%)"), err)
ok, err = pcall(mec.baseline, "smartest", env)
assert(not ok and err:find("unknown baseline"), err)

-- Baselines and evaluation.
local names = mec.baselines()
assert(#names == 8)
for _, name in ipairs(names) do
  local p = mec.baseline(name, env, 1)
  local o = env:reset(2)
  local a = p:act(o, env:mask())
  assert(#a == env.users)
  local r = mec.evaluate(p, env, { episodes = 1, seeds = { 1, 2 } })
  assert(r.policy == name and r.episodes == 2 and r.latency_p50 <= r.latency_p95 + 1e-12, name)
end
local r = mec.evaluate(function(o, m) local a = {} for u = 1, 4 do a[u] = m[(u - 1) * env.choices + 1] and 0 or 1 end return a end,
                       env, { seeds = { 5 } })
local r2 = mec.evaluate(mec.baseline("always-offload", env), env, { seeds = { 5 } })
assert(math.abs(r.latency_mean - r2.latency_mean) < 1e-9, "lua function policy == always-offload")
ok, err = pcall(mec.evaluate, mec.baseline("random", env), env, { episodes = 0 })
assert(not ok and err:find("episodes must be >= 1"), err)

local chk = mec.check(mec.env { users = 3, horizon = 30, arrival_rate = 0.4 })
assert(chk.passed, table.concat(chk.problems, "\n"))

-- Snapshot / restore / clone: the same actions after a restore give bit-identical steps.
do
  local e = mec.env { users = 5, horizon = 12, arrival_rate = 0.5, seed = 4 }
  e:reset()
  local function act(env, t)
    local m, a = env:mask(), {}
    for u = 1, env.users do
      local c = (u - 1) * env.choices
      a[u] = ((m[c + 2] and (t + u) % 2 == 0) or not m[c + 1]) and 1 or 0
    end
    return a
  end
  for t = 1, 3 do e:step(act(e, t)) end
  local s = e:snapshot()
  assert(s.slot == 3)
  local function roll(env)
    local out = {}
    for t = 1, 15 do
      local o, r, _, trunc, inf = env:step(act(env, t))
      out[#out + 1] = r; out[#out + 1] = o[1]; out[#out + 1] = inf.latency_mean
      if trunc then env:reset() end
    end
    return out
  end
  local twin = e:clone()
  local a = roll(e)
  e:restore(s)
  local b, c = roll(e), roll(twin)
  for i = 1, #a do assert(a[i] == b[i] and a[i] == c[i], "replay differs at " .. i) end
  local ok, err = pcall(e.restore, e, mec.env { users = 6 }:snapshot())
  assert(not ok and err:find("does not belong"), err)
end
