// Crash-safe file replacement for domain modules (checkpoints): the bytes go to a temporary file next to the
// destination, then rename(2) replaces the destination in one step. There is never a moment without a
// complete file under the final name (no unlink first), and a crash leaves at worst a stray temporary file.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum AtomicReplace {
  /// Writes `data` to `path` atomically (temporary file `.<name>.tmp-<pid>` in the same directory, then rename).
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    guard FileManager.default.createFile(atPath: tmp, contents: data) else {
      throw TensorError.io("cannot write \(tmp): \(String(cString: strerror(errno)))")
    }
    try rename(tmp, to: path)
  }

  /// rename(2) `from` onto `to` (replacing it atomically); removes `from` when the rename fails.
  public static func rename(_ from: String, to: String) throws {
    #if canImport(Glibc)
    let rc = Glibc.rename(from, to)
    #else
    let rc = Darwin.rename(from, to)
    #endif
    guard rc == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(from)
      throw TensorError.io("cannot move \(from) to \(to): \(reason)")
    }
  }
}
