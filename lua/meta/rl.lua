---@meta edgelab.rl
-- LuaCATS type stubs for `edgelab.rl` (PPO and WM-PPO agents). Not loaded at run time.

---@class edgelab.rl
local rl = {}

-- Defaults are not repeated here: every PPO option defaults to the Swift `PPOConfig` field named in brackets
-- and every `wm` option to `WMPPOConfig` / `WorldModelConfig` (Sources/RL; CleanRL's values where stated).

---@class edgelab.rl.Options
---@field env edgelab.mec.Env|edgelab.rl.Env|"cartpole" the environment (the agent builds num_envs copies; "cartpole" = rl.env("cartpole"))
---@field seed? integer root seed (default 1): network init, actions, minibatches, env seeds
---@field total_steps? integer env steps the learning-rate schedule anneals over (default 100000)
---@field num_envs? integer parallel envs [numEnvs]
---@field num_steps? integer rollout length per env [numSteps]
---@field lr? number Adam learning rate [learningRate]
---@field anneal_lr? boolean linear LR annealing to 0 over total_steps [annealLR]
---@field gamma? number [gamma]
---@field gae_lambda? number [gaeLambda]
---@field minibatches? integer [numMinibatches]
---@field epochs? integer [updateEpochs]
---@field clip? number surrogate and value clip ε [loss.clip]
---@field clip_value? boolean value-loss clipping [loss.clipValue]
---@field ent_coef? number [loss.entropyCoef]
---@field vf_coef? number [loss.valueCoef]
---@field max_grad_norm? number global gradient-norm clip [maxGradNorm]
---@field target_kl? number early-stop epochs above this approx KL [targetKL]
---@field hidden? integer[] actor/critic hidden sizes [hidden]
---@field norm_obs? boolean running observation normalisation [normalizeObservations]
---@field norm_reward? boolean reward scaling by the std of the discounted return [normalizeRewards]
---@field reward_norm? "ema"|"running" how that std is estimated: EMA over about reward_window rollouts (forgets) or over everything [rewardNormalization]
---@field reward_window? integer EMA window in rollouts [rewardWindow]
---@field checkpoint_every? integer write checkpoint_path every k iterations and re-seed envs [checkpointEvery]
---@field checkpoint_path? string

---@class edgelab.rl.WMOptions
---@field value_targets? boolean use imagined λ-returns in the critic targets (MVE; how: target_form) [valueTargets]
---@field horizon? integer imagination horizon of the value targets [mveHorizon]
---@field beta? number blend weight of the imagined target [mveBeta]
---@field beta_mode? "fixed"|"skill" fixed: β = beta; skill: β = beta × clamp(explained variance of the imagined λ-returns vs the real trajectory's, 0, 1) [betaMode]
---@field target_form? "correction"|"blend" correction: R + β·(imagined − real H-step λ-return), unbiased under a perfect model; blend: (1−β)·R + β·imagined [targetForm]
---@field lambda? number λ of the imagined λ-return [mveLambda]
---@field steve? boolean STEVE inverse-variance weighting over horizons (needs ensemble >= 2) [steve]
---@field ensemble? integer number of world models [ensemble]
---@field rollouts? boolean mix branched imagination rollouts into the PPO batch (off by default: they hurt even with a perfect model, decision 0202) [rollouts]
---@field rollout_horizon? integer 1..5 [rolloutHorizon]
---@field rollout_ratio? number imagined samples per real sample, 0..4 [rolloutRatio]
---@field residual_sampling? boolean stochastic imagination: add the model's residual on a random real row to each imagined observation [residualSampling]
---@field mask_sampling? boolean draw the next masks in imagination from the mask head (false: threshold at ½) [maskSampling]
---@field target_samples? integer imagined targets per branch state, averaged (1..16) [targetSamples]
---@field critic_imagination? boolean also train the critic on imagined states towards their TD(λ) targets [criticImagination]
---@field critic_weight? number weight of those value-only rows [criticImaginationWeight]
---@field simulator? boolean perfect-model ablation: imagine on exact snapshots of the true env (MEC, CartPole) [simulator]
---@field rollout_skill? boolean scale rollout_ratio by clamp(skill, 0, 1), skill as for beta_mode = "skill" [rolloutSkill]
---@field gate? boolean use imagination only while model error < gate_ratio × last-obs baseline [gate]
---@field gate_ratio? number [gateRatio]
---@field gate_reward? boolean the gate also needs reward error < gate_ratio × predict-the-mean baseline [gateOnReward]
---@field warmup? integer iterations before imagination may start [warmupIterations]
---@field hidden? integer GRU size [model.hidden]
---@field epochs? integer model training passes per iteration [model.epochs]
---@field lr? number [model.learningRate]
---@field seq_len? integer truncated-BPTT window [model.seqLen]
---@field replay_transitions? integer model replay capacity in transitions (whole rollouts, at least the newest) [model.replayTransitions]
---@field batch_rollouts? integer rollouts per training pass: the newest plus drawn older ones [model.batchRollouts]
---@field weighting? "normalized"|"uniform" observation-loss weights: 1/(running obs variance + 0.01), mean 1, or uniform [model.weighting]
---@field skip? boolean feed-forward path: the model's head reads [GRU state, current obs and action] [model.skip]
---@field entities? integer entity-factored one-step path: 0 = off, -1 = one entity per MEC user (off for other envs), n > 0 = n blocks of entity_features [model.entities]
---@field entity_features? integer features per entity block (automatic for MEC) [model.entityFeatures]
---@field entity_hidden? integer width of the entity MLP's two hidden layers [model.entityHidden]

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
