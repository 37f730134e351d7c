-- Quickstart: load the default model (SmolLM2-135M-Instruct, GGUF Q4_1), answer a chat question, and
-- report perplexity on a short text; writes a run folder (config, answer, perplexity table, report).
--   edgelab run experiments/quickstart.lua [--set dequantize=false] [--set question='...'] [--smoke]
-- assets: models/SmolLM2-135M-Instruct.Q4_1.gguf
local edgelab = require "edgelab"
local llm, lab = edgelab.llm, edgelab.lab

local cfg = lab.config {
  model = llm.default_model,
  -- true: the Q4_1 weights as F32 (BLAS); false: the file's Q4_1 blocks kept (quantized kernels, 8-bit
  -- activations in decode). The greedy answer is sensitive: after SmolLM2's default system prompt the top two
  -- first tokens are "The" (p = 0.152) and "L" (p = 0.140), and 8-bit activations flip them.
  dequantize = true,
  question = "What is the capital of France?",
  max_tokens = 48,
  ctx = 64,
  smoke = { max_tokens = 12 },
}

local f = io.open(cfg.model, "rb")
if not f then
  if edgelab.session.smoke then
    print("quickstart: model " .. cfg.model .. " not found; skipped (run `edgelab fetch`)")
    return
  end
  error("model " .. cfg.model .. " not found: run `edgelab fetch` first")
end
f:close()

local TEXT = [[
The Moon is Earth's only natural satellite. It orbits at an average distance of 384,400 km, about 30 times
the diameter of Earth. The Moon always presents the same side to Earth, because gravitational pull has
locked its rotation to its orbital period. Its gravitational influence produces the ocean tides.
]]

local run <close> = lab.run { name = "quickstart", config = cfg }
local t0, c0 = edgelab.clock(), os.clock()
local model = llm.load(cfg.model, { dequantize = cfg.dequantize })
local info = model:info()
print(string.format("loaded %s: %d layers, d=%d, %d params, %.1f MB of weights (%s)", cfg.model, info.layers,
  info.dim, info.params, info.weight_bytes / 1e6, cfg.dequantize and "dequantized to F32" or "Q4_1 kept"))

local answer, gen = model:chat(cfg.question, { max_tokens = cfg.max_tokens })
print("Q: " .. cfg.question)
print("A: " .. answer)

local ppl, p = model:perplexity(TEXT, { ctx = cfg.ctx })
print(string.format("perplexity (ctx=%d, %d tokens, %d windows): %.3f", cfg.ctx, p.tokens, p.windows, ppl))

local results = run:csv("results.csv", { "metric", "value" })
results:add { "answer_tokens", gen.tokens }
results:add { "answer_mentions_paris", answer:find("Paris") and 1 or 0 }
results:add { "perplexity", ppl }
results:add { "scored_tokens", p.tokens }
results:add { "weight_mb", info.weight_bytes / 1e6 }
results:add { "wall_seconds", edgelab.clock() - t0 }
results:add { "cpu_seconds", os.clock() - c0 }
run:table("Quickstart", results)
run:note(string.format("**Q:** %s\n\n**A:** %s\n\nWeights: %s.", cfg.question, answer,
  cfg.dequantize and "the GGUF's Q4_1 weights dequantized to F32 (the file itself is 4-bit)" or "the GGUF's Q4_1 blocks as stored"))
