// GGUF v2/v3 reader. The file is memory-mapped; metadata is parsed eagerly, tensor data stays in the map.
// Every count, size and offset is checked against the bytes actually present before it is used, so a
// truncated or hostile file yields a `GGUFError` naming the problem — never a crash or a huge allocation.
//
// Layout (ggml docs/gguf.md): "GGUF" u32 version, u64 tensor_count, u64 kv_count, kv pairs, tensor infos
// (name, u32 n_dims, u64 ne[n_dims] innermost first, u32 ggml type, u64 offset), padding to
// general.alignment (default 32), then the data section; tensor offsets are relative to its start.
import TensorCore

/// One tensor's description. `dims` are innermost-first (ggml `ne`): a [rows × cols] row-major matrix has
/// dims [cols, rows].
public struct GGUFTensorInfo: Equatable, Sendable {
  public let name: String
  public let dims: [Int]
  public let type: GGMLType
  /// Offset from the start of the data section.
  public let offset: Int
  public let byteCount: Int
  public var elementCount: Int { dims.reduce(1, *) }
  /// Matrix view: cols = dims[0], rows = product of the rest.
  public var cols: Int { dims.first ?? 1 }
  public var rows: Int { dims.dropFirst().reduce(1, *) }
}

public struct GGUFFile: @unchecked Sendable {
  public let storage: ByteStorage
  public let version: UInt32
  /// Metadata keys in file order, and their values.
  public let keys: [String]
  public let metadata: [String: GGUFValue]
  public let tensors: [GGUFTensorInfo]
  public let alignment: Int
  /// Absolute file offset of the data section.
  public let dataOffset: Int
  private let tensorIndex: [String: Int]

  static let maxArrayDepth = 8

  public static func load(path: String) throws -> GGUFFile { try GGUFFile(storage: ByteStorage(mapping: path)) }
  public static func parse(bytes: [UInt8]) throws -> GGUFFile { try GGUFFile(storage: ByteStorage(bytes: bytes)) }

  public init(storage: ByteStorage) throws {
    self.storage = storage
    var c = Cursor(buf: storage.buffer)
    guard storage.count >= 4, try c.bytes(4, "magic").elementsEqual("GGUF".utf8) else { throw GGUFError.badMagic }
    version = try c.u32("version")
    guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }
    let nTensors = try c.u64("tensor count"), nKV = try c.u64("metadata count")
    // Each kv needs >= 8 (key len) + 4 (type) + 1 bytes; each tensor info >= 8 + 4 + 8 + 4 + 8.
    guard nKV <= UInt64(c.remaining / 13) else { throw GGUFError.implausibleCount(what: "metadata", count: nKV) }
    guard nTensors <= UInt64(c.remaining / 32) else { throw GGUFError.implausibleCount(what: "tensor", count: nTensors) }

    var keys = [String](), meta = [String: GGUFValue]()
    for _ in 0..<Int(nKV) {
      let key = try c.string("metadata key")
      let t = try c.u32("type of '\(key)'")
      guard let vt = GGUFValueType(rawValue: t) else { throw GGUFError.invalidValueType(t, key: key) }
      let v = try c.value(vt, key: key, depth: 0)
      guard meta[key] == nil else { throw GGUFError.duplicateKey(key) }
      keys.append(key); meta[key] = v
    }
    self.keys = keys; metadata = meta

    var align = 32
    if let a = meta["general.alignment"] {
      guard let ai = a.int, ai > 0, ai & (ai - 1) == 0, ai <= 1 << 20 else {
        throw GGUFError.badAlignment(meta["general.alignment"]?.int ?? -1)
      }
      align = ai
    }
    alignment = align

