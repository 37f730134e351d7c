-- Training histories of nine WM-PPO configurations (every TrainStats field but the wall-clock sps, at full precision), to check
-- that a change to the world model's or imagination's code leaves results bit-identical: run it with the
-- previous build and with the new one into two folders and compare them byte for byte (cmp / diff -r).
--   edgelab run tools/tests/wmppo_histories.lua --set out='<folder>' [--set iterations=5]
-- MEC paper N = 10 with the PPOConfig defaults (4 envs × 128 steps), and CartPole.
local edgelab = require "edgelab"
local rl, mec, lab = edgelab.rl, edgelab.mec, edgelab.lab

local cfg = lab.config { out = "", iterations = 5, smoke = { iterations = 1 } }
assert(cfg.out ~= "", "set out='<folder>'")
os.execute("mkdir -p '" .. cfg.out .. "'")

local forced = { gate = false, warmup_iterations = 0, beta_mode = "fixed", rollout_skill = false }
local function with(base, extra)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(extra) do t[k] = v end
  return t
end
local configs = {
  { "forced", forced },
  { "gate_open", { gate = false, warmup_iterations = 0 } },
  { "default", {} },
  { "rollouts", with(forced, { rollouts = true }) },
  { "critic_draws_residual", with(forced, { critic_imagination = true, target_samples = 2, residual_sampling = true }) },
  { "steve", with(forced, { ensemble = 2, steve = true }) },
  { "entities", with(forced, { model = { entities = -1 } }) },
  { "perfect_model", { simulator = true, warmup_iterations = 0 } },
  { "cartpole", forced, "cartpole" },
}
for _, c in ipairs(configs) do
  local name, wm, envName = c[1], c[2], c[3]
  local env = envName == "cartpole" and "cartpole" or mec.env { users = 10 }
  local agent = rl.wmppo { env = env, seed = 1, total_steps = 100000, wm = wm }
  agent:train(cfg.iterations * 512, { progress = false })
  -- Every number at full precision (%.17g is exact for the Double a stat is pushed as; write_csv rounds to 6 digits).
  local f = assert(io.open(cfg.out .. "/" .. name .. ".txt", "w"))
  for _, row in ipairs(agent:history()) do
    local keys = {}
    for k in pairs(row) do if k ~= "sps" then keys[#keys + 1] = k end end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local v = row[k]
      f:write(k, "=", type(v) == "number" and string.format("%.17g", v) or tostring(v), " ")
    end
    f:write("\n")
  end
  f:close()
  print(name, agent.iteration)
end
