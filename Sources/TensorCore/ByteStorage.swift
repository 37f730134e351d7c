// Read-only bytes for model files: a memory-mapped file (weights are paged in lazily, never copied) or an
// owned in-memory buffer (tests, fuzzing, files written then re-read). Both expose one raw pointer.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum FileIOError: Error, CustomStringConvertible, Equatable {
  case cannotOpen(path: String, errno: Int32)
  case cannotMap(path: String, errno: Int32)
  case cannotWrite(path: String, errno: Int32)

  public var description: String {
    func msg(_ e: Int32) -> String { String(cString: strerror(e)) }
    switch self {
    case let .cannotOpen(p, e): return "cannot open '\(p)': \(msg(e))"
    case let .cannotMap(p, e): return "cannot memory-map '\(p)': \(msg(e))"
    case let .cannotWrite(p, e): return "cannot write '\(p)': \(msg(e))"
    }
  }
}

/// Immutable bytes with a stable address for the lifetime of the object.
public final class ByteStorage: @unchecked Sendable {
  public let base: UnsafeRawPointer
  public let count: Int
  private let mapped: Bool
  public let path: String?

  /// Memory-map `path` read-only.
  public init(mapping path: String) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw FileIOError.cannotOpen(path: path, errno: errno) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw FileIOError.cannotOpen(path: path, errno: errno) }
    let size = Int(st.st_size)
    self.path = path
    if size == 0 {  // mmap of 0 bytes fails; an empty file is simply empty
      let p = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64)
      base = UnsafeRawPointer(p); count = 0; mapped = false
      return
    }
    guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw FileIOError.cannotMap(path: path, errno: errno)
    }
    base = UnsafeRawPointer(p); count = size; mapped = true
  }

  /// Copy `bytes` into an owned, 64-byte-aligned buffer.
  public init(bytes: [UInt8]) {
    let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
    bytes.withUnsafeBytes { if let s = $0.baseAddress { p.copyMemory(from: s, byteCount: bytes.count) } }
    base = UnsafeRawPointer(p); count = bytes.count; mapped = false; path = nil
  }

  deinit {
    if mapped { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    else { UnsafeMutableRawPointer(mutating: base).deallocate() }
  }

  public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// Drop the resident pages of `[offset, offset + length)` from this process (madvise MADV_DONTNEED, rounded
  /// out to whole pages) so bytes already read stop counting in the resident set; the next access pages them in
  /// again from the file. Safe for the read-only private mapping (nothing to lose); a no-op for owned buffers.
  public func releasePages(offset: Int, length: Int) {
    #if canImport(Glibc)
    guard mapped, length > 0, offset >= 0, offset < count else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = offset / page * page, end = min(count, offset + length)
    let rounded = (end - start + page - 1) / page * page
    _ = madvise(UnsafeMutableRawPointer(mutating: base + start), min(rounded, (count - start + page - 1) / page * page), MADV_DONTNEED)
    #endif
  }
}

/// Buffered binary writer to a file (little-endian), written atomically: a temporary sibling named and swept by
/// `AtomicReplace.temporaryPath(for:)` (a killed writer's model-sized leftover is removed by the next writer), then
/// rename.
public final class BinaryFileWriter {
  private var file: UnsafeMutablePointer<FILE>?
  private let path: String
  private let tmpPath: String
  public private(set) var offset: Int = 0

  public init(path: String) throws {
    self.path = path
    tmpPath = AtomicReplace.temporaryPath(for: path)
    guard let f = fopen(tmpPath, "wb") else { throw FileIOError.cannotWrite(path: path, errno: errno) }
    file = f
  }

  public func write(_ p: UnsafeRawBufferPointer) throws {
    guard p.count > 0, let b = p.baseAddress else { return }
    guard fwrite(b, 1, p.count, file) == p.count else { throw FileIOError.cannotWrite(path: path, errno: errno) }
    offset += p.count
  }
  public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }
  public func writeZeros(_ n: Int) throws { if n > 0 { try write([UInt8](repeating: 0, count: n)) } }

  /// Flush, close and move the temp file into place.
  public func finish() throws {
    guard let f = file else { return }
    file = nil
    guard fflush(f) == 0, fclose(f) == 0 else { throw FileIOError.cannotWrite(path: path, errno: errno) }
    guard rename(tmpPath, path) == 0 else { throw FileIOError.cannotWrite(path: path, errno: errno) }
  }

  deinit { if let f = file { fclose(f); unlink(tmpPath) } }
}
