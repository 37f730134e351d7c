// What a sweep records in manifests: each shard's own manifest (shards/<i>/manifest.json) has a `shard`
// section (index, count, how it was started, its data files); the run folder's manifest has a `sweep`
// section (shard count, backend, submissions with their job ids, per-shard status). Also: reading JSON
// back (manifests are written as canonical JSON by this module).
import Foundation

extension JSONValue: Decodable {
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .null; return }
    if let b = try? c.decode(Bool.self) { self = .bool(b); return }
    if let i = try? c.decode(Int.self) { self = .int(i); return }
    if let d = try? c.decode(Double.self) { self = .number(d); return }
    if let s = try? c.decode(String.self) { self = .string(s); return }
    if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
    self = .object(try c.decode([String: JSONValue].self))
  }

  /// Parses JSON text.
  public static func parse(_ data: Data, what: String) throws -> JSONValue {
    do { return try JSONDecoder().decode(JSONValue.self, from: data) } catch {
      throw LabError.io("\(what): not valid JSON (\(error.localizedDescription))")
    }
  }

  public subscript(key: String) -> JSONValue? {
    if case .object(let o) = self { return o[key] }
    return nil
  }
  public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
  public var intValue: Int? {
    switch self {
    case .int(let i): return i
    case .number(let d) where d == d.rounded() && abs(d) < 1e15: return Int(d)
    default: return nil
    }
  }
  public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
}

/// The `shard` section of a shard's manifest.
public struct ShardInfo: Equatable {
  public var spec: ShardSpec
  /// The options the shard was run with (--set/--smoke/--seed words), so `collect` can re-run the script.
  public var options: [String]
  /// Data files (name → "csv" | "jsonl") whose rows carry order keys.
  public var dataFiles: [String: String] = [:]
  public var pointsDone = 0

  public init(spec: ShardSpec, options: [String]) { self.spec = spec; self.options = options }

  public var json: JSONValue {
    .object(["index": .int(spec.index), "count": .int(spec.count), "options": .array(options.map { .string($0) }),
             "data_files": .object(dataFiles.mapValues { .string($0) }), "points_done": .int(pointsDone)])
  }

  public init(json v: JSONValue) throws {
    guard let i = v["index"]?.intValue, let k = v["count"]?.intValue else {
      throw LabError.io("shard section without index/count")
    }
    spec = try ShardSpec(index: i, count: k)
    options = (v["options"]?.arrayValue ?? []).compactMap(\.stringValue)
    if case .object(let o)? = v["data_files"] { dataFiles = o.compactMapValues(\.stringValue) }
    pointsDone = v["points_done"]?.intValue ?? 0
  }
}

/// The `sweep` section of a sharded run folder's manifest.
public struct SweepRecord: Equatable {
  public struct Submission: Equatable {
    public var shards: [Int]
    public var arrayJob: String?
    public var collectJob: String?
    public var submitted: Date
    public init(shards: [Int], arrayJob: String? = nil, collectJob: String? = nil, submitted: Date) {
      self.shards = shards; self.arrayJob = arrayJob; self.collectJob = collectJob; self.submitted = submitted
    }
  }

  public var shards: Int
  public var backend: String
  /// Absolute path of the script and the options every shard runs with.
  public var script: String
  public var options: [String]
  public var submissions: [Submission] = []
  /// Per shard: pending, running, complete, failed, cancelled, timeout, interrupted, missing.
  public var shardStatus: [String]

  public init(shards: Int, backend: String, script: String, options: [String]) {
    self.shards = shards; self.backend = backend; self.script = script; self.options = options
    shardStatus = Array(repeating: "pending", count: shards)
  }

  /// The command that re-runs `shards` alone (Slurm options given with --slurm must be repeated).
  public func rerunCommand(_ shards: [Int]) -> String {
    (["edgelab", "sweep", script, "--shards", String(self.shards), "--backend", backend,
      "--only", shards.map(String.init).joined(separator: ",")] + options).map(Report.shellQuote).joined(separator: " ")
  }

  /// The latest submission that ran shard `i`.
  public func submission(of i: Int) -> Submission? { submissions.last { $0.shards.contains(i) } }

  public var json: JSONValue {
    .object([
      "shards": .int(shards), "backend": .string(backend), "script": .string(script),
      "options": .array(options.map { .string($0) }),
      "shard_status": .array(shardStatus.map { .string($0) }),
      "submissions": .array(submissions.map { s in
        var o: [String: JSONValue] = ["shards": .array(s.shards.map { .int($0) }),
                                      "submitted": .string(Manifest.iso(s.submitted))]
        if let a = s.arrayJob { o["array_job"] = .string(a) }
        if let c = s.collectJob { o["collect_job"] = .string(c) }
        return .object(o)
      }),
    ])
  }

  public init(json v: JSONValue) throws {
    guard let k = v["shards"]?.intValue, k >= 1, let b = v["backend"]?.stringValue, let s = v["script"]?.stringValue else {
      throw LabError.io("manifest: sweep section without shards/backend/script")
    }
    self.init(shards: k, backend: b, script: s, options: (v["options"]?.arrayValue ?? []).compactMap(\.stringValue))
    let st = (v["shard_status"]?.arrayValue ?? []).compactMap(\.stringValue)
    if st.count == k { shardStatus = st }
    for e in v["submissions"]?.arrayValue ?? [] {
      let date = e["submitted"]?.stringValue.flatMap(Manifest.parseISO) ?? Date(timeIntervalSince1970: 0)
      submissions.append(Submission(shards: (e["shards"]?.arrayValue ?? []).compactMap(\.intValue),
                                    arrayJob: e["array_job"]?.stringValue, collectJob: e["collect_job"]?.stringValue,
                                    submitted: date))
    }
  }
}

/// Reading and updating a run folder's manifest.json as JSON.
public enum RunFolder {
  public static func manifest(_ dir: URL) throws -> JSONValue {
    let url = dir.appendingPathComponent("manifest.json")
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw LabError.io("\(url.path): no such file (not a run folder)")
    }
    return try JSONValue.parse(data, what: url.path)
  }

  public static func sweep(_ dir: URL) throws -> SweepRecord? {
    guard let s = try manifest(dir)["sweep"], s != .null else { return nil }
    return try SweepRecord(json: s)
  }

  /// Replaces the `sweep` section of `dir/manifest.json` (atomically; other fields unchanged).
  public static func updateSweep(_ dir: URL, _ record: SweepRecord) throws {
    guard case .object(var o) = try manifest(dir) else { throw LabError.io("\(dir.path)/manifest.json: not an object") }
    o["sweep"] = record.json
    try AtomicFile.write(CanonicalJSON.data(.object(o), pretty: true), to: dir.appendingPathComponent("manifest.json"))
  }
}

extension Manifest {
  /// Parses the UTC form written by `iso` (2026-11-25T06:57:23Z).
  public static func parseISO(_ s: String) -> Date? {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.date(from: s)
  }
}
