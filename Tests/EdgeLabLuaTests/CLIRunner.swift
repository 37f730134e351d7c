import Foundation

/// Runs the edgelab binary and captures its output.
enum CLIRunner {
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  static func run(_ exe: URL, _ args: [String], stdin: String? = nil, cwd: URL? = nil,
                  env: [String: String] = [:], timeout: TimeInterval = 60,
                  signalAfter: (TimeInterval, Int32)? = nil) throws -> Result {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    if let c = cwd { p.currentDirectoryURL = c }
    var e = ProcessInfo.processInfo.environment
    for (k, v) in env { e[k] = v }
    p.environment = e
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    p.standardInput = inPipe
    final class Box { var data = Data() }
    let out = Box(), err = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { out.data = outPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { err.data = errPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    try p.run()
    if let s = stdin { inPipe.fileHandleForWriting.write(Data(s.utf8)) }
    try? inPipe.fileHandleForWriting.close()
    if let (after, sig) = signalAfter {
      Thread.sleep(forTimeInterval: after)
      kill(p.processIdentifier, sig)
    }
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    if p.isRunning { p.terminate() }
    p.waitUntilExit()
    group.wait()
    return Result(status: p.terminationStatus, stdout: String(decoding: out.data, as: UTF8.self),
                  stderr: String(decoding: err.data, as: UTF8.self))
  }
}
