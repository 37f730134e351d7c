-- Prunes (whole KV groups + FFN channels) and RTN-quantizes (Q8_0) each family fixture of
-- Tests/LLMTests/Fixtures/families, saves it as GGUF, reloads it dequantized and writes its per-token
-- log-probabilities of fixed ids, for tools/reference/check_family_exports.py to compare with PyPI `transformers`
-- reading the same GGUF.
--   edgelab run tools/reference/export_families.lua -- OUTDIR
local edgelab = require "edgelab"
local llm, compress = edgelab.llm, edgelab.compress

local out = (arg and arg[1]) or "outputs/families"
os.execute("mkdir -p '" .. out .. "'")
local dir = "Tests/LLMTests/Fixtures/families/"
local ids = { 1, 37, 250, 5, 99, 180, 3, 64, 200, 17, 120, 42, 7, 8, 9, 10 }
local texts = { "The quick brown fox jumps over the lazy dog. Rotary position embeddings rotate pairs of channels.",
                "Qwen3 normalises queries and keys per head; Mistral NeMo has 128-dimensional heads. 1234 5678 90" }

for _, family in ipairs({ "llama31", "qwen3", "mistral", "qwen2" }) do
  local m = llm.load(dir .. family .. ".gguf")
  local pruned = compress.prune(m, { ffn_ratio = 0.3, head_ratio = 0.5, head_mode = "kv_groups", texts = texts,
                                     calibration_windows = 2, calibration_length = 16 })
  local q = compress.quantize(pruned, { type = "q8_0", method = "rtn" })
  local path = out .. "/" .. family .. "-pruned-q8_0.gguf"
  q:save(path, { format = "gguf" })
  local back = llm.load(path, { dequantize = true })
  local lp = back:logprobs(ids)
  local xs = {}
  for i, v in ipairs(lp.logprobs) do xs[i] = string.format("%.9g", v) end
  local f = assert(io.open(out .. "/" .. family .. "-pruned-q8_0.json", "w"))
  f:write('{"family": "', family, '", "gguf": "', path, '", "ids": [', table.concat(ids, ","), '], "logprobs": [',
          table.concat(xs, ","), ']}\n')
  f:close()
  local info = back:info()
  print(string.format("%s: heads %s kv %s ffn %s -> %s", family, table.concat(info.heads, ","),
                      table.concat(info.kv_heads, ","), table.concat(info.ffn, ","), path))
end
