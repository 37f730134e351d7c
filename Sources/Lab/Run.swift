// A run folder: outputs/<experiment>/<config-id>/ with config.json, manifest.json, log.txt, the run's
// CSV/JSONL files and SVG figures, and report.md. Re-running the same configuration replaces the folder
// (only when it holds a manifest.json, i.e. it is a run folder). `finish` closes every open writer, so a
// failed or interrupted run keeps what it finished, and records its status in the manifest and the report.
import Foundation

public final class Run {
  public let experiment: String
  public let config: ResolvedConfig
  public let dir: URL
  public private(set) var manifest: Manifest
  var items: [ReportItem] = []
  var writers: [(name: String, flush: () throws -> Void, close: () throws -> Void, isClosed: () -> Bool)] = []
  let logFile: FileHandle
  let clock: () -> Date
  public var status: RunStatus { manifest.status }
  public var configID: String { manifest.configID }
  /// Stale runs of this experiment found (and marked `killed`) when this run started.
  public private(set) var recovered: [String] = []

  static let reserved: Set<String> = ["config.json", "manifest.json", "log.txt", "report.md"]

  /// - root: the outputs folder (e.g. `<repo>/outputs`). `experiment` may contain "/" (e.g. "paper/fig1").
  /// - script: the script file, checksummed and used to find the git work tree (cwd otherwise).
  public init(root: URL, experiment: String, config: ResolvedConfig, seed: JSONValue = .null, script: URL? = nil,
              version: String, args: [String] = [], clock: @escaping () -> Date = Date.init) throws {
    try Run.checkRelative(experiment, what: "experiment name")
    self.experiment = experiment
    self.config = config
    self.clock = clock
    let id = config.id
    dir = root.appendingPathComponent(experiment).appendingPathComponent(id)
    let fm = FileManager.default
    let stale = StaleRuns.recover(in: dir.deletingLastPathComponent())
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
    var m = Manifest(experiment: experiment, configID: id, version: version, seed: seed, smoke: config.smoke,
                     started: clock())
    m.args = args
    if let s = script {
      m.scriptPath = s.path
      if let data = try? Data(contentsOf: s) { m.scriptSHA256 = SHA256.hex(data) }
    }
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
    try writeManifest()
    try writeReport()
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
    let w = try CSVWriter(url: try url(file), columns: columns)
    writers.append((file, w.flush, w.close, { w.isClosed }))
    register(file)
    return w
  }

  public func jsonl(_ file: String) throws -> JSONLWriter {
    let w = try JSONLWriter(url: try url(file))
    writers.append((file, w.flush, w.close, { w.isClosed }))
    register(file)
    return w
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
    manifest.status = status == .running ? .complete : status
    manifest.error = error
    manifest.ended = clock()
    try writeManifest()
    try writeReport()
    if let e = firstError { throw e }
  }

  func writeManifest() throws {
    try AtomicFile.write(CanonicalJSON.data(manifest.json, pretty: true), to: dir.appendingPathComponent("manifest.json"))
  }

  func writeReport() throws {
    try AtomicFile.write(Report.markdown(self), to: dir.appendingPathComponent("report.md"))
  }
}
