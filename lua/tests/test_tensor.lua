-- edgelab.tensor: creation, inspection, arithmetic and losses against hand-computed values.
local T = require("edgelab").tensor
local function near(a, b, tol, what)
  assert(math.abs(a - b) <= (tol or 1e-6), ("%s: %.9g vs %.9g"):format(what or "value", a, b))
end
local function same(list, expect, tol, what)
  assert(#list == #expect, (what or "list") .. ": length " .. #list .. " vs " .. #expect)
  for i = 1, #expect do near(list[i], expect[i], tol, (what or "list") .. "[" .. i .. "]") end
end

local a = T.new({ { 1, 2, 3 }, { 4, 5, 6 } })
assert(a.shape[1] == 2 and a.shape[2] == 3 and a.numel == 6 and a.rank == 2)
near(a:get(2, 3), 6)
same(a:totable(), { 1, 2, 3, 4, 5, 6 })
same((a + 1):totable(), { 2, 3, 4, 5, 6, 7 }, 0, "tensor + number")
same((a * T.new({ 10, 20, 30 })):totable(), { 10, 40, 90, 40, 100, 180 }, 0, "trailing broadcast")
same((a - a):totable(), { 0, 0, 0, 0, 0, 0 })
same((-a / 2):totable(), { -0.5, -1, -1.5, -2, -2.5, -3 })
same(a:sum(1):totable(), { 5, 7, 9 }, 0, "sum axis 1")
same(a:mean(-1):totable(), { 2, 5 }, 0, "mean last axis")
near(a:sum():item(), 21)
same(a:argmax(), { 3, 3 }, 0, "argmax is 1-based")
same(a:max(1):totable(), { 4, 5, 6 })
same(a:matmul(a:transpose()):totable(), { 14, 32, 32, 77 }, 0, "a·aᵀ")
same(T.matmul(a, a, { trans_a = true }):totable(), { 17, 22, 27, 22, 29, 36, 27, 36, 45 })
same(T.new({ 1, 2, 3 }):softmax():totable(), { 0.09003057, 0.24472847, 0.66524096 }, 1e-6, "softmax")
near(T.cross_entropy(T.new({ { 1, 2, 3 } }), { 3 }):item(), 0.40760596, 1e-6, "cross-entropy")
near(T.kl_div(a, a, 2):item(), 0, 1e-6, "KL of equal logits")
near(T.mse(T.new({ 1, 2 }), T.new({ 2, 4 })):item(), 2.5, 1e-6, "mse")
same(a:reshape({ 3, 2 }).shape, { 3, 2 })
same(a:rows(2):totable(), { 4, 5, 6 })
same(T.concat({ a, a }, 2).shape, { 2, 6 })
same(T.arange(4):totable(), { 0, 1, 2, 3 })
local tl = a:tolist()
assert(tl[2][1] == 4)

-- Seeded creation: same seed, same values; an RNG stream advances.
local r1, r2 = T.randn({ 4 }, 7):totable(), T.randn({ 4 }, 7):totable()
same(r1, r2, 0, "same seed")
local rng = require("edgelab").rng.new(3)
local s1, s2 = T.uniform({ 3 }, rng):totable(), T.uniform({ 3 }, rng):totable()
assert(s1[1] ~= s2[1], "stream advances")

-- Errors name the op and both shapes, and never crash.
local ok, err = pcall(function() return a + T.zeros({ 2 }) end)
assert(not ok and err:find("add: shape mismatch [2, 3] vs [2]", 1, true), err)
ok, err = pcall(function() return a:matmul(a) end)
assert(not ok and err:find("[2, 3] vs [2, 3]", 1, true), err)
ok, err = pcall(function() return T.new({ { 1, 2 }, { 3 } }) end)
assert(not ok and err:find("ragged", 1, true), err)
ok, err = pcall(function() return a:argmax(3) end)
assert(not ok and err:find("axis 3 out of range", 1, true), err)
ok, err = pcall(function() return T.cross_entropy(a, { 1, 4 }) end)
assert(not ok and err:find("out of range", 1, true), err)
ok, err = pcall(function() return T.randn({ 2 }) end)
assert(not ok and err:find("seed", 1, true), err)

-- safetensors round trip
local path = os.tmpname()
T.save(path, { w = a, b = T.new({ 1.5 }) })
local back = T.load(path)
os.remove(path)
same(back.w:totable(), a:totable(), 0, "saved w")
same(back.b:totable(), { 1.5 }, 0, "saved b")

-- BLAS threads are settable and reported.
local nt = T.threads()
assert(T.threads(1) == 1 and T.threads() == 1)
T.threads(nt)
ok, err = pcall(T.threads, 0)
assert(not ok and err:find("1...256", 1, true), err)
local llm_threads = require("edgelab").llm.threads
assert(llm_threads() >= 1, "llm.threads() reports the count in use")

-- Batch activations of kept-quantized products: int8 by default, float on request, anything else is an error.
local batch = require("edgelab").llm.batch_activations
local mode0 = batch()
assert(mode0 == "int8" or mode0 == "float", mode0)
assert(batch("float") == "float" and batch() == "float")
ok, err = pcall(batch, "int4")
assert(not ok and err:find("'int8' or 'float'", 1, true), err)
assert(batch(mode0) == mode0)
