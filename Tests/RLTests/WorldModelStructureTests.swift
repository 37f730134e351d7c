// The world model's feed-forward paths against plain references:
//  - skip: the head reads [h_t, x_t];
//  - entities: a shared MLP maps each entity's [block, action one-hot, globals] to that block's delta, added
//    to the head's output (reference: the MLP applied row by row to hand-assembled inputs);
// plus the entity-layout validation and the decoding of configs saved before these fields existed.
import Foundation
import XCTest
@testable import RL
import TensorCore

final class WorldModelStructureTests: XCTestCase {
  /// 2 entities × 3 features + 2 globals, 3 choices per entity, 1 cost.
  func makeModel(entities: Bool, skip: Bool = true, means: Bool = false) -> WorldModel {
    var c = WorldModelConfig()
    c.hidden = 5; c.headHidden = 4; c.skip = skip; c.entityMeans = means
    if entities { c.entities = 2; c.entityFeatures = 3; c.entityHidden = 6 }
    var rng = RNG(seed: 11)
    return WorldModel(obsDim: 8, nvec: [3, 3], costDim: 1, config: c, rng: &rng)
  }

  func testEntityInputLayoutByHand() {
    let m = makeModel(entities: true)
    let sym: [Float] = [1, 2, 3, 4, 5, 6, 7, 8,  -1, -2, -3, -4, -5, -6, -7, -8]
    let x = m.entityInput(sym: sym[...], actions: [2, 0, 1, 1][...], batch: 2)!
    XCTAssertEqual(x.shape, [4, 3 + 3 + 2])
    XCTAssertEqual(x.toArray(), [1, 2, 3, 0, 0, 1, 7, 8,
                                 4, 5, 6, 1, 0, 0, 7, 8,
                                 -1, -2, -3, 0, 1, 0, -7, -8,
                                 -4, -5, -6, 0, 1, 0, -7, -8])
  }

  /// Running episode means: hand-computed folding, reset by the caller, and the [block, mean block, action,
  /// globals] entity rows.
  func testRunningMeansByHand() {
    let m = makeModel(entities: true, means: true)
    XCTAssertEqual(m.meanWidth, 2 * 3 + 1); XCTAssertEqual(m.stateWidth, 5 + 7)
    var means = [Float](repeating: 0, count: 7)
    let o1: [Float] = [1, 2, 3, 4, 5, 6, 9, 9], o2: [Float] = [3, 2, 1, 0, 5, 10, 9, 9]
    m.advanceMeans(&means, sym: o1[...], batch: 1)
    XCTAssertEqual(means, [1, 2, 3, 4, 5, 6, 1])
    m.advanceMeans(&means, sym: o2[...], batch: 1)
    XCTAssertEqual(means, [2, 2, 2, 2, 5, 8, 2])
    let x = m.entityInput(sym: o2[...], actions: [1, 2][...], batch: 1, means: means)!
    XCTAssertEqual(x.shape, [2, 3 + 3 + 3 + 2])
    XCTAssertEqual(x.toArray(), [3, 2, 1, 2, 2, 2, 0, 1, 0, 9, 9,
                                 0, 5, 10, 2, 5, 8, 0, 0, 1, 9, 9])
    XCTAssertEqual(makeModel(entities: true).meanWidth, 0)
  }

  func testPredictMatchesPlainReference() throws {
    let m = makeModel(entities: true)
    var rng = RNG(seed: 2)
    let b = 2, d = 8, o = m.outWidth
    let h = Tensor(shape: [b, 5], (0..<(b * 5)).map { _ in Float(rng.normal()) })
    let x = Tensor(shape: [b, d + 6], (0..<(b * (d + 6))).map { _ in Float(rng.normal()) })
    let sym = (0..<(b * d)).map { _ in Float(rng.normal()) }
    let acts = [1, 2, 0, 1]
    let got = try noGrad { try m.predict(h: h, x: x, entity: m.entityInput(sym: sym[...], actions: acts[...], batch: b)) }.toArray()
    // Reference: the head on [h, x] row by row, plus the entity MLP on hand-built rows.
    let net = m.entityNet!
    for r in 0..<b {
      let hx = Tensor(shape: [1, 5 + d + 6], Array(h.toArray()[(r * 5)..<(r * 5 + 5)]) + Array(x.toArray()[(r * 14)..<(r * 14 + 14)]))
      var want = try noGrad { try m.head(hx) }.toArray()
      for u in 0..<2 {
        var row = Array(sym[(r * d + u * 3)..<(r * d + u * 3 + 3)])
        var oh = [Float](repeating: 0, count: 3); oh[acts[r * 2 + u]] = 1
        row += oh + Array(sym[(r * d + 6)..<(r * d + 8)])
        let delta = try noGrad { try net(Tensor(shape: [1, 8], row)) }.toArray()
        for j in 0..<3 { want[u * 3 + j] += delta[j] }
      }
      for j in 0..<o { XCTAssertEqual(got[r * o + j], want[j], accuracy: 1e-5, "row \(r) col \(j)") }
    }
    // Without entities and skip, the head reads h alone.
    let plain = makeModel(entities: false, skip: false)
    XCTAssertEqual(plain.head.layers[0].weight.shape.contains(5), true)
    XCTAssertEqual(try noGrad { try plain.predict(h: h, x: x) }.toArray(), try noGrad { try plain.head(h) }.toArray())
  }

  func testEntityLayoutValidation() {
    var c = WorldModelConfig()
    c.entities = 2; c.entityFeatures = 5
    XCTAssertThrowsError(try c.validateEntities(obsDim: 8, nvec: [3, 3]))   // 10 dims do not fit 8
    c.entityFeatures = 3
    XCTAssertNoThrow(try c.validateEntities(obsDim: 8, nvec: [3, 3]))
    XCTAssertThrowsError(try c.validateEntities(obsDim: 8, nvec: [3, 3, 3]))   // one head per entity
    XCTAssertThrowsError(try c.validateEntities(obsDim: 8, nvec: [3, 2]))      // equal head sizes
    var w = WMPPOConfig()
    w.model = c; w.model.entities = 4
    XCTAssertThrowsError(try WMExtension(config: w, obsDim: 8, nvec: [3, 3], costDim: 1, seed: 1)) { e in
      XCTAssertTrue("\(e)".contains("entities"), "\(e)")
    }
  }

  func testLegacyConfigDecodesWithoutTheNewPaths() throws {
    let json = #"{"hidden":64,"headHidden":64,"learningRate":0.001,"seqLen":16,"epochs":1,"bufferRollouts":2,"maxGradNorm":10}"#
    let c = try JSONDecoder().decode(WorldModelConfig.self, from: Data(json.utf8))
    XCTAssertFalse(c.skip); XCTAssertEqual(c.entities, 0); XCTAssertEqual(c.weighting, .uniform); XCTAssertFalse(c.entityMeans)
    var n = WorldModelConfig(); n.entities = 3; n.entityFeatures = 2
    XCTAssertEqual(try JSONDecoder().decode(WorldModelConfig.self, from: JSONEncoder().encode(n)), n)
  }
}
