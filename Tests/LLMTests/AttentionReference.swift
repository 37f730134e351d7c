// Plain Swift decode attention: the reference QuantCKernelTests checks the C kernel qk_decode_attention against
// (the forward pass runs only the C kernel).
import Foundation
@testable import LLM

extension LlamaModel {
  /// One query row against T cached keys/values, per head (plain Swift reference for the C decode
  /// attention qk_decode_attention; max-subtracted softmax).
  static func decodeAttention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                              out: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, T: Int,
                              heads: Int, group: Int, hd: Int, kw: Int, scale: Float) {
    for hh in 0..<heads {
      let qh = q + hh * hd, g = hh / group
      for j in 0..<T {
        let kj = k + j * kw + g * hd
        var acc: Float = 0
        for e in 0..<hd { acc += qh[e] * kj[e] }
        scores[j] = acc * scale
      }
      var m = -Float.infinity
      for j in 0..<T { m = max(m, scores[j]) }
      var sum: Float = 0
      for j in 0..<T { let e = expf(scores[j] - m); scores[j] = e; sum += e }
      let inv = 1 / sum
      for j in 0..<T { scores[j] *= inv }
      let oh = out + hh * hd
      for e in 0..<hd { oh[e] = 0 }
      for j in 0..<T {
        let w = scores[j], vj = v + j * kw + g * hd
        for e in 0..<hd { oh[e] += w * vj[e] }
      }
    }
  }
}
