// GGUF v3 writer. Layout as the reader expects and as gguf-py writes it: header, kv pairs in the given
// order, tensor infos, zero padding to the alignment, tensor data each padded to the alignment.
// Reading a file and writing its metadata and tensors back in the same order reproduces it byte for byte.
import TensorCore

/// Where the writer sends bytes: a file (atomic temp + rename) or memory.
public protocol ByteSink: AnyObject {
  func write(_ p: UnsafeRawBufferPointer) throws
}
extension BinaryFileWriter: ByteSink {}

public final class ByteArraySink: ByteSink {
  public private(set) var bytes: [UInt8] = []
  public init() {}
  public func write(_ p: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: p) }
}

public struct GGUFWriter {
  /// A tensor to write: name, element type, innermost-first dims, and its raw bytes in ggml layout.
  public struct Tensor {
    public var name: String
    public var type: GGMLType
    public var dims: [Int]
    public var byteCount: Int
    /// Writes exactly `byteCount` bytes.
    public var emit: (ByteSink) throws -> Void

    public init(name: String, type: GGMLType, dims: [Int], bytes: UnsafeRawBufferPointer) {
      self.name = name; self.type = type; self.dims = dims; byteCount = bytes.count
      emit = { try $0.write(bytes) }
    }
    public init(name: String, type: GGMLType, dims: [Int], data: [UInt8]) {
      self.name = name; self.type = type; self.dims = dims; byteCount = data.count
      emit = { s in try data.withUnsafeBytes { try s.write($0) } }
    }
    /// A tensor whose bytes are supplied later (GGUFStreamWriter); its byte count follows from type and dims.
    public init(name: String, type: GGMLType, dims: [Int]) throws {
      guard (1...4).contains(dims.count), dims.allSatisfy({ $0 >= 0 }), let rb = type.rowBytes(dims[0]) else {
        throw GGUFError.invalidTensor(name, reason: "dims \(dims) cannot be stored as \(type)")
      }
      self.name = name; self.type = type; self.dims = dims; byteCount = rb * dims.dropFirst().reduce(1, *)
      emit = { _ in throw GGUFError.invalidTensor(name, reason: "no data given (streamed tensor written through GGUFWriter.write)") }
    }
    public init(name: String, dims: [Int], floats: [Float]) {
      self.name = name; type = .f32; self.dims = dims; byteCount = floats.count * 4
      emit = { s in try floats.withUnsafeBytes { try s.write($0) } }
    }
  }

  public var metadata: [(String, GGUFValue)] = []
  public var tensors: [Tensor] = []

  public init() {}

  /// Start from an existing file: same metadata (in order) and the same tensors (data referenced, not copied;
  /// keep `file` alive until written).
  public init(copying file: GGUFFile) {
    metadata = file.keys.map { ($0, file.metadata[$0]!) }
    tensors = file.tensors.map { Tensor(name: $0.name, type: $0.type, dims: $0.dims, bytes: file.data($0)) }
  }

  public mutating func set(_ key: String, _ value: GGUFValue) {
    if let i = metadata.firstIndex(where: { $0.0 == key }) { metadata[i].1 = value } else { metadata.append((key, value)) }
  }
  public mutating func remove(_ key: String) { metadata.removeAll { $0.0 == key } }

  var alignment: Int {
    if let a = metadata.first(where: { $0.0 == "general.alignment" })?.1.int, a > 0, a & (a - 1) == 0 { return a }
    return 32
  }

  public func validate() throws {
    var seen = Set<String>()
    for t in tensors {
      guard seen.insert(t.name).inserted else { throw GGUFError.duplicateTensor(t.name) }
      guard (1...4).contains(t.dims.count), t.dims.allSatisfy({ $0 >= 0 }),
            let rb = t.type.rowBytes(t.dims[0]), rb * t.dims.dropFirst().reduce(1, *) == t.byteCount
      else { throw GGUFError.invalidTensor(t.name, reason: "dims \(t.dims) of type \(t.type) do not match \(t.byteCount) bytes") }
    }
    var keys = Set<String>()
    for (k, _) in metadata { guard keys.insert(k).inserted else { throw GGUFError.duplicateKey(k) } }
  }

  public func write(to sink: ByteSink) throws {
    try writeHeader(to: sink)
    let zeros = [UInt8](repeating: 0, count: alignment)
    for t in tensors {
      try t.emit(sink)
      try Self.pad(t.byteCount, alignment: alignment, zeros: zeros, sink: sink)
    }
  }

