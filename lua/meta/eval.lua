---@meta edgelab.eval
-- LuaCATS type stubs for `edgelab.eval` (the four ECLD metrics, device profiles, model cards). Not loaded at run time.
-- Option names are camelCase, like the JSON of model cards and results.

---@class edgelab.eval
local eval = {}

---@class edgelab.Query
---@field prompt_tokens integer
---@field output_tokens integer

---@class edgelab.Suite
---@field seed? integer root seed of item subsets and bootstrap resamples (default 1234)
---@field metrics? ("generalization"|"hallucination"|"energy"|"accessibility")[] the metrics to run (default all four;
---e.g. {"generalization"} alone). Metrics left out are nil in the result.
---@field tasks? string[] BIG-bench tasks for generalization (default general_knowledge, known_unknowns, misconceptions,
---physical_intuition). Any JSON task of bigbench==1.0.0 after `edgelab fetch bigbench --tasks NAME`: "task",
---"task/subtask", or a composite task (its subtasks pooled). Multiple choice (target_scores) is scored by
---log-likelihood; generative tasks (target strings) by a greedy answer up to the first newline: acc = exact match,
---acc_norm = match after case-folding and removing punctuation.
---@field generation_tokens? integer new tokens per generative item (default 32)
---@field append_choices? boolean list the choices in BIG-bench prompts (default false)
---@field items_per_task? integer items per BIG-bench task, fixed seeded subset; 0 = all (default 40)
---@field halu_eval_items? integer HaluEval-QA items; 0 = all (default 100)
---@field truthful_qa_items? integer TruthfulQA-MC items; 0 = all (default 60)
---@field perplexity_context? integer tokens per perplexity/KLD window (default 256)
---@field perplexity_tokens? integer held-out tokens scored (default 4096)
---@field bootstrap_resamples? integer resamples of the 95% intervals (default 1000)
---@field query? edgelab.Query query shape for energy per query (default 256 prompt + 128 output tokens)
---@field accessibility? {context_tokens: integer, runtime_overhead_bytes: number, min_decode_tokens_per_second: number}
---@field analytic? {memory_efficiency: number, compute_efficiency: number}
---@field devices? edgelab.Device[] device classes (default: eval.devices())
---@field host_watts_per_core? number W per busy core for CPU-time energy on this host (default 3.75, an assumption)
---@field measure_host? boolean time the query on this host (default true)
---@field reuse_prefix? boolean prefix KV reuse in MC scoring (default true)
---@field data_dir? string data root (default edgelab.session.data_dir: $EDGELAB_DATA, else <assets>/data where
---<assets> is $EDGELAB_ASSETS or the repository's assets/ — whatever the working directory)

---Resolves a suite: the defaults overlaid with the given keys (unknown keys are errors).
---@param opts? edgelab.Suite
---@return edgelab.Suite
function eval.suite(opts) end

---@class edgelab.Estimate
---@field mean number
---@field lo number 2.5% bootstrap quantile
---@field hi number 97.5% bootstrap quantile
---@field n integer items

---@class edgelab.EvalMetrics
---@field model string
---@field wall_seconds number
---@field metrics string[] the metrics that ran (the others are nil)
---@field generalization? {acc: edgelab.Estimate, acc_norm: edgelab.Estimate, tasks: table<string, {kind: "multiple_choice"|"generative", acc: edgelab.Estimate, acc_norm: edgelab.Estimate, chance: number, exact_match?: edgelab.Estimate, normalized_match?: edgelab.Estimate, answers?: string[]}>, perplexity: number, perplexity_context: integer, kld?: edgelab.Estimate, same_top_token?: number, flip_rate?: number, item_acc: number[]} (item_acc: per pooled MC item, task order, for paired differences)
---@field hallucination? {halueval_qa: edgelab.Estimate, halueval_qa_raw: edgelab.Estimate, halueval_qa_mi: edgelab.Estimate, truthfulqa: edgelab.Estimate, mc1: edgelab.Estimate, mc2: edgelab.Estimate, flip_rate?: number, delta_halueval_qa?: edgelab.Estimate, delta_truthfulqa?: edgelab.Estimate, halueval_qa_items: number[], truthfulqa_items: number[]} (per item: 1 = hallucinated / false answer preferred)
---@field energy? {query: {prompt: integer, output: integer}, devices: table<string, {joules: number, seconds: number, prefill_s: number, decode_s: number}>, host?: {joules: number, cpu_seconds: number, wall_seconds: number, decode_tok_s: number, rapl_joules?: number}}
---@field accessibility? {population_fraction: number, devices: table<string, {fits: boolean, accessible: boolean, decode_tok_s: number, required_mb: number}>}
---@field results edgelab.EvalResults the full results

---@class edgelab.EvalRunOptions
---@field base? edgelab.LLM the base model: KL divergence and same-top-token rate on held-out text
---@field base_results? edgelab.EvalResults the base's results (same suite): answer-flip rates, paired differences
---@field name? string model name in the report and card (default: the file name)
---@field storage_bytes? number deployed size (default: GGUF tensor bytes, or the kept-quantized weights)

---Runs the four metrics (generalization, hallucination, energy per query, accessibility) on `model`.
---@param model edgelab.LLM
---@param suite? edgelab.Suite
---@param opts? edgelab.EvalRunOptions
---@return edgelab.EvalMetrics
function eval.run(model, suite, opts) end

---@class edgelab.DivergenceOptions
---@field text? "held_out"|"other_domain" (default "held_out") held-out HaluEval summarization split (news) or the
---HaluEval-QA knowledge passages (Wikipedia)
---@field context? integer tokens per window (default 256)
---@field tokens? integer held-out tokens scored (default 4096)
---@field seed? integer bootstrap seed (default 1234)
---@field resamples? integer bootstrap resamples of the KLD interval (default 1000)

---@class edgelab.Divergence
---@field kld edgelab.Estimate mean KL(P_reference ‖ P_model) per token; interval over windows
---@field same_top_token number
---@field perplexity number
---@field reference_perplexity number
---@field tokens integer
---@field windows integer
---@field context integer
---@field window_kld number[] per window (window order): mean KL per token
---@field window_same_top_token number[]
---@field window_nll number[] mean NLL per token of the model
---@field reference_window_nll number[]

---KL divergence, same-top-token rate and perplexity of each model against `reference` on the same windows
---(one reference pass per window for all models), with per-window vectors for paired comparisons.
---@param models edgelab.LLM[]
---@param reference edgelab.LLM
---@param opts? edgelab.DivergenceOptions
---@return edgelab.Divergence[]
function eval.divergence(models, reference, opts) end

---@class edgelab.EvalResults
local EvalResults = {}
---Markdown report with the definitions of the four metrics and 95% intervals.
---@return string
function EvalResults:report() end
---@param name? string
---@return table card
function EvalResults:card(name) end
---Writes eval_report.md, card.json and results.json into `dir`.
---@param dir string
---@param name? string card name
function EvalResults:save(dir, name) end
---@return string JSON of the full results
function EvalResults:json() end

---The measured model card of a run (written as JSON when `path` is given).
---@param model edgelab.LLM
---@param results edgelab.EvalResults
---@param opts? {name?: string, path?: string}
---@return table card
function eval.card(model, results, opts) end

---@class edgelab.Device
---@field name string
---@field device_class "phone"|"sbc"|"embedded-gpu"|"laptop"|"edge-server"
---@field ram_bytes number
---@field usable_fraction number
---@field memory_bandwidth number bytes/s
---@field peak_flops number dense inference FLOP/s
---@field active_power_w number
---@field idle_power_w number
---@field transmit_power_w number
---@field population_share number
---@field source string

---The built-in device classes with their sources.
---@return edgelab.Device[]
function eval.devices() end

---@class edgelab.PaperCardsOptions
---@field degradation? string how the compressed cards' quality is derived from the published base scores: "assumed" (stated drops per format), "measured" (the shipped table: relative changes measured on SmolLM2) or the path of a table JSON (default "assumed")

---Paper-scale model cards (Llama-3.1-8B, Qwen3-8B, Mistral-NeMo-12B and compressed variants).
---@param opts? edgelab.PaperCardsOptions
---@return table[]
function eval.paper_cards(opts) end

---@class edgelab.DegradationChange
---@field ratio number mean(variant) / mean(reference) on paired items
---@field low number
---@field high number
---@field items integer

---@class edgelab.DegradationEntry
---@field format "q8_0"|"q4_k_m"|"q2_k"|"ecld" the paper-scale format the measured variant stands for
---@field variant string
---@field bits_per_weight number
---@field accuracy edgelab.DegradationChange
---@field hallucination edgelab.DegradationChange

---@class edgelab.DegradationTable
---@field model string the measured model
---@field source string how the table was produced
---@field notes? string[]
---@field entries edgelab.DegradationEntry[]

---Writes a measured degradation table (validated: known formats, finite ratios) as JSON, for
---eval.paper_cards{degradation = path} and mec scenarios' paper_degradation.
---@param path string
---@param table edgelab.DegradationTable
function eval.save_degradation(path, table) end

---Writes model cards (tables) as JSON (sorted keys).
---@param path string
---@param cards table[]
function eval.save_cards(path, cards) end

---Reads model cards from a JSON file written by eval.save_cards or eval.card{path=}.
---@param path string
---@return table[]
function eval.load_cards(path) end

---@class edgelab.DeviceCostOptions
---@field query? edgelab.Query query shape (default 256 prompt + 128 output tokens)
---@field accessibility? {context_tokens: integer, runtime_overhead_bytes: number, min_decode_tokens_per_second: number}
---@field analytic? {memory_efficiency: number, compute_efficiency: number}

---@class edgelab.DeviceCost
---@field joules number energy of one query (active power × time)
---@field seconds number prefill + decode time
---@field prefill_seconds number
---@field decode_seconds number
---@field required_bytes number weights + KV cache at the context + runtime overhead
---@field usable_bytes number
---@field fits boolean
---@field decode_tokens_per_second number at the accessibility context
---@field accessible boolean fits and decodes fast enough

---Analytic cost (roofline) and accessibility of one query of `card` on a device — the same Swift model that
---fills the cards' `devices` table.
---@param card table a model card (eval.card, eval.paper_cards, eval.load_cards)
---@param device edgelab.Device|string a device profile or the name of a built-in one
---@param opts? edgelab.DeviceCostOptions
---@return edgelab.DeviceCost
function eval.device_cost(card, device, opts) end

return eval
