// Fuzz targets: each takes arbitrary bytes and drives one input boundary of EdgeLab the way a hostile file or
// script would. A target returns normally for every input — errors are thrown and caught here, as the host
// does — so any trap, abort, out-of-bounds access (AddressSanitizer) or allocation above the fuzzer's
// malloc limit is a finding. Used by `edgelab-fuzz` (libFuzzer, scripts/fuzz.sh) and by FuzzTargetsTests,
// which replay the committed corpus (fuzz/corpus/<target>/) in the ordinary test build.
//   gguf         GGUFFile.parse → LlamaConfig → Tokenizer → LlamaModel.load (dequantize) → one forward token
//   safetensors  LLM's SafetensorsFile (every tensor to Float) and TensorCore's Safetensors reader
//   tokenizer    byte 0 picks: encode/decode of arbitrary text, decode of arbitrary ids, or a tokenizer.json
//   lua-options  the bytes build a Lua value tree (keys from the configs' own option names, hostile numbers)
//                that LuaDecoder decodes into MECScenario / PPOConfig / Sampling / SuiteConfig, then validates
import Foundation
import LLM
import LuaBridge
import MEC
import RL
import TensorCore

public enum FuzzTargets {
  public static let names = ["gguf", "safetensors", "tokenizer", "lua-options"]

  /// Process-wide settings made once before the first input. One thread: a fuzzed model is a few KB, so the
  /// shared pool would only add a hand-off per matrix to every execution (results do not depend on the
  /// thread count, by design of ParallelGemm).
  static let setUp: Void = { QuantizedMatrix.defaultThreads = 1 }()

  /// Runs target `name` on `data`; false when the name is unknown.
  @discardableResult
  public static func run(_ name: String, _ data: [UInt8]) -> Bool {
    _ = setUp
    switch name {
    case "gguf": gguf(data)
    case "safetensors": safetensors(data)
    case "tokenizer": tokenizer(data)
    case "lua-options": luaOptions(data)
    default: return false
    }
    return true
  }

  public static func gguf(_ data: [UInt8]) {
    guard let f = try? GGUFFile.parse(bytes: data) else { return }
    for k in f.keys { _ = f[k]?.description; _ = f[k]?.intArray; _ = f[k]?.stringArray }
    _ = try? LlamaConfig(gguf: f)
    _ = try? Tokenizer(gguf: f)
    guard let m = try? LlamaModel.load(gguf: f) else { return }
    var cache = m.makeCache(reserve: 2)
    _ = try? m.forward(tokens: [0], cache: &cache, lastOnly: true)
    _ = m.tokenizer.decode(m.tokenizer.encode("Hi <|im_start|> x"))
  }

  public static func safetensors(_ data: [UInt8]) {
    if let f = try? SafetensorsFile.parse(bytes: data) {
      for n in f.names { _ = try? f.floats(n) }
    }
    _ = try? Safetensors.read(data: Data(data), name: "fuzz.safetensors")
  }

  nonisolated(unsafe) static var smallTokenizer: Tokenizer? = {
    try? Tokenizer.byteLevel(merges: ["Ġ t", "h e", "Ġt he", "i n", "a n", "e r", "Ġ a", "o n"])
  }()

  public static func tokenizer(_ data: [UInt8]) {
    guard let mode = data.first, let tok = smallTokenizer else { return }
    let rest = Array(data.dropFirst())
    switch mode % 3 {
    case 0:
      let text = String(decoding: rest, as: UTF8.self)
      let ids = tok.encode(text, parseSpecial: mode & 4 != 0)
      let back = tok.decode(ids)
      // Byte-level BPE is lossless on text without special tokens.
      if mode & 4 == 0, back != text { fatalError("tokenizer round trip changed the text") }
    case 1:
      var ids = [Int32]()
      var i = 0
      while i + 4 <= rest.count {
        ids.append(Int32(bitPattern: UInt32(rest[i]) | UInt32(rest[i + 1]) << 8 | UInt32(rest[i + 2]) << 16 | UInt32(rest[i + 3]) << 24))
        i += 4
      }
      _ = tok.decode(ids, skipSpecial: mode & 4 != 0)
    default:
      guard let t = try? Tokenizer(huggingFaceJSON: Data(rest)) else { return }
      _ = t.decode(t.encode("hello world <|endoftext|>"))
    }
  }