    var infos = [GGUFTensorInfo](), index = [String: Int]()
    var rawOffsets = [UInt64]()
    for _ in 0..<Int(nTensors) {
      let name = try c.string("tensor name")
      let nd = try c.u32("n_dims of '\(name)'")
      guard nd >= 1, nd <= 4 else { throw GGUFError.badDimensions(tensor: name, dims: []) }
      var raw = [UInt64]()
      for _ in 0..<Int(nd) { raw.append(try c.u64("dims of '\(name)'")) }
      let tid = try c.u32("type of tensor '\(name)'")
      guard let type = GGMLType(rawValue: tid) else { throw GGUFError.unknownTensorType(tid, tensor: name) }
      let off = try c.u64("offset of tensor '\(name)'")
      // Element count must fit comfortably (no overflow) and rows must be whole blocks.
      var count: UInt64 = 1
      for d in raw {
        let (m, o) = count.multipliedReportingOverflow(by: d)
        guard !o, d <= UInt64(Int32.max) * 4, m <= UInt64(1) << 48 else {
          throw GGUFError.badDimensions(tensor: name, dims: raw)
        }
        count = m
      }
      let dims = raw.map { Int($0) }
      guard let rowBytes = type.rowBytes(dims[0]) else { throw GGUFError.badDimensions(tensor: name, dims: raw) }
      let (bytes, o2) = rowBytes.multipliedReportingOverflow(by: dims.dropFirst().reduce(1, *))
      guard !o2 else { throw GGUFError.badDimensions(tensor: name, dims: raw) }
      guard off % UInt64(align) == 0 else { throw GGUFError.misalignedTensor(tensor: name, offset: off, alignment: align) }
      guard index[name] == nil else { throw GGUFError.duplicateTensor(name) }
      index[name] = infos.count
      rawOffsets.append(off)
      infos.append(GGUFTensorInfo(name: name, dims: dims, type: type,
                                  offset: off <= UInt64(Int.max) ? Int(off) : Int.max, byteCount: bytes))
    }
    let aligned = (c.pos + align - 1) / align * align
    dataOffset = nTensors == 0 ? min(aligned, storage.count) : aligned
    let dataSize = storage.count - dataOffset
    if nTensors > 0 && dataSize < 0 {
      throw GGUFError.truncated(what: "data section", offset: c.pos, need: aligned - c.pos, fileSize: storage.count)
    }
    for (i, t) in infos.enumerated() {
      let (end, o) = t.offset.addingReportingOverflow(t.byteCount)
      guard rawOffsets[i] <= UInt64(Int.max), !o, end <= dataSize else {
        throw GGUFError.tensorOutOfBounds(tensor: t.name, offset: rawOffsets[i], size: t.byteCount, dataSize: max(dataSize, 0))
      }
    }
    let byOffset = infos.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
    for (a, b) in zip(byOffset, byOffset.dropFirst()) where a.offset + a.byteCount > b.offset {
      throw GGUFError.tensorOverlap(a.name, b.name)
    }
    tensors = infos; tensorIndex = index
  }

  public func tensor(_ name: String) -> GGUFTensorInfo? { tensorIndex[name].map { tensors[$0] } }

  /// The raw bytes of a tensor (bounds were checked at load). Valid while `storage` lives.
  public func data(_ t: GGUFTensorInfo) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: storage.base + dataOffset + t.offset, count: t.byteCount)
  }

  public func data(named name: String) throws -> UnsafeRawBufferPointer {
    guard let t = tensor(name) else { throw GGUFError.missingTensor(name) }
    return data(t)
  }

  public subscript(key: String) -> GGUFValue? { metadata[key] }

  public func require(_ key: String) throws -> GGUFValue {
    guard let v = metadata[key] else { throw GGUFError.missingKey(key) }
    return v
  }
  public func int(_ key: String) throws -> Int {
    guard let v = try require(key).int else { throw GGUFError.wrongKeyType(key: key, expected: "an integer") }
    return v
  }
  public func double(_ key: String) throws -> Double {
    guard let v = try require(key).double else { throw GGUFError.wrongKeyType(key: key, expected: "a number") }
    return v
  }
  public func string(_ key: String) throws -> String {
    guard let v = try require(key).string else { throw GGUFError.wrongKeyType(key: key, expected: "a string") }
    return v
  }
}

/// Bounds-checked little-endian reader.
struct Cursor {
  let buf: UnsafeRawBufferPointer
  var pos = 0
  var remaining: Int { buf.count - pos }

  mutating func bytes(_ n: Int, _ what: String) throws -> UnsafeRawBufferPointer {
    guard n >= 0, n <= remaining else {
      throw GGUFError.truncated(what: what, offset: pos, need: n, fileSize: buf.count)
    }
    defer { pos += n }
    return UnsafeRawBufferPointer(rebasing: buf[pos..<(pos + n)])
  }
  mutating func load<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
    let b = try bytes(MemoryLayout<T>.size, what)
    return T(littleEndian: b.loadUnaligned(as: T.self))
  }
  mutating func u32(_ what: String) throws -> UInt32 { try load(UInt32.self, what) }
  mutating func u64(_ what: String) throws -> UInt64 { try load(UInt64.self, what) }

  mutating func string(_ what: String) throws -> String {
    let n = try u64("length of \(what)")
    guard n <= UInt64(remaining) else {
      throw GGUFError.truncated(what: what, offset: pos, need: n > UInt64(Int.max) ? Int.max : Int(n), fileSize: buf.count)
    }
    let b = try bytes(Int(n), what)
    guard let s = String(validating: b, as: UTF8.self) else { throw GGUFError.invalidString(key: what) }
    return s
  }

  mutating func value(_ t: GGUFValueType, key: String, depth: Int) throws -> GGUFValue {
    let w = "value of '\(key)'"
    switch t {
    case .uint8: return .uint8(try load(UInt8.self, w))
    case .int8: return .int8(try load(Int8.self, w))
    case .uint16: return .uint16(try load(UInt16.self, w))
    case .int16: return .int16(try load(Int16.self, w))
    case .uint32: return .uint32(try load(UInt32.self, w))
    case .int32: return .int32(try load(Int32.self, w))
    case .uint64: return .uint64(try load(UInt64.self, w))
    case .int64: return .int64(try load(Int64.self, w))
    case .float32: return .float32(Float(bitPattern: try load(UInt32.self, w)))
    case .float64: return .float64(Double(bitPattern: try load(UInt64.self, w)))
    case .bool:
      let b = try load(UInt8.self, w)
      guard b <= 1 else { throw GGUFError.wrongKeyType(key: key, expected: "a bool (0 or 1)") }
      return .bool(b == 1)
    case .string: return .string(try string(w))
    case .array:
      guard depth < GGUFFile.maxArrayDepth else { throw GGUFError.tooDeep(key: key) }
      let et = try u32("array type of '\(key)'")
      guard let e = GGUFValueType(rawValue: et) else { throw GGUFError.invalidValueType(et, key: key) }
      let n = try u64("array length of '\(key)'")
      guard n <= UInt64(remaining / e.minSize) else { throw GGUFError.implausibleCount(what: "array '\(key)'", count: n) }
      var out = [GGUFValue](); out.reserveCapacity(Int(n))
      for _ in 0..<Int(n) { out.append(try value(e, key: key, depth: depth + 1)) }
      return .array(e, out)
    }
  }
}
