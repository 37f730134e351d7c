// Minimal safetensors reader/writer for named F32 parameters (the LLM module has the full-featured one).
// Format: 8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets:[b,e]},
// "__metadata__": {str: str}}, then the raw little-endian tensor bytes (offsets relative to the data start).
// Reading accepts F32, F16 and BF16 (converted to F32). Writing is atomic (temp file + rename).
import Foundation

public enum Safetensors {
  public static func write(_ tensors: [(String, Tensor)], to url: URL, metadata: [String: String] = [:]) throws {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    for (name, t) in tensors {
      guard header[name] == nil, name != "__metadata__" else { throw TensorError.io("duplicate or reserved name '\(name)'") }
      header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
      offset += 4 * t.count
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while json.count % 8 != 0 { json.append(0x20) }   // pad with spaces so tensor data is 8-byte aligned
    var out = Data(capacity: 8 + json.count + offset)
    var n = UInt64(json.count).littleEndian
    withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
    out.append(json)
    for (_, t) in tensors {
      out.append(UnsafeBufferPointer(start: t.data, count: t.count))   // host is little-endian (x86-64, arm64)
    }
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
    do { try out.write(to: tmp) } catch { throw TensorError.io("cannot write \(tmp.path): \(error.localizedDescription)") }
    // rename(2) replaces an existing file atomically (Foundation's replaceItemAt fails on Linux in some cases).
    guard rename(tmp.path, url.path) == 0 else {
      try? FileManager.default.removeItem(at: tmp)
      throw TensorError.io("cannot move \(tmp.path) to \(url.path) (errno \(errno))")
    }
  }

  /// All tensors in the file, by name (F32 copies) plus the metadata.
  public static func read(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    let data: Data
    do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
      throw TensorError.io("cannot read \(url.path): \(error.localizedDescription)")
    }
    return try read(data: data, name: url.lastPathComponent)
  }

  /// Parses safetensors bytes (`name` is used in messages).
  public static func read(data: Data, name fileName: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    guard data.count >= 8 else { throw TensorError.io("\(fileName): file too short") }
    let raw = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    // Compared as UInt64 first: a header length near 2^64 must be an error, not an Int conversion trap.
    let n = raw <= UInt64(data.count) ? Int(raw) : -1
    guard n > 0, 8 + n <= data.count else { throw TensorError.io("\(fileName): bad header length \(n)") }
    guard let obj = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any] else {
      throw TensorError.io("\(fileName): header is not a JSON object")
    }
    let base = 8 + n
    var tensors: [String: Tensor] = [:]
    var meta: [String: String] = [:]
    for (name, v) in obj {
      if name == "__metadata__" { meta = (v as? [String: String]) ?? [:]; continue }
      guard let d = v as? [String: Any], let dtype = d["dtype"] as? String, let shape = d["shape"] as? [Int],
            let offs = d["data_offsets"] as? [Int], offs.count == 2 else {
        throw TensorError.io("\(name): malformed header entry")
      }
      let width: Int
      switch dtype { case "F32": width = 4; case "F16", "BF16": width = 2
      default: throw TensorError.io("\(name): unsupported dtype \(dtype) (F32, F16, BF16 only)") }
      // Dimensions are checked before any product: a negative or huge shape is an error, not an overflow trap.
      var count = 1
      for dim in shape {
        let (m, o) = count.multipliedReportingOverflow(by: dim)
        guard dim >= 0, !o else { throw TensorError.io("\(name): shape \(shape) is negative or too large") }
        count = m
      }
      let (bytes, o) = count.multipliedReportingOverflow(by: width)
      guard !o, offs[0] >= 0, offs[0] <= offs[1], offs[1] - offs[0] == bytes, offs[1] <= data.count - base else {
        throw TensorError.io("\(name): data_offsets \(offs) do not match shape \(shape) × \(dtype)")
      }
      let t = Tensor(uninitialized: shape)
      data.withUnsafeBytes { raw in
        let src = raw.baseAddress! + base + offs[0]
        let p = t.data
        switch dtype {
        case "F32": for i in 0..<count { p[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case "F16": for i in 0..<count { p[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        default: for i in 0..<count { p[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        }
      }
      tensors[name] = t
    }
    return (tensors, meta)
  }
}

extension ParameterStore {
  /// Save all parameters (F32) under their dotted names.
  public func save(to url: URL, metadata: [String: String] = [:]) throws {
    try Safetensors.write(namedParameters(), to: url, metadata: metadata)
  }
  /// Load values by name into the existing parameters (shapes must match; `strict`: every name must exist).
  public func load(from url: URL, strict: Bool = true) throws {
    try load(from: Safetensors.read(url).tensors, strict: strict)
  }
}
