import CEditline
import EdgeLabLua
import Foundation
import LuaBridge

/// The interactive loop, as lua.c: a line is first tried as `return <line>` (so expressions print), then as
/// a statement; input that ends early (a syntax error at "<eof>") continues on the next line; errors are
/// printed and the session goes on. With a terminal: libedit line editing and ~/.edgelab_history; through a
/// pipe: plain line reading, no prompts.
final class Repl {
  let state: LuaState
  let tty: Bool
  let historyPath: String
  private var show: LuaFunction!

  init(state: LuaState) throws {
    self.state = state
    tty = isatty(0) != 0
    historyPath = (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.edgelab_history"
    // Prints a chunk's results: tables without metatables are shown sorted and depth-limited.
    let made = try state.run("""
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
      return function(__chunk)
        local function out(...)
          local n = select("#", ...)
          if n == 0 then return end
          local t = {}
          for i = 1, n do t[i] = render((select(i, ...)), 0) end
          print(table.concat(t, "\\t"))
        end
        out(__chunk())
      end
    """, name: "=repl")
    guard case .ref(let r)? = made.first else { throw LuaBridgeError.message("repl: printer not created") }
    show = LuaFunction(ref: r)
    // Convenience: the edgelab module is preloaded as a global.
    _ = try? state.run("edgelab = require 'edgelab'", name: "=repl")
  }

  func read(_ prompt: String) -> String? {
    if tty {
      guard let p = readline(prompt) else { return nil }
      defer { free(p) }
      return String(cString: p)
    }
    return readLine(strippingNewline: true)
  }

  func loop() {
    if tty {
      _ = read_history(historyPath)
      stifle_history(2000)
      let v = (try? state.run("return _VERSION").first?.stringValue) ?? "Lua"
      print("EdgeLab REPL (\(v ?? "Lua")). `edgelab` is loaded; Ctrl-D exits.")
    }
    while let first = read("> ") {
      if first.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      var buffer = first
      var chunk: LuaFunction?
      // 1) as an expression (first line only, like lua.c)
      if !first.hasPrefix("=") { chunk = try? state.load("return " + first, name: "=stdin") }
      else { chunk = try? state.load("return " + first.dropFirst(), name: "=stdin") }
      // 2) as statements, reading more lines while the input is incomplete
      while chunk == nil {
        do {
          chunk = try state.load(buffer, name: "=stdin")
        } catch let e as LuaError where e.message.hasSuffix("<eof>") {
          guard let more = read(">> ") else { report(e); break }
          buffer += "\n" + more
        } catch {
          report(error)
          break
        }
      }
      if tty { _ = add_history(buffer); _ = write_history(historyPath) }
      guard let f = chunk else { continue }
      LuaInterrupt.install(for: state)
      do { try show.call(.ref(f.ref)) } catch { report(error) }
      LuaInterrupt.uninstall()
      fflush(stdout)
    }
    if tty { print("") }
  }

  func report(_ error: Error) {
    fflush(stdout)
    let text: String
    if let le = error as? LuaError {
      // Drop the REPL's own frames from the traceback.
      let tb = (le.traceback ?? "").replacingOccurrences(of: "in local '__chunk'", with: "in main chunk")
        .split(separator: "\n").filter { !$0.contains("repl:") && !$0.contains("[C]: in ?") }
      text = le.message + (tb.count > 1 ? "\n" + tb.prefix(10).joined(separator: "\n") : "")
    } else {
      text = LuaClosure.describe(error)
    }
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}
