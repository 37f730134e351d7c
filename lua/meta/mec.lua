---@meta edgelab.mec
-- LuaCATS type stubs for `edgelab.mec` (the MEC offloading environment). Not loaded at run time.

---@class edgelab.mec
local mec = {}

---@class edgelab.mec.EnvOptions
---@field scenario? "paper"|"paper-iid"|"paper-legacy" built-in scenario the other fields override (default "paper")
---@field seed? integer seed of the first argument-less `env:reset()`
---@field name? string scenario name (default "paper")
---@field users? integer number of users N (default 10)
---@field rho? number Gauss–Markov fading correlation in [0, 1] (default 0.9; 0 = i.i.d.)
---@field horizon? integer slots per episode (default 200)
---@field slot_seconds? number slot length τ in s (default 1)
---@field arrival? "bernoulli"|"poisson" (default "bernoulli")
---@field arrival_rate? number queries per user per slot (default 0.02)
---@field prompt_tokens_min? integer (default 64)
---@field prompt_tokens_max? integer (default 448)
---@field output_tokens_min? integer (default 32)
---@field output_tokens_max? integer (default 224)
---@field task_classes? string[]
---@field task_class_weights? number[]
---@field device_names? string[] device profiles users are drawn from (EdgeProfiles built-in table)
---@field layout_seed? integer which device each user holds (default 1)
---@field card_set? "paper-scale"|"measured" (default "paper-scale")
---@field cards_path? string model card JSON (for card_set = "measured")
---@field paper_degradation? string how the compressed paper-scale cards' quality is derived: "assumed" (stated drops per format), "measured" (relative changes measured on SmolLM2, shipped table) or the path of a table written by experiments/paper/measure_degradation.lua (default "assumed")
---@field edge_model? string card the edge runs (default "llama-3.1-8b-f16")
---@field local_variants? integer local variants per device (action choices = 1 + local_variants) (default 3)
---@field edge_device? string edge box profile (default "jetson-agx-orin")
---@field edge_gpus? integer edge GPUs / boxes, one batching engine each (default 3)
---@field edge_scheduler? "continuous"|"slot-batch" iteration-level batching or the original slot batches (default "continuous")
---@field max_batch? integer streams per engine (default 8)
---@field batch_slowdown? number α: a decode step with b streams takes t1·(1 + α(b−1)) (default 0.286)
---@field memory_efficiency? number (default 0.6)
---@field compute_efficiency? number (default 0.3)
---@field bandwidth_hz? number (default 2000000)
---@field noise_psd_dbm_hz? number (default -174)
---@field noise_figure_db? number (default 0)
---@field path_loss_intercept? number (default 128.1)
---@field path_loss_slope? number (default 37.6)
---@field shadowing_std_db? number (default 8)
---@field min_distance_km? number (default 0.05)
---@field max_distance_km? number (default 0.5)
---@field bs_transmit_power_w? number (default 10)
---@field uplink_bits_per_token? number (default 32)
---@field uplink_overhead_bits? number (default 1000000)
---@field downlink_bits_per_token? number (default 32)
---@field outage_snr_db? number (default -10)
---@field deadline_seconds? number (default 30)
---@field energy_budget_w? number budget of a device class not in energy_budgets_w (default 1)
---@field energy_budgets_w? table<string, number> long-run budget (W) per device class: phone, sbc, embedded-gpu, laptop
---@field energy_accounting? "decision"|"idle-wait" what a decision's energy is (default "decision")
---@field receive_power_w? number device receive power over the downlink airtime (default 0.5)
---@field carry_constraint_state? boolean virtual queues / multipliers / long-run sums carry over reset() without a seed (default true)
---@field min_accuracy? number (default 0.55)
---@field max_hallucination? number (default 0.56)
---@field constraint_mode? "lyapunov"|"lagrange"|"none" (default "lyapunov")
---@field lyapunov_v? number (default 1)
---@field energy_queue_scale? number (default 1)
---@field lagrange_multipliers? number[]
---@field lagrange_step? number (default 0)

