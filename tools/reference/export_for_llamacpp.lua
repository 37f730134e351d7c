-- Exports SmolLM2 variants (the base; RTN Q4_0; width-pruned + least-squares refit, F32 and RTN Q4_0) and EdgeLab's own per-token log-probabilities of a fixed text, for
-- tools/reference/check_llamacpp.py to compare against llama.cpp (llama-cpp-python).
--   edgelab run tools/reference/export_for_llamacpp.lua -- OUTDIR
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf
local edgelab = require "edgelab"
local llm, compress = edgelab.llm, edgelab.compress

local out = (arg and arg[1]) or "outputs/llamacpp"
os.execute("mkdir -p '" .. out .. "'")

local text = "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. "
  .. "It is named after the engineer Gustave Eiffel, whose company designed and built the tower from 1887 "
  .. "to 1889. Locally nicknamed \"La dame de fer\", it was constructed as the centerpiece of the 1889 "
  .. "World's Fair, and to crown the centennial anniversary of the French Revolution."

local base = llm.load(llm.default_model)
local variants = {}
variants.base_q4_1 = base
local pruned = compress.prune(base, { ffn_ratio = 0.25, head_ratio = 1 / 3, recovery = "refit",
                                      calibration_windows = 8 })
variants.pruned_f32 = pruned
variants.pruned_q4_0 = compress.quantize(pruned, { type = "q4_0", method = "rtn" })
variants.base_q4_0 = compress.quantize(base, { type = "q4_0", method = "rtn" })

for _, name in ipairs(edgelab.keys(variants)) do
  local m = variants[name]
  local path = out .. "/" .. name .. ".gguf"
  m:save(path, { format = "gguf" })
  local lp = m:logprobs(text)
  local f = assert(io.open(out .. "/" .. name .. ".json", "w"))
  f:write('{"model": "', path, '", "tokens": [', table.concat(lp.tokens, ","), '], "logprobs": [')
  local xs = {}
  for i, v in ipairs(lp.logprobs) do xs[i] = string.format("%.9g", v) end
  f:write(table.concat(xs, ","), "]}\n")
  f:close()
  print(string.format("%s: %d tokens, sum logprob %.4f -> %s", name, #lp.tokens, lp.sum, path))
end
