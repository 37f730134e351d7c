// Experiment configuration: defaults declared by the script, then its smoke profile (when --smoke), then
// --set overrides. Every smoke or override key must be declared in the defaults (typos are errors).
// The config id names the settings that differ from the defaults, so a run folder is stable across re-runs.
import Foundation

public struct ResolvedConfig: Equatable {
  public var values: [String: JSONValue]
  public var defaults: [String: JSONValue]
  public var smoke: Bool
  /// Settings outside the config that still name the run folder (e.g. a non-default root seed: "seed").
  public var extraID: [String: JSONValue] = [:]

  public init(values: [String: JSONValue], defaults: [String: JSONValue], smoke: Bool,
              extraID: [String: JSONValue] = [:]) {
    self.values = values; self.defaults = defaults; self.smoke = smoke; self.extraID = extraID
  }

  /// Keys whose resolved value differs from the default (compared by canonical JSON text, so 5 == 5.0).
  public var nonDefaultKeys: [String] {
    values.keys.sorted(by: utf8Less).filter { k in
      guard let d = defaults[k] else { return true }
      return CanonicalJSON.string(d, pretty: false) != CanonicalJSON.string(values[k]!, pretty: false)
    }
  }

  public var id: String {
    var all = values
    var keys = nonDefaultKeys
    for (k, v) in extraID where values[k] == nil { all[k] = v; keys.append(k) }
    return ConfigID.make(values: all, keys: keys.sorted(by: utf8Less))
  }
  public var json: JSONValue { .object(values) }
}

public enum LabConfig {
  /// defaults ← smoke profile (when `smoke`) ← overrides. Unknown keys in either layer are an error.
  /// A dotted key ("env.users") sets a field of a table-valued setting; the field must exist in the defaults.
  public static func resolve(defaults: [String: JSONValue], smokeProfile: [String: JSONValue]? = nil,
                             smoke: Bool = false, overrides: [String: JSONValue] = [:]) throws -> ResolvedConfig {
    var values = defaults
    if smoke, let p = smokeProfile {
      for k in p.keys.sorted(by: utf8Less) {
        try set(&values, path: k, p[k]!, defaults: defaults)
      }
    }
    for k in overrides.keys.sorted(by: utf8Less) {
      try set(&values, path: k, overrides[k]!, defaults: defaults)
    }
    return ResolvedConfig(values: values, defaults: defaults, smoke: smoke)
  }

  static func set(_ values: inout [String: JSONValue], path: String, _ v: JSONValue, defaults: [String: JSONValue]) throws {
    let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    func assign(_ obj: inout [String: JSONValue], _ def: [String: JSONValue], _ i: Int) throws {
      let k = parts[i]
      guard let d = def[k] else { throw LabError.unknownConfigKey(path) }
      if i == parts.count - 1 { obj[k] = v; return }
      guard case .object(let dsub) = d, case .object(var sub)? = obj[k] else { throw LabError.unknownConfigKey(path) }
      try assign(&sub, dsub, i + 1)
      obj[k] = .object(sub)
    }
    try assign(&values, defaults, 0)
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
