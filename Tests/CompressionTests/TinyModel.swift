import Foundation
import LLM
@testable import Compression

enum Tiny {
  static func config(layers: Int = 3, heads: Int = 4, kv: Int = 2, ffn: Int = 96, dim: Int = 64, vocab: Int) -> LlamaConfig {
    LlamaConfig(vocabSize: vocab, dim: dim, layers: layers, heads: [Int](repeating: heads, count: layers),
                kvHeads: [Int](repeating: kv, count: layers), ffn: [Int](repeating: ffn, count: layers), headDim: dim / heads,
                ropeTheta: 10000, rmsEps: 1e-5, contextLength: 256)
  }
  static func model(seed: UInt64 = 1, layers: Int = 3, heads: Int = 4, kv: Int = 2, ffn: Int = 96, dim: Int = 64, std: Float = 0.15) throws -> LlamaModel {
    let tok = try Tokenizer.byteLevel()
    return try LlamaModel.random(config: config(layers: layers, heads: heads, kv: kv, ffn: ffn, dim: dim, vocab: tok.vocabSize),
                                 tokenizer: tok, seed: seed, std: std)
  }
  static func windows(_ m: LlamaModel, count: Int = 4, length: Int = 24, seed: UInt64 = 7) -> [[Int32]] {
    var g = RNGShim(seed)
    return (0..<count).map { _ in (0..<length).map { _ in Int32(3 + g.next() % 256) } }
  }
  static func logits(_ m: LlamaModel, _ t: [Int32]) throws -> [Float] {
    var c = m.makeCache(); return try m.forward(tokens: t, cache: &c)
  }
  static func maxDiff(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }
}

/// Tiny LCG for token ids in tests (independent of the code under test).
struct RNGShim {
  var s: UInt64
  init(_ seed: UInt64) { s = seed &* 6364136223846793005 &+ 1442695040888963407 }
  mutating func next() -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int(s >> 33) }
}

extension LlamaModel {
  /// The same model with some weights replaced (test helper).
  func replacing(_ f: (Int, inout LlamaLayer) throws -> Void) throws -> LlamaModel {
    var ls = layers
    for i in ls.indices { try f(i, &ls[i]) }
    return try LlamaModel(config: config, tokenizer: tokenizer, embedding: embedding, layers: ls, outputNorm: outputNorm, output: output)
  }
}

func zeroCols(_ w: WeightMatrix?, _ cols: [Int]) throws -> WeightMatrix? {
  guard let w else { return nil }
  var v = try w.floats()
  for r in 0..<w.rows { for c in cols { v[r * w.cols + c] = 0 } }
  return WeightMatrix(rows: w.rows, cols: w.cols, values: v)
}
