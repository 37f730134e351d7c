---@meta edgelab
-- LuaCATS type stubs for the edgelab module (lua-language-server reads these; they are never run).
-- Domain owners add meta/<domain>.lua for edgelab.lab, edgelab.mec, ...

---@class edgelab
---@field version string
---@field session edgelab.Session
---@field stats edgelab.stats
---@field rng edgelab.rngmod
local edgelab = {}

--- Monotonic wall-clock seconds (arbitrary origin: use differences). Time runs with it; os.clock() is process
--- CPU time summed over all threads, not elapsed time.
---@return number
function edgelab.clock() end

---@class edgelab.Session
---@field assets_dir string  $EDGELAB_ASSETS, else the repository's assets/ (found from the script or the binary)
---@field data_dir string    $EDGELAB_DATA, else <assets_dir>/data (eval.run's default data root)
---@field seed integer       root seed (--seed)
---@field smoke boolean      --smoke given
---@field overrides table<string, any>  --set key=value (Lua literals)
---@field script string?     the running script

--- Cartesian product of named lists, keys in sorted order (first key slowest); scalars count as one value.
--- More than `edgelab.grid_limit` (10^6) combinations is an error raised before any is built.
---@param spec table<string, any[]|any>
---@return table[]
function edgelab.grid(spec) end

--- Iterate a table in sorted key order (numbers, then strings).
---@generic K, V
---@param t table<K, V>
---@param cmp? fun(a: K, b: K): boolean
---@return fun(): K, V
function edgelab.sorted_pairs(t, cmp) end

--- range(n) = {1, ..., n}; range(a, b, step) = {a, a+step, ..., <= b}.
---@param a number
---@param b? number
---@param step? number
---@return number[]
function edgelab.range(a, b, step) end

--- Sorted list of the keys of `t`.
---@param t table
---@return any[]
function edgelab.keys(t) end

---@class edgelab.stats
local stats = {}
---@param xs number[]
---@return number
function stats.sum(xs) end
---@param xs number[]
---@return number
function stats.mean(xs) end
--- Sample variance (n - 1).
---@param xs number[]
---@return number
function stats.var(xs) end
---@param xs number[]
---@return number
function stats.std(xs) end
---@param xs number[]
---@return number[]
function stats.sorted(xs) end
--- Linear-interpolation quantile (numpy default).
---@param xs number[]
---@param q number 0..1
---@return number
function stats.quantile(xs, q) end
---@param xs number[]
---@return number
function stats.median(xs) end
--- Interquartile mean (trim 25% each side).
---@param xs number[]
---@return number
function stats.iqm(xs) end
---@param df number
---@return number
function stats.t975(df) end
--- Mean and 95% Student-t confidence interval.
---@param xs number[]
---@return number mean, number lo, number hi
function stats.ci95(xs) end
---@class edgelab.BootstrapOptions
---@field stat? "mean"|"median"|"iqm"|fun(xs: number[]): number (default "mean")
---@field resamples? integer (default 2000)
---@field level? number (default 0.95)
---@field seed? integer (default 0)
--- Percentile bootstrap CI (seeded). Empty lists are errors.
---@param xs number[]
---@param opts? edgelab.BootstrapOptions
---@return number estimate, number lo, number hi
function stats.bootstrap_ci(xs, opts) end
---@class edgelab.StratifiedBootstrapOptions
---@field stat? "mean"|"median"|"iqm"|fun(xs: number[]): number statistic of the pooled runs (default "iqm")
---@field resamples? integer (default 2000)
---@field level? number (default 0.95)
---@field seed? integer (default 0)
--- Stratified bootstrap CI (rliable): runs are resampled within each stratum (e.g. one list per env), the
--- statistic is taken over all runs pooled.
---@param strata number[][]
---@param opts? edgelab.StratifiedBootstrapOptions
---@return number estimate, number lo, number hi
function stats.stratified_bootstrap_ci(strata, opts) end
---@class edgelab.PermutationOptions
---@field stat? "mean"|"median"|"iqm"|fun(xs: number[]): number (default "mean")
---@field permutations? integer (default 10000)
---@field seed? integer (default 0)
--- Two-sided permutation test of stat(a) − stat(b): p = (1 + #{|Δ_perm| ≥ |Δ_obs|}) / (1 + permutations).
---@param a number[]
---@param b number[]
---@param opts? edgelab.PermutationOptions
---@return number difference, number p
function stats.permutation_test(a, b, opts) end
---@class edgelab.PairedRatioOptions
---@field resamples? integer (default 2000)
---@field level? number (default 0.95)
---@field seed? integer (default 0)
--- Percentile bootstrap CI of mean(a) / mean(b) where a[i] and b[i] are measured on the same unit (one item scored
--- by two models): each draw resamples units and recomputes both means (a relative change is ratio − 1).
---@param a number[]
---@param b number[]
---@param opts? edgelab.PairedRatioOptions
---@return number ratio, number lo, number hi
function stats.paired_ratio_ci(a, b, opts) end
---@class edgelab.Summary
---@field n integer
---@field mean number
---@field std number
---@field lo number
---@field hi number
---@field median number
---@field iqm number
---@field min number
---@field max number
---@param xs number[]
---@return edgelab.Summary
function stats.summary(xs) end

---@class edgelab.rngmod
local rngmod = {}
--- A new stream from a seed (>= 0).
---@param seed integer
---@return edgelab.RNG
function rngmod.new(seed) end
--- The run's root stream (seed = edgelab.session.seed).
---@return edgelab.RNG
function rngmod.root() end

---@class edgelab.RNG
---@field seed integer
local RNG = {}
--- Independent stream derived from this stream's seed and a name (or index).
---@param name string|integer
---@return edgelab.RNG
function RNG:split(name) end
---@param lo? number default 0
---@param hi? number default 1
---@return number
function RNG:uniform(lo, hi) end
---@param mean? number default 0
---@param std? number default 1
---@return number
function RNG:normal(mean, std) end
--- Uniform integer in [lo, hi].
---@param lo integer
---@param hi integer
---@return integer
function RNG:integer(lo, hi) end
---@param p number
---@return boolean
function RNG:bernoulli(p) end
---@param mean number
---@return integer
function RNG:poisson(mean) end
--- 1-based index drawn proportionally to the weights.
---@param weights number[]
---@return integer
function RNG:categorical(weights) end
--- A random permutation of 1..n.
---@param n integer
---@return integer[]
function RNG:permutation(n) end

return edgelab
