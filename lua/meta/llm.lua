---@meta
-- LuaCATS stubs for edgelab.llm (Sources/EdgeLabLua/Bind+LLM.swift).

---@class edgelab.llm
---@field default_model string  path of the default model (assets/models/SmolLM2-135M-Instruct.Q4_1.gguf)
local llm = {}

---@class edgelab.LLMLoadOptions
---@field dequantize? boolean convert ggml blocks to F32 and use BLAS (default false: the file's format is kept —
---a Q4_1 GGUF stays Q4_1 blocks with the quantized kernels, ≈ 98 MB instead of 538 MB for SmolLM2-135M)
---@field quantized? boolean older spelling: quantized = false is dequantize = true
---@field pre_tokenizer_fallback? boolean accept an unknown pre-tokenizer name and split like GPT-2 (default false);
---otherwise an unknown `tokenizer.ggml.pre` or tokenizer.json Split regex is an error naming it

---Load a GGUF file or a Hugging Face safetensors directory (the file's weight format is kept unless
---`dequantize = true`: ggml blocks stay blocks, F16/BF16 safetensors matrices stay 16-bit). Families: Llama
---(Llama-3.1 rope scaling, Mistral/NeMo), Qwen2, Qwen3.
---@param path? string
---@param opts? edgelab.LLMLoadOptions
---@return edgelab.LLM
function llm.load(path, opts) end

---@class edgelab.LLMSyntheticOptions
---@field preset? "llama-3.1-8b"|"qwen3-8b"|"mistral-nemo-12b" the released model's config.json shape (default "llama-3.1-8b")
---@field layers? integer blocks; 0 = the preset's (default 0)
---@field seed? integer (default 0) same seed, same bytes (independent of shard size and threads)
---@field std? number matrix elements uniform with this standard deviation (default 0.02); norms 1
---@field dtype? "bf16"|"f16"|"f32" (default "bf16")
---@field shard_mb? number tensor MiB per shard (default 2048)

---Write a synthetic Hugging Face checkpoint (random weights, sharded safetensors + index, config.json,
---byte-level tokenizer.json) of a paper model's shape into an empty directory, shard by shard (memory O(1 MB));
---refused when it would not fit the free disk space. Llama-3.1-8B: 16.06 GB in BF16.
---@param dir string
---@param opts? edgelab.LLMSyntheticOptions
---@return {path: string, files: string[], bytes: integer, params: integer}
function llm.synthetic(dir, opts) end

---Threads used for inference (OpenBLAS products and the quantized kernels): sets the count when `n` is given;
---returns the count in use.
---@param n? integer
---@return integer
function llm.threads(n) end

---Activations of batched products (prefill, scoring) through kept-quantized weights: "int8" (default: activation
---rows rounded to int8 blocks of 32, as in decoding and in llama.cpp; Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q4_K/Q5_K weights; other
---types always use "float" in batches) or "float" (F32 activations times decoded weights). Sets the mode when given; returns the mode in use.
---@param mode? "int8"|"float"
---@return string
function llm.batch_activations(mode) end

---@class edgelab.LLMGenOptions
---@field max_tokens? integer (default 128)
---@field temperature? number 0 = greedy (default 0)
---@field top_k? integer 0 = off (default 0)
---@field top_p? number 1 = off (default 1)
---@field seed? integer sampling seed (default 0)
---@field system? string system message (chat only)

---@class edgelab.LLMInfo
---@field layers integer
---@field dim integer
---@field heads integer[]
---@field kv_heads integer[]
---@field ffn integer[]
---@field head_dim integer
---@field vocab integer
---@field context integer
---@field rope_theta number
---@field params integer
---@field weight_bytes integer
---@field quantized boolean
---@field tied_output boolean
---@field tokenizer_pre string
---@field path string
---@field weight_types table<string, integer> matrices per storage type, e.g. {q4_1 = 210, q8_0 = 1}

---@class edgelab.GenInfo
---@field tokens integer generated tokens
---@field ids integer[] the generated token ids (the stop token excluded)
---@field prompt_tokens integer
---@field finish "eos"|"length"|"context" context: stopped because the model's context is full (max_tokens truncated there)
---@field stop_token? integer the stop token that ended generation (finish = "eos")
---@field stop_text? string its text, e.g. "<|im_end|>"

---@class edgelab.LLMTextOptions
---@field special? boolean text like <|im_start|> is the special token (default true, as generate/chat); false: plain text

---@class edgelab.LLMPerplexityOptions
---@field ctx? integer tokens per window (default 512)
---@field protocol? "full"|"llama.cpp" full (default): non-overlapping ctx windows, every token but each window's
---first scored. llama.cpp: llama-perplexity's protocol — ⌊n/ctx⌋ chunks (≥ 2·ctx tokens needed), BOS over each
---chunk's first token when the model adds BOS, only the second half scored (ctx/2 − 1 tokens per chunk): lower
---than full on the same text because every scored token has ≥ ctx/2 tokens of context
---@field special? boolean special-token parsing of text input (default true)

---@class edgelab.LLM
local M = {}
---@return edgelab.LLMInfo
function M:info() end
---@param prompt string
---@param opts? edgelab.LLMGenOptions
---@return string text
---@return edgelab.GenInfo
function M:generate(prompt, opts) end
---@param messages string|{role: string, content: string}[]
---@param opts? edgelab.LLMGenOptions
---@return string text
---@return edgelab.GenInfo
function M:chat(messages, opts) end
---Log-probability of each token after the ones before it (the first token has none).
---@param input string|integer[] text, or token ids
---@param opts? edgelab.LLMTextOptions
---@return {tokens: integer[], logprobs: number[], sum: number}
function M:logprobs(input, opts) end
---@param input string|integer[] text, or token ids
---@param opts? edgelab.LLMPerplexityOptions
---@return number ppl
---@return {nll: number, tokens: integer, windows: integer, protocol: string} tokens = scored tokens
function M:perplexity(input, opts) end
---@param text string
---@param opts? edgelab.LLMTextOptions
---@return integer[]
function M:encode(text, opts) end
---@param ids integer[]
---@return string
function M:decode(ids) end
---@param path string
---@param opts? {format?: "gguf"|"safetensors", dtype?: "f32"|"f16"|"bf16", shard_mb?: number} shard_mb > 0: safetensors shards of at most that many MB plus model.safetensors.index.json
function M:save(path, opts) end
---Releases the model's weights now (instead of at garbage collection); any later use raises
---"edgelab.LLM used after close". Closing twice is allowed.
function M:close() end

return llm
