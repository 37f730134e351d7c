// A run folder: outputs/<experiment>/<config-id>/ with config.json, manifest.json, log.txt, the run's
// CSV/JSONL files and SVG figures, and report.md. Re-running the same configuration replaces the folder
// (only when it holds a manifest.json, i.e. it is a run folder). `finish` closes every open writer, so a
// failed or interrupted run keeps what it finished, and records its status in the manifest and the report.
// A sharded run (role .shard) writes into shards/<i>/ of the run folder and leaves the rest alone; a
// collect (role .collect) writes the merged shard data into the run folder, then runs the summary
// (docs/decisions/0300-sharded-runs.md).
import Foundation

/// What a Run does with the grids and files of its script.
public enum RunRole {
  /// An ordinary run: every grid point, files in the run folder.
  case whole
  /// One shard: its slice of every grid, files (with row order keys) in shards/<i>/; no summary.
  case shard(ShardSpec, options: [String])
  /// Planning a sweep (folder under a scratch root): no grid point, no summary; reaches run:summary().
  case plan
  /// Summarising merged shards: no grid point; the merged data files are in place before the script runs.
  case collect(ShardMerge)
}

public final class Run {
  public let experiment: String
  public let config: ResolvedConfig
  /// Where this process writes: the run folder, or shards/<i>/ inside it for a shard.
  public let dir: URL
  /// The run folder (outputs/<experiment>/<config-id>).
  public let runDir: URL
  public let role: RunRole
  public let grids: GridCursor
  public private(set) var manifest: Manifest
  /// Whether the script called run:summary() (summary() returned true in a whole run or collect).
  public private(set) var summaryReached = false
  var inSummary = false
  var items: [ReportItem] = []
  var writers: [(name: String, flush: () throws -> Void, close: () throws -> Void, isClosed: () -> Bool)] = []
  let logFile: FileHandle
  let clock: () -> Date
  public var status: RunStatus { manifest.status }
  public var configID: String { manifest.configID }
  /// Stale runs of this experiment found (and marked `killed`) when this run started.
  public private(set) var recovered: [String] = []

  static let reserved: Set<String> = ["config.json", "manifest.json", "log.txt", "report.md", "progress.txt"]

  /// - root: the outputs folder (e.g. `<repo>/outputs`). `experiment` may contain "/" (e.g. "paper/fig1").
  /// - script: the script file, checksummed and used to find the git work tree (cwd otherwise).
  /// - rootSeed: seeds the per-point math.random reseeding of `run:grid` (GridCursor.seed).
  public init(root: URL, experiment: String, config: ResolvedConfig, seed: JSONValue = .null, script: URL? = nil,
              version: String, args: [String] = [], clock: @escaping () -> Date = Date.init,
              role: RunRole = .whole, rootSeed: UInt64 = 0) throws {
    try Run.checkRelative(experiment, what: "experiment name")
    self.experiment = experiment
    self.config = config
    self.clock = clock
    self.role = role
    let id = config.id
    runDir = root.appendingPathComponent(experiment).appendingPathComponent(id)
    // Runs killed earlier (SIGKILL leaves a manifest at `running`) are marked `killed` before anything is replaced.
    // Not from a shard or a collect: the sweep that started them owns the run folder's manifest and rewrites it
    // concurrently, so a shard's read-modify-write there would race with it.
    let stale: [String]
    switch role {
    case .whole, .plan: stale = StaleRuns.recover(in: runDir.deletingLastPathComponent())
    case .shard, .collect: stale = []
    }
    switch role {
    case .whole:
      grids = GridCursor(shard: nil, skipAll: false, rootSeed: rootSeed)
      dir = runDir
      try Run.replaceFolder(dir)
    case .shard(let spec, _):
      grids = GridCursor(shard: spec, skipAll: false, rootSeed: rootSeed)
      dir = ShardMerge.shardDir(runDir, spec.index)
      try Run.checkShardable(runDir)
      try Run.replaceFolder(dir)
    case .plan:
      grids = GridCursor(shard: nil, skipAll: true, rootSeed: rootSeed)
      dir = runDir
      try Run.replaceFolder(dir)
    case .collect(let merge):
      grids = GridCursor(shard: nil, skipAll: true, rootSeed: rootSeed)
      dir = runDir
      guard runDir.standardizedFileURL.path == merge.runDir.standardizedFileURL.path else {
        throw LabError.io("collect: the script now resolves to the run folder \(runDir.path), not to \(merge.runDir.path) "
                          + "(was it changed, or run with other options?)")
      }
      try Run.clearForCollect(dir)
    }
    var m = Manifest(experiment: experiment, configID: id, version: version, seed: seed, smoke: config.smoke,
                     started: clock())
    m.args = args
    if case .shard(let spec, let options) = role { m.shard = ShardInfo(spec: spec, options: options) }
    if case .collect(let merge) = role {
      m.sweep = merge.sweep
      m.sweep?.shardStatus = Array(repeating: RunStatus.complete.rawValue, count: merge.count)
      m.collectedShards = merge.count
    }
    if let s = script {
      m.scriptPath = s.path
      if let data = try? Data(contentsOf: s) { m.scriptSHA256 = SHA256.hex(data) }
    }
    let fm = FileManager.default
    let gitDir = script?.deletingLastPathComponent() ?? URL(fileURLWithPath: fm.currentDirectoryPath)
    if let (commit, dirty) = Manifest.git(at: gitDir) { m.gitCommit = commit; m.gitDirty = dirty }
    manifest = m
    recovered = stale
    let logURL = dir.appendingPathComponent("log.txt")
    guard fm.createFile(atPath: logURL.path, contents: nil), let h = FileHandle(forWritingAtPath: logURL.path) else {
      throw LabError.io("cannot create \(logURL.path)")
    }
    logFile = h
    try AtomicFile.write(CanonicalJSON.data(config.json, pretty: true), to: dir.appendingPathComponent("config.json"))
    if case .collect(let merge) = role {
      for f in merge.files {
        try AtomicFile.write(f.data, to: try url(f.name))
        register(f.name)
      }
    }
    if case .shard = role {
      let progress = dir.appendingPathComponent("progress.txt")
      grids.onPointDone = { [weak self] n in
        self?.manifest.shard?.pointsDone = n
        try? AtomicFile.write("\(n)\n", to: progress)
      }
    }
    try writeManifest()
    try writeReport()
  }

