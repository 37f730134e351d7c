---@meta
-- LuaCATS stubs for edgelab.llm (Sources/EdgeLabLua/Bind+LLM.swift).

---@class edgelab.llm
---@field default_model string  path of the default model (assets/models/SmolLM2-135M-Instruct.Q4_1.gguf)
local llm = {}

---@class edgelab.LLMLoadOptions
---@field quantized? boolean keep ggml-quantized weights and use quantized kernels — false: F32 + BLAS (default false)

---Load a GGUF file or a Hugging Face safetensors directory.
---@param path? string
---@param opts? edgelab.LLMLoadOptions
---@return edgelab.LLM
function llm.load(path, opts) end

---Threads used for inference (OpenBLAS products and the quantized kernels): sets the count when `n` is given;
---returns the count in use.
---@param n? integer
---@return integer
function llm.threads(n) end

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

---@class edgelab.GenInfo
---@field tokens integer generated tokens
---@field prompt_tokens integer
---@field finish "eos"|"length"

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
---@param text string
---@return {tokens: integer[], logprobs: number[], sum: number}
function M:logprobs(text) end
---@param text string
---@param opts? {ctx?: integer}
---@return number ppl
---@return {nll: number, tokens: integer, windows: integer}
function M:perplexity(text, opts) end
---@param text string
---@return integer[]
function M:encode(text) end
---@param ids integer[]
---@return string
function M:decode(ids) end
---@param path string
---@param opts? {format?: "gguf"|"safetensors", dtype?: "f32"|"f16"|"bf16", shard_mb?: number} shard_mb > 0: safetensors shards of at most that many MB plus model.safetensors.index.json
function M:save(path, opts) end

return llm
