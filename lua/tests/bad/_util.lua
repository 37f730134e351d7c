-- Helpers for the bad-input corpus (lua/tests/bad/*.lua): they only PREPARE hostile inputs (files, tables);
-- every call into EdgeLab stays in the script itself, so the error points at the script's own line.
-- The runner (Tests/EdgeLabLuaTests/BadInputCorpusTests.swift) sets EDGELAB_BAD_TMP (a scratch folder) and,
-- for scripts marked `-- needs: model`, EDGELAB_BAD_MODEL (a tiny random Llama GGUF, context 256).
local U = {}

function U.tmp(name)
  local dir = os.getenv("EDGELAB_BAD_TMP") or "/tmp"
  return dir .. "/" .. name
end

function U.model()
  local path = os.getenv("EDGELAB_BAD_MODEL")
  assert(path, "EDGELAB_BAD_MODEL is not set (run through the corpus runner)")
  return path
end

function U.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function U.write(path, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  return path
end

--- A copy of the tiny model with the value of metadata `key` replaced by `value` (raw little-endian bytes of
--- the same size as the stored one) or, with `new_type`, the type field too.
function U.gguf_patch(key, value, new_type)
  local s = U.read(U.model())
  local k = string.pack("<s8", key)
  local at = assert(s:find(k, 1, true), "key " .. key .. " not in the model")
  local tpos = at + #k
  local out = s
  if new_type then out = out:sub(1, tpos - 1) .. string.pack("<I4", new_type) .. out:sub(tpos + 4) end
  local vpos = tpos + 4
  out = out:sub(1, vpos - 1) .. value .. out:sub(vpos + #value)
  return U.write(U.tmp("patched-" .. key:gsub("%W", "_") .. ".gguf"), out)
end

--- The tiny model with bytes [from, from + #bytes) overwritten.
function U.model_with(name, from, bytes)
  local s = U.read(U.model())
  return U.write(U.tmp(name), s:sub(1, from - 1) .. bytes .. s:sub(from + #bytes))
end

--- The first n bytes of the tiny model.
function U.truncated(name, n)
  return U.write(U.tmp(name), U.read(U.model()):sub(1, n))
end

--- A GGUF made of a header and raw kv bytes (no tensors unless given).
function U.gguf(name, version, ntensors, kvs, rest)
  local body = {}
  for _, kv in ipairs(kvs) do body[#body + 1] = kv end
  return U.write(U.tmp(name), "GGUF" .. string.pack("<I4I8I8", version, ntensors, #kvs) .. table.concat(body) .. (rest or ""))
end
function U.kv_str(k, v) return string.pack("<s8I4s8", k, 8, v) end
function U.kv_u32(k, v) return string.pack("<s8I4I4", k, 4, v) end
function U.kv_u64(k, v) return string.pack("<s8I4I8", k, 10, v) end

--- A safetensors file: header length (default: the JSON's), JSON header, data.
function U.safetensors(name, json, data, length)
  return U.write(U.tmp(name), string.pack("<I8", length or #json) .. json .. (data or ""))
end

--- A Hugging Face-style model folder holding only config.json (and optional extra files).
function U.hf_dir(name, config, files)
  local dir = U.tmp(name)
  os.execute("mkdir -p '" .. dir .. "'")
  U.write(dir .. "/config.json", config)
  for f, body in pairs(files or {}) do U.write(dir .. "/" .. f, body) end
  return dir
end

return U
