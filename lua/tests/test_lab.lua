-- edgelab.lab from Lua: config strictness, run folders, writers, figures, and how a run records its end.
local edgelab = require "edgelab"
local lab = edgelab.lab

local root = os.tmpname() .. "_lab"   -- a fresh folder name (lab.run creates it)

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- config: declared keys only
local cfg = lab.config { seeds = 2, lr = 3e-4, smoke = { seeds = 1 } }
assert(cfg.seeds == (edgelab.session.smoke and 1 or 2))
local ok, err = pcall(function() return cfg.seedz end)
assert(not ok and err:find("unknown config key 'seedz'"), err)
ok, err = pcall(lab.config, { a = 1, smoke = { b = 2 } })
assert(edgelab.session.smoke == false or not ok)   -- an undeclared smoke key is an error under --smoke

-- a complete run
local dir
do
  local run <close> = lab.run { name = "luatest", config = cfg, root = root }
  dir = run.dir
  assert(run.status == "running")
  local w = run:csv("t.csv", { "k", "x", "y" })
  for i = 1, 5 do w:add { "s" .. (i % 2), i, i * i } end
  w:add { k = "s0", x = 6 }   -- keyed; y left empty
  assert(w.rows == 6)
  local path = run:plot { data = w, x = "x", y = "y", by = "k", file = "t.svg", logy = true }
  assert(path == dir .. "/t.svg")
  run:table("T", w)
  run:note("done")
end
local manifest = read(dir .. "/manifest.json")
assert(manifest:find('"status": "complete"', 1, true), manifest)
assert(read(dir .. "/t.csv"):find("k,x,y\ns1,1,1\ns0,2,4\n", 1, true))
assert(read(dir .. "/t.svg"):find('data-series="s1"', 1, true))
assert(read(dir .. "/report.md"):find("![y vs x](t.svg)", 1, true))
local rows, cols = lab.read_csv(dir .. "/t.csv")
assert(#rows == 6 and table.concat(cols, ",") == "k,x,y")
assert(rows[2].k == "s0" and rows[2].x == 2 and rows[2].y == 4 and rows[6].y == nil)

-- an error inside the run's scope marks it failed and keeps the rows written
local failed_dir
ok, err = pcall(function()
  local run <close> = lab.run { name = "luatest-fail", root = root }
  failed_dir = run.dir
  local w = run:csv("rows.csv", { "i" })
  w:add { 1 }
  error("on purpose")
end)
assert(not ok and err:find("on purpose"))
manifest = read(failed_dir .. "/manifest.json")
assert(manifest:find('"status": "failed"', 1, true), manifest)
assert(read(failed_dir .. "/rows.csv") == "i\n1\n")

-- bad arguments are errors naming the problem
local run <close> = lab.run { name = "luatest-args", root = root }
ok, err = pcall(run.plot, run, { data = "missing.csv", x = "a", y = "b" })
assert(not ok and err:find("missing.csv"), err)
ok, err = pcall(run.csv, run, "x.csv", {})
assert(not ok and err:find("non%-empty array of column names"), err)
