// Atomic file writes: content goes to a temporary file in the same directory, then rename(2) moves it
// onto the final name, so a reader (or a crash) never sees a half-written file under the final name.
// (No fsync: this protects against process crashes and interrupts, not against power loss.)
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum AtomicFile {
  nonisolated(unsafe) static var counter: UInt64 = 0
  static let lock = NSLock()

  /// A fresh temporary path next to `url` (same directory, so rename is atomic).
  static func temporaryPath(for url: URL, suffix: String = "tmp") -> URL {
    lock.lock(); counter += 1; let n = counter; lock.unlock()
    let dir = url.deletingLastPathComponent()
    return dir.appendingPathComponent(".\(url.lastPathComponent).\(suffix)-\(getpid())-\(n)")
  }

  /// Write `data` to `url` atomically (creating the parent directory when missing).
  public static func write(_ data: Data, to url: URL) throws {
    let fm = FileManager.default
    let dir = url.deletingLastPathComponent()
    do { try fm.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
      throw LabError.io("cannot create directory \(dir.path): \(error.localizedDescription)")
    }
    let tmp = temporaryPath(for: url)
    guard fm.createFile(atPath: tmp.path, contents: data) else {
      throw LabError.io("cannot write \(tmp.path)")
    }
    try rename(tmp, to: url)
  }

  public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

  /// rename(2): atomically replaces `to` when it exists.
  static func rename(_ from: URL, to: URL) throws {
    #if canImport(Glibc)
    let rc = Glibc.rename(from.path, to.path)
    #else
    let rc = Darwin.rename(from.path, to.path)
    #endif
    if rc != 0 {
      let reason = String(cString: strerror(errno))
      unlink(from.path)
      throw LabError.io("cannot rename \(from.path) to \(to.path): \(reason)")
    }
  }
}

/// A file written as a stream of text: bytes go to `<name>.partial` next to the final name; `flush()`
/// publishes a complete snapshot under the final name (atomically), `close()` renames the stream into
/// place. A crash leaves only the `.partial` file, never a truncated file under the final name.
/// A discarding stream (a collect re-run's data writers: the merged file is already in place) writes nothing.
public final class StreamingFile {
  public let url: URL
  let partial: URL
  private var file: UnsafeMutablePointer<FILE>?
  public private(set) var isClosed = false
  let discards: Bool

  public init(url: URL, discarding: Bool = false) throws {
    self.url = url
    discards = discarding
    let dir = url.deletingLastPathComponent()
    partial = dir.appendingPathComponent(url.lastPathComponent + ".partial")
    if discarding { return }
    do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
      throw LabError.io("cannot create directory \(dir.path): \(error.localizedDescription)")
    }
    guard let f = fopen(partial.path, "wb") else {
      throw LabError.io("cannot open \(partial.path): \(String(cString: strerror(errno)))")
    }
    file = f
  }

  deinit { try? close() }

  public func write(_ text: String) throws {
    guard !isClosed else { throw LabError.closed(url.lastPathComponent) }
    guard let f = file else { return }
    var t = text
    let ok = t.withUTF8 { buf -> Bool in   // native strings are contiguous UTF-8: no copy
      buf.isEmpty || fwrite(buf.baseAddress!, 1, buf.count, f) == buf.count
    }
    if !ok { throw LabError.io("cannot write \(partial.path)") }
  }

  /// Publish what was written so far under the final name (complete lines only; atomic replace).
  public func flush() throws {
    guard let f = file, !isClosed else { return }
    fflush(f)
    let data: Data
    do { data = try Data(contentsOf: partial) } catch {
      throw LabError.io("cannot read \(partial.path): \(error.localizedDescription)")
    }
    try AtomicFile.write(data, to: url)
  }

  /// Finish the stream and rename it onto the final name. Idempotent.
  public func close() throws {
    guard !isClosed else { return }
    isClosed = true
    guard let f = file else { return }
    file = nil
    if fclose(f) != 0 { throw LabError.io("cannot close \(partial.path)") }
    try AtomicFile.rename(partial, to: url)
  }
}
