import XCTest
import Foundation
@testable import TensorCore

final class LayerStoreTests: XCTestCase {
  func testGRUCellMatchesEquationsAndGradients() throws {
    var rng = RNG(seed: 4)
    let cell = GRUCell(3, 2, rng: &rng)
    let params = cell.parameters()
    // Reference GRU in Double with the torch.nn.GRUCell equations.
    func ref(_ x: [[Double]]) -> [Double] {
      let (xi, h, wih, whh, bih, bhh) = (x[0], x[1], x[2], x[3], x[4], x[5])
      var out: [Double] = []
      for b in 0..<2 {
        func gi(_ j: Int) -> Double { (0..<3).reduce(bih[j]) { $0 + wih[j * 3 + $1] * xi[b * 3 + $1] } }
        func gh(_ j: Int) -> Double { (0..<2).reduce(bhh[j]) { $0 + whh[j * 2 + $1] * h[b * 2 + $1] } }
        for u in 0..<2 {
          let r = 1 / (1 + Foundation.exp(-(gi(u) + gh(u))))
          let z = 1 / (1 + Foundation.exp(-(gi(2 + u) + gh(2 + u))))
          let n = Foundation.tanh(gi(4 + u) + r * gh(4 + u))
          out.append((1 - z) * n + z * h[b * 2 + u])
        }
      }
      return out
    }
    try gradCheck("GRUCell", shapes: [[2, 3], [2, 2]] + params.map { $0.shape }, op: { t in
      try GRUFunctional.step(t[0], t[1], t[2], t[3], t[4], t[5])
    }, ref: ref)
    // The module and the functional form agree.
    let x = Tensor.randn([2, 3], rng: &rng), h = Tensor.randn([2, 2], rng: &rng)
    assertClose(try cell(x, h).toArray(),
                try GRUFunctional.step(x, h, cell.weightIH, cell.weightHH, cell.biasIH, cell.biasHH).toArray(), tol: 1e-6)
  }

  func testGRULearnsToCopyASequence() throws {
    // Show 3 symbols (one-hot of 4), then 3 "recall" steps; the readout must emit the symbols in order.
    let v = 4, len = 3, hidden = 32
    var rng = RNG(seed: 21)
    let cell = GRUCell(v + 1, hidden, rng: &rng)
    let head = Linear(hidden, v, rng: &rng)
    let store = try ParameterStore()
    try store.add(cell, prefix: "gru")
    try store.add(head, prefix: "head")
    let opt = Adam(store.trainable, lr: 0.01)
    let seqs: [[Int]] = (0..<(v * v * v)).map { [$0 / 16, ($0 / 4) % 4, $0 % 4] }
    let batch = seqs.count
    func inputs(_ t: Int) -> Tensor {
      let x = Tensor.zeros([batch, v + 1])
      for (b, s) in seqs.enumerated() { if t < len { x[b, s[t]] = 1 } else { x[b, v] = 1 } }
      return x
    }
    let xs = (0..<(2 * len)).map(inputs)
    var acc = 0.0
    for step in 0..<400 {
      opt.zeroGrad()
      var h = Tensor.zeros([batch, hidden])
      var losses: [Tensor] = []
      var correct = 0
      for t in 0..<(2 * len) {
        h = try cell(xs[t], h)
        if t >= len {
          let logits = try head(h)
          let target = seqs.map { $0[t - len] }
          losses.append(try crossEntropy(logits, targets: target))
          correct += zip(try logits.argmax(axis: -1), target).filter { $0 == $1 }.count
        }
      }
      let loss = try (losses[0] + losses[1] + losses[2]) / 3
      try loss.checkFinite(op: "gru.copy.loss", step: step)
      loss.backward()
      clipGradNorm(store.trainable, maxNorm: 5)
      opt.step()
      acc = Double(correct) / Double(batch * len)
      if acc == 1 && loss.item < 0.05 { break }
    }
    XCTAssertEqual(acc, 1, "GRU failed to learn the copy task")
  }

