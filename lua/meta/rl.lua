---@meta edgelab.rl
-- LuaCATS type stubs for `edgelab.rl` (PPO and WM-PPO agents). Not loaded at run time.

---@class edgelab.rl
local rl = {}

-- Every option decodes straight into a Swift config (Sources/RL): `rl.ppo{}` into `PPOConfig` (its `loss` table
-- into `PPOLossConfig`), `wm` into `WMPPOConfig` and `wm.model` into `WorldModelConfig`. The defaults below are
-- those of the Swift types (CleanRL's values where stated); StubConsistencyTests fails when they differ.
-- Earlier spellings still work for one release, with a deprecation naming the new key: lr, minibatches, epochs,
-- clip (both clip ranges), clip_value, ent_coef, vf_coef, norm_obs, norm_reward, reward_norm; in `wm`: horizon,
-- beta, lambda, gate_reward, warmup, critic_weight, and hidden, epochs, lr, seq_len, replay_transitions,
-- batch_rollouts, weighting, skip, entities, entity_features, entity_hidden (now under `wm.model`).

---@class edgelab.rl.Options
---@field env edgelab.mec.Env|edgelab.rl.Env|"cartpole" the environment (the agent builds num_envs copies; "cartpole" = rl.env("cartpole"))
---@field seed? integer root seed (default 1): network init, actions, minibatches, env seeds
---@field total_steps? integer env steps the learning-rate schedule anneals over (default 100000)
---@field checkpoint_path? string where checkpoint_every writes
---@field num_envs? integer parallel envs (default 4)
---@field num_steps? integer rollout length per env (default 128)
---@field learning_rate? number Adam learning rate (default 2.5e-4)
---@field anneal_lr? boolean linear LR annealing to 0 over total_steps (default true)
---@field gamma? number discount (default 0.99)
---@field gae_lambda? number (default 0.95)
---@field num_minibatches? integer minibatches per epoch (default 4)
---@field update_epochs? integer epochs per update (default 4)
---@field normalize_advantages? boolean per-minibatch advantage normalisation (default true)
---@field loss? edgelab.rl.LossOptions clipping and loss coefficients
---@field max_grad_norm? number global gradient-norm clip (default 0.5)
---@field target_kl? number early-stop epochs above this approx KL (default none)
---@field adam_eps? number (default 1e-5)
---@field hidden? integer[] actor/critic hidden sizes (default {64, 64})
---@field normalize_observations? boolean running observation normalisation (default true)
---@field normalize_rewards? boolean reward scaling by the std of the discounted return (default true)
---@field obs_clip? number normalised observations clipped to ±obs_clip (default 10)
---@field reward_clip? number scaled rewards clipped to ±reward_clip (default 10)
---@field reward_normalization? "ema"|"running" how that std is estimated: EMA over about reward_window rollouts (forgets) or over everything (default "ema")
---@field reward_window? integer EMA window in rollouts (default 10)
---@field checkpoint_every? integer write checkpoint_path every k iterations and re-seed envs, 0 = never (default 0)

---@class edgelab.rl.LossOptions
---@field clip? number surrogate clip ε (default 0.2)
---@field clip_value? boolean value-loss clipping (default true)
---@field value_clip? number value clip ε (default 0.2)
---@field entropy_coef? number (default 0.01)
---@field value_coef? number (default 0.5)

---@class edgelab.rl.WMOptions
---@field model? edgelab.rl.WorldModelOptions the world model itself
---@field ensemble? integer number of world models (default 1)
---@field value_targets? boolean use imagined λ-returns in the critic targets (MVE; how: target_form) (default true)
---@field mve_horizon? integer imagination horizon of the value targets, 1..15 (default 3)
---@field mve_beta? number blend weight of the imagined target (default 0.5)
---@field mve_lambda? number λ of the imagined λ-return (default 0.95)
---@field beta_mode? "fixed"|"skill" fixed: β = mve_beta; skill: β = mve_beta × clamp(explained variance of the imagined λ-returns vs the real trajectory's, 0, 1) (default "skill")
---@field target_form? "correction"|"blend" correction: R + β·(imagined − real H-step λ-return), unbiased under a perfect model; blend: (1−β)·R + β·imagined (default "correction")
---@field steve? boolean STEVE inverse-variance weighting over horizons (needs ensemble >= 2) (default false)
---@field rollouts? boolean mix branched imagination rollouts into the PPO batch (they hurt even with a perfect model, decision 0202) (default false)
---@field rollout_horizon? integer 1..5 (default 3)
---@field rollout_ratio? number imagined samples per real sample, 0..4 (default 0.25)
---@field rollout_skill? boolean scale rollout_ratio by clamp(skill, 0, 1), skill as for beta_mode = "skill" (default true)
---@field residual_sampling? boolean stochastic imagination: add the model's residual on a random real row to each imagined observation (default false)
---@field mask_sampling? boolean draw the next masks in imagination from the mask head (false: threshold at ½) (default true)
---@field target_samples? integer imagined targets per branch state, averaged, 1..16 (default 1)
---@field critic_imagination? boolean also train the critic on imagined states towards their TD(λ) targets (default false)
---@field critic_imagination_weight? number weight of those value-only rows (default 1)
---@field simulator? boolean perfect-model ablation: imagine on exact snapshots of the true env (MEC, CartPole) (default false)
---@field gate? boolean use imagination only while model error < gate_ratio × last-obs baseline (default true)
---@field gate_ratio? number (default 0.7)
---@field gate_on_reward? boolean the gate also needs reward error < gate_ratio × predict-the-mean baseline (default false)
---@field warmup_iterations? integer iterations before imagination may start (default 2)

---@class edgelab.rl.WorldModelOptions
---@field hidden? integer GRU size (default 64)
---@field head_hidden? integer width of the head MLP (default 64)
---@field learning_rate? number (default 1e-3)
---@field seq_len? integer truncated-BPTT window (default 16)
---@field epochs? integer training passes per iteration (default 2)
---@field replay_transitions? integer replay capacity in transitions (whole rollouts, at least the newest) (default 16384)
---@field batch_rollouts? integer rollouts per training pass: the newest plus drawn older ones (default 1)
---@field max_grad_norm? number (default 10)
---@field weighting? "normalized"|"uniform" observation-loss weights: 1/(running obs variance + weight_eps), mean 1, or uniform (default "normalized")
---@field weight_eps? number (default 0.01)
---@field skip? boolean feed-forward path: the head reads [GRU state, current obs and action] (default true)
---@field entities? integer entity-factored one-step path: 0 = off, -1 = one entity per MEC user (off for other envs), n > 0 = n blocks of entity_features (default 0)
---@field entity_features? integer features per entity block (automatic for MEC with -1) (default 0)
---@field entity_hidden? integer width of the entity MLP's two hidden layers (default 64)
---@field entity_means? boolean the entity MLP also reads each block's running episode mean (default true)
---@field overlap_training? boolean train on rollout k on a second thread while PPO updates and collects rollout k+1; imagination then uses the model trained through the previous rollout (same results whatever the thread timing, decision 0206) (default true)

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
---@field return_window? number mean return of the last 100 training episodes
---@field critic_imagined_samples? integer imagined states the critic trained on this iteration
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

---@class edgelab.rl.Env
---@field obs_dim integer
---@field actions integer[] choices per action head
---@field max_steps integer episode limit (truncation)
---@field name string
local Env = {}
---Starts an episode (seed: the env's seed at the first reset, then its own stream).
---@param seed? integer
---@return number[] obs
function Env:reset(seed) end
---@param action integer|integer[]
---@return number[] obs, number reward, boolean terminated, boolean truncated
function Env:step(action) end

---A built-in RL environment, steppable from Lua and usable as `env` of rl.ppo / rl.wmppo.
---CartPole-v1 (Gymnasium's physics; reward 1 per step; terminated when the pole falls; truncated at max_steps).
---@param name "cartpole"
---@param opts? {max_steps?: integer, seed?: integer} max_steps default 500 (CartPole-v1)
---@return edgelab.rl.Env
function rl.env(name, opts) end

---@class edgelab.rl.Episode
---@field step integer global step at which the episode ended
---@field ["return"] number undiscounted return
---@field length integer

---Every finished training episode, in order.
---@return edgelab.rl.Episode[]
function Agent:episodes() end

return rl