  public static func luaOptions(_ data: [UInt8]) {
    var r = LuaValueBuilder(bytes: data, keys: optionKeys)
    let value = r.table(depth: 0)
    let d = LuaDecoder()
    // decode(from:defaults:) re-encodes the defaults on every call: the same table every time, independent
    // of the input, so it is encoded once (Defaults) and only the input-dependent merge + decode + unknown-
    // key check run per execution (the same code path: decode(from:defaults:) calls this one).
    switch (data.first ?? 0) % 4 {
    case 0:
      // Building the env is the slow part: only for small valid scenarios (sizes are bounded by validate()).
      if let s = try? d.decode(MECScenario.self, from: value, encodedDefaults: Defaults.scenario),
         (try? s.validate()) != nil, s.users <= 64 {
        _ = try? MECEnv(scenario: s)
      }
    case 1:
      if let c = try? d.decode(PPOConfig.self, from: value, encodedDefaults: Defaults.ppo) { _ = try? c.validate() }
    case 2:
      if let s = try? d.decode(Sampling.self, from: value, encodedDefaults: Defaults.sampling) { _ = try? s.validate() }
    default:
      if let s = try? d.decode(SuiteConfigProbe.self, from: value, encodedDefaults: Defaults.probe) { _ = s }
    }
  }

  /// The fuzzed configs' defaults as Lua sees them (encoded once per process).
  enum Defaults {
    static let scenario = try! LuaEncoder().encode(MECScenario())
    static let ppo = try! LuaEncoder().encode(PPOConfig())
    static let sampling = try! LuaEncoder().encode(Sampling())
    static let probe = try! LuaEncoder().encode(SuiteConfigProbe())
  }

  /// A small Codable with nested records, arrays and optionals (shapes the configs above lack).
  struct SuiteConfigProbe: Codable {
    var name = "x"
    var counts: [Int] = [1, 2]
    var weights: [String: Double] = ["a": 1]
    var inner = Inner()
    var maybe: Int? = nil
    struct Inner: Codable { var depth = 1; var ratio = 0.5; var flag = false; var seed: UInt64 = 1 }
  }

  /// Every option name of the fuzzed configs (from their Lua encoding), so mutations hit real keys.
  static let optionKeys: [String] = {
    var keys = Set<String>()
    func collect(_ v: LuaValue) {
      switch v {
      case .table(let t): for (k, x) in t { keys.insert(k); collect(x) }
      case .array(let a): a.forEach(collect)
      default: break
      }
    }
    for v in [Defaults.scenario, Defaults.ppo, Defaults.sampling, Defaults.probe] { collect(v) }
    return keys.sorted() + ["__index", "", "users ", "ünïcode"]
  }()
}

/// Builds a Lua value tree from bytes: each byte picks a type, numbers include NaN, ±inf, huge and
/// non-integral values, tables nest up to depth 4.
struct LuaValueBuilder {
  let bytes: [UInt8]
  let keys: [String]
  var i = 1

  init(bytes: [UInt8], keys: [String]) { self.bytes = bytes; self.keys = keys }

  mutating func u8() -> UInt8? {
    guard i < bytes.count else { return nil }
    defer { i += 1 }
    return bytes[i]
  }

  mutating func u64() -> UInt64 {
    var v: UInt64 = 0
    for k in 0..<8 { v |= UInt64(u8() ?? 0) << (8 * UInt64(k)) }
    return v
  }

  static let specials: [Double] = [.nan, .infinity, -.infinity, 1e300, -1e300, 0.5, -0.0, 1e-300, 9.3e18, -9.3e18,
                                   4294967296, 2147483648, 1e9, 1e12, -1, 0, 1, 3.0]

  mutating func value(depth: Int) -> LuaValue {
    guard let tag = u8() else { return .nil }
    switch tag % 9 {
    case 0: return .integer(Int(Int64(bitPattern: u64())))
    case 1: return .integer(Int(Int8(bitPattern: u8() ?? 0)))
    case 2: return .number(Double(bitPattern: u64()))
    case 3: return .number(Self.specials[Int(u8() ?? 0) % Self.specials.count])
    case 4: return .string(keys[Int(u8() ?? 0) % keys.count])
    case 5: return .boolean((u8() ?? 0) & 1 == 1)
    case 6:
      guard depth < 4 else { return .integer(1) }
      let n = Int(u8() ?? 0) % 6
      return .array((0..<n).map { _ in value(depth: depth + 1) })
    case 7: return depth < 4 ? table(depth: depth + 1) : .nil
    default:
      let n = Int(u8() ?? 0) % 12
      var s = ""
      for _ in 0..<n { s.unicodeScalars.append(Unicode.Scalar(u8() ?? 32)) }
      return .string(s)
    }
  }

  mutating func table(depth: Int) -> LuaValue {
    var t: [String: LuaValue] = [:]
    let n = Int(u8() ?? 0) % 8
    for _ in 0..<n {
      let k = keys[Int(u8() ?? 0) % keys.count]
      t[k] = value(depth: depth)
    }
    return .table(t)
  }
}
