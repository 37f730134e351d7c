// The `edgelab` command line: run | repl | figures | bench | fetch.
// Exit codes: 0 ok, 1 script error (one-screen message with file:line), 2 usage error, 128 + signal for a
// script stopped by Ctrl-C (130), SIGTERM (143) or SIGHUP (129) — the shell's convention.
import ArgumentParser
import Foundation
import CQuantKernels

// The heap keeps freed memory up to 64 MiB at its top and serves blocks below 32 MiB from the heap (the ceiling
// glibc's dynamic mmap threshold grows to on its own). By default it starts at 128 KiB and trims above twice the
// largest block freed so far, so loops that allocate and free the same few-hundred-KiB buffers every step (WM-PPO's
// imagined steps and model training) fault their pages in again each time: ≈ 7 % of that time, decision 0205.
_ = qk_heap_retain(32 << 20, 64 << 20)
setvbuf(stdout, nil, _IOLBF, 0)
let arguments = Array(CommandLine.arguments.dropFirst())
do {
  var command = try EdgeLabCLI.parseAsRoot(arguments)
  try command.run()
  fflush(stdout)
  exit(0)
} catch let failure as ScriptFailure {
  fflush(stdout)
  FileHandle.standardError.write(Data((failure.text + "\n").utf8))
  exit(failure.signal.map { 128 + $0 } ?? 1)
} catch {
  fflush(stdout)
  let code = EdgeLabCLI.exitCode(for: error)
  let message = EdgeLabCLI.fullMessage(for: error)
  if code == .success {
    if !message.isEmpty { print(message) }
    exit(0)
  }
  if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
  // ArgumentParser reports usage problems as EX_USAGE (64); EdgeLab promises 2.
  exit(code == .validationFailure ? 2 : code.rawValue)
}
