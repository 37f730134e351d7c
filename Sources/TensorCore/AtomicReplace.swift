// Crash-safe file replacement for domain modules (checkpoints): the bytes go to a temporary file next to the
// destination, then rename(2) replaces the destination in one step. There is never a moment without a
// complete file under the final name (no unlink first); a crash leaves at worst a stray temporary file, which the
// next write of the same destination on the same host removes.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum AtomicReplace {
  /// Writes `data` to `path` atomically (temporary file from `temporaryPath(for:)`, then rename).
  public static func write(_ data: Data, to path: String) throws {
    let tmp = temporaryPath(for: path)
    guard FileManager.default.createFile(atPath: tmp, contents: data) else {
      throw TensorError.io("cannot write \(tmp): \(String(cString: strerror(errno)))")
    }
    try rename(tmp, to: path)
  }

  /// The temporary sibling `<path>.tmp.<host>.<pid>` to write before renaming onto `path`. A process killed
  /// mid-write (SIGKILL, power loss) cannot delete its temporary file, which may be as large as a model, so this
  /// first removes earlier temporaries of the same destination that this host's writers left from processes that no
  /// longer exist. Temporaries of live processes or of other hosts (a shared cluster file system) are left alone.
  public static func temporaryPath(for path: String) -> String {
    let prefix = path + ".tmp.\(hostName()).", pid = getpid()
    removeStaleTemporaries(prefix: prefix, except: pid)
    return prefix + "\(pid)"
  }

  static func hostName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count - 1) == 0 else { return "host" }
    let host = String(cString: name)
    return host.isEmpty ? "host" : host
  }

  /// Unlinks `<prefix><pid>` siblings whose process is gone (`kill(pid, 0)` fails with ESRCH).
  static func removeStaleTemporaries(prefix: String, except own: pid_t) {
    let slash = prefix.lastIndex(of: "/")
    let directory = slash.map { String(prefix[..<$0]) } ?? "."
    let namePrefix = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
    guard let dir = opendir(directory.isEmpty ? "/" : directory) else { return }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard name.hasPrefix(namePrefix), let pid = pid_t(name.dropFirst(namePrefix.count)), pid > 0, pid != own,
            kill(pid, 0) != 0, errno == ESRCH else { continue }
      unlink(directory + "/" + name)
    }
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
