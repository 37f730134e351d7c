// Experiment configuration: defaults declared by the script, then its smoke profile (when --smoke), then
// --set overrides. Every smoke or override key must be declared in the defaults (typos are errors).
// The config id names the settings that differ from the defaults, so a run folder is stable across re-runs.
import Foundation

public struct ResolvedConfig: Equatable {
  public var values: [String: JSONValue]
  public var defaults: [String: JSONValue]
  public var smoke: Bool

  /// Keys whose resolved value differs from the default (compared by canonical JSON text, so 5 == 5.0).
  public var nonDefaultKeys: [String] {
    values.keys.sorted(by: utf8Less).filter { k in
      guard let d = defaults[k] else { return true }
      return CanonicalJSON.string(d, pretty: false) != CanonicalJSON.string(values[k]!, pretty: false)
    }
  }

  public var id: String { ConfigID.make(values: values, keys: nonDefaultKeys) }
  public var json: JSONValue { .object(values) }
}

public enum LabConfig {
  /// defaults ← smoke profile (when `smoke`) ← overrides. Unknown keys in either layer are an error.
  public static func resolve(defaults: [String: JSONValue], smokeProfile: [String: JSONValue]? = nil,
                             smoke: Bool = false, overrides: [String: JSONValue] = [:]) throws -> ResolvedConfig {
    var values = defaults
    if smoke, let p = smokeProfile {
      for k in p.keys.sorted(by: utf8Less) {
        guard defaults[k] != nil else { throw LabError.unknownConfigKey(k) }
        values[k] = p[k]
      }
    }
    for k in overrides.keys.sorted(by: utf8Less) {
      guard defaults[k] != nil else { throw LabError.unknownConfigKey(k) }
      values[k] = overrides[k]
    }
    return ResolvedConfig(values: values, defaults: defaults, smoke: smoke)
  }
}

public enum ConfigID {
  /// Characters kept as they are in a folder name; anything else becomes "_" (and forces a hash suffix).
  static func allowed(_ u: Unicode.Scalar) -> Bool {
    switch u {
    case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "=", ",", "+", "-": return true
    default: return false
    }
  }
  public static let maxLength = 80

  /// "default" when nothing differs; otherwise "k1=v1,k2=v2" (keys sorted). When the text had to be
  /// sanitised or is longer than `maxLength`, the (truncated) sanitised text gets "-" + 12 hex digits of
  /// the SHA-256 of the exact text, so distinct configurations never share a folder.
  public static func make(values: [String: JSONValue], keys: [String]) -> String {
    if keys.isEmpty { return "default" }
    let raw = keys.map { "\($0)=\(values[$0]?.plainText ?? "")" }.joined(separator: ",")
    var clean = ""
    var changed = false
    for u in raw.unicodeScalars {
      if allowed(u) { clean.unicodeScalars.append(u) } else { clean += "_"; changed = true }
    }
    if clean.hasPrefix(".") { clean = "_" + clean.dropFirst(); changed = true }
    if !changed && clean.count <= maxLength { return clean }
    let hash = String(SHA256.hex(raw).prefix(12))
    return String(clean.prefix(maxLength - 13)) + "-" + hash
  }
}
