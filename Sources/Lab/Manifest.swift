// The run manifest: what ran (script + checksum, git commit), where (platform, versions), with what seed,
// when, and how it ended. Written as canonical JSON at the start (status "running") and at the end.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `killed`: found still `running` by a later run after its process had died (see StaleRuns).
public enum RunStatus: String, Sendable { case running, complete, failed, interrupted, killed }

public struct Manifest {
  public var experiment: String
  public var configID: String
  public var scriptPath: String?
  public var scriptSHA256: String?
  public var gitCommit: String?
  public var gitDirty: Bool?
  public var version: String
  public var seed: JSONValue
  public var smoke: Bool
  public var started: Date
  public var ended: Date?
  public var status: RunStatus = .running
  public var error: String?
  public var files: [String] = []
  public var args: [String] = []
  /// A shard's manifest: which shard, how it was started, its data files (Sweep.swift).
  public var shard: ShardInfo?
  /// A sharded run folder: shard count, backend, jobs, per-shard status (written by sweep and collect).
  public var sweep: SweepRecord?
  /// Set by a collect: the number of shards merged.
  public var collectedShards: Int?

  public var json: JSONValue {
    var o: [String: JSONValue] = [
      "experiment": .string(experiment), "config_id": .string(configID),
      "edgelab_version": .string(version), "seed": seed, "smoke": .bool(smoke),
      "started": .string(Manifest.iso(started)), "status": .string(status.rawValue),
      "platform": Manifest.platform, "files": .array(files.sorted(by: utf8Less).map { .string($0) }),
      "args": .array(args.map { .string($0) }), "pid": .int(Int(getpid())),
    ]
    o["script"] = scriptPath.map { .object(["path": .string($0), "sha256": scriptSHA256.map { .string($0) } ?? .null]) } ?? .null
    o["git"] = gitCommit.map { .object(["commit": .string($0), "dirty": gitDirty.map { .bool($0) } ?? .null]) } ?? .null
    o["ended"] = ended.map { .string(Manifest.iso($0)) } ?? .null
    if let e = error { o["error"] = .string(e) }
    if let sh = shard { o["shard"] = sh.json }
    if let sw = sweep { o["sweep"] = sw.json }
    if let c = collectedShards { o["collected_shards"] = .int(c) }
    return .object(o)
  }

  /// UTC ISO-8601 with seconds, e.g. 2026-11-25T06:57:23Z.
  public static func iso(_ d: Date) -> String {
    var t = time_t(d.timeIntervalSince1970.rounded(.down))
    var tmv = tm()
    gmtime_r(&t, &tmv)
    func p(_ v: Int32, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: Swift.max(0, w - s.count)) + s }
    return "\(p(tmv.tm_year + 1900, 4))-\(p(tmv.tm_mon + 1, 2))-\(p(tmv.tm_mday, 2))T\(p(tmv.tm_hour, 2)):\(p(tmv.tm_min, 2)):\(p(tmv.tm_sec, 2))Z"
  }

  static var swiftVersion: String {
    #if compiler(>=6.4)
    return "6.4+"
    #elseif compiler(>=6.3)
    return "6.3"
    #elseif compiler(>=6.2)
    return "6.2"
    #elseif compiler(>=6.1)
    return "6.1"
    #else
    return "6.0"
    #endif
  }

  public static var platform: JSONValue {
    var u = utsname()
    uname(&u)
    func field<T>(_ x: T) -> String {
      withUnsafeBytes(of: x) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
    var distro: JSONValue = .null
    if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
       let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
      distro = .string(line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
    }
    return .object(["os": .string(field(u.sysname)), "kernel": .string(field(u.release)),
                    "arch": .string(field(u.machine)), "distro": distro, "swift": .string(swiftVersion),
                    "cpus": .int(ProcessInfo.processInfo.activeProcessorCount)])
  }

  /// (commit, dirty) of the git work tree containing `dir`, or nil when git or the repository is missing.
  public static func git(at dir: URL) -> (String, Bool)? {
    guard let head = runGit(["-C", dir.path, "rev-parse", "HEAD"], in: dir)?.trimmingCharacters(in: .whitespacesAndNewlines),
          head.count == 40 else { return nil }
    let status = runGit(["-C", dir.path, "status", "--porcelain", "--untracked-files=no"], in: dir)
    return (head, !(status ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
  }

  static func runGit(_ args: [String], in dir: URL) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git"] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
  }
}
