// One entry point the model uses to turn ggml-typed bytes into Float32: the ggml codecs in
// Sources/LLM/GGML (bit-exact with PyPI gguf), with a copy fast path for F32.

enum LLMDequant {
  /// Decode `count` elements of `type` starting at `src` into `dst`.
  static func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) throws {
    try GGMLCodec.dequantize(type, src, count: count, into: dst)
  }

  static func dequantize(_ type: GGMLType, _ src: UnsafeRawBufferPointer, count: Int) throws -> [Float] {
    let need = try GGMLCodec.byteCount(type, count: count)
    guard need <= src.count, let base = src.baseAddress ?? (count == 0 ? UnsafeRawPointer(bitPattern: 64) : nil) else {
      throw LlamaError.badTensor("\(type) data", "\(src.count) bytes, \(need) needed for \(count) elements")
    }
    var out = [Float](repeating: 0, count: count)
    if count > 0 { try out.withUnsafeMutableBufferPointer { try dequantize(type, base, count: count, into: $0.baseAddress!) } }
    return out
  }
}
