// The one safetensors implementation (huggingface/safetensors format; `Safetensors.read/write` build on it): u64 little-endian header length N, N bytes
// of JSON {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {str: str}}, then the data
// buffer. The file is memory-mapped; the header is bounds-checked (size, offsets, byte counts, overlaps) so
// a truncated or corrupted file is a `SafetensorsError`, never a crash. F32, F16 and BF16 convert to Float.
import Foundation

public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
  case tooSmall(Int)
  case badHeaderLength(UInt64, fileSize: Int)
  case badJSON(String)
  case badEntry(String, String)
  case unsupportedDType(String, tensor: String)
  case missingTensor(String)

  public var description: String {
    switch self {
    case let .tooSmall(n): return "safetensors file of \(n) bytes is too small for a header"
    case let .badHeaderLength(n, s): return "safetensors header length \(n) does not fit a file of \(s) bytes"
    case let .badJSON(m): return "safetensors header is not valid JSON: \(m)"
    case let .badEntry(n, m): return "safetensors tensor '\(n)': \(m)"
    case let .unsupportedDType(d, n): return "safetensors tensor '\(n)' has dtype \(d); only F32, F16, BF16 convert to Float"
    case let .missingTensor(n): return "safetensors tensor '\(n)' not found"
    }
  }
}

public struct SafetensorsInfo: Sendable, Equatable {
  public let name: String
  public let dtype: String
  public let shape: [Int]
  public let begin: Int
  public let end: Int
  public var elementCount: Int { shape.reduce(1, *) }
}

public struct SafetensorsFile: @unchecked Sendable {
  public let storage: ByteStorage
  public let tensors: [String: SafetensorsInfo]
  public let metadata: [String: String]
  public let dataOffset: Int

