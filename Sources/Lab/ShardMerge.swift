// Collecting a sharded run (docs/decisions/0300-sharded-runs.md): check that every shard of the run folder
// finished, then merge each data file's rows from all shards in order-key order (Shard.swift), which is
// the order an unsharded run writes them in. Everything is read and checked before anything is written:
// a missing, failed or inconsistent shard makes `ShardMerge.load` throw and leaves the folder untouched.
import Foundation

public struct ShardMerge {
  public struct File: Equatable {
    public var name: String
    public var kind: String        // "csv" | "jsonl"
    public var columns: [String]   // csv only
    public var data: Data
    public var rows: Int
  }

  public let runDir: URL
  public let count: Int
  public let files: [File]
  /// From the shards' manifests (all agree): the script and the options they ran with.
  public let script: String?
  public let scriptSHA256: String?
  public let options: [String]
  /// The run folder's sweep record, when a sweep created it.
  public let sweep: SweepRecord?

  public func file(_ name: String) -> File? { files.first { $0.name == name } }

  public static func shardDir(_ runDir: URL, _ i: Int) -> URL {
    runDir.appendingPathComponent("shards").appendingPathComponent(String(i))
  }

  /// Reads and checks every shard of `runDir` and merges their data files in memory.
  public static func load(_ runDir: URL) throws -> ShardMerge {
    let fm = FileManager.default
    let dir = runDir.standardizedFileURL
    let sweep = fm.fileExists(atPath: dir.appendingPathComponent("manifest.json").path) ? try RunFolder.sweep(dir) : nil
    let present = ((try? fm.contentsOfDirectory(atPath: dir.appendingPathComponent("shards").path)) ?? [])
      .compactMap { Int($0) }.sorted()
    var manifests: [Int: (JSONValue, ShardInfo)] = [:]
    var problems: [Int: String] = [:]
    for i in present {
      do {
        let m = try RunFolder.manifest(shardDir(dir, i))
        guard let s = m["shard"] else { problems[i] = "its manifest has no shard section"; continue }
        manifests[i] = (m, try ShardInfo(json: s))
      } catch { problems[i] = (error as? LabError)?.message ?? "\(error)" }
    }
    let counts = Set(manifests.values.map { $0.1.spec.count })
    guard let count = sweep?.shards ?? (counts.count == 1 ? counts.first : nil) else {
      if present.isEmpty { throw LabError.io("collect: \(dir.path) has no shards (shards/<i>/ folders)") }
      throw LabError.io("collect: the shards in \(dir.path) disagree on the shard count (\(counts.sorted()))")
    }
    for (i, (m, info)) in manifests.sorted(by: { $0.key < $1.key }) {
      if info.spec.count != count || info.spec.index != i {
        problems[i] = "it was run as shard \(info.spec) of a \(info.spec.count)-shard run, not of \(count)"
      } else if m["status"]?.stringValue != RunStatus.complete.rawValue {
        let st = m["status"]?.stringValue ?? "unknown"
        problems[i] = st + (m["error"]?.stringValue.map { ": " + $0 } ?? "")
      }
    }
    let missing = (0..<count).filter { manifests[$0] == nil && problems[$0] == nil }
    let bad = problems.keys.filter { $0 < count }.sorted()
    let extra = present.filter { $0 >= count }
    if !missing.isEmpty || !bad.isEmpty || !extra.isEmpty {
      var lines: [String] = []
      if !missing.isEmpty { lines.append("missing (never ran or no manifest): shard " + missing.map(String.init).joined(separator: ", ")) }
      for i in bad { lines.append("shard \(i): \(problems[i]!)") }
      if !extra.isEmpty { lines.append("shards/\(extra.map(String.init).joined(separator: ", ")) do not belong to a \(count)-shard run") }
      let redo = (missing + bad).sorted().map(String.init).joined(separator: ",")
      throw LabError.io("collect: \(missing.count + bad.count) of \(count) shards of \(dir.path) are not complete; "
        + "nothing was written.\n  " + lines.joined(separator: "\n  ")
        + (redo.isEmpty ? "" : "\n  re-run only those: " + (sweep?.rerunCommand((missing + bad).sorted())
                                   ?? "edgelab sweep SCRIPT --shards \(count) --only \(redo) (same options)")))
    }
    let infos = (0..<count).map { manifests[$0]! }
    let first = infos[0]
    let script = first.0["script"]?["path"]?.stringValue
    let sha = first.0["script"]?["sha256"]?.stringValue
    for (i, (m, info)) in infos.enumerated() {
      if info.options != first.1.options {
        throw LabError.io("collect: shard \(i) ran with options \(info.options), shard 0 with \(first.1.options)")
      }
      if m["script"]?["sha256"]?.stringValue != sha {
        throw LabError.io("collect: shard \(i) ran a different version of the script than shard 0 (checksums differ)")
      }
    }
    var kinds: [String: String] = [:]
    for (_, info) in infos {
      for (f, k) in info.dataFiles {
        if let old = kinds[f], old != k { throw LabError.io("collect: \(f) is a \(old) file in one shard and \(k) in another") }
        kinds[f] = k
      }
    }
    var files: [File] = []
    for name in kinds.keys.sorted(by: utf8Less) {
      files.append(try merge(name, kind: kinds[name]!, dirs: (0..<count).filter { infos[$0].1.dataFiles[name] != nil }
                              .map { shardDir(dir, $0) }))
    }
    return ShardMerge(runDir: dir, count: count, files: files, script: script, scriptSHA256: sha,
                      options: first.1.options, sweep: sweep)
  }

  /// Merges one data file from the given shard folders by row order key.
  static func merge(_ name: String, kind: String, dirs: [URL]) throws -> File {
    var keyed: [(RowKey, String)] = []
    var header: [String]?
    for d in dirs {
      let url = d.appendingPathComponent(name)
      let orderURL = d.appendingPathComponent(name + ".order")
      guard let orderData = FileManager.default.contents(atPath: orderURL.path) else {
        throw LabError.io("collect: \(orderURL.path) is missing (the shard did not finish writing \(name))")
      }
      let keys = try String(decoding: orderData, as: UTF8.self).split(separator: "\n").map { line -> RowKey in
        guard let k = RowKey(line: line) else { throw LabError.io("collect: \(orderURL.path): bad line '\(line)'") }
        return k
      }
      var rows: [String]
      if kind == "jsonl" {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw LabError.io("collect: \(url.path) is missing") }
        rows = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "\n" }
        if rows.last == "\n" { rows.removeLast() }
      } else {
        let t = try CSVTable.read(url)
        if let h = header, h != t.columns {
          throw LabError.io("collect: \(name) has columns \(t.columns) in \(d.lastPathComponent) but \(h) in another shard")
        }
        header = t.columns
        rows = t.rows.map { CSVWriter.line($0.map { JSONValue.string($0) }) }
      }
      guard rows.count == keys.count else {
        throw LabError.io("collect: \(url.path) has \(rows.count) rows but \(keys.count) order keys")
      }
      keyed += zip(keys, rows).map { ($0, $1) }
    }
    keyed.sort { $0.0 < $1.0 }
    for (a, b) in zip(keyed, keyed.dropFirst()) where a.0 == b.0 {
      throw LabError.io("collect: two shards wrote row \(a.0.segment) \(a.0.point) \(a.0.seq) of \(name) (were the grids the same in every shard?)")
    }
    var text = header.map { CSVWriter.line($0.map { JSONValue.string($0) }) } ?? ""
    for (_, r) in keyed { text += r }
    return File(name: name, kind: kind, columns: header ?? [], data: Data(text.utf8), rows: keyed.count)
  }
}
