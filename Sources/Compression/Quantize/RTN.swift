// Round-to-nearest quantization of a weight matrix into a ggml type: the codec's quantizer (bit-exact with the
// PyPI gguf package for F16/BF16/Q8_0/Q4_0/Q4_1/Q5_0/Q5_1), run over row chunks on several threads.
import Foundation
import LLM

public enum RTN {
  public static func quantize(_ W: UnsafePointer<Float>, rows: Int, cols: Int, type: GGMLType,
                              threads: Int? = nil) throws -> QuantizedMatrix {
    guard rows >= 0, cols >= 0 else { throw QuantizedMatrixError.shape("negative dimensions \(rows)×\(cols)") }
    guard GGMLCodec.quantizable.contains(type) else { throw GGMLCodecError.unsupported(type: type, operation: "quantize") }
    guard let rb = type.rowBytes(cols) else {
      throw GGMLCodecError.countNotMultipleOfBlock(type: type, count: cols, blockSize: type.blockSize)
    }
    var bytes = [UInt8](repeating: 0, count: rows * rb)
    let nt = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    let chunks = rows >= 64 && nt > 1 ? nt * 4 : 1
    let per = (rows + max(chunks, 1) - 1) / max(chunks, 1)
    if rows > 0 && cols > 0 {
      bytes.withUnsafeMutableBytes { bp in
        let O = bp.baseAddress!
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
          let r0 = c * per, r1 = min(rows, r0 + per)
          if r0 < r1 { try! GGMLCodec.quantize(type, W + r0 * cols, count: (r1 - r0) * cols, into: O + r0 * rb) }
        }
      }
    }
    return try QuantizedMatrix(rows: rows, cols: cols, type: type, bytes: bytes)
  }

  public static func quantize(_ W: [Float], rows: Int, cols: Int, type: GGMLType, threads: Int? = nil) throws -> QuantizedMatrix {
    guard W.count == rows * cols else {
      throw QuantizedMatrixError.shape("weights have \(W.count) values, expected \(rows)×\(cols)")
    }
    return try W.withUnsafeBufferPointer { try quantize($0.baseAddress!, rows: rows, cols: cols, type: type, threads: threads) }
  }
}