  /// Replaces an old run folder at `dir` (only when it holds a manifest.json) by an empty one.
  public static func replaceFolder(_ dir: URL) throws {
    let fm = FileManager.default
    if fm.fileExists(atPath: dir.path) {
      let entries = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
      if entries.contains("manifest.json") {
        do { try fm.removeItem(at: dir) } catch { throw LabError.io("cannot clear old run folder \(dir.path): \(error.localizedDescription)") }
      } else if !entries.isEmpty {
        throw LabError.io("\(dir.path) exists and is not a run folder (no manifest.json); not overwriting it")
      }
    }
    do { try fm.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
      throw LabError.io("cannot create \(dir.path): \(error.localizedDescription)")
    }
  }

  /// A shard may write into a missing folder or a run folder (one with a manifest.json or shards/).
  static func checkShardable(_ runDir: URL) throws {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: runDir.path)) ?? []
    if !entries.isEmpty && !entries.contains("manifest.json") && !entries.contains("shards") {
      throw LabError.io("\(runDir.path) exists and is not a run folder (no manifest.json); not writing shards into it")
    }
  }

  /// Before a collect writes the merged run: removes what an earlier collect or whole run left in the run
  /// folder (everything but shards/ and sweep/, the shards' data and the sweep's job files).
  static func clearForCollect(_ dir: URL) throws {
    let fm = FileManager.default
    for e in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where e != "shards" && e != "sweep" {
      do { try fm.removeItem(at: dir.appendingPathComponent(e)) } catch {
        throw LabError.io("cannot clear \(dir.path)/\(e): \(error.localizedDescription)")
      }
    }
  }

  deinit {
    if manifest.status == .running { try? finish(.interrupted, error: "run object released without finish") }
    try? logFile.close()
  }

  static func checkRelative(_ name: String, what: String) throws {
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    if name.isEmpty || name.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        || name.unicodeScalars.contains(where: { $0.value < 0x20 }) {
      throw LabError.invalidName("\(what) '\(name)' must be a relative path without '.', '..' or empty parts")
    }
  }

  /// URL of a run file, checking the name (relative, inside the run folder, not a reserved file).
  public func url(_ file: String) throws -> URL {
    try Run.checkRelative(file, what: "file name")
    if Run.reserved.contains(file) { throw LabError.invalidName("'\(file)' is written by the run itself") }
    return dir.appendingPathComponent(file)
  }

  func register(_ file: String) { if !manifest.files.contains(file) { manifest.files.append(file) } }

  public func csv(_ file: String, columns: [String]) throws -> CSVWriter {
    let u = try url(file)
    let merged = try mergedFile(file, kind: "csv")
    if let m = merged, m.columns != columns {
      throw LabError.io("\(file): the script now writes columns \(columns), the shards wrote \(m.columns)")
    }
    let w = try CSVWriter(url: u, columns: columns, discarding: merged != nil)
    w.order = try rowOrder(file, kind: "csv")
    writers.append((file, w.flush, w.close, { w.isClosed }))
    register(file)
    return w
  }

  public func jsonl(_ file: String) throws -> JSONLWriter {
    let u = try url(file)
    let w = try JSONLWriter(url: u, discarding: try mergedFile(file, kind: "jsonl") != nil)
    w.order = try rowOrder(file, kind: "jsonl")
    writers.append((file, w.flush, w.close, { w.isClosed }))
    register(file)
    return w
  }

  /// In a collect, before the summary: the merged data file `file` (its writer then discards rows: they
  /// are already merged).
  func mergedFile(_ file: String, kind: String) throws -> ShardMerge.File? {
    guard case .collect(let merge) = role, !inSummary, let f = merge.file(file) else { return nil }
    guard f.kind == kind else { throw LabError.io("\(file): the shards wrote it as \(f.kind), the script now as \(kind)") }
    return f
  }

  /// In a shard: the order-key log of a data file.
  func rowOrder(_ file: String, kind: String) throws -> RowOrder? {
    guard case .shard(let spec, _) = role else { return nil }
    manifest.shard?.dataFiles[file] = kind
    return try RowOrder(url: dir.appendingPathComponent(file + ".order"), cursor: grids, keepOutside: spec.index == 0)
  }

  /// `run:summary()`: true when this process should summarise (a whole run or a collect; from then on a
  /// collect's writers write), false in a shard or a plan. Idempotent.
  public func beginSummary() -> Bool {
    summaryReached = true
    switch role {
    case .whole, .collect: inSummary = true; return true
    case .shard, .plan: return false
    }
  }

  /// Publish the rows written so far of an open writer of this run (so figures and tables can read it).
  func flushWriter(_ file: String) throws {
    for w in writers where w.name == file && !w.isClosed() { try w.flush() }
  }

  /// Read a CSV file of this run (flushing its writer first when it is still open).
  public func readCSV(_ file: String) throws -> CSVTable {
    try flushWriter(file)
    return try CSVTable.read(try url(file))
  }

  /// Render a figure into `file` (SVG) and embed it in the report.
  @discardableResult
  public func plot(_ spec: PlotSpec, data: PlotData, file: String) throws -> URL {
    guard file.hasSuffix(".svg") else { throw LabError.invalidName("figure file '\(file)' must end in .svg") }
    let u = try url(file)
    try AtomicFile.write(try Figure.svg(spec, data: data), to: u)
    register(file)
    items.removeAll { if case .figure(let f, _) = $0 { return f == file } else { return false } }
    items.append(.figure(file: file, title: spec.title ?? "\(spec.y) vs \(spec.x)"))
    try writeReport()
    return u
  }

  /// Render a figure from a CSV file of this run (an open writer is flushed first).
  @discardableResult
  public func plot(_ spec: PlotSpec, csv: String, file: String) throws -> URL {
    try plot(spec, data: PlotData(try readCSV(csv)), file: file)
  }

  /// Embed the CSV `file` of this run as a markdown table in the report, under the heading `name`.
  public func table(_ name: String, file: String) throws {
    _ = try url(file)
    items.append(.table(name: name, file: file))
    try writeReport()
  }

  /// Add a markdown paragraph to the report.
  public func note(_ markdown: String) throws {
    items.append(.note(markdown))
    try writeReport()
  }

  /// Append text to log.txt (the caller adds newlines).
  public func log(_ text: String) {
    logFile.write(Data(text.utf8))
  }

  /// Close every writer, then record the final status in manifest.json and report.md. Idempotent: the
  /// first final status wins.
  public func finish(_ status: RunStatus, error: String? = nil) throws {
    guard manifest.status == .running else { return }
    var firstError: Error?
    for w in writers where !w.isClosed() {
      do { try w.close() } catch { if firstError == nil { firstError = error } }
    }
    var status = status == .running ? .complete : status
    var error = error
    if status == .complete && !summaryReached, Run.needsSummary(role) {
      status = .failed
      error = "the script never called run:summary(): a sharded run needs it to know where its summary starts "
        + "(`if not run:summary() then return end` after the grids)"
    }
    manifest.status = status
    manifest.error = error
    manifest.ended = clock()
    try writeManifest()
    try writeReport()
    if let e = firstError { throw e }
  }

  static func needsSummary(_ role: RunRole) -> Bool {
    switch role {
    case .shard, .collect: return true
    case .whole, .plan: return false
    }
  }

  func writeManifest() throws {
    try AtomicFile.write(CanonicalJSON.data(manifest.json, pretty: true), to: dir.appendingPathComponent("manifest.json"))
  }

  func writeReport() throws {
    try AtomicFile.write(Report.markdown(self), to: dir.appendingPathComponent("report.md"))
  }
}
