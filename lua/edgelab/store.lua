-- edgelab.store: results that survive a re-run, so a figure too long for one sitting completes over several.
--   local store = require "edgelab.store"
--   local s = store.open(dir, identity)          -- identity: everything the results depend on (a table);
--                                                -- the files go to dir/<checksum of identity>/
--   local r = s:get("gptq-q4_0", "divergence")   -- nil when missing, or kept under another identity
--   s:put("gptq-q4_0", "divergence", r)          -- written whole (temporary file, then rename)
-- Values are Lua data (nil-free tables of numbers, strings, booleans and tables), kept as a Lua chunk
-- `return {...}` that is read back with no environment (nothing in the file can call anything). Numbers are
-- written with 17 significant digits (integers as integers, integral floats with a ".0", NaN and ±inf as 0/0 and
-- ±1/0), so a value read back equals the value written, bit for bit, and keeps its integer/float subtype.
-- A file records its identity; under a different identity (another option or model) `get` returns nil, so stale
-- results are recomputed, never mixed in. The code that scored a value is not part of the identity (a figure
-- completed over several sittings spans commits): callers keep the commit inside the value and report it.
local M = {}

local function encode_number(v)
  if math.type(v) == "integer" then return ("%d"):format(v) end
  if v ~= v then return "(0/0)" end
  if v == math.huge then return "(1/0)" end
  if v == -math.huge then return "(-1/0)" end
  local s = ("%.17g"):format(v)
  if not s:find("[%.eE]") then s = s .. ".0" end   -- an integral float stays a float
  return s
end

local function encode(v, out)
  local t = type(v)
  if t == "number" then out[#out + 1] = encode_number(v)
  elseif t == "string" then out[#out + 1] = ("%q"):format(v)
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif t == "table" then
    out[#out + 1] = "{"
    local n = #v
    for i = 1, n do encode(v[i], out); out[#out + 1] = "," end
    local keys = {}
    for k in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then
        if type(k) ~= "string" then error(("edgelab.store: table key %s is not a string or array index"):format(tostring(k)), 0) end
        keys[#keys + 1] = k
      end
    end
    table.sort(keys)
    for _, k in ipairs(keys) do
      out[#out + 1] = ("[%q]="):format(k); encode(v[k], out); out[#out + 1] = ",\n"
    end
    out[#out + 1] = "}"
  else
    error(("edgelab.store: cannot keep a %s"):format(t), 0)
  end
end

--- `v` as the text of a Lua expression (keys sorted: the same value always gives the same text).
---@param v any
---@return string
function M.encode(v)
  local out = {}
  encode(v, out)
  return table.concat(out)
end

--- The value of a text M.encode wrote; nil and a message when it is not one.
---@param text string
function M.decode(text)
  local chunk, err = load("return " .. text, "=store", "t", {})
  if not chunk then return nil, err end
  local ok, v = pcall(chunk)
  if not ok then return nil, v end
  return v
end

local Store = {}
Store.__index = Store

--- FNV-1a (32 bits) of a string, as 8 hex digits: names a store's subfolder.
---@param s string
function M.fnv1a(s)
  local h = 0x811c9dc5
  for i = 1, #s do h = ((h ~ s:byte(i)) * 0x01000193) & 0xffffffff end
  return ("%08x"):format(h)
end

--- A store for results that depend on `identity`, in a subfolder of `dir` named by the identity's checksum (created
--- when missing): stores under different identities never share a file.
---@param dir string
---@param identity table
function M.open(dir, identity)
  if type(dir) ~= "string" or dir == "" then error("edgelab.store.open: a folder is needed", 2) end
  local text = M.encode(identity)
  local path = dir .. "/" .. M.fnv1a(text)
  local ok = os.execute(("mkdir -p %q"):format(path))
  if not ok then error(("edgelab.store.open: cannot create %s"):format(path), 2) end
  return setmetatable({ dir = path, identity = text }, Store)
end

local function file_name(name, part)
  local safe = (name .. "." .. part):gsub("[^%w%._%-]", "_")
  return safe .. ".lua"
end

--- The value kept for (name, part), or nil when there is none or it was kept under another identity.
---@param name string
---@param part string
function Store:get(name, part)
  local f = io.open(self.dir .. "/" .. file_name(name, part), "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  local v = M.decode(text)
  if type(v) ~= "table" or v.identity ~= self.identity or v.value == nil then return nil end
  return v.value
end

--- Keep `value` for (name, part): written to a temporary file, then renamed over the old one.
---@param name string
---@param part string
---@param value any
function Store:put(name, part, value)
  local path = self.dir .. "/" .. file_name(name, part)
  local tmp = path .. ".tmp"
  local f = assert(io.open(tmp, "wb"))
  f:write(M.encode { identity = self.identity, value = value }, "\n")
  assert(f:close())
  assert(os.rename(tmp, path))
end

return M
