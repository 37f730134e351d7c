---@meta edgelab.rl
-- LuaCATS type stubs for `edgelab.rl` (PPO and WM-PPO agents). Not loaded at run time.

---@class edgelab.rl
local rl = {}

---@class edgelab.rl.Options
---@field env edgelab.mec.Env|"cartpole" the environment (the agent builds num_envs copies of its scenario)
---@field seed? integer root seed (default 1): network init, actions, minibatches, env seeds
---@field total_steps? integer env steps the learning-rate schedule anneals over (default 100000)
---@field num_envs? integer parallel envs (default 8)
---@field num_steps? integer rollout length per env (default 128)
---@field lr? number Adam learning rate (default 2.5e-4, eps 1e-5)
---@field anneal_lr? boolean linear LR annealing to 0 over total_steps (default true)
---@field gamma? number (default 0.99)
---@field gae_lambda? number (default 0.95)
---@field minibatches? integer (default 4)
---@field epochs? integer (default 4)
---@field clip? number surrogate and value clip ε (default 0.2)
---@field clip_value? boolean value-loss clipping (default true)
---@field ent_coef? number (default 0.01)
---@field vf_coef? number (default 0.5)
---@field max_grad_norm? number global gradient-norm clip (default 0.5)
---@field target_kl? number early-stop epochs above this approx KL (default none)
---@field hidden? integer[] actor/critic hidden sizes (default {64, 64})
---@field norm_obs? boolean running observation normalisation (default true)
---@field norm_reward? boolean reward scaling by the running return std (default true)
---@field checkpoint_every? integer write checkpoint_path every k iterations and re-seed envs (default 0)
---@field checkpoint_path? string

---@class edgelab.rl.WMOptions
---@field value_targets? boolean blend GAE returns with imagined λ-returns (MVE) (default true)
---@field horizon? integer imagination horizon of the value targets (default 3)
---@field beta? number blend weight of the imagined target (default 0.5)
---@field beta_mode? "fixed"|"skill" fixed: β = beta; skill (default): β = beta × clamp(explained variance of the imagined λ-returns vs the real trajectory's, 0, 1)
---@field lambda? number λ of the imagined λ-return (default 0.95)
---@field steve? boolean STEVE inverse-variance weighting over horizons (needs ensemble >= 2)
---@field ensemble? integer number of world models (default 1)
---@field rollouts? boolean mix branched imagination rollouts into the PPO batch (default true)
---@field rollout_horizon? integer 1..5 (default 3)
---@field rollout_ratio? number imagined samples per real sample, at most 1 (default 0.25)
---@field residual_sampling? boolean stochastic imagination: add the model's residual on a random real row to each imagined observation (default false)
---@field target_samples? integer imagined targets per branch state, averaged (1..16, default 1)
---@field rollout_skill? boolean scale rollout_ratio by clamp(skill, 0, 1), skill as for beta_mode = "skill" (default true)
---@field gate? boolean use imagination only while model error < gate_ratio × last-obs baseline (default true)
---@field gate_ratio? number (default 0.7)
---@field gate_reward? boolean the gate also needs reward error < gate_ratio × predict-the-mean baseline (default false)
---@field warmup? integer iterations before imagination may start (default 2)
---@field hidden? integer GRU size (default 64)
---@field epochs? integer training passes over the recent rollouts per iteration (default 1)
---@field lr? number (default 1e-3)
---@field seq_len? integer truncated-BPTT window (default 16)
---@field buffer_rollouts? integer how many recent rollouts the model trains on (default 2)
---@field weighting? "normalized"|"uniform" observation-loss weights: 1/(running obs variance + 0.01), mean 1 (default), or uniform
---@field skip? boolean feed-forward path: the model's head reads [GRU state, current obs and action] (default true)
---@field entities? integer entity-factored one-step path: a shared MLP per entity block ([block, its action, globals] → block delta); 0 = off (default), -1 = one entity per MEC user (off for other envs), n > 0 = n blocks of entity_features
---@field entity_features? integer features per entity block (automatic for MEC)
---@field entity_hidden? integer width of the entity MLP's two hidden layers (default 64)

---@class edgelab.rl.WMPPOOptions: edgelab.rl.Options
---@field wm? edgelab.rl.WMOptions

---@class edgelab.rl.Stats
---@field iteration integer
---@field global_step integer
---@field episodic_return? number mean return of episodes finished in the iteration
---@field policy_loss number
---@field value_loss number
---@field entropy number
---@field approx_kl number
---@field clipfrac number
---@field explained_variance number
---@field learning_rate number
---@field sps number
---@field wm_val_error? number held-out one-step error of the world model (symlog MSE, observation)
---@field wm_baseline_error? number the same for predicting the last observation
---@field wm_reward_error? number held-out reward error (symlog MSE)
---@field wm_reward_baseline? number the same for predicting the mean reward
---@field mve_gap_gae? number mean imagined target − GAE return (learner's reward units)
---@field return_std? number std of the GAE returns in the batch
---@field mve_bias_real? number mean imagined λ-return − the same λ-return on the real trajectory
---@field mve_rms_real? number RMS of that difference
---@field real_reward_mean? number mean scaled real reward of the rollout
---@field imagined_reward_mean? number mean scaled first imagined reward
---@field mve_beta? number the blend weight used this iteration
---@field target_skill? number explained variance of the imagined λ-returns w.r.t. the real trajectory's
---@field critic_skill? number the same for the critic's V(s_t)
---@field rollout_ratio? number the imagined-rollout ratio used this iteration
---@field imagination_on integer
---@field imagined_samples integer
---@field mean_return? number deterministic evaluation (in on_eval), plus MEC metrics for MEC envs

---@class edgelab.rl.TrainOptions
---@field every? integer call on_eval each time this many more env steps are done
---@field on_eval? fun(step: integer, stats: edgelab.rl.Stats)
---@field eval_episodes? integer (default 1)
---@field eval_seeds? integer[] (default {10001})
---@field progress? boolean progress line on a terminal (default true)

---@class edgelab.rl.Agent
---@field step integer env steps so far
---@field iteration integer
---@field kind "ppo"|"wmppo"
---@field seed integer
local Agent = {}

---@param steps integer
---@param opts? edgelab.rl.TrainOptions
---@return edgelab.rl.Stats last
function Agent:train(steps, opts) end
---Deterministic (mode) action for one observation.
---@param obs number[]
---@param mask? boolean[]
---@return integer[]
function Agent:act(obs, mask) end
---Deterministic evaluation; MEC envs return the same metrics table as mec.evaluate plus mean_return.
---@param env edgelab.mec.Env|"cartpole"
---@param opts? {episodes?: integer, seeds?: integer[]}
---@return table
function Agent:evaluate(env, opts) end
---Writes a checkpoint (JSON) and re-seeds the envs so a loaded copy continues identically.
---@param path string
function Agent:save(path) end
---@return edgelab.rl.Stats[]
function Agent:history() end
---@param path string
---@param opts? {deterministic?: boolean} deterministic = leave out the wall-clock column (sps)
function Agent:write_csv(path, opts) end

---@param opts edgelab.rl.Options
---@return edgelab.rl.Agent
function rl.ppo(opts) end
---@param opts edgelab.rl.WMPPOOptions
---@return edgelab.rl.Agent
function rl.wmppo(opts) end
---@param path string
---@return edgelab.rl.Agent
function rl.load(path) end

return rl
