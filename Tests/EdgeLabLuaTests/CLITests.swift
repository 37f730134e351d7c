import XCTest
@testable import EdgeLabLua
import LuaBridge

/// The `edgelab` command line, driven as a user would (needs the binary that `swift test` builds).
final class CLITests: XCTestCase {
  var exe: URL!
  var dir: URL!

  override func setUpWithError() throws {
    guard let b = Repo.binary else { throw XCTSkip("edgelab binary not built next to the tests") }
    exe = b
    dir = try Repo.tempDir("cli")
  }

  func script(_ name: String, _ code: String) throws -> String {
    try code.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    return name
  }

  func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:], signalAfter: (TimeInterval, Int32)? = nil) throws -> CLIRunner.Result {
    try CLIRunner.run(exe, args, stdin: stdin, cwd: dir, env: ["EDGELAB_LUA_PATH": Repo.lua].merging(env) { $1 },
                      signalAfter: signalAfter)
  }

  func testOkScriptAndOverrides() throws {
    let s = try script("ok.lua", """
      local e = require "edgelab"
      local o = e.session.overrides
      print(o.seeds, o.lr, o.agent, o.widths[2], o["smoke.steps"], e.session.smoke, e.session.seed, ...)
    """)
    let r = try run(["run", s, "--set", "seeds=5", "--set", "lr=3e-4", "--set", "agent=ppo", "--set", "widths={64,32}",
                     "--set", "smoke.steps=7", "--set", "seeds=6", "--smoke", "--seed", "42", "--", "extra"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "6\t0.0003\tppo\t32\t7\ttrue\t42\textra\n")
  }

  func testBadScriptsExitOneWithFileAndLine() throws {
    let cases: [(String, String, String)] = [
      ("syntax.lua", "local x = 1\nlocal y = = 2\n", "syntax.lua:2:"),
      ("runtime.lua", "local t\n\nprint(t.x)\n", "runtime.lua:3: attempt to index a nil value"),
      ("argtype.lua", "local rng = require('edgelab').rng\nrng.new('seven')\n",
       "argtype.lua:2: bad argument #1 to 'new' (number expected, got string)"),
      ("callback.lua", "local function f()\n  error('in callback')\nend\nlocal t = setmetatable({}, {__index = f})\nreturn t.x\n", "callback.lua:2: in callback"),
    ]
    for (name, code, needle) in cases {
      let r = try run(["run", try script(name, code)])
      XCTAssertEqual(r.status, 1, name)
      XCTAssertTrue(r.stderr.hasPrefix("edgelab: "), r.stderr)
      XCTAssertTrue(r.stderr.contains(needle), "\(name): \(r.stderr)")
      XCTAssertLessThanOrEqual(r.stderr.split(separator: "\n").count, 24, "one screen")
    }
    let missing = try run(["run", "nope.lua"])
    XCTAssertEqual(missing.status, 1)
    XCTAssertTrue(missing.stderr.contains("cannot open nope.lua"), missing.stderr)
  }

  func testUsageErrorsExitTwo() throws {
    XCTAssertEqual(try run(["run"]).status, 2)
    XCTAssertEqual(try run(["run", "x.lua", "--bogus"]).status, 2)
    XCTAssertEqual(try run(["run", "x.lua", "--seed", "minus"]).status, 2)
    XCTAssertEqual(try run(["run", "x.lua", "--set", "novalue"]).status, 2)
    XCTAssertEqual(try run(["frobnicate"]).status, 2)
    XCTAssertEqual(try run(["bench", "no-such-suite"]).status, 2)
    XCTAssertEqual(try run(["--help"]).status, 0)
  }

  func testCtrlCInterruptsScript() throws {
    let s = try script("spin.lua", "print('started')\nio.stdout:flush()\nlocal n = 0\nwhile true do n = n + 1 end\n")
    let r = try run(["run", s], signalAfter: (0.7, SIGINT))
    XCTAssertEqual(r.status, 130, "Ctrl-C exits 128 + SIGINT, as shells report a stop by a signal")
    XCTAssertTrue(r.stderr.contains("interrupted!"), r.stderr)
    XCTAssertTrue(r.stderr.contains("spin.lua:"), r.stderr)
  }

  /// A failing or interrupted script keeps its run folder and records why in the manifest, even when the
  /// run was not declared with `<close>`.
  func testRunFolderStatusOnFailureAndInterrupt() throws {
    let out = dir.appendingPathComponent("outputs")
    let failing = try script("failing.lua", """
      local lab = require("edgelab").lab
      RUN = lab.run { name = "failing" }
      local w = RUN:csv("rows.csv", { "i" })
      w:add { 1 }
      error("late failure")
      """)
    let r = try run(["run", failing], env: ["EDGELAB_OUTPUTS": out.path])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.stderr.contains("failing.lua:5: late failure"), r.stderr)
    let m1 = try manifest(out.appendingPathComponent("failing/default/manifest.json"))
    XCTAssertEqual(m1["status"] as? String, "failed")

    let spinning = try script("spinning.lua", """
      local lab = require("edgelab").lab
      local run <close> = lab.run { name = "spinning" }
      local w = run:csv("rows.csv", { "i" })
      w:add { 1 }
      print("ready"); io.stdout:flush()
      while true do end
      """)
    let r2 = try run(["run", spinning], env: ["EDGELAB_OUTPUTS": out.path], signalAfter: (0.8, SIGINT))
    XCTAssertEqual(r2.status, 130)
    XCTAssertTrue(r2.stderr.contains("interrupted!"), r2.stderr)
    let m2 = try manifest(out.appendingPathComponent("spinning/default/manifest.json"))
    XCTAssertEqual(m2["status"] as? String, "interrupted")
  }

  func testFiguresRunsEveryScriptAndReportsFailures() throws {
    let figs = dir.appendingPathComponent("paper")
    try FileManager.default.createDirectory(at: figs, withIntermediateDirectories: true)
    try "print('A ran', require('edgelab').session.smoke)".write(to: figs.appendingPathComponent("a.lua"), atomically: true, encoding: .utf8)
    try "local x = nil\nreturn x.y".write(to: figs.appendingPathComponent("b.lua"), atomically: true, encoding: .utf8)
    try "print('C ran')".write(to: figs.appendingPathComponent("c.lua"), atomically: true, encoding: .utf8)
    let r = try run(["figures", "--dir", figs.path, "--smoke"])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.stdout.contains("A ran\ttrue") && r.stdout.contains("C ran"), r.stdout)
    XCTAssertTrue(r.stderr.contains("b.lua:2: attempt to index a nil value"), r.stderr)
    XCTAssertTrue(r.stderr.contains("1 of 3 failed: b.lua"), r.stderr)
    let ok = try run(["figures", "--dir", figs.path, "a", "c"])
    XCTAssertEqual(ok.status, 0, ok.stderr)
    XCTAssertTrue(ok.stdout.contains("all 2 done"), ok.stdout)
  }

  func testBenchHostWritesJSONWithMachineLoad() throws {
    let out = dir.appendingPathComponent("bench")
    let r = try run(["bench", "host", "--quick", "--out", out.path])
    XCTAssertEqual(r.status, 0, r.stderr)
    let doc = try manifest(out.appendingPathComponent("host.json"))
    XCTAssertEqual(doc["suite"] as? String, "host")
    let machine = try XCTUnwrap(doc["machine"] as? [String: Any])
    XCTAssertEqual((machine["loadavg_before"] as? [Double])?.count, 3)
    let names = (doc["results"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    XCTAssertTrue(names.contains("lua_to_swift_call_ns") && names.contains("cli_startup_empty_script_ms"), "\(names)")
    for row in doc["results"] as? [[String: Any]] ?? [] {
      let v = try XCTUnwrap(row["value"] as? Double)
      XCTAssertTrue(v.isFinite && v > 0, "\(row)")
    }
    XCTAssertEqual(try run(["bench", "list"]).status, 0)
  }

  /// Found through PATH (argv[0] is a bare name), the binary still finds the repo's lua/ folder.
  func testFindsLuaLibraryWhenStartedFromPath() throws {
    let bin = dir.appendingPathComponent("bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("edgelab"), withDestinationURL: exe)
    let s = try script("lib.lua", "print(type(require('edgelab').grid))")
    let r = try CLIRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "edgelab run \(s)"], cwd: dir,
                              env: ["PATH": bin.path + ":/usr/bin:/bin", "EDGELAB_LUA_PATH": ""])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "function\n")
  }

  func manifest(_ url: URL) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
  }

  func testReplThroughPipe() throws {
    let input = """
      1 + 1
      x = 20
      x + 1
      for i = 1, 2 do
        print("loop", i)
      end
      error("boom")
      function add(a,
        b) return a + b end
      add(2, 3)
      {b = 1, a = {1, 2}}
      edgelab.stats.mean{2, 4}
      print(nil .. 1)
      "still alive"

      """
    let r = try run(["repl"], stdin: input)
    XCTAssertEqual(r.status, 1, "piped input exits 1 after an error (the session still ran every line)")
    XCTAssertEqual(r.stdout, "2\n21\nloop\t1\nloop\t2\n5\n{a = {1, 2}, b = 1}\n3.0\nstill alive\n")
    XCTAssertTrue(r.stderr.contains("stdin:1: boom"), r.stderr)
    XCTAssertTrue(r.stderr.contains("attempt to concatenate a nil value"), r.stderr)
  }

  /// Through a pseudo-terminal (libedit line editing active): python3's pty module plays the user.
  func testReplThroughPseudoTerminal() throws {
    let home = try Repo.tempDir("home")
    let driver = """
      import os, pty, sys, time, select
      exe, lines = sys.argv[1], sys.argv[2:]
      pid, fd = pty.fork()
      if pid == 0:
          os.execv(exe, [exe, "repl"])
      out = b""
      def pump(t):
          global out
          end = time.time() + t
          while time.time() < end:
              r, _, _ = select.select([fd], [], [], 0.05)
              if r:
                  try: chunk = os.read(fd, 4096)
                  except OSError: return False
                  if not chunk: return False
                  out += chunk
          return True
      pump(1.0)
      for l in lines:
          os.write(fd, (l + "\\n").encode()); pump(0.4)
      os.write(fd, b"\\x04"); pump(1.5)
      _, status = os.waitpid(pid, 0)
      sys.stdout.write(out.decode("utf-8", "replace"))
      sys.stdout.write("\\nEXIT=%d\\n" % os.waitstatus_to_exitcode(status))
      """
    let r = try CLIRunner.run(URL(fileURLWithPath: "/usr/bin/env"),
                              ["python3", "-c", driver, exe.path, "6 * 7", "for i = 1, 2 do", "print('pty', i) end",
                               "error('pty boom')", "'after ' .. 'error'"],
                              cwd: dir, env: ["HOME": home.path, "EDGELAB_LUA_PATH": Repo.lua, "TERM": "dumb"], timeout: 60)
    XCTAssertTrue(r.stdout.contains("42"), r.stdout)
    XCTAssertTrue(r.stdout.contains("pty\t1") || r.stdout.contains("pty 1"), r.stdout)
    XCTAssertTrue(r.stdout.contains("pty boom"), r.stdout)
    XCTAssertTrue(r.stdout.contains("after error"), r.stdout)
    XCTAssertTrue(r.stdout.contains("EXIT=0"), r.stdout)
    // libedit stores entries vis(3)-encoded (space = \\040)
    let history = ((try? String(contentsOf: home.appendingPathComponent(".edgelab_history"), encoding: .utf8)) ?? "")
      .replacingOccurrences(of: "\\040", with: " ")
    XCTAssertTrue(history.contains("6 * 7"), "history file: \(history)")
  }
}