  static let dtypeSizes: [String: Int] = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                                          "I8": 1, "U8": 1, "BOOL": 1, "U16": 2, "U32": 4, "U64": 8,
                                          "F8_E4M3": 1, "F8_E5M2": 1]

  public static func load(path: String) throws -> SafetensorsFile { try SafetensorsFile(storage: ByteStorage(mapping: path)) }
  public static func parse(bytes: [UInt8]) throws -> SafetensorsFile { try SafetensorsFile(storage: ByteStorage(bytes: bytes)) }

  public init(storage: ByteStorage) throws {
    self.storage = storage
    guard storage.count >= 8 else { throw SafetensorsError.tooSmall(storage.count) }
    let n = UInt64(littleEndian: storage.base.loadUnaligned(as: UInt64.self))
    guard n >= 2, n <= UInt64(storage.count - 8), n <= 100_000_000 else {
      throw SafetensorsError.badHeaderLength(n, fileSize: storage.count)
    }
    dataOffset = 8 + Int(n)
    let dataSize = storage.count - dataOffset
    let json = Data(bytes: storage.base + 8, count: Int(n))
    guard let root = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
      throw SafetensorsError.badJSON("expected an object")
    }
    var infos = [String: SafetensorsInfo](), meta = [String: String]()
    for (name, v) in root {
      if name == "__metadata__" {
        guard let m = v as? [String: Any] else { throw SafetensorsError.badJSON("__metadata__ must be an object") }
        for (k, x) in m { guard let s = x as? String else { throw SafetensorsError.badJSON("__metadata__.\(k) must be a string") }; meta[k] = s }
        continue
      }
      guard let e = v as? [String: Any], let dtype = e["dtype"] as? String, let shapeAny = e["shape"] as? [Any],
            let offs = e["data_offsets"] as? [Any], offs.count == 2 else {
        throw SafetensorsError.badEntry(name, "needs dtype, shape and data_offsets [begin, end]")
      }
      guard let size = Self.dtypeSizes[dtype] else { throw SafetensorsError.badEntry(name, "unknown dtype \(dtype)") }
      var shape = [Int](), count = 1
      for d in shapeAny {
        guard let x = (d as? NSNumber)?.int64Value, x >= 0, x < 1 << 40 else { throw SafetensorsError.badEntry(name, "bad shape \(shapeAny)") }
        let (m, o) = count.multipliedReportingOverflow(by: Int(x))
        guard !o, m < 1 << 42 else { throw SafetensorsError.badEntry(name, "shape \(shapeAny) too large") }
        shape.append(Int(x)); count = m
      }
      guard let b = (offs[0] as? NSNumber)?.int64Value, let en = (offs[1] as? NSNumber)?.int64Value,
            b >= 0, en >= b, en <= Int64(dataSize) else {
        throw SafetensorsError.badEntry(name, "data_offsets \(offs) outside the \(dataSize)-byte buffer")
      }
      guard Int(en - b) == count * size else {
        throw SafetensorsError.badEntry(name, "\(en - b) bytes for \(count) elements of \(dtype)")
      }
      infos[name] = SafetensorsInfo(name: name, dtype: dtype, shape: shape, begin: Int(b), end: Int(en))
    }
    let sorted = infos.values.filter { $0.end > $0.begin }.sorted { $0.begin < $1.begin }
    for (a, b) in zip(sorted, sorted.dropFirst()) where a.end > b.begin {
      throw SafetensorsError.badEntry(b.name, "overlaps '\(a.name)'")
    }
    tensors = infos; metadata = meta
  }

  public var names: [String] { tensors.keys.sorted() }

  public func data(_ t: SafetensorsInfo) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: storage.base + dataOffset + t.begin, count: t.end - t.begin)
  }

  /// A tensor converted to Float32 (F32, F16, BF16).
  public func floats(_ name: String) throws -> (shape: [Int], values: [Float]) {
    guard let t = tensors[name] else { throw SafetensorsError.missingTensor(name) }
    return (t.shape, try floats(name, elements: 0..<t.elementCount))
  }

  /// Elements `elements` (flat, row-major) of a tensor converted to Float32 (F32, F16, BF16).
  public func floats(_ name: String, elements: Range<Int>) throws -> [Float] {
    guard let t = tensors[name] else { throw SafetensorsError.missingTensor(name) }
    guard elements.lowerBound >= 0, elements.upperBound <= t.elementCount else {
      throw SafetensorsError.badEntry(name, "elements \(elements) outside 0..<\(t.elementCount)")
    }
    var out = [Float](repeating: 0, count: elements.count)
    guard let src = data(t).baseAddress, !elements.isEmpty else { return out }
    let a = elements.lowerBound
    switch t.dtype {
    case "F32":
      for i in 0..<out.count {
        out[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * (a + i), as: UInt32.self)))
      }
    case "F16": for i in 0..<out.count { out[i] = FP16.loadHalf(src, 2 * (a + i)) }
    case "BF16": for i in 0..<out.count { out[i] = FP16.float(fromBF16: FP16.load16(src, 2 * (a + i))) }
    default: throw SafetensorsError.unsupportedDType(t.dtype, tensor: name)
    }
    return out
  }

  /// Stop counting a tensor's bytes in the resident set (see ByteStorage.releasePages); for streamed readers.
  public func releasePages(_ name: String) {
    guard let t = tensors[name] else { return }
    storage.releasePages(offset: dataOffset + t.begin, length: t.end - t.begin)
  }
}

/// Writes a safetensors file: header keys sorted, padded with spaces to a multiple of 8 bytes (as the
/// reference implementation does), tensors in name order.
public struct SafetensorsWriter {
  public enum DType: String, Sendable { case f32 = "F32", f16 = "F16", bf16 = "BF16" }
  struct Entry { let dtype: String; let shape: [Int]; let bytes: [UInt8] }
  var entries: [String: Entry] = [:]
  public var metadata: [String: String] = [:]

  public init() {}

  public mutating func add(_ name: String, shape: [Int], values: [Float], dtype: DType = .f32) throws {
    guard shape.reduce(1, *) == values.count else {
      throw SafetensorsError.badEntry(name, "shape \(shape) for \(values.count) values")
    }
    var bytes = [UInt8]()
    switch dtype {
    case .f32:
      bytes.reserveCapacity(4 * values.count)
      for v in values { bytes.appendLittleEndian(v.bitPattern) }
    case .f16:
      bytes.reserveCapacity(2 * values.count)
      for v in values { bytes.appendLittleEndian(FP16.bits(from: v)) }
    case .bf16:
      bytes.reserveCapacity(2 * values.count)
      for v in values { bytes.appendLittleEndian(FP16.bf16Bits(from: v)) }
    }
    entries[name] = Entry(dtype: dtype.rawValue, shape: shape, bytes: bytes)
  }

