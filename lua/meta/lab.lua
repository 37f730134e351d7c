---@meta edgelab.lab
-- LuaCATS type stubs for `edgelab.lab` (run folders, writers, figures, progress). Not loaded at run time.

---@class edgelab.lab
local lab = {}

---Declares the experiment's settings and resolves them: the defaults, then the `smoke` profile when the
---script runs with `--smoke`, then `--set key=value` overrides (`--set env.users=20` reaches into a table
---setting). Every smoke/override key must be declared here; `--seed N` sets a declared `seed` setting.
---Reading an undeclared key of the returned table is an error.
---@param spec table<string, any> defaults, plus optional `smoke = {...}`
---@return table<string, any> config
function lab.config(spec) end

---@class edgelab.RunOptions
---@field name? string experiment name (may contain "/"); default: the script's file name without extension
---@field config? table the table returned by `lab.config` (the run folder is named by its non-default settings)
---@field root? string outputs folder; default: $EDGELAB_OUTPUTS, else <repo>/outputs, else ./outputs

---Opens the run folder `outputs/<name>/<config-id>/` (replacing a previous run of the same configuration)
---with config.json, manifest.json, log.txt and report.md. Declare it `<close>`: leaving the scope normally
---marks the run complete, an error marks it failed, Ctrl-C marks it interrupted. While it is open, `print`
---also appends to log.txt.
---@param opts edgelab.RunOptions
---@return edgelab.Run
function lab.run(opts) end

---Reads a CSV file (e.g. from an earlier run) as rows keyed by column; cells that parse as numbers are
---numbers, empty cells are nil. Returns the rows and the column names (header order).
---@param path string
---@return table[] rows
---@return string[] columns
function lab.read_csv(path) end

---A progress line on stderr (only when stderr is a terminal; silent in CI and pipes).
---@param label string
---@param total integer
---@return edgelab.Progress
function lab.progress(label, total) end

---@class edgelab.Run
---@field dir string absolute path of the run folder
---@field id string config id ("default" or e.g. "seeds=5,steps=2048")
---@field name string experiment name
---@field commit? string the git commit the manifest records (nil outside a git work tree)
---@field status "running"|"complete"|"failed"|"interrupted"|"killed" killed: found still running after its process died (marked by the next run of the experiment)
---@field config table<string, any> the resolved configuration
---@field role "whole"|"shard"|"collect"|"plan" what this process does with the grids (see Run:grid)
---@field shard? {index: integer, count: integer} set when running as `--shard index/count`
local Run = {}

---Iterates a grid, sharding-aware: `for point, k in run:grid{lr = {1e-3, 3e-4}, seed = edgelab.range(5)} do`.
---Takes a grid spec (expanded with `edgelab.grid`) or a list of points; yields each point and its 1-based
---index. Under `edgelab run --shard i/K` (and `edgelab sweep`) only the points whose number, counted across
---the script's grids, is i mod K run; a `run:grid` inside another one's point runs whole. `math.random` is
---reseeded at each point (and after the grid) from (seed, grid, point), so a point must depend on the point
---only. Rows a shard writes are merged by `edgelab collect` in the order an unsharded run writes them.
---@param grid table<string, any>|table[] grid spec or list of points
---@return fun(): table, integer
function Run:grid(grid) end

---Marks the start of the summary: returns false in a shard (use `if not run:summary() then return end`
---after the grids) and true in an unsharded run or a collect, where the summary then reads the (merged) rows
---back from the run's files. Sharded runs that never call it fail.
---@return boolean
function Run:summary() end

---A tidy CSV file in the run folder. Rows stream to `<file>.partial` and appear under `file` only when the
---writer is closed or flushed (so a crash never leaves a truncated file under the final name).
---@param file string
---@param columns string[]
---@return edgelab.CSVWriter
function Run:csv(file, columns) end

---A JSON Lines file (one object per line, keys sorted).
---@param file string
---@return edgelab.JSONLWriter
function Run:jsonl(file) end

---@class edgelab.PlotOptions
---@field data edgelab.CSVWriter|string|table[] a writer of this run, a CSV file of this run, or rows {col = v}
---@field x string column for the x axis (categories for bars)
---@field y string column for the y axis
---@field by? string column naming the series
---@field band? string column naming replicates (e.g. "seed"): mean line/bar with a 95% t-interval
---@field kind? "line"|"bar"|"scatter" default "line"
---@field logx? boolean
---@field logy? boolean
---@field pareto? boolean|"min-max"|"min-min"|"max-max"|"max-min" scatter only; true = lower x, higher y is better
---@field file? string SVG file name (default "<y>-vs-<x>.svg")
---@field title? string
---@field xlabel? string
---@field ylabel? string
---@field width? number pixels (default 760)
---@field height? number pixels (default 440)

---Writes an SVG figure into the run folder and embeds it in report.md. Returns the file's path.
---@param opts edgelab.PlotOptions
---@return string path
function Run:plot(opts) end

---Embeds a CSV of this run as a markdown table (first 50 rows) in report.md.
---@param name string heading
---@param csv edgelab.CSVWriter|string
function Run:table(name, csv) end

---Adds a markdown paragraph to report.md.
---@param markdown string
function Run:note(markdown) end

---Finishes the run explicitly (what `<close>` does): closes its writers, records the status.
---@param status? "complete"|"failed"|"interrupted"
---@param message? string
function Run:finish(status, message) end

---@class edgelab.CSVWriter
---@field file string name inside the run folder
---@field path string absolute path (final name)
---@field rows integer rows written
---@field columns string[]
local CSVWriter = {}

---Adds a row: `{v1, v2, ...}` (one per column, nil allowed) or `{column = value, ...}` (missing → empty).
---@param row table
function CSVWriter:add(row) end
---Publishes the rows written so far under the final name (atomically).
function CSVWriter:flush() end
function CSVWriter:close() end

---@class edgelab.JSONLWriter
---@field path string
---@field count integer
local JSONLWriter = {}
---@param record table
function JSONLWriter:add(record) end
function JSONLWriter:flush() end
function JSONLWriter:close() end

---@class edgelab.Progress
local Progress = {}
---@param step integer
---@param metric? string
---@param value? number
function Progress:update(step, metric, value) end
function Progress:done() end

return lab
