// EdgeProfiles: device table, analytic energy model, accessibility, model-card JSON (hand-computed values).
import EdgeProfiles
import Foundation
import XCTest

final class EdgeProfilesTests: XCTestCase {
  // A card and a device with round numbers so every expected value below is computed by hand.
  let card = ModelCard(name: "toy", source: .measured, params: 1e9, storageBytes: 1e9, flopsPerToken: 2e9,
                       kvBytesPerToken: 1e5)
  func device(ram: Double = 2e9, usable: Double = 0.7, share: Double = 0.3) -> DeviceProfile {
    DeviceProfile(name: "dev", deviceClass: .phone, ramBytes: ram, usableFraction: usable,
                  memoryBandwidth: 10e9, peakFLOPS: 1e12, activePowerW: 5, idlePowerW: 0.1,
                  transmitPowerW: 0.2, populationShare: share, source: "test")
  }
  let eta = AnalyticModelConfig(memoryEfficiency: 0.5, computeEfficiency: 0.5)

  func testDecodeAndPrefillRoofline() {
    // decode at context 0: (1e9 + 0)/(0.5·10e9) = 0.2 s (memory) vs 2e9/(0.5·1e12) = 0.004 s (compute)
    XCTAssertEqual(AnalyticModel.decodeSecondsPerToken(card: card, device: device(), context: 0, config: eta), 0.2,
                   accuracy: 1e-12)
    // context 1000: (1e9 + 1e8)/5e9 = 0.22 s
    XCTAssertEqual(AnalyticModel.decodeSecondsPerToken(card: card, device: device(), context: 1000, config: eta),
                   0.22, accuracy: 1e-12)
    // prefill 100 tokens: compute 100·2e9/5e11 = 0.4 s beats memory (1e9 + 1e7)/5e9 = 0.202 s
    XCTAssertEqual(AnalyticModel.prefillSeconds(card: card, device: device(), tokens: 100, config: eta), 0.4,
                   accuracy: 1e-12)
    // prefill 1 token: memory-bound (1e9 + 1e5)/5e9 = 0.20002 s
    XCTAssertEqual(AnalyticModel.prefillSeconds(card: card, device: device(), tokens: 1, config: eta), 0.20002,
                   accuracy: 1e-12)
  }

  func testQueryEnergy() throws {
    // decode Σ_{i<10} (1e9 + 1e5·(100+i))/5e9 = (1.01e10 + 4.5e6)/5e9 = 2.0209 s; prefill 0.4 s; × 5 W
    let c = try AnalyticModel.queryCost(card: card, device: device(), query: QueryShape(promptTokens: 100, outputTokens: 10),
                                        config: eta)
    XCTAssertEqual(c.prefillSeconds, 0.4, accuracy: 1e-12)
    XCTAssertEqual(c.decodeSeconds, 2.0209, accuracy: 1e-9)
    XCTAssertEqual(c.totalJoules, 5 * 2.4209, accuracy: 1e-9)
    XCTAssertThrowsError(try AnalyticModel.queryCost(card: card, device: device(),
                                                     query: QueryShape(promptTokens: 0, outputTokens: 1)))
  }

  func testDecodeRooflineClosedForm() throws {
    // Memory-bound throughout: the same 2.0209 s as the hand sum above.
    let r = DecodeRoofline(card: card, device: device(), config: eta)
    XCTAssertEqual(r.seconds(prompt: 100, output: 10), 2.0209, accuracy: 1e-9)
    XCTAssertEqual(r.seconds(prompt: 100, output: 0), 0)
    // A compute-heavy card crossing from compute- to memory-bound inside the query: memA = 0.2, memB = 2e-4,
    // computeK = 2e11/5e11 = 0.4 ⇒ compute-bound for c < 1000. Against queryCost's token-by-token sum.
    let heavy = ModelCard(name: "heavy", source: .measured, params: 1e9, storageBytes: 1e9, flopsPerToken: 2e11,
                          kvBytesPerToken: 1e6)
    let rh = DecodeRoofline(card: heavy, device: device(), config: eta)
    XCTAssertEqual(rh.computeK, 0.4, accuracy: 1e-15)
    for (n, m) in [(990, 20), (1, 5), (1000, 3), (5, 2000)] {
      let ref = try AnalyticModel.queryCost(card: heavy, device: device(), query: QueryShape(promptTokens: n, outputTokens: m),
                                            config: eta).decodeSeconds
      XCTAssertEqual(rh.seconds(prompt: n, output: m), ref, accuracy: ref * 1e-12, "n=\(n) m=\(m)")
    }
  }