---Builds an MEC environment. Unknown keys are errors. Every field and its default/source: Sources/MEC/Scenario.swift.
---@param opts? edgelab.mec.EnvOptions
---@return edgelab.mec.Env
function mec.env(opts) end

---A classic baseline bound to `env` ("always-local", "always-offload", "random", "greedy", "lyapunov",
---"lyapunov-exhaustive", "lookahead"; the last four read the env's state: full knowledge; lookahead also
---replays the true future on a clone of the env).
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
---@field latency_mean number s, realized (settled queries; continuous batching's later joiners included)
---@field latency_p50 number s
---@field latency_p95 number s
---@field delay_transmit number s (mean per query, decision-time split)
---@field delay_queue number s
---@field delay_compute number s
---@field energy_per_device_w number mean over devices of the long-run power (W)
---@field effective_accuracy number accuracy counting only answers within the deadline
---@field accuracy number
---@field hallucination number
---@field deadline_miss_rate number
---@field offload_fraction number
---@field energy_violation_rate number fraction of devices whose long-run power (pooled over all evaluated episodes) exceeds their class budget
---@field accuracy_violation_rate number fraction of devices (with queries) whose long-run effective accuracy < A_min
---@field hallucination_violation_rate number fraction of devices (with queries) whose long-run hallucination > H_max
---@field energy_episode_violation_rate number per-episode view: fraction of (device, episode) pairs over budget
---@field accuracy_episode_violation_rate number per-episode view: fraction of episodes below A_min
---@field hallucination_episode_violation_rate number per-episode view: fraction of episodes above H_max
---@field classes edgelab.mec.ClassReport[] per device class, sorted by name
---@field user_energy_w number[] long-run power of each user (W)
---@field mean_return number
---@field seconds number wall time

---@class edgelab.mec.ClassReport
---@field device_class string
---@field devices integer
---@field queries integer
---@field energy_w number mean long-run power of the class's devices
---@field energy_max_w number worst device's long-run power
---@field energy_budget_w number
---@field energy_slack_w number budget − worst device (< 0: violated)
---@field effective_accuracy number pooled over the class's queries
---@field accuracy_slack number effective_accuracy − A_min
---@field hallucination number
---@field hallucination_slack number H_max − hallucination
---@field energy_violation_rate number fraction of the class's devices over budget (long run)
---@field accuracy_violation_rate number
---@field hallucination_violation_rate number

---Evaluates a baseline or a Lua function `f(obs, mask) -> actions` (one call per slot).
---@param policy edgelab.mec.Policy|fun(obs: number[], mask: boolean[]): integer[]
---@param env edgelab.mec.Env
---@param opts? edgelab.mec.EvalOptions
---@return edgelab.mec.Evaluation
function mec.evaluate(policy, env, opts) end

---@class edgelab.mec.DiagnoseOptions
---@field seeds? integer[] reset seeds (default {1, 2, 3})
---@field episodes? integer episodes per seed (default 2)
---@field min_headroom? number required latency gain of the best full-knowledge baseline over both trivial ones (default 0.15)
---@field lookahead_max_users? integer run the lookahead baseline up to this many users (default 50)

---Does the scenario pose the paper's problem? Runs min-energy, always-local, always-offload, greedy, lyapunov
---and lookahead on the same seeds (long-run per-device accounting) and returns `passed`, `verdict` (the
---reasons when it fails), `classes` (per device class: budget_w, min_energy_w = the worst device's long-run
---power under the minimum-energy policy, headroom_w, feasible), `headroom` (1 − best / best trivial latency),
---`best_policy`, `best_latency`, `always_local_latency`, `always_offload_latency`, `best_meets_energy`,
---`binding_energy` / `binding_accuracy` / `binding_hallucination` (policies violating each limit),
---`policies` (a summary row per policy) and `evaluations` (the full evaluation of each).
---@param env_or_scenario edgelab.mec.Env|edgelab.mec.EnvOptions
---@param opts? edgelab.mec.DiagnoseOptions
---@return table
function mec.diagnose(env_or_scenario, opts) end

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
---@field obs_dim integer N·13 + 9 + 2·edge_gpus (field by field: docs/decisions/0101-mec-observation.md)
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
