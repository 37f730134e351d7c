import Foundation

/// The one naming rule of the Lua face: Swift property names (camelCase) are seen from Lua in snake_case.
///
/// `LuaDecoder` looks a Swift property `itemsPerTask` up as `items_per_task` in an options table (the old
/// camelCase spelling still works for one release and reports a deprecation naming the new key), and
/// `LuaEncoder` writes result records with snake_case keys. Dictionary keys are data, never renamed.
///
/// Word splitting: a lowercase→uppercase step starts a word (`arrivalRate` → `arrival_rate`); an uppercase run
/// is one word (`noiseFigureDB` → `noise_figure_db`), except that its last letter starts the next word when a
/// lowercase letter follows (`SNRThreshold` → `snr_threshold`); a plural `s` stays with its acronym
/// (`edgeGPUs` → `edge_gpus`); the units `dB`/`dBm` after an acronym are words (`outageSNRdB` → `outage_snr_db`,
/// `noisePSDdBmHz` → `noise_psd_dbm_hz`). Names already in snake_case are unchanged.
public enum LuaKeyStyle {
  public static func snakeCase(_ name: String) -> String {
    let c = Array(name)
    var words: [String] = []
    var current = ""
    func flush() { if !current.isEmpty { words.append(current.lowercased()); current = "" } }
    var i = 0
    while i < c.count {
      let ch = c[i]
      if ch == "_" { flush(); i += 1; continue }
      if ch.isUppercase {
        var j = i
        while j < c.count, c[j].isUppercase { j += 1 }
        let run = String(c[i..<j])
        flush()
        let unitFollows = j + 1 < c.count && c[j] == "d" && c[j + 1] == "B"
        if j < c.count, c[j].isLowercase, run.count > 1, !unitFollows {
          if c[j] == "s", j + 1 == c.count || !c[j + 1].isLowercase {
            words.append((run + "s").lowercased()); i = j + 1; continue
          }
          words.append(String(run.dropLast()).lowercased())
          current = String(run.last!)
        } else {
          current = run
        }
        i = j
        continue
      }
      // "dB" / "dBm" right after an acronym or a word boundary are unit words.
      if ch == "d", i + 1 < c.count, c[i + 1] == "B", current.isEmpty || current.allSatisfy(\.isUppercase) {
        flush()
        let isDBm = i + 2 < c.count && c[i + 2] == "m"
        words.append(isDBm ? "dbm" : "db")
        i += isDBm ? 3 : 2
        continue
      }
      current.append(ch)
      i += 1
    }
    flush()
    return words.joined(separator: "_")
  }

  /// A camelCase spelling (letters and digits, no underscore, some uppercase): the old key style that is still
  /// accepted with a deprecation. Mixed spellings such as `shard_MB` are typos and stay unknown options.
  public static func isCamelCase(_ key: String) -> Bool {
    !key.contains("_") && key.contains(where: \.isUppercase) && key.first?.isLowercase == true
  }

  /// True for the coding keys Swift uses for `Dictionary<String, _>`: their strings are data, not field names.
  static func isDictionaryKey(_ type: any CodingKey.Type) -> Bool {
    String(describing: type).hasPrefix("_Dictionary")
  }

  /// The key a field is seen under from Lua. Every options table decode and result encode asks this for each
  /// field, so the answers for field names (a finite set: the Swift types' coding keys) are remembered.
  static func luaName(_ key: CodingKey) -> String {
    if key is LuaIndexKey { return key.stringValue }
    let keyType = ObjectIdentifier(type(of: key))
    return NameCache.shared.name(keyType, key.stringValue) {
      isDictionaryKey(type(of: key)) ? nil : snakeCase(key.stringValue)
    }
  }

  /// Remembers, per coding-key type, whether its keys are data (dictionary keys) and the snake_case name of
  /// each field key. Dictionary keys are never stored (they are data, unbounded); field names are bounded
  /// by the program's types, and `limit` caps the table anyway.
  final class NameCache: @unchecked Sendable {
    static let shared = NameCache()
    let limit = 8192
    var isData: [ObjectIdentifier: Bool] = [:]
    var names: [String: String] = [:]
    let lock = NSLock()

    /// `convert` gives the snake_case name, or nil when the key type's keys are data (used as written).
    func name(_ keyType: ObjectIdentifier, _ key: String, _ convert: () -> String?) -> String {
      lock.lock()
      if isData[keyType] == true { lock.unlock(); return key }
      if isData[keyType] == false, let n = names[key] { lock.unlock(); return n }
      lock.unlock()
      let n = convert()
      lock.lock(); defer { lock.unlock() }
      isData[keyType] = n == nil
      if let n, names.count < limit { names[key] = n }
      return n ?? key
    }
  }

  /// Where deprecation messages go (stderr by default, each message once per process).
  nonisolated(unsafe) public static var deprecationHandler: (String) -> Void = { message in
    guard !reported.contains(message) else { return }
    reported.insert(message)
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
  }
  nonisolated(unsafe) static var reported: Set<String> = []
}