  func testAccessibility() {
    // required = 1e9 + 1e5·1000 + 1e8 = 1.2e9; usable 0.7·2e9 = 1.4e9 fits, 0.5·2e9 = 1e9 does not.
    // decode at ctx 1000 = 1/0.22 = 4.545 tok/s: below 5, above 4.
    let cfg5 = AccessibilityConfig(contextTokens: 1000, runtimeOverheadBytes: 1e8, minDecodeTokensPerSecond: 5)
    let cfg4 = AccessibilityConfig(contextTokens: 1000, runtimeOverheadBytes: 1e8, minDecodeTokensPerSecond: 4)
    let a = AnalyticModel.access(card: card, device: device(), config: cfg5, model: eta)
    XCTAssertEqual(a.requiredBytes, 1.2e9, accuracy: 1)
    XCTAssertTrue(a.fits)
    XCTAssertEqual(a.decodeTokensPerSecond, 1 / 0.22, accuracy: 1e-9)
    XCTAssertFalse(a.accessible)
    XCTAssertTrue(AnalyticModel.access(card: card, device: device(), config: cfg4, model: eta).accessible)
    XCTAssertFalse(AnalyticModel.access(card: card, device: device(usable: 0.5), config: cfg4, model: eta).fits)
    // population: share 0.3 accessible, share 0.5 not → 0.3 / 0.8 = 0.375
    var small = device(usable: 0.5, share: 0.5); small.name = "small"
    XCTAssertEqual(AnalyticModel.populationFraction(card: card, devices: [device(), small], config: cfg4, model: eta),
                   0.375, accuracy: 1e-12)
  }

  func testBuiltInTable() throws {
    for d in DeviceProfile.builtIn { try d.validate() }
    XCTAssertEqual(Set(DeviceProfile.builtIn.map(\.name)).count, DeviceProfile.builtIn.count)
    XCTAssertEqual(DeviceProfile.builtIn.reduce(0) { $0 + $1.populationShare }, 1, accuracy: 1e-9)
    XCTAssertEqual(try DeviceProfile.named("rpi5-8gb").peakFLOPS, 4 * 2.4e9 * 16, accuracy: 1)
    XCTAssertThrowsError(try DeviceProfile.named("nokia-3310")) { e in
      XCTAssertTrue("\(e)".contains("known:"))
    }
    var bad = device(); bad.usableFraction = 1.5
    XCTAssertThrowsError(try bad.validate())
    var o = try DeviceProfile.named("phone-8gb"); o.activePowerW = 9
    let merged = DeviceProfile.merged(DeviceProfile.builtIn, overrides: [o])
    XCTAssertEqual(merged.count, DeviceProfile.builtIn.count)
    XCTAssertEqual(merged.first { $0.name == "phone-8gb" }?.activePowerW, 9)
  }

  func testPaperScaleCards() throws {
    let cards = try ModelCard.paperScale
    for c in cards { try c.validate(); XCTAssertEqual(c.source, .paperScale) }
    XCTAssertEqual(Set(cards.map(\.name)).count, cards.count)
    let f16 = try XCTUnwrap(cards.first { $0.name == "llama-3.1-8b-f16" })
    // 14.96 GiB · 8 / 8.03e9 = 16.005 bpw
    XCTAssertEqual(f16.bitsPerWeight, 14.96 * 1_073_741_824 * 8 / 8.03e9, accuracy: 1e-9)
    XCTAssertEqual(f16.bitsPerWeight, 16.0, accuracy: 0.01)
    XCTAssertEqual(f16.kvBytesPerToken, 131_072)
    XCTAssertEqual(f16.tasks[TaskClass.truthfulness]?.hallucination ?? -1, 0.55, accuracy: 1e-12)
    let mistral = try XCTUnwrap(cards.first { $0.name == "mistral-nemo-12b-f16" })
    XCTAssertEqual(mistral.params / 1e9, 12.25, accuracy: 0.01)
    let q4 = try XCTUnwrap(cards.first { $0.name == "llama-3.1-8b-q4_k_m" })
    XCTAssertEqual(1 - q4.storageBytes / f16.storageBytes, 0.69, accuracy: 0.01)  // "69% smaller"
    // An 8B F16 model does not fit any phone; Q4_K_M fits the 12 GB phone (6 GiB usable).
    let pf = AnalyticModel.populationFraction(card: f16, devices: DeviceProfile.builtIn)
    let pq = AnalyticModel.populationFraction(card: q4, devices: DeviceProfile.builtIn)
    XCTAssertLessThan(pf, pq)
  }

