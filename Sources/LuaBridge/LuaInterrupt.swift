import CLua
import Foundation

/// Ctrl-C for scripts, the way lua.c does it: the SIGINT handler only sets a flag and installs a Lua hook
/// (`edgelab_request_stop`, async-signal-safe); the hook — a C function — raises "interrupted!" the next time
/// Lua code runs, so the error unwinds through the script normally (`<close>` variables run, a lab run is
/// marked interrupted). Long Swift loops should call `LuaInterrupt.check()` now and then. A second Ctrl-C
/// before the first is handled kills the process (default action). SIGTERM and SIGHUP (a `kill`, a closed
/// terminal, a job scheduler's stop) are handled the same way, so the run still records `interrupted`.
public enum LuaInterrupt {
  static var target: OpaquePointer?
  static var flag: Int32 = 0

  /// True once Ctrl-C was pressed since `install`.
  public static var requested: Bool { flag != 0 }

  /// The stop signal (SIGINT, SIGTERM or SIGHUP) received since the last `install`, nil when none. Unlike
  /// `requested` it survives `uninstall`, so the command line can read it after the script has ended and
  /// exit with 128 + this number, the shell's convention for a process stopped by a signal (130 for Ctrl-C).
  public static var signalReceived: Int32? { flag != 0 ? flag : lastSignal }
  static var lastSignal: Int32?

  /// Routes SIGINT to `state`, starting from a clean slate (no flag, no pending stop request).
  public static func install(for state: LuaState) {
    flag = 0
    lastSignal = nil
    edgelab_cancel_stop(state.mainL)
    target = state.mainL
    for s in stopSignals { signal(s, handler) }
  }

  /// Restores the default SIGINT action and forgets any Ctrl-C seen since `install`: in a long-lived host
  /// (the REPL) a later, unrelated error must not be taken for an interrupt, and a stop request that never
  /// fired must not stop the next chunk.
  public static func uninstall() {
    for s in stopSignals { signal(s, SIG_DFL) }
    if flag != 0 { lastSignal = flag }
    if let L = target { edgelab_cancel_stop(L) }
    target = nil
    flag = 0
  }

  static func forget(_ state: LuaState) {
    if target == state.mainL { uninstall() }
  }

  /// Simulates Ctrl-C (tests, or a Swift component that wants the script to stop).
  public static func request() { handler(SIGINT) }

  /// Throws the interrupt error when Ctrl-C was pressed (for long-running Swift work).
  public static func check() throws {
    if flag != 0 { throw LuaBridgeError.message("interrupted!") }
  }

  static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  static let handler: @convention(c) (Int32) -> Void = { sig in
    flag = sig  // the signal number (never 0), so the exit status can say which stop it was
    signal(sig, SIG_DFL)
    if let L = target { edgelab_request_stop(L) }
  }
}
