---@meta
-- LuaCATS stubs for edgelab.tensor (Sources/EdgeLabLua/Bind+Tensor.swift). Axes are 1-based; -1 = last.
-- Broadcasting (as TensorCore): same shape, scalar, trailing suffix ([N] on [B,N]), or per-row ([B,1] on [B,N]).

---@class edgelab.tensor
local tensor = {}

---@class edgelab.Tensor
---@field shape integer[]
---@field numel integer
---@field rank integer
---@operator add(edgelab.Tensor|number): edgelab.Tensor
---@operator sub(edgelab.Tensor|number): edgelab.Tensor
---@operator mul(edgelab.Tensor|number): edgelab.Tensor
---@operator div(edgelab.Tensor|number): edgelab.Tensor
---@operator unm: edgelab.Tensor
local Tensor = {}

---@param values number[]|number[][] flat or nested numbers
---@param shape? integer[]
---@return edgelab.Tensor
function tensor.new(values, shape) end
---@param shape integer[]|integer
---@return edgelab.Tensor
function tensor.zeros(shape) end
---@param shape integer[]|integer
---@return edgelab.Tensor
function tensor.ones(shape) end
---@param shape integer[]|integer
---@param value number
---@return edgelab.Tensor
function tensor.full(shape, value) end
---@param n integer
---@return edgelab.Tensor 0..n-1
function tensor.arange(n) end
---@param shape integer[]|integer
---@param seed integer|edgelab.RNG
---@param std? number
---@return edgelab.Tensor
function tensor.randn(shape, seed, std) end
---@param shape integer[]|integer
---@param seed integer|edgelab.RNG
---@param lo? number
---@param hi? number
---@return edgelab.Tensor
function tensor.uniform(shape, seed, lo, hi) end
---@param list edgelab.Tensor[]
---@param axis? integer default 1
---@return edgelab.Tensor
function tensor.concat(list, axis) end
---@param a edgelab.Tensor
---@param b edgelab.Tensor
---@param opts? {trans_a?: boolean, trans_b?: boolean}
---@return edgelab.Tensor
function tensor.matmul(a, b, opts) end
---Mean cross-entropy; targets are 1-based class ids, one per row.
---@param logits edgelab.Tensor
---@param targets integer[]
---@return edgelab.Tensor scalar
function tensor.cross_entropy(logits, targets) end
---T² · mean KL(softmax(teacher/T) ‖ softmax(student/T)).
---@param student edgelab.Tensor
---@param teacher edgelab.Tensor
---@param temperature? number default 1
---@return edgelab.Tensor scalar
function tensor.kl_div(student, teacher, temperature) end
---@return edgelab.Tensor scalar
function tensor.mse(a, b) end
---Write tensors (F32 safetensors).
---@param path string
---@param named table<string, edgelab.Tensor>
function tensor.save(path, named) end
---@param path string
---@return table<string, edgelab.Tensor>
function tensor.load(path) end

---OpenBLAS threads for the whole process: sets the count when `n` is given (default: processor count or
---EDGELAB_BLAS_THREADS); returns the count in use.
---@param n? integer
---@return integer
function tensor.threads(n) end
---Deprecated: use tensor.threads(n).
---@param n integer
---@return integer
function tensor.set_threads(n) end

---@return number
function Tensor:item() end
---@param ... integer 1-based indices
---@return number
function Tensor:get(...) end
---@return number[] flat row-major values
function Tensor:totable() end
---@return any nested arrays
function Tensor:tolist() end
---@return edgelab.Tensor
function Tensor:matmul(other) end
---@param axis? integer all elements when omitted
---@return edgelab.Tensor
function Tensor:sum(axis) end
---@param axis? integer
---@return edgelab.Tensor
function Tensor:mean(axis) end
---@param axis? integer default -1
---@return edgelab.Tensor
function Tensor:max(axis) end
---@param axis? integer default -1
---@return integer[] 1-based indices
function Tensor:argmax(axis) end
---@return edgelab.Tensor
function Tensor:exp() end
---@return edgelab.Tensor
function Tensor:log() end
---@return edgelab.Tensor
function Tensor:sqrt() end
---@return edgelab.Tensor
function Tensor:abs() end
---@return edgelab.Tensor
function Tensor:square() end
---@return edgelab.Tensor
function Tensor:tanh() end
---@return edgelab.Tensor
function Tensor:relu() end
---@return edgelab.Tensor
function Tensor:sigmoid() end
---@return edgelab.Tensor
function Tensor:silu() end
---@return edgelab.Tensor
function Tensor:gelu() end
---@return edgelab.Tensor over the last axis
function Tensor:softmax() end
---@return edgelab.Tensor over the last axis
function Tensor:log_softmax() end
---@return edgelab.Tensor
function Tensor:clamp(lo, hi) end
---@param shape integer[] one entry may be -1
---@return edgelab.Tensor
function Tensor:reshape(shape) end
---@return edgelab.Tensor 2-D transpose
function Tensor:transpose() end
---Rows i..j (1-based, inclusive; j defaults to i) of the first axis.
---@return edgelab.Tensor
function Tensor:rows(i, j) end

return tensor
