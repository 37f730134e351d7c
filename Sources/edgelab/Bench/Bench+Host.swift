import EdgeLabLua
import Foundation
import LuaBridge

/// `edgelab bench host`: the scripting host's own costs.
/// - Lua→Swift call overhead: a Lua loop calling a Swift function (one number in, one out) minus the same
///   loop calling nothing; compared with a loop calling a C function of the standard library (math.abs).
/// - Method call on userdata, and a failing call caught by pcall.
/// - CLI start-up: wall time of `edgelab run empty.lua` (and of a script that requires "edgelab").
extension BenchSuite {
  static let host = BenchSuite(name: "host", summary: "Lua→Swift call overhead and CLI start-up time") { report in
    let n = report.quick ? 200_000 : 5_000_000
    let lua = LuaState()
    lua.setGlobal("swift_inc", function: { call in call.push(try call.number(1) + 1); return 1 })
    let counter = LuaClass<BenchCounter>("bench.Counter")
      .method("inc") { call, c in c.n += 1; call.push(c.n); return 1 }
    lua.setGlobal("counter", function: { call in call.push(BenchCounter(), as: counter); return 1 })
    lua.setGlobal("swift_fail", function: { _ in throw LuaBridgeError.message("no") })
    func loop(_ body: String, _ count: Int) throws -> Double {
      let f = try lua.load("""
        local swift_inc, abs, c, swift_fail = swift_inc, math.abs, counter(), swift_fail
        local x = 0
        for i = 1, \(count) do \(body) end
        return x
      """, name: "=bench")
      return try BenchReport.time(repeats: 5) { _ = try f.call([]) }.median
    }
    let empty = try loop("x = x + 1", n)
    let swift = try loop("x = swift_inc(x)", n)
    let cfn = try loop("x = x + abs(i)", n)
    let method = try loop("x = c:inc()", n)
    let failN = n / 10
    let emptyF = try loop("x = x + 1", failN)
    let fail = try loop("if not pcall(swift_fail) then x = x + 1 end", failN)
    let perCall = (swift - empty) / Double(n) * 1e9
    report.record("lua_to_swift_call_ns", perCall, unit: "ns/call", target: 300)
    report.record("lua_to_c_call_ns (math.abs, reference)", (cfn - empty) / Double(n) * 1e9, unit: "ns/call")
    report.record("userdata_method_call_ns", (method - empty) / Double(n) * 1e9, unit: "ns/call")
    report.record("failing_call_with_pcall_ns", (fail - emptyF) / Double(failN) * 1e9, unit: "ns/call")
    report.note("calls_per_loop", n)
    lua.close()

    // CLI start-up for an empty script (this very executable).
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("edgelab-bench-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let emptyScript = dir.appendingPathComponent("empty.lua")
    try "".write(to: emptyScript, atomically: true, encoding: .utf8)
    let requireScript = dir.appendingPathComponent("require.lua")
    try "local edgelab = require 'edgelab'".write(to: requireScript, atomically: true, encoding: .utf8)
    func startup(_ script: URL) throws -> Double {
      try BenchReport.time(repeats: report.quick ? 3 : 15, warmup: 2) {
        let p = Process()
        p.executableURL = exe
        p.arguments = ["run", script.path]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw LuaBridgeError.message("edgelab run \(script.lastPathComponent) exited \(p.terminationStatus)") }
      }.median * 1e3
    }
    report.record("cli_startup_empty_script_ms", try startup(emptyScript), unit: "ms")
    report.record("cli_startup_require_edgelab_ms", try startup(requireScript), unit: "ms")
  }
}

final class BenchCounter { var n = 0 }
