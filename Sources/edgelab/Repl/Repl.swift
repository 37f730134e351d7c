import CEditline
import EdgeLabLua
import Foundation
import LuaBridge

/// The interactive loop, as lua.c: a line is first tried as `return <line>` (so expressions print), then as
/// a statement; input that ends early (a syntax error at "<eof>") continues on the next line — except an
/// unfinished quoted string, which is an error at once (a string cannot continue on the next line). Errors
/// are printed (non-string error objects shown as values) and the session goes on; in piped mode the exit
/// status is 1 when any input failed. Top-level `local` declarations persist across lines (ReplLua.swift).
/// With a terminal: libedit line editing, ~/.edgelab_history and tab completion of globals, locals and
/// fields (`edgelab.st<TAB>`, `m:gen<TAB>`); through a pipe: plain line reading, no prompts.
final class Repl {
  let state: LuaState
  let tty: Bool
  let historyPath: String
  private var runner: LuaFunction!
  private var completer: LuaFunction!
  /// Inputs that failed (syntax or run time).
  private(set) var errors = 0

  init(state: LuaState, tty: Bool = isatty(0) != 0) throws {
    self.state = state
    self.tty = tty
    historyPath = (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.edgelab_history"
    let made = try state.run(ReplLua.source, name: "=repl")
    guard made.count == 3, case .ref(let r)? = made.first, case .ref(let c)? = made.last else {
      throw LuaBridgeError.message("repl: helpers not created")
    }
    runner = LuaFunction(ref: r)
    completer = LuaFunction(ref: c)
    // Convenience: the edgelab module is preloaded as a global.
    _ = try? state.run("edgelab = require 'edgelab'", name: "=repl")
  }

  /// Completion candidates for `word` (used by the libedit callback; tested directly).
  func complete(_ word: String) -> [String] {
    guard let r = try? completer.call([.string(word)]), let arr = r.first?.arrayValue else { return [] }
    return arr.compactMap(\.stringValue)
  }

  func read(_ prompt: String) -> String? {
    if tty {
      guard let p = readline(prompt) else { return nil }
      defer { free(p) }
      return String(cString: p)
    }
    return readLine(strippingNewline: true)
  }

  /// Compiles one input (reading continuation lines while it is incomplete); nil after a syntax error or EOF.
  func compile(first: String) -> (LuaFunction?, String) {
    var buffer = first
    let expr = first.hasPrefix("=") ? String(first.dropFirst()) : first
    if let f = try? state.load("return " + expr, name: "=stdin") { return (f, buffer) }
    while true {
      do {
        _ = try state.load(buffer, name: "=stdin")
        // Compiles: run it with a trailing call that keeps its top-level locals (when the chunk allows a
        // statement after its end, i.e. it does not end in `return`).
        if let f = try? state.load(buffer + "\n;__repl_capture__()", name: "=stdin") { return (f, buffer) }
        return (try? state.load(buffer, name: "=stdin"), buffer)
      } catch let e as LuaError where e.message.hasSuffix("<eof>") && !e.message.contains("unfinished string") {
        guard let more = read(">> ") else { report(e); return (nil, buffer) }
        buffer += "\n" + more
      } catch {
        report(error)
        return (nil, buffer)
      }
    }
  }

  func loop() {
    if tty {
      _ = read_history(historyPath)
      stifle_history(2000)
      ReplCompletion.install(self)
      let v = (try? state.run("return _VERSION").first?.stringValue) ?? "Lua"
      print("EdgeLab REPL (\(v ?? "Lua")). `edgelab` is loaded; Tab completes; Ctrl-D exits.")
    }
    while let first = read("> ") {
      if first.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      let (chunk, buffer) = compile(first: first)
      if tty { _ = add_history(buffer); _ = write_history(historyPath) }
      guard let f = chunk else { continue }
      LuaInterrupt.install(for: state)
      do { try runner.call(.ref(f.ref)) } catch { report(error) }
      LuaInterrupt.uninstall()
      fflush(stdout)
    }
    if tty { print("") }
  }

  func report(_ error: Error) {
    errors += 1
    fflush(stdout)
    let text: String
    if let le = error as? LuaError {
      // Drop the REPL's own frames from the traceback.
      let full = le.fullDescription.replacingOccurrences(of: "in local 'chunk'", with: "in main chunk")
      let lines = full.split(separator: "\n", omittingEmptySubsequences: false)
      let message = lines.prefix { !$0.hasPrefix("stack traceback:") }
      let tb = lines.dropFirst(message.count).filter {
        !$0.contains("repl:") && !$0.contains("[C]: in ?") && !$0.contains("[C]: in function 'xpcall'")
          && !$0.contains("__repl_capture__")
      }
      text = message.joined(separator: "\n") + (tb.count > 1 ? "\n" + tb.prefix(10).joined(separator: "\n") : "")
    } else {
      text = LuaClosure.describe(error)
    }
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}

/// libedit's completion hooks (C function pointers cannot capture: the active REPL is kept here).
enum ReplCompletion {
  nonisolated(unsafe) static var repl: Repl?
  nonisolated(unsafe) static var candidates: [String] = []
  nonisolated(unsafe) static var cursor = 0
  nonisolated(unsafe) static var breakChars: UnsafeMutablePointer<CChar>? = nil

  static func install(_ r: Repl) {
    repl = r
    // Words include '.' and ':' so "edgelab.stats.me" completes as one path.
    if breakChars == nil { breakChars = strdup(" \t\n\"'`@$><=;|&{(,+-*/%^#~[]}") }
    rl_completer_word_break_characters = breakChars
    rl_completion_append_character = 0
    rl_attempted_completion_function = { text, _, _ in
      rl_attempted_completion_over = 1
      guard let text = text, let r = ReplCompletion.repl else { return nil }
      ReplCompletion.candidates = r.complete(String(cString: text))
      if ReplCompletion.candidates.isEmpty { return nil }
      return rl_completion_matches(text) { _, state in
        if state == 0 { ReplCompletion.cursor = 0 }
        guard ReplCompletion.cursor < ReplCompletion.candidates.count else { return nil }
        defer { ReplCompletion.cursor += 1 }
        return strdup(ReplCompletion.candidates[ReplCompletion.cursor])
      }
    }
  }
}
