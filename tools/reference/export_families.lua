-- Prunes (whole KV groups + FFN channels) and RTN-quantizes (Q8_0) each family fixture of
-- Tests/LLMTests/Fixtures/families, saves it (and the pruned F32 weights) as GGUF, reloads it dequantized and writes
-- its per-token log-probabilities of fixed ids, for tools/reference/check_family_exports.py (PyPI `transformers`
-- reading the same GGUF) and tools/reference/check_llamacpp.py (llama.cpp loading it).
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
  -- Q8_0 (for check_family_exports.py and llama.cpp's 2 % rule) and the pruned F32 weights (llama.cpp with an F32
  -- KV cache must then match per token: no activation rounding on either side).
  for _, v in ipairs({ { tag = "q8_0", model = q }, { tag = "f32", model = pruned } }) do
    local path = out .. "/" .. family .. "-pruned-" .. v.tag .. ".gguf"
    v.model:save(path, { format = "gguf" })
    local back = llm.load(path, { dequantize = true })
    local lp = back:logprobs(ids)
    local xs = {}
    for i, x in ipairs(lp.logprobs) do xs[i] = string.format("%.9g", x) end
    local f = assert(io.open(out .. "/" .. family .. "-pruned-" .. v.tag .. ".json", "w"))
    f:write('{"family": "', family, '", "weights": "', v.tag, '", "gguf": "', path, '", "ids": [', table.concat(ids, ","),
            '], "logprobs": [', table.concat(xs, ","), ']}\n')
    f:close()
    local info = back:info()
    print(string.format("%s: heads %s kv %s ffn %s -> %s", family, table.concat(info.heads, ","),
                        table.concat(info.kv_heads, ","), table.concat(info.ffn, ","), path))
  end
end