  func testCardJSONRoundTripIsSortedAndStable() throws {
    let cards = try ModelCard.paperScale.prefix(3).map { try $0.withDeviceMetrics() }
    let data = try ModelCard.encodeJSON(cards)
    XCTAssertEqual(try ModelCard.decodeCards(data), cards)
    XCTAssertEqual(try ModelCard.encodeJSON(try ModelCard.decodeCards(data)), data)
    let text = String(decoding: data, as: UTF8.self)
    // sorted keys: "baseModel" precedes "bitsPerWeight" precedes "bytesPerToken"
    let r1 = try XCTUnwrap(text.range(of: "\"bitsPerWeight\"")), r2 = try XCTUnwrap(text.range(of: "\"bytesPerToken\""))
    XCTAssertLessThan(r1.lowerBound, r2.lowerBound)
    XCTAssertThrowsError(try ModelCard.decodeCards(Data("{\"name\": 3}".utf8))) { e in
      XCTAssertTrue("\(e)".contains("cannot decode"))
    }
  }

  /// A measured table for the rule tests: ratios chosen by hand.
  func handTable() -> MeasuredDegradation {
    func change(_ r: Double) -> RelativeChange { RelativeChange(ratio: r, low: r - 0.05, high: r + 0.05, items: 400) }
    return MeasuredDegradation(model: "hand", source: "test", entries: [
      .init(format: "q8_0", variant: "a", bitsPerWeight: 8.5, accuracy: change(1.0), hallucination: change(1.0)),
      .init(format: "q4_k_m", variant: "b", bitsPerWeight: 5.9, accuracy: change(0.98), hallucination: change(1.02)),
      .init(format: "q2_k", variant: "c", bitsPerWeight: 3.4, accuracy: change(0.80), hallucination: change(1.25)),
      .init(format: "ecld", variant: "d", bitsPerWeight: 4.7, accuracy: change(0.95), hallucination: change(0.90)),
    ])
  }

