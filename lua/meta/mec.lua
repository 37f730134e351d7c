---@meta edgelab.mec
-- LuaCATS type stubs for `edgelab.mec` (the MEC offloading environment). Not loaded at run time.

---@class edgelab.mec
local mec = {}

---@class edgelab.mec.EnvOptions
---@field scenario? "paper"|"paper-iid" built-in scenario the other fields override (default "paper")
---@field seed? integer seed of the first argument-less `env:reset()`
---@field users? integer number of users N (default 10)
---@field rho? number Gauss–Markov fading correlation in [0, 1] (default 0.9; 0 = i.i.d.)
---@field horizon? integer slots per episode (default 200)
---@field slot_seconds? number slot length τ in s (default 1)
---@field arrival? "bernoulli"|"poisson"
---@field arrival_rate? number queries per user per slot (default 0.02)
---@field prompt_tokens_min? integer
---@field prompt_tokens_max? integer
---@field output_tokens_min? integer
---@field output_tokens_max? integer
---@field task_classes? string[]
---@field task_class_weights? number[]
---@field device_names? string[] device profiles users are drawn from (EdgeProfiles built-in table)
---@field layout_seed? integer which device each user holds
---@field card_set? "paper-scale"|"measured"
---@field cards_path? string model card JSON (for card_set = "measured")
---@field edge_model? string card the edge runs (default "llama-3.1-8b-f16")
---@field local_variants? integer local variants per device (action choices = 1 + localVariants)
---@field edge_device? string
---@field edge_gpus? integer
---@field max_batch? integer
---@field batch_slowdown? number α: a decode step with b streams takes t1·(1 + α(b−1))
---@field bandwidth_hz? number
---@field noise_psd_dbm_hz? number
---@field noise_figure_db? number
---@field shadowing_std_db? number
---@field min_distance_km? number
---@field max_distance_km? number
---@field bs_transmit_power_w? number
---@field uplink_bits_per_token? number
---@field uplink_overhead_bits? number
---@field downlink_bits_per_token? number
---@field outage_snr_db? number
---@field deadline_seconds? number
---@field energy_budget_w? number
---@field min_accuracy? number
---@field max_hallucination? number
---@field constraint_mode? "lyapunov"|"lagrange"|"none"
---@field lyapunov_v? number
---@field energy_queue_scale? number
---@field lagrange_multipliers? number[]
---@field lagrange_step? number

---Builds an MEC environment. Unknown keys are errors. Every field and its default/source: Sources/MEC/Scenario.swift.
---@param opts? edgelab.mec.EnvOptions
---@return edgelab.mec.Env
function mec.env(opts) end

---A classic baseline bound to `env` ("always-local", "always-offload", "random", "greedy", "lyapunov",
---"oracle"; greedy/lyapunov/oracle read the env's slot state: full knowledge of the slot).
---@param name string
---@param env edgelab.mec.Env
---@param seed? integer
---@return edgelab.mec.Policy
function mec.baseline(name, env, seed) end

---@class edgelab.mec.EvalOptions
---@field episodes? integer episodes per seed (default 1)
---@field seeds? integer[] reset seeds (default {1})

---@class edgelab.mec.Evaluation
---@field policy string
---@field episodes integer
---@field queries integer
---@field latency_mean number s
---@field latency_p50 number s
---@field latency_p95 number s
---@field delay_transmit number s (mean per query)
---@field delay_queue number s
---@field delay_compute number s
---@field energy_per_device_w number mean query energy per device per second
---@field effective_accuracy number accuracy counting only answers within the deadline
---@field accuracy number
---@field hallucination number
---@field deadline_miss_rate number
---@field offload_fraction number
---@field energy_violation_rate number fraction of (device, episode) pairs over the energy budget
---@field accuracy_violation_rate number fraction of episodes below A_min
---@field hallucination_violation_rate number fraction of episodes above H_max
---@field mean_return number
---@field seconds number wall time

---Evaluates a baseline or a Lua function `f(obs, mask) -> actions` (one call per slot).
---@param policy edgelab.mec.Policy|fun(obs: number[], mask: boolean[]): integer[]
---@param env edgelab.mec.Env
---@param opts? edgelab.mec.EvalOptions
---@return edgelab.mec.Evaluation
function mec.evaluate(policy, env, opts) end

---@return string[]
function mec.baselines() end
---@return string[]
function mec.scenarios() end

---Runs the EnvKit checker on the env (spaces, determinism, masks, finite values, invalid actions).
---@param env edgelab.mec.Env
---@param seed? integer
---@return { passed: boolean, problems: string[], steps: integer, episodes: integer }
function mec.check(env, seed) end

---@class edgelab.mec.Env
---@field users integer
---@field choices integer action choices per user: 0 = offload, 1 = best local variant, 2 = next, …
---@field obs_dim integer N·11 + 6
---@field horizon integer
---@field slot integer
---@field info_keys string[]
---@field cost_keys string[]
---@field scenario table the resolved scenario
---@field devices string[] device of each user
---@field models string[] best hosted local model of each user ("" if none)
local Env = {}

---@param seed? integer
---@return number[] obs
---@return table<string, number> info
function Env:reset(seed) end

---@param actions integer[] one per user
---@return number[] obs
---@return number reward
---@return boolean terminated
---@return boolean truncated
---@return table<string, number> info
function Env:step(actions) end

---@return boolean[] mask flat, user-major (N·choices)
function Env:mask() end

---The last slot's per-query breakdown (user, prompt, output, task_class, latency, transmit, queue,
---compute, energy, accuracy, eff_accuracy, hallucination, offloaded) and per-user energy (user_energy).
---@return table
function Env:outcome() end

---An exact copy of the env's whole mutable state (slot, queries, channels, backlogs, running edge batches,
---virtual queues, long-run accumulators, RNG streams). Restoring it replays bit-identical steps.
---@return edgelab.mec.Snapshot
function Env:snapshot() end

---Puts the env back into the state of `s` (a snapshot of this env or of one with the same scenario).
---@param s edgelab.mec.Snapshot
function Env:restore(s) end

---An independent env in exactly this env's state (same scenario and layout).
---@return edgelab.mec.Env
function Env:clone() end

---@class edgelab.mec.Snapshot
---@field slot integer slot index at the time of the snapshot

---@class edgelab.mec.Policy
---@field name string
local Policy = {}

---@param obs number[]
---@param mask? boolean[]
---@return integer[] actions
function Policy:act(obs, mask) end

return mec
