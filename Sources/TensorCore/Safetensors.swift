// Named F32 tensors in safetensors files (parameter stores, optimizer state, distillation checkpoints), on top of
// the one safetensors implementation (`SafetensorsFile` / `SafetensorsWriter`, SafetensorsFile.swift): this file
// only converts between `Tensor` and that format. Reading accepts F32, F16 and BF16 (converted to F32) and
// reports every malformed file as `TensorError.io`; writing is atomic (temp file + rename).
import Foundation

public enum Safetensors {
  public static func write(_ tensors: [(String, Tensor)], to url: URL, metadata: [String: String] = [:]) throws {
    var w = SafetensorsWriter()
    w.metadata = metadata
    var seen = Set<String>()
    for (name, t) in tensors {
      guard seen.insert(name).inserted, name != "__metadata__" else { throw TensorError.io("duplicate or reserved name '\(name)'") }
      do { try w.add(name, shape: t.shape, values: t.toArray()) } catch { throw TensorError.io("\(error)") }
    }
    do { try w.write(path: url.path) } catch { throw TensorError.io("cannot write \(url.path): \(error)") }
  }

  /// All tensors in the file, by name (F32 copies) plus the metadata.
  public static func read(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    let file: SafetensorsFile
    do { file = try SafetensorsFile.load(path: url.path) } catch {
      throw TensorError.io("\(url.lastPathComponent): \(error)")
    }
    return try tensors(of: file, name: url.lastPathComponent)
  }

  /// Parses safetensors bytes (`name` is used in messages).
  public static func read(data: Data, name fileName: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    let file: SafetensorsFile
    do { file = try SafetensorsFile.parse(bytes: [UInt8](data)) } catch { throw TensorError.io("\(fileName): \(error)") }
    return try tensors(of: file, name: fileName)
  }

  static func tensors(of file: SafetensorsFile, name fileName: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    var out: [String: Tensor] = [:]
    for name in file.names {
      let (shape, values): ([Int], [Float])
      do { (shape, values) = try file.floats(name) } catch { throw TensorError.io("\(fileName): \(error)") }
      out[name] = values.isEmpty && shape.reduce(1, *) == 0 ? Tensor(uninitialized: shape) : Tensor(shape: shape, values)
    }
    return (out, file.metadata)
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