  static func pad(_ byteCount: Int, alignment align: Int, zeros: [UInt8], sink: ByteSink) throws {
    let pad = (align - byteCount % align) % align
    if pad > 0 { try zeros.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<pad])) } }
  }

  /// Header, key-value pairs and tensor infos, padded to the alignment: everything before the first tensor's data.
  /// Needs only each tensor's name, type, dims and byte count.
  public func writeHeader(to sink: ByteSink) throws {
    try validate()
    let align = alignment
    var h = [UInt8]()
    h += Array("GGUF".utf8)
    h.le(UInt32(3)); h.le(UInt64(tensors.count)); h.le(UInt64(metadata.count))
    for (k, v) in metadata { h.str(k); h.le(v.type.rawValue); h.value(v) }
    var offset = 0
    var offsets = [Int]()
    for t in tensors {
      h.str(t.name); h.le(UInt32(t.dims.count))
      for d in t.dims { h.le(UInt64(d)) }
      h.le(t.type.rawValue); h.le(UInt64(offset))
      offsets.append(offset)
      offset += (t.byteCount + align - 1) / align * align
    }
    h += [UInt8](repeating: 0, count: (align - h.count % align) % align)
    try h.withUnsafeBytes { try sink.write($0) }
  }

  public func write(path: String) throws {
    let w = try BinaryFileWriter(path: path)
    try write(to: w)
    try w.finish()
  }

  public func bytes() throws -> [UInt8] {
    let s = ByteArraySink()
    try write(to: s)
    return s.bytes
  }
}

extension Array where Element == UInt8 {
  mutating func le<T: FixedWidthInteger>(_ v: T) {
    Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
  }
  mutating func str(_ s: String) { le(UInt64(s.utf8.count)); append(contentsOf: s.utf8) }
  mutating func value(_ v: GGUFValue) {
    switch v {
    case let .uint8(x): le(x)
    case let .int8(x): le(x)
    case let .uint16(x): le(x)
    case let .int16(x): le(x)
    case let .uint32(x): le(x)
    case let .int32(x): le(x)
    case let .uint64(x): le(x)
    case let .int64(x): le(x)
    case let .float32(x): le(x.bitPattern)
    case let .float64(x): le(x.bitPattern)
    case let .bool(b): append(b ? 1 : 0)
    case let .string(s): str(s)
    case let .array(t, a):
      le(t.rawValue); le(UInt64(a.count))
      for e in a { value(e) }
    }
  }
}

/// Writes a GGUF file whose tensor data arrive one after another: the header (from the writer's metadata and
/// tensor list) first, then each tensor's bytes in list order, padded; a file whose tensors do not all arrive with
/// the declared sizes is an error and is never moved into place. A tensor may arrive in several parts (row chunks).
public final class GGUFStreamWriter {
  private let layout: GGUFWriter
  private let file: BinaryFileWriter
  private let zeros: [UInt8]
  private var index = 0
  private var written = 0

  public init(path: String, layout: GGUFWriter) throws {
    self.layout = layout
    file = try BinaryFileWriter(path: path)
    zeros = [UInt8](repeating: 0, count: layout.alignment)
    try layout.writeHeader(to: file)
  }

  /// The name of the tensor expected next (nil when all are written).
  public var nextName: String? { index < layout.tensors.count ? layout.tensors[index].name : nil }

  /// Append (part of) the data of tensor `name`, which must be the next one in the layout.
  public func append(_ name: String, _ bytes: UnsafeRawBufferPointer) throws {
    guard index < layout.tensors.count, layout.tensors[index].name == name else {
      throw GGUFError.invalidTensor(name, reason: "written out of order (expected \(nextName ?? "no more tensors"))")
    }
    let t = layout.tensors[index]
    guard written + bytes.count <= t.byteCount else {
      throw GGUFError.invalidTensor(name, reason: "\(written + bytes.count) bytes for a tensor of \(t.byteCount)")
    }
    try file.write(bytes)
    written += bytes.count
    if written == t.byteCount {
      try GGUFWriter.pad(t.byteCount, alignment: layout.alignment, zeros: zeros, sink: file)
      index += 1; written = 0
    }
  }
  public func append(_ name: String, _ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try append(name, $0) } }
  public func append(_ name: String, floats: [Float]) throws { try floats.withUnsafeBytes { try append(name, $0) } }

  /// Close the file and move it into place; every tensor must have been written.
  public func finish() throws {
    guard index == layout.tensors.count else {
      throw GGUFError.invalidTensor(nextName ?? "?", reason: "file finished before this tensor was written")
    }
    try file.finish()
  }
}
