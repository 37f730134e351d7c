// The Lua half of the REPL: printing values, the session scope that keeps `local` declarations, error
// objects shown as values, and tab-completion candidates. Loaded once per REPL by Repl.init.
//
// Locals: lua.c compiles each line as its own chunk, so `local y = 3` is gone on the next line. Here every
// chunk runs with _ENV = a session scope, and after a chunk the top-level locals still in scope at its end
// (debug.getlocal of the chunk's frame) are copied into that scope: later lines read and assign them like
// globals, but they never enter _G (modules do not see them). A function that captured such a local keeps
// its own upvalue (later assignments on a new line do not reach it); `<close>` variables are closed at the
// end of their line as usual (the value stays readable).
enum ReplLua {
  static let source = #"""
    local replLocals, declared = {}, {}
    -- Copies the calling chunk's live locals into the session scope.
    local function capture()
      local i = 1
      while true do
        local name, value = debug.getlocal(2, i)
        if name == nil then break end
        if name:sub(1, 1) ~= "(" then declared[name] = true; replLocals[name] = value end
        i = i + 1
      end
    end

    local scope = setmetatable({}, {
      __index = function(_, k)
        if declared[k] then return replLocals[k] end
        if k == "__repl_capture__" then return capture end
        return _G[k]
      end,
      __newindex = function(_, k, v) if declared[k] then replLocals[k] = v else _G[k] = v end end,
    })

    local function keycmp(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      if ta == "number" or ta == "string" then return a < b end
      return tostring(a) < tostring(b)
    end
    local function render(v, depth)
      if type(v) == "string" then return depth > 0 and string.format("%q", v) or v end
      if type(v) ~= "table" or getmetatable(v) ~= nil then return tostring(v) end
      if depth >= 3 then return "{...}" end
      local keys, n = {}, #v
      for k in pairs(v) do
        if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
      end
      table.sort(keys, keycmp)
      local parts = {}
      for i = 1, math.min(n, 30) do parts[#parts + 1] = render(v[i], depth + 1) end
      if n > 30 then parts[#parts + 1] = "... (" .. n .. " items)" end
      for i, k in ipairs(keys) do
        if i > 30 then parts[#parts + 1] = "... (" .. #keys .. " keys)"; break end
        local ks = (type(k) == "string" and k:match("^[%a_][%w_]*$")) and k or "[" .. render(k, 1) .. "]"
        parts[#parts + 1] = ks .. " = " .. render(v[k], depth + 1)
      end
      return "{" .. table.concat(parts, ", ") .. "}"
    end

    -- Error objects that are not strings are shown as values ("error object: {code = 42}").
    local function handler(e)
      if type(e) ~= "string" then
        local mt = getmetatable(e)
        if mt and mt.__tostring then e = tostring(e) else e = "error object: " .. render(e, 1) end
      end
      local text = debug.traceback(e, 2)
      return setmetatable({}, { __tostring = function() return text end })
    end

    local function run(chunk)
      debug.setupvalue(chunk, 1, scope)
      local function out(ok, ...)
        if not ok then error((...), 0) end
        local n = select("#", ...)
        if n == 0 then return end
        local t = {}
        for i = 1, n do t[i] = render((select(i, ...)), 0) end
        print(table.concat(t, "\t"))
      end
      out(xpcall(chunk, handler))
    end

    local keywords = { "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
                       "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while" }
    -- Completion candidates for `word` (a dotted/colon path and a partial name), sorted.
    local function complete(word)
      local path, sep, partial = word:match("^(.-)([%.:])([%w_]*)$")
      local sources, out, seen = {}, {}, {}
      if not path then
        partial = word
        sources = { replLocals, _G }
        for _, k in ipairs(keywords) do if k:sub(1, #partial) == partial then seen[k] = true; out[#out + 1] = k end end
      else
        local v = scope
        for name in path:gmatch("[^%.:]+") do
          if not name:match("^[%a_][%w_]*$") then return {} end
          local ok, x = pcall(function() return v[name] end)
          if not ok or x == nil then return {} end
          v = x
        end
        if type(v) == "table" then sources[#sources + 1] = v end
        local mt = getmetatable(v)
        if type(mt) == "table" and type(rawget(mt, "__index")) == "table" then sources[#sources + 1] = rawget(mt, "__index") end
      end
      for _, t in ipairs(sources) do
        for k, x in pairs(t) do
          if type(k) == "string" and k:match("^[%a_][%w_]*$") and k:sub(1, #partial) == partial and not seen[k]
             and (sep ~= ":" or type(x) == "function") then
            seen[k] = true
            out[#out + 1] = (path and (path .. sep) or "") .. k
          end
        end
      end
      table.sort(out)
      return out
    end

    return run, capture, complete
    """#
}
