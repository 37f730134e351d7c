/// Option keys that were renamed when a binding started decoding straight into its Swift config: the old key
/// still works for one release and reports a deprecation naming the new key (as a camelCase spelling does, see
/// `LuaKeyStyle`). One old key may stand for several new ones (`clip` set both clip ranges), and a new key may
/// sit in a nested table (`lr` → `loss.learning_rate`).
///
/// `apply` rewrites an options table before `LuaDecoder` sees it: each old key's value moves to every new path
/// (creating the nested tables it needs). An old key given together with one of its new keys is an error
/// naming both, as is an old key whose new path runs through a value that is not a table.
public struct LuaRenamedKeys: Sendable {
  public let renames: [(old: String, new: [String])]

  public init(_ renames: KeyValuePairs<String, [String]>) {
    self.renames = renames.map { ($0.key, $0.value) }
  }

  /// `value` with every renamed key moved to its new path(s); `prefix` ("wm.") is the table's own path, for
  /// the messages. Anything but a table is returned unchanged (the decoder reports its type).
  public func apply(to value: LuaValue, prefix: String = "") throws -> LuaValue {
    guard case .table(var t) = value else { return value }
    for (old, news) in renames {
      guard let v = t.removeValue(forKey: old) else { continue }
      for path in news {
        try LuaRenamedKeys.insert(v, at: path.split(separator: ".").map(String.init), into: &t, old: prefix + old,
                                  full: prefix + path)
      }
      LuaKeyStyle.deprecationHandler(
        "option '\(prefix + old)' is deprecated: use " + news.map { "'\(prefix + $0)'" }.joined(separator: " and "))
    }
    return .table(t)
  }

  static func insert(_ v: LuaValue, at path: [String], into t: inout [String: LuaValue], old: String, full: String) throws {
    let key = path[0]
    if path.count == 1 {
      guard t[key] == nil else {
        throw LuaBridgeError.option("options '\(old)' and '\(full)' both given ('\(old)' is deprecated: use '\(full)')")
      }
      t[key] = v
      return
    }
    var inner: [String: LuaValue]
    switch t[key] {
    case nil: inner = [:]
    case .table(let x)?: inner = x
    case .array(let a)? where a.isEmpty: inner = [:]
    default: throw LuaBridgeError.option("option '\(old)' (now '\(full)'): '\(key)' is not a table")
    }
    try insert(v, at: Array(path.dropFirst()), into: &inner, old: old, full: full)
    t[key] = .table(inner)
  }
}