  func testParameterStoreSafetensorsAndFreeze() throws {
    var rng = RNG(seed: 8)
    let mlp = MLP([3, 5, 2], rng: &rng)
    let store = try ParameterStore(mlp, prefix: "policy")
    XCTAssertEqual(store.names, ["policy.layers.0.weight", "policy.layers.0.bias", "policy.layers.1.weight", "policy.layers.1.bias"])
    XCTAssertThrowsError(try store.add("policy.layers.0.bias", Tensor.zeros([1])))
    XCTAssertEqual(try store.freeze("policy.layers.0"), 2)
    XCTAssertEqual(store.trainable.count, 2)
    XCTAssertThrowsError(try store.freeze("policy.layer"))   // dotted-prefix match only
    let x = Tensor.randn([4, 3], rng: &rng)
    try mlp(x).sum().backward()
    XCTAssertNil(mlp.layers[0].weight.grad)
    XCTAssertNotNil(mlp.layers[1].weight.grad)
    try store.unfreeze("policy")

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edgelab-tensor-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("p.safetensors")
    try store.save(to: url, metadata: ["format": "pt"])
    let (read, meta) = try Safetensors.read(url)
    XCTAssertEqual(meta["format"], "pt")
    XCTAssertEqual(read["policy.layers.1.weight"]?.shape, [2, 5])
    // Byte layout: 8-byte length, JSON header, then F32 data; the header length is a multiple of 8.
    let bytes = try Data(contentsOf: url)
    let n = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    XCTAssertEqual(n % 8, 0)
    XCTAssertEqual(bytes.count, 8 + Int(n) + 4 * (15 + 5 + 10 + 2))
    var rng2 = RNG(seed: 99)
    let other = MLP([3, 5, 2], rng: &rng2)
    let store2 = try ParameterStore(other, prefix: "policy")
    try store2.load(from: url)
    XCTAssertEqual(try other(x).toArray(), try mlp(x).toArray())
    // Wrong shape / missing names are clear errors.
    let bad = try ParameterStore(MLP([3, 4, 2], rng: &rng2), prefix: "policy")
    XCTAssertThrowsError(try bad.load(from: url)) { XCTAssertTrue("\($0)".contains("[4, 3] vs [5, 3]"), "\($0)") }
    XCTAssertThrowsError(try ParameterStore(MLP([3, 2], rng: &rng2), prefix: "value").load(from: url))
    try Data([1, 2, 3]).write(to: dir.appendingPathComponent("junk"))
    XCTAssertThrowsError(try Safetensors.read(dir.appendingPathComponent("junk")))
    // Hostile headers (negative dims, products that overflow Int, offsets past the end) are errors, not traps.
    func file(_ entry: String, dataBytes: Int = 8) throws -> URL {
      let json = Array("{\"t\":\(entry)}".utf8)
      var out = Data()
      withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
      out.append(contentsOf: json)
      out.append(contentsOf: [UInt8](repeating: 0, count: dataBytes))
      let u = dir.appendingPathComponent("hostile.safetensors")
      try out.write(to: u)
      return u
    }
    let hostile = [
      #"{"dtype":"F32","shape":[-1,-2],"data_offsets":[0,8]}"#,
      #"{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}"#,
      #"{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,0]}"#,
      #"{"dtype":"F32","shape":[2],"data_offsets":[9223372036854775800,9223372036854775807]}"#,
      #"{"dtype":"F32","shape":[2],"data_offsets":[8,0]}"#,
    ]
    for h in hostile {
      XCTAssertThrowsError(try Safetensors.read(try file(h)), h) { XCTAssertTrue($0 is TensorError, "\($0)") }
    }
    XCTAssertEqual(try Safetensors.read(try file(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#)).tensors["t"]?.toArray(), [0, 0])
    XCTAssertEqual(try Safetensors.read(try file(#"{"dtype":"F32","shape":[5,0],"data_offsets":[0,0]}"#, dataBytes: 0)).tensors["t"]?.shape, [5, 0])
  }

  func testLRSchedules() {
    XCTAssertEqual(LRSchedule.linear(from: 1, to: 0, steps: 10).value(at: 5), 0.5, accuracy: 1e-6)
    XCTAssertEqual(LRSchedule.linear(from: 1, to: 0, steps: 10).value(at: 20), 0, accuracy: 1e-6)
    let cos = LRSchedule.cosine(base: 1, min: 0.1, steps: 100)
    XCTAssertEqual(cos.value(at: 0), 1, accuracy: 1e-6)
    XCTAssertEqual(cos.value(at: 50), 0.55, accuracy: 1e-6)
    XCTAssertEqual(cos.value(at: 100), 0.1, accuracy: 1e-6)
    let w = LRSchedule.warmup(steps: 4, start: 0, then: .constant(2))
    XCTAssertEqual([0, 1, 2, 3, 4, 9].map { w.value(at: $0) }, [0, 0.5, 1, 1.5, 2, 2])
    let p = Tensor.zeros([1], requiresGrad: true)
    let opt = SGD([p], lr: 0)
    XCTAssertEqual(w.apply(to: opt, step: 2), 1)
    XCTAssertEqual(opt.learningRate, 1)
  }
}

final class LayerWrapperTests: XCTestCase {
  func testLayerWrappersMatchFunctions() throws {
    var rng = RNG(seed: 12)
    let emb = Embedding(5, 3, rng: &rng)
    XCTAssertEqual(try emb([4, 0]).toArray(), Array(emb.weight.toArray()[12..<15] + emb.weight.toArray()[0..<3]))
    XCTAssertThrowsError(try emb([5]))
    let x = Tensor.randn([2, 3], rng: &rng)
    XCTAssertEqual(try RMSNormLayer(3)(x).toArray(), try rmsNorm(x, weight: nil).toArray())
    XCTAssertEqual(try LayerNormLayer(3)(x).toArray(), try layerNorm(x, weight: nil, bias: nil).toArray())
    let lin = Linear(3, 4, bias: false, rng: &rng, weightInit: .xavierUniform())
    XCTAssertNil(lin.bias)
    XCTAssertEqual(lin.namedParameters().map { $0.0 }, ["weight"])
    XCTAssertEqual(try lin(x).shape, [2, 4])
    let parts = try Tensor(shape: [1, 5], [1, 2, 3, 4, 5]).split(lastAxis: [2, 3])
    XCTAssertEqual(parts.map { $0.toArray() }, [[1, 2], [3, 4, 5]])
    XCTAssertThrowsError(try x.split(lastAxis: [1, 1]))
    let gru = GRUCell(3, 4, rng: &rng, inputInit: .xavierUniform(), recurrentInit: .orthogonal())
    // Each recurrent gate block is orthogonal.
    let blk = try gru.weightHH.rows(4..<8)
    let g = try matmul(blk, blk, transB: true)
    for i in 0..<4 { for j in 0..<4 { XCTAssertEqual(g[i, j], i == j ? 1 : 0, accuracy: 1e-5) } }
  }
}
