-- edgelab.rl from Lua: PPO on CartPole and on a tiny MEC env, train callbacks, act/evaluate, save/load,
-- option errors.
local edgelab = require "edgelab"
local rl, mec = edgelab.rl, edgelab.mec

-- Unknown options are errors; wm options only for wmppo.
local ok, err = pcall(rl.ppo, { env = "cartpole", num_env = 2 })
assert(not ok and tostring(err):find("num_env"), tostring(err))
ok, err = pcall(rl.ppo, { env = "cartpole", wm = { mve_horizon = 2 } })
assert(not ok and tostring(err):find("wm"), tostring(err))
ok, err = pcall(rl.ppo, { num_envs = 2 })
assert(not ok and tostring(err):find("env"), tostring(err))
ok, err = pcall(rl.wmppo, { env = "cartpole", wm = { rollout_horizon = 9 } })
assert(not ok and tostring(err):find("rollout_horizon"), tostring(err))
ok, err = pcall(rl.wmppo, { env = "cartpole", wm = { beta_mode = "sometimes" } })
assert(not ok and tostring(err):find("beta_mode"), tostring(err))

-- CartPole: a few iterations, the on_eval callback fires on schedule.
local agent = rl.ppo { env = "cartpole", seed = 3, num_envs = 2, num_steps = 32, total_steps = 512 }
assert(agent.kind == "ppo" and agent.step == 0)
local calls = {}
local last = agent:train(256, { every = 128, progress = false,
  on_eval = function(step, s) calls[#calls + 1] = step; assert(s.mean_return > 0 and s.policy_loss ~= nil) end })
assert(agent.step == 256 and #calls == 2 and calls[1] == 128 and calls[2] == 256, #calls)
assert(last.iteration == 4)
local a = agent:act({ 0.01, 0, -0.02, 0 })
assert(#a == 1 and (a[1] == 0 or a[1] == 1))
local ev = agent:evaluate("cartpole", { episodes = 2, seeds = { 5 } })
assert(ev.episodes == 2 and ev.mean_return >= 1)
assert(#agent:history() == 4)

-- MEC: WM-PPO on a tiny env; save → load → the loaded agent continues exactly like the original.
local env = mec.env { users = 3, horizon = 16, arrival_rate = 0.3 }
local w = rl.wmppo { env = env, seed = 2, num_envs = 2, num_steps = 16, total_steps = 256,
                     wm = { warmup_iterations = 0, gate = false, beta_mode = "fixed", rollouts = true, rollout_skill = false,
                            model = { seq_len = 8, entities = -1 } } }
w:train(64, { progress = false })
local path = os.tmpname()
w:save(path)
local w2 = rl.load(path)
assert(w2.kind == "wmppo" and w2.step == 64)
local s1 = w:train(64, { progress = false })
local s2 = w2:train(64, { progress = false })
assert(s1.policy_loss == s2.policy_loss and s1.value_loss == s2.value_loss, "resume differs")
assert(s1.imagination_on == 1 and s1.imagined_samples > 0)
assert(s1.mve_beta == 0.5 and s1.target_skill ~= nil and s1.critic_skill ~= nil and s1.rollout_ratio == 0.25)
-- Default (skill-weighted) blend: the weight used is beta × clamp(skill, 0, 1).
local ws = rl.wmppo { env = env, seed = 3, num_envs = 2, num_steps = 16, total_steps = 64,
                      wm = { warmup_iterations = 0, gate = false, rollouts = true, model = { seq_len = 8 } } }
local sk = ws:train(32, { progress = false })
local expect = 0.5 * math.min(math.max(sk.target_skill, 0), 1)
assert(math.abs(sk.mve_beta - expect) < 1e-6, ("beta %s vs 0.5 x skill %s"):format(sk.mve_beta, sk.target_skill))
assert(math.abs(sk.rollout_ratio - 0.25 * math.min(math.max(sk.target_skill, 0), 1)) < 1e-6)
-- The defaults: correction targets, no imagined rollouts (docs/decisions/0202); a bad target form is an error.
local wd = rl.wmppo { env = env, seed = 3, num_envs = 2, num_steps = 16, total_steps = 64, wm = { warmup_iterations = 0, gate = false, model = { seq_len = 8 } } }
local sd = wd:train(32, { progress = false })
assert(sd.imagination_on == 1 and (sd.imagined_samples or 0) == 0, "rollouts are off by default")
ok, err = pcall(rl.wmppo, { env = env, wm = { target_form = "average" } })
assert(not ok and tostring(err):find("target_form"), tostring(err))
-- The entity path (model.entities = -1: one entity per MEC user; used by `w` above); a layout that does not fit is an
-- error; the options change the model.
ok, err = pcall(rl.wmppo, { env = env, wm = { model = { entities = 5, entity_features = 11 } } })
assert(not ok and tostring(err):find("entities"), tostring(err))
local plain = rl.wmppo { env = env, seed = 3, num_envs = 2, num_steps = 16, total_steps = 32,
                         wm = { warmup_iterations = 0, gate = false, model = { entities = -1, skip = false, seq_len = 8 } } }
local sp = plain:train(32, { progress = false })
assert(sp.wm_val_error ~= sk.wm_val_error and sp.wm_val_error ~= nil, "entity/skip options had no effect")
local m = w:evaluate(env, { episodes = 1, seeds = { 1 } })
assert(m.latency_mean >= 0 and m.mean_return ~= nil and m.energy_violation_rate >= 0)
local acts = w:act(env:reset(1), env:mask())
assert(#acts == 3)
os.remove(path)
local csv = os.tmpname()
w:write_csv(csv, { deterministic = true })
local f = assert(io.open(csv)); local header = f:read("l"); f:close(); os.remove(csv)
assert(header:find("episodic_return") and not header:find("sps"), header)
ok, err = pcall(rl.load, "/nonexistent/ckpt.json")
assert(not ok and tostring(err):find("cannot read"), tostring(err))

-- rl.env: CartPole-v1 steppable from Lua (step/reset), max_steps truncates, usable as the agent's env
local cp = rl.env("cartpole", { max_steps = 7, seed = 4 })
assert(cp.obs_dim == 4 and cp.actions[1] == 2 and cp.max_steps == 7, tostring(cp))
local okr, errr = pcall(cp.step, cp, 0)
assert(not okr and errr:find("reset"), errr)
local o0 = cp:reset()
assert(#o0 == 4 and math.abs(o0[1]) < 0.05)
local steps, trunc, term = 0, false, false
repeat
  local _, r, te, tr = cp:step(steps % 2)   -- alternate pushes: the pole stays up for 7 steps
  assert(r == 1); steps = steps + 1; term, trunc = te, tr
until te or tr
assert(steps == 7 and trunc and not term, ("steps %d trunc %s term %s"):format(steps, tostring(trunc), tostring(term)))
local o1 = cp:reset(4)
assert(o1[1] == o0[1] and o1[4] == o0[4], "same seed, same start")
assert(not pcall(rl.env, "pendulum"))
assert(not pcall(cp.step, cp, 2), "action out of range")
local ca = rl.ppo { env = rl.env("cartpole", { max_steps = 50 }), seed = 1, num_envs = 2, num_steps = 32, total_steps = 256 }
local cs = ca:train(256, { progress = false })
assert(cs.return_window ~= nil and cs.return_window <= 50, "windowed training return, capped by max_steps")
local eps = ca:episodes()
assert(#eps >= 1 and eps[1].length >= 1 and eps[1]["return"] == eps[1].length and eps[1].step <= 256)

-- defaults in one place: the options decode straight into PPOConfig; a bad enum value is an error naming it, and
-- an earlier spelling (reward_norm, deprecated) lands on the same field
ok, err = pcall(rl.ppo, { env = "cartpole", reward_normalization = "forever" })
assert(not ok and tostring(err):find("reward_normalization"), tostring(err))
ok, err = pcall(rl.ppo, { env = "cartpole", reward_norm = "forever" })
assert(not ok and tostring(err):find("reward_normalization"), tostring(err))
local wp = rl.wmppo { env = "cartpole", seed = 1, num_envs = 2, num_steps = 16, total_steps = 64,
  wm = { simulator = true, warmup_iterations = 0, critic_imagination = true, rollout_ratio = 1.5 } }
local wps = wp:train(64, { progress = false })
assert(wps.imagination_on == 1 and wps.critic_imagined_samples >= 1, "perfect-model imagination with critic rows")