  /// Assumed rule: base − drop (the stated drops); measured rule: base × ratio, hallucination × ratio (clamped).
  func testDegradationRulesDeriveTheCompressedCards() throws {
    let assumed = try ModelCard.paperScale(rule: .assumed)
    let measured = try ModelCard.paperScale(rule: .measured(handTable()))
    func card(_ cards: [ModelCard], _ n: String) throws -> ModelCard { try XCTUnwrap(cards.first { $0.name == n }) }
    // Llama-3.1-8B: MMLU 0.653, TruthfulQA 0.450 → hallucination 0.55.
    let aq2 = try card(assumed, "llama-3.1-8b-q2_k"), mq2 = try card(measured, "llama-3.1-8b-q2_k")
    XCTAssertEqual(aq2.tasks[TaskClass.knowledge]!.accuracy, 0.653 - 0.08, accuracy: 1e-12)
    XCTAssertEqual(aq2.tasks[TaskClass.knowledge]!.hallucination, 0.55 + 0.08, accuracy: 1e-12)
    XCTAssertEqual(mq2.tasks[TaskClass.knowledge]!.accuracy, 0.653 * 0.80, accuracy: 1e-12)
    XCTAssertEqual(mq2.tasks[TaskClass.knowledge]!.hallucination, 0.55 * 1.25, accuracy: 1e-12)
    XCTAssertEqual(mq2.tasks[TaskClass.truthfulness]!.accuracy, 0.450 * 0.80, accuracy: 1e-12)
    XCTAssertTrue(mq2.notes.contains { $0.contains("measured on hand") && $0.contains("× 0.800") })
    // The ECLD point: assumed keeps F16 hallucination; measured scales it.
    let ae = try card(assumed, "llama-3.1-8b-ecld-paper"), me = try card(measured, "llama-3.1-8b-ecld-paper")
    XCTAssertEqual(ae.tasks[TaskClass.commonsense]!.accuracy, 0.818 - 0.01, accuracy: 1e-12)
    XCTAssertEqual(ae.tasks[TaskClass.commonsense]!.hallucination, 0.55, accuracy: 1e-12)
    XCTAssertEqual(me.tasks[TaskClass.commonsense]!.accuracy, 0.818 * 0.95, accuracy: 1e-12)
    XCTAssertEqual(me.tasks[TaskClass.commonsense]!.hallucination, 0.55 * 0.90, accuracy: 1e-12)
    // F16 and the published Minitron card do not depend on the rule; sizes never do.
    for n in ["llama-3.1-8b-f16", "qwen3-8b-f16", "llama-3.1-minitron-4b-width-q4_k_m"] {
      XCTAssertEqual(try card(assumed, n).tasks, try card(measured, n).tasks, n)
    }
    XCTAssertEqual(assumed.map(\.storageBytes), measured.map(\.storageBytes))
    // Clamping: a ratio that would push hallucination past 1 stops at 1.
    var big = handTable(); big.entries[2].hallucination.ratio = 3
    let clamped = try card(try ModelCard.paperScale(rule: .measured(big)), "llama-3.1-8b-q2_k")
    XCTAssertEqual(clamped.tasks[TaskClass.knowledge]!.hallucination, 1)
    for c in measured { try c.validate() }
  }

  func testDegradationTablesRejectBadInputAndRoundTrip() throws {
    var t = handTable(); t.entries[0].format = "q3_k"
    XCTAssertThrowsError(try t.validate()) { XCTAssertTrue("\($0)".contains("'q3_k'") && "\($0)".contains("known:")) }
    t = handTable(); t.entries[1].accuracy.ratio = .nan
    XCTAssertThrowsError(try t.validate()) { XCTAssertTrue("\($0)".contains("q4_k_m")) }
    t = handTable(); t.entries.append(t.entries[0])
    XCTAssertThrowsError(try t.validate()) { XCTAssertTrue("\($0)".contains("twice")) }
    t = handTable(); t.entries.removeLast()
    XCTAssertThrowsError(try ModelCard.paperScale(rule: .measured(t))) { XCTAssertTrue("\($0)".contains("no 'ecld' entry")) }
    XCTAssertThrowsError(try DegradationRule.named("mesured")) { XCTAssertTrue("\($0)".contains("'mesured'")) }
    XCTAssertThrowsError(try DegradationRule.named("/nonexistent/table.json")) { XCTAssertTrue("\($0)".contains("cannot read")) }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("degradation-\(getpid()).json").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try handTable().save(path: path)
    XCTAssertEqual(try DegradationRule.named(path), .measured(handTable()))
    XCTAssertThrowsError(try MeasuredDegradation.decode(Data("{\"model\": 1}".utf8))) { XCTAssertTrue("\($0)".contains("degradation table")) }
    XCTAssertEqual(try DegradationRule.named("assumed"), .assumed)
  }

  /// The shipped table decodes, covers every format, and came from a run of the measurement script.
  func testShippedMeasuredTable() throws {
    let t = try MeasuredDegradation.shipped()
    XCTAssertEqual(Set(t.entries.map(\.format)), Set(MeasuredDegradation.formats))
    XCTAssertTrue(t.source.hasPrefix("experiments/paper/measure_degradation.lua"))
    for e in t.entries {
      XCTAssertLessThanOrEqual(e.accuracy.low, e.accuracy.ratio); XCTAssertGreaterThanOrEqual(e.accuracy.high, e.accuracy.ratio)
      XCTAssertGreaterThanOrEqual(e.accuracy.items, 400); XCTAssertGreaterThanOrEqual(e.hallucination.items, 500)
    }
    for c in try ModelCard.paperScale(rule: .measured(t)) { try c.validate() }
  }
}
