---@meta
-- LuaCATS stubs for edgelab.compress (Sources/EdgeLabLua/Bind+Compress.swift). Every function returns a NEW
-- model and an info table. Options tables reject unknown keys. Calibration text defaults to the calibration
-- split of HaluEval summarization (never the held-out split used for perplexity).

---@class edgelab.compress
local compress = {}

---@class edgelab.CompressInfo
---@field params integer
---@field linear_params integer q/k/v/o/gate/up/down parameters
---@field bytes integer weight bytes as stored (blocks, or F32)
---@field bits_per_weight number
---@field percent_of_f16 number bytes as a percentage of the same parameters stored in F16
---@field percent_of_f32 number bytes as a percentage of the same parameters stored in F32
---@field types? table<string, integer> quantized tensors per ggml type actually written (e.g. {q5_0=180, q4_k=30, q8_0=1})
---@field linear_types? string types written for the block layers, most tensors first ("q5_0+q4_k")
---@field fallbacks? table<string, integer> "requested->written" tensor counts where the row length forced another type (PrecisionRules: q4_k->q5_0, q5_k->q5_1, q6_k->q8_0, q2_k/q3_k->q4_0, else f16)
---@field methods? table<string, integer> tensors per method actually applied ("rtn", "gptq", "gptq-actorder")
---@field variant? string methods and linear types, as in the model name after "#" ("gptq-actorder-q5_0+q4_k")
---@field quant_bytes? integer bytes of the quantized tensors
---@field quant_bits_per_weight? number
---@field heads integer[]
---@field ffn integer[]
---@field layers integer
---@field seconds? number
---@field stage_seconds? table<string, number>
---@field kd? number[] KD loss per distillation step
---@field loss? number[] total loss (KD and CE) per distillation step (compress.distill)
---@field tokens_per_s? number mean training tokens per second (compress.distill)
---@field teacher_tail_mass? number mean teacher probability outside its cached top-k, at the KD temperature (compress.distill)
---@field teacher_log_top_mass? number mean log of the teacher's top-k mass; −T² × this is the loss a renormalised top-k target would charge an exact copy of the teacher (compress.distill)

---@class edgelab.PruneOptions
---@field ffn_ratio? number fraction of FFN channels removed per layer, widths kept multiples of `multiple` (default 0)
---@field head_ratio? number fraction of attention heads removed per layer (default 0)
---@field head_mode? "within_groups"|"kv_groups" remove query heads evenly inside GQA groups, or whole KV groups (default "within_groups")
---@field drop_layers? integer whole layers removed by Block Influence (default 0)
---@field criterion? "activation"|"flap"|"magnitude" (default "activation")
---@field multiple? integer kept FFN widths are multiples of this; 256 for k-quants (default 32)
---@field recovery? "none"|"refit" least-squares refit of attn_output/ffn_down (default "none")
---@field ridge? number refit ridge, × mean diag of the Gram (default 1e-3)
---@field calibration_windows? integer (default 32)
---@field calibration_length? integer (default 256)
---@field texts? string[] calibration texts

---@param model edgelab.LLM
---@param opts edgelab.PruneOptions
---@return edgelab.LLM, edgelab.CompressInfo
function compress.prune(model, opts) end

---@class edgelab.QuantizeOptions
---@field type? string ggml type of linear weights: q8_0, q6_k, q5_k, q5_1, q5_0, q4_1, q4_k, q4_0, q3_k, q2_k, f16 (default "q4_0"); a k-quant on rows that are not a multiple of 256 falls back per tensor (info.fallbacks, info.types; the model name lists the types written)
---@field method? "rtn"|"gptq" (default "rtn")
---@field act_order? boolean GPTQ act-order (default false)
---@field embedding_type? string token embedding / output head type (default "q8_0")
---@field chunk_layers? integer GPTQ blocks calibrated together; 1 = sequential layer by layer (default 1)
---@field calibration_windows? integer (default 32)
---@field calibration_length? integer (default 256)
---@field texts? string[]

---@param model edgelab.LLM
---@param opts? edgelab.QuantizeOptions
---@return edgelab.LLM, edgelab.CompressInfo
function compress.quantize(model, opts) end