  /// One tensor of a header: its data follows the previous one's in the order given.
  public struct HeaderEntry: Sendable {
    public var name: String, dtype: String, shape: [Int], byteCount: Int
    public init(name: String, dtype: String, shape: [Int], byteCount: Int) {
      self.name = name; self.dtype = dtype; self.shape = shape; self.byteCount = byteCount
    }
  }

  /// The length prefix and JSON header for tensors whose data follow in `entries` order (keys sorted, padded
  /// with spaces to a multiple of 8) — lets a writer stream the data after it without holding the tensors.
  public static func header(_ entries: [HeaderEntry], metadata: [String: String]) throws -> [UInt8] {
    var header: [String: Any] = [:]
    var offset = 0
    for e in entries {
      header[e.name] = ["dtype": e.dtype, "shape": e.shape, "data_offsets": [offset, offset + e.byteCount]] as [String: Any]
      offset += e.byteCount
    }
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    while json.count % 8 != 0 { json.append(0x20) }
    var out = [UInt8]()
    out.appendLittleEndian(UInt64(json.count)); out += json
    return out
  }

  public func bytes() throws -> [UInt8] {
    let names = entries.keys.sorted()
    var out = try Self.header(names.map { HeaderEntry(name: $0, dtype: entries[$0]!.dtype, shape: entries[$0]!.shape,
                                                         byteCount: entries[$0]!.bytes.count) }, metadata: metadata)
    for n in names { out += entries[n]!.bytes }
    return out
  }

  /// Writes `<prefix>.safetensors.index.json` ({"metadata": {"total_size"}, "weight_map": {tensor: file}}).
  public static func writeIndex(directory dir: String, prefix: String = "model", weightMap map: [String: String], totalSize: Int) throws {
    let index: [String: Any] = ["metadata": ["total_size": totalSize], "weight_map": map]
    let json = try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys, .prettyPrinted])
    let w = try BinaryFileWriter(path: dir + "/\(prefix).safetensors.index.json")
    try w.write(Array(json))
    try w.finish()
  }

  public func write(path: String) throws {
    let w = try BinaryFileWriter(path: path)
    try w.write(try bytes())
    try w.finish()
  }

  /// Splits the tensors (name order) into shards of at most `maxShardBytes` of tensor data each — a tensor
  /// larger than the limit gets a shard of its own — the way Hugging Face `save_pretrained(max_shard_size=)`
  /// lays them out: `<prefix>-00001-of-0000N.safetensors` plus `<prefix>.safetensors.index.json` with
  /// `{"metadata": {"total_size": bytes}, "weight_map": {tensor: file}}`. One shard is written as the plain
  /// `<prefix>.safetensors` without an index. Each shard carries `metadata`. Returns the file names written.
  public func writeSharded(directory dir: String, maxShardBytes: Int, prefix: String = "model") throws -> [String] {
    guard maxShardBytes > 0 else { throw SafetensorsError.badEntry("*", "maxShardBytes must be positive, got \(maxShardBytes)") }
    var shards: [[String]] = [], current: [String] = [], size = 0
    for n in entries.keys.sorted() {
      let b = entries[n]!.bytes.count
      if !current.isEmpty && size + b > maxShardBytes { shards.append(current); current = []; size = 0 }
      current.append(n); size += b
    }
    if !current.isEmpty || shards.isEmpty { shards.append(current) }
    if shards.count == 1 {
      try write(path: dir + "/\(prefix).safetensors")
      return ["\(prefix).safetensors"]
    }
    var files: [String] = [], map: [String: String] = [:], total = 0
    for (k, names) in shards.enumerated() {
      let file = String(format: "%@-%05d-of-%05d.safetensors", prefix, k + 1, shards.count)
      var w = SafetensorsWriter()
      w.metadata = metadata
      for n in names { w.entries[n] = entries[n]; map[n] = file; total += entries[n]!.bytes.count }
      try w.write(path: dir + "/" + file)
      files.append(file)
    }
    try Self.writeIndex(directory: dir, prefix: prefix, weightMap: map, totalSize: total)
    return files + ["\(prefix).safetensors.index.json"]
  }
}

extension Array where Element == UInt8 {
  /// Appends `v` in little-endian byte order.
  mutating func appendLittleEndian<T: FixedWidthInteger>(_ v: T) {
    var x = v.littleEndian
    Swift.withUnsafeBytes(of: &x) { append(contentsOf: $0) }
  }
}