---@class edgelab.DistillOptions
---@field steps? integer (default 100)
---@field batch_size? integer (default 2)
---@field lr? number (default 1e-4) (warm-up then cosine to min_lr)
---@field min_lr? number (default 1e-5)
---@field warmup? integer (default 5)
---@field temperature? number (default 2) (loss scaled by T²)
---@field alpha? number KD weight; 1 − alpha on next-token CE (default 1)
---@field top_k? integer cached teacher top-k (default 64)
---@field clip? number global grad-norm clip (default 1)
---@field weight_decay? number AdamW decay (default 0)
---@field train_embedding? boolean (default false)
---@field seed? integer (default 0)
---@field windows? integer training windows (default 64)
---@field length? integer tokens per window (default 128)
---@field checkpoint? string safetensors checkpoint path
---@field checkpoint_every? integer steps between checkpoints (one more at the last step), 0 = none (default 0)
---@field resume? boolean load `checkpoint` first when it exists (default false)
---@field source? "calibration"|"teacher" windows from the calibration text, or sampled from the teacher (cached under assets/cache; never evaluation text) (default "calibration")
---@field sample_temperature? number teacher-corpus sampler temperature (default 1)
---@field sample_top_k? integer teacher-corpus sampler top-k, 0 = off (default 0)
---@field sample_top_p? number teacher-corpus sampler top-p, 1 = off (default 1)
---@field texts? string[]

---@param teacher edgelab.LLM
---@param student edgelab.LLM
---@param opts? edgelab.DistillOptions
---@return edgelab.LLM, edgelab.CompressInfo
function compress.distill(teacher, student, opts) end

---@class edgelab.PipelineOptions
---@field prune? {ffn_ratio?: number, head_ratio?: number, head_mode?: string, drop_layers?: integer, criterion?: string, multiple?: integer}
---@field recovery? "none"|"refit"|"distill"|"refit+distill" (default "none")
---@field ridge? number (default 1e-3)
---@field distill? {steps?: integer, batch_size?: integer, lr?: number, min_lr?: number, warmup?: integer, temperature?: number, alpha?: number, top_k?: integer, clip?: number, weight_decay?: number, train_embedding?: boolean, seed?: integer, source?: string, sample_temperature?: number, sample_top_k?: integer, sample_top_p?: number}
---@field quantize? {type?: string, method?: string, act_order?: boolean, embedding_type?: string, chunk_layers?: integer}
---@field calibration_windows? integer (default 32)
---@field calibration_length? integer (default 256)
---@field distill_windows? integer (default 64)
---@field texts? string[]

---prune → recover → quantize; omit a stage to get the baselines (quantization-only, pruning-only).
---@param model edgelab.LLM
---@param opts edgelab.PipelineOptions
---@return edgelab.LLM, edgelab.CompressInfo
function compress.pipeline(model, opts) end

---@class edgelab.QuantizeCheckpointOptions
---@field type? string ggml type of linear weights (default "q4_0"), as edgelab.QuantizeOptions
---@field method? "rtn"|"gptq" (default "rtn")
---@field act_order? boolean GPTQ act-order (default false)
---@field embedding_type? string token embedding / output head type (default "q8_0")
---@field chunk_layers? integer GPTQ blocks calibrated (and held in memory) together (default 1)
---@field calibration_windows? integer GPTQ calibration windows (default 32)
---@field calibration_length? integer tokens per window (default 256)
---@field texts? string[]
---@field layers? integer only the first n blocks, written as an n-block model; 0 = all (default 0)
---@field row_chunk? integer rows of the embedding / output head rounded at a time (default 4096)
---@field prune? {ffn_ratio?: number, head_ratio?: number, head_mode?: string, drop_layers?: integer, criterion?: string, multiple?: integer} prune each block first (streamed)
---@field recovery? "none"|"refit" least-squares refit of attn_output / ffn_down after pruning (default "none")
---@field ridge? number refit ridge (default 1e-3)

---@class edgelab.QuantizeCheckpointInfo
---@field path string the GGUF written
---@field bytes integer its size
---@field seconds number
---@field layer_seconds number[] wall time per block (read + calibration forward + quantize + write)
---@field layers integer blocks written
---@field gptq_loss? number Σ GPTQ loss (GPTQ only)
---@field kept_layers? integer[] source blocks kept (0-based; when pruning)
---@field types table<string, integer> tensors per ggml type written
---@field variant string methods and linear types ("gptq-q4_0")

---Layer-streamed quantization of a Hugging Face checkpoint directory to a GGUF file, for models larger than
---memory: the header is written first, then one decoder block at a time is read (F32), quantized (RTN or
---sequential GPTQ, hidden states carried block to block) and written. Byte for byte the file that
---`llm.load(dir, {dequantize=true})` + `compress.quantize` + `model:save` would write. Peak memory ≈ one block in
---F32 plus, for GPTQ, its Hessians (Llama-3.1-8B shape: see README "Bring your own model"). With `prune`, each
---block is pruned (and refit) from statistics of the unpruned model's calibration streams before it is quantized —
---the same bytes as `compress.prune` + `compress.quantize` + `model:save` in memory (depth pruning reads every
---block once more first, for Block Influence).
---@param dir string
---@param out string .gguf path
---@param opts? edgelab.QuantizeCheckpointOptions
---@return edgelab.QuantizeCheckpointInfo
function compress.quantize_checkpoint(dir, out, opts) end

return compress
