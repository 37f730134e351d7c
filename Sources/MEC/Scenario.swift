// The MEC scenario: every constant of the environment, with its default and where the default comes from.
//
// | field                   | default               | unit      | source / rationale                                   |
// |-------------------------|-----------------------|-----------|------------------------------------------------------|
// | users                   | 10                    | users     | LyDROO and QECO use N = 10 (REFERENCES.md)           |
// | slotSeconds             | 1                     | s         | DESIGN.md (τ = 1 s)                                  |
// | horizon                 | 200                   | slots     | assumption (QECO: 100 slots of 0.1 s; ours are 1 s)  |
// | arrival                 | bernoulli             | —         | DESIGN.md (Bernoulli/Poisson per user per slot)      |
// | arrivalRate             | 0.02                  | q/slot    | assumption: one query per user every ~50 s           |
// | promptTokens            | 64…448 uniform        | tokens    | assumption, mean 256 = QueryShape.standard           |
// | outputTokens            | 32…224 uniform        | tokens    | assumption, mean 128 = QueryShape.standard           |
// | taskClassWeights        | 1/3 each              | —         | assumption (knowledge, commonsense, truthfulness)    |
// | deviceNames             | hosting-capable mix   | —         | built-in table (EdgeProfiles), shares renormalised   |
// | layoutSeed              | 1                     | —         | which device each user holds (fixed per env)         |
// | cardSet                 | paperScale            | —         | DESIGN.md (paper-scale or measured cards)            |
// | cardsPath               | nil                   | path      | measured cards JSON written by the evaluation suite  |
// | paperDegradation        | DegradationRule       | rule      | how compressed paper-scale cards' quality is derived:|
// |                         | .defaultName          |           | assumed, measured or a table path (decision 0713)    |
// | edgeModel               | llama-3.1-8b-f16      | card      | DESIGN.md: the edge runs the full model              |
// | localVariants           | 3                     | variants  | DESIGN.md: choose among local variants (the most     |
// |                         |                       |           | accurate, then faster / less truthful ones)         |
// | edgeDevice              | jetson-agx-orin       | profile   | built-in table (204.8 GB/s, 64 GB): an embedded-GPU  |
// |                         |                       |           | edge box at the cell; with an L4 (300 GB/s) the idle |
// |                         |                       |           | edge is as fast as the best phones and N ≤ 10 poses  |
// |                         |                       |           | no decision (decision 0102)                          |
// | edgeGPUs                | 3                     | GPUs      | assumption: 3 edge boxes (capacity for N ≈ 50 with   |
// |                         |                       |           | part of the load answered locally; decision 0102)    |
// | edgeScheduler           | continuous            | —         | Orca (OSDI'22) / vLLM (SOSP'23) iteration-level      |
// |                         |                       |           | batching, EdgeEngine.swift; slot-batch = original    |
// | maxBatch                | 8                     | streams   | Jetson AGX Thor figures are at batch 8 (REFERENCES)  |
// | batchSlowdown α         | 0.286                 | —         | Thor: 50.8 tok/s at b=1, 135.3 total at b=8 ⇒       |
// |                         |                       |           | per-stream t(8)/t(1)=3.00=1+7α (REFERENCES.md)       |
// | memoryEfficiency        | 0.6                   | —         | EdgeProfiles.AnalyticModelConfig default             |
// | computeEfficiency       | 0.3                   | —         | EdgeProfiles.AnalyticModelConfig default             |
// | bandwidthHz             | 2e6                   | Hz        | LyDROO W = 2 MHz (REFERENCES.md), shared equally     |
// |                         |                       |           | among the users offloading in a slot                 |
// | noisePSDdBmHz           | −174                  | dBm/Hz    | LyDROO N0 (REFERENCES.md)                            |
// | noiseFigureDB           | 0                     | dB        | assumption (LyDROO uses none)                        |
// | pathLoss                | 128.1 + 37.6 log10 d  | dB, d km  | 3GPP TR 36.814 macro (REFERENCES.md)                 |
// | shadowingStdDB          | 8                     | dB        | 3GPP log-normal shadowing (REFERENCES.md)            |
// | rho                     | 0.9                   | —         | Gauss–Markov fading correlation; 0 = i.i.d. control  |
// | minDistanceKm/max       | 0.05 / 0.5            | km        | assumption: users uniform in a 50–500 m annulus      |
// | bsTransmitPowerW        | 10                    | W         | assumption (40 dBm small-cell downlink)              |
// | uplinkBitsPerToken      | 32                    | bit       | assumption: ~4 UTF-8 bytes per token                 |
// | uplinkOverheadBits      | 1e6                   | bit       | assumption: attached context (~125 kB) per query     |
// | downlinkBitsPerToken    | 32                    | bit       | assumption, as uplink                                |
// | outageSNRdB             | −10                   | dB        | assumption: offload masked below this full-band SNR  |
// | deadlineSeconds         | 30                    | s         | assumption: patient interactive answer               |
// | energyBudgetW           | 1.0                   | W         | fallback budget for a class not in energyBudgetsW    |
// | energyBudgetsW          | phone 1.5, sbc 3,     | W         | long-term average LLM-assistant power per device     |
// |                         | embedded-gpu 5,       |           | class: phone 1.5 W ≈ 8% of a 19 Wh battery per hour; |
// |                         | laptop 10             |           | Jetson Orin Nano 5 W = 1/3 of its 15 W mode; laptop  |
// |                         |                       |           | 10 W ≈ 15% of a 70 Wh battery per hour; sbc 3 W      |
// |                         |                       |           | (mains): assumptions, decision 0102                  |
// | energyAccounting        | decision              | —         | DESIGN.md: a decision costs what it adds (local:     |
// |                         |                       |           | active power × compute; offload: transmit × uplink   |
// |                         |                       |           | airtime + receive × downlink airtime); idle-wait =   |
// |                         |                       |           | the original accounting (idle power while waiting)   |
// | receivePowerW           | 0.5                   | W         | assumption: LTE/5G receive chain above idle (Huang   |
// |                         |                       |           | et al., MobiSys 2012: ≈52 mW per Mbit/s downlink)    |
// | carryConstraintState    | true                  | —         | constraints are long-run: virtual queues, multipliers|
// |                         |                       |           | and long-run sums carry over reset(seed: nil)        |
// | minAccuracy A_min       | 0.55                  | —         | assumption (edge model ≈0.64, Q2_K local ≈0.56);     |
// |                         |                       |           | binds through deadline misses (effAcc = 0 late)      |
// | maxHallucination H_max  | 0.56                  | —         | assumption: the edge model and the best variants     |
// |                         |                       |           | (0.55) meet it, Minitron-4B (0.571) and Q2_K (0.63)  |
// |                         |                       |           | do not: a latency-only policy that leans on the fast |
// |                         |                       |           | variants violates it (it binds; decision 0102)       |
// | constraintMode          | lyapunov              | —         | lyapunov | lagrange | none (reward shaping only)     |
// | lyapunovV               | 1                     | —         | drift-plus-penalty weight of the latency penalty     |
// | energyQueueScale ν      | 1                     | —         | LyDROO Y(t+1)=max(Y+ν(e−ēτ)/U,0), U = ēτ/λ (J)     |
// | lagrangeMultipliers     | [1, 1, 1]             | —         | energy, accuracy, hallucination (fixed unless        |
// | lagrangeStep            | 0                     | —         | dual ascent step > 0, λ ← max(0, λ + step·violation) |
//
// The latency penalty of a slot is Σ_queries latency / deadline. All other modelling choices are documented in
// `SlotModel.swift` (latency, energy, batching) and `Channel.swift` (path loss, fading, rate).
import EdgeProfiles
import TensorCore

public enum ArrivalProcess: String, Codable, Sendable { case bernoulli, poisson }
public enum CardSetKind: String, Codable, Sendable { case paperScale = "paper-scale", measured }
public enum ConstraintMode: String, Codable, Sendable { case lyapunov, lagrange, none }
/// What a decision's energy is (SlotModel.swift): `decision` charges what the decision adds; `idle-wait` (the
/// original accounting) also charges the device's idle power while it waits for an offloaded answer.
public enum EnergyAccounting: String, Codable, Sendable { case decision, idleWait = "idle-wait" }

public enum MECError: Error, CustomStringConvertible, Equatable {
  case invalidScenario(String)
  case unknownDevice(String)
  case unknownModel(String)
  case unknownScenario(String)
  case invalidPolicy(String)
  case invalidSnapshot(String)

  public var description: String {
    switch self {
    case .invalidScenario(let m): return "invalid MEC scenario: \(m)"
    case .unknownDevice(let m): return "unknown device \(m)"
    case .unknownModel(let m): return "unknown model card \(m)"
    case .unknownScenario(let m): return "unknown MEC scenario \(m)"
    case .invalidPolicy(let m): return "invalid policy: \(m)"
    case .invalidSnapshot(let m): return "invalid MEC snapshot: \(m)"
    }
  }
}

public struct MECScenario: Codable, Sendable, Equatable {
  public var name = "paper"
  public var users = 10
  public var slotSeconds = 1.0
  public var horizon = 200
  public var arrival = ArrivalProcess.bernoulli
  public var arrivalRate = 0.02
  public var promptTokensMin = 64
  public var promptTokensMax = 448
  public var outputTokensMin = 32
  public var outputTokensMax = 224
  public var taskClasses = TaskClass.all
  public var taskClassWeights = [1.0, 1.0, 1.0]
  public var deviceNames = ["phone-8gb", "phone-12gb", "phone-16gb", "jetson-orin-nano", "laptop-16gb"]
  public var layoutSeed: UInt64 = 1
  public var cardSet = CardSetKind.paperScale
  public var cardsPath: String? = nil
  public var paperDegradation = DegradationRule.defaultName
  public var edgeModel = "llama-3.1-8b-f16"
  public var localVariants = 3
  public var edgeDevice = "jetson-agx-orin"
  public var edgeGPUs = 3
  public var maxBatch = 8
  public var batchSlowdown = 0.286
  public var memoryEfficiency = 0.6
  public var computeEfficiency = 0.3
  public var bandwidthHz = 2e6
  public var noisePSDdBmHz = -174.0
  public var noiseFigureDB = 0.0
  public var pathLossIntercept = 128.1
  public var pathLossSlope = 37.6
  public var shadowingStdDB = 8.0
  public var rho = 0.9
  public var minDistanceKm = 0.05
  public var maxDistanceKm = 0.5
  public var bsTransmitPowerW = 10.0
  public var uplinkBitsPerToken = 32.0
  public var uplinkOverheadBits = 1e6
  public var downlinkBitsPerToken = 32.0
  public var outageSNRdB = -10.0
  public var deadlineSeconds = 30.0
  public var energyBudgetW = 1.0
  public var energyBudgetsW: [String: Double] = ["phone": 1.5, "sbc": 3, "embedded-gpu": 5, "laptop": 10]
  public var energyAccounting = EnergyAccounting.decision
  public var receivePowerW = 0.5
  public var edgeScheduler = EdgeScheduler.continuous
  public var carryConstraintState = true
  public var minAccuracy = 0.55
  public var maxHallucination = 0.56
  public var constraintMode = ConstraintMode.lyapunov
  public var lyapunovV = 1.0
  public var energyQueueScale = 1.0
  public var lagrangeMultipliers = [1.0, 1.0, 1.0]
  public var lagrangeStep = 0.0

  public init() {}

  /// The long-term energy budget (W) of a device class: `energyBudgetsW[class]`, else `energyBudgetW`.
  public func energyBudgetW(for c: DeviceClass) -> Double { energyBudgetsW[c.rawValue] ?? energyBudgetW }

  /// Names `named(_:)` accepts.
  public static let builtInNames = ["paper", "paper-iid", "paper-legacy"]

  /// A built-in scenario by name ("paper"; "paper-iid" = paper with ρ = 0; "paper-legacy" = the scenario
  /// before decision 0102: 4×L4 edge, one local variant, one 1 W budget, idle-wait energy, slot batches,
  /// H_max 0.60, per-episode constraint state — kept to show what changed).
  public static func named(_ name: String) throws -> MECScenario {
    var s = MECScenario()
    switch name {
    case "paper": break
    case "paper-iid": s.name = "paper-iid"; s.rho = 0
    case "paper-legacy":
      s.name = "paper-legacy"; s.edgeDevice = "edge-gpu-l4"; s.edgeGPUs = 4; s.localVariants = 1
      s.energyBudgetsW = [:]; s.energyBudgetW = 1; s.energyAccounting = .idleWait; s.edgeScheduler = .slotBatch
      s.maxHallucination = 0.60; s.carryConstraintState = false
    default: throw MECError.unknownScenario("'\(name)' (known: \(builtInNames.joined(separator: ", ")))")
    }
    return s
  }

  /// Throws a clear error naming the first invalid field.
  /// Upper bounds on every size (docs/decisions/0500-limits-and-cancellation.md): far above any study, low
  /// enough that per-user arrays, per-slot queries and episode loops stay within memory and finish.
  func checkLimits() throws {
    try Limits.size(users, max: 100_000, name: "users", min: 1)
    try Limits.size(horizon, max: 10_000_000, name: "horizon", min: 1)
    try Limits.size(promptTokensMax, max: 1 << 20, name: "prompt_tokens_max")
    try Limits.size(outputTokensMax, max: 1 << 20, name: "output_tokens_max")
    try Limits.size(localVariants, max: 64, name: "local_variants", min: 1)
    try Limits.size(edgeGPUs, max: 1 << 16, name: "edge_gpus", min: 1)
    try Limits.size(maxBatch, max: 1 << 16, name: "max_batch", min: 1)
    try Limits.size(taskClassWeights.count, max: 1024, name: "task_class_weights")
    try Limits.size(deviceNames.count, max: 1 << 16, name: "device_names")
    try Limits.real(arrivalRate, name: "arrival_rate", min: 0, max: 1000)
    try Limits.real(slotSeconds, name: "slot_seconds", min: 0, max: 1e6)
    // Per-user state, observation features and per-slot queries (a few dozen doubles each).
    try Limits.allocation([users, 64 + localVariants * 8], bytesPerElement: 8, what: "MEC per-user state (users)")
  }

  public func validate() throws {
    func bad(_ m: String) -> MECError { .invalidScenario(m) }
    func pos(_ v: Double, _ f: String) throws { if !(v > 0 && v.isFinite) { throw bad("\(f) must be > 0 (got \(v))") } }
    func nonneg(_ v: Double, _ f: String) throws { if !(v >= 0 && v.isFinite) { throw bad("\(f) must be >= 0 (got \(v))") } }
    func frac(_ v: Double, _ f: String) throws { if !(v >= 0 && v <= 1) { throw bad("\(f) must be in [0, 1] (got \(v))") } }
    if users < 1 { throw bad("users must be >= 1 (got \(users))") }
    if horizon < 1 { throw bad("horizon must be >= 1 (got \(horizon))") }
    try checkLimits()
    try pos(slotSeconds, "slotSeconds")
    try nonneg(arrivalRate, "arrivalRate")
    if arrival == .bernoulli { try frac(arrivalRate, "arrivalRate (Bernoulli probability)") }
    if promptTokensMin < 1 || promptTokensMax < promptTokensMin {
      throw bad("promptTokens range must satisfy 1 <= min <= max (got \(promptTokensMin)…\(promptTokensMax))")
    }
    if outputTokensMin < 1 || outputTokensMax < outputTokensMin {
      throw bad("outputTokens range must satisfy 1 <= min <= max (got \(outputTokensMin)…\(outputTokensMax))")
    }
    if taskClasses.isEmpty || taskClasses.count != taskClassWeights.count {
      throw bad("taskClasses (\(taskClasses.count)) and taskClassWeights (\(taskClassWeights.count)) must be non-empty and of equal length")
    }
    if taskClassWeights.contains(where: { !($0 >= 0 && $0.isFinite) }) || !(taskClassWeights.reduce(0, +) > 0) {
      throw bad("taskClassWeights must be >= 0 with a positive sum")
    }
    if deviceNames.isEmpty { throw bad("deviceNames must not be empty") }
    if localVariants < 1 { throw bad("localVariants must be >= 1 (got \(localVariants))") }
    if edgeGPUs < 1 { throw bad("edgeGPUs must be >= 1 (got \(edgeGPUs))") }
    if maxBatch < 1 { throw bad("maxBatch must be >= 1 (got \(maxBatch))") }
    try nonneg(batchSlowdown, "batchSlowdown")
    if !(memoryEfficiency > 0 && memoryEfficiency <= 1) { throw bad("memoryEfficiency must be in (0, 1]") }
    if !(computeEfficiency > 0 && computeEfficiency <= 1) { throw bad("computeEfficiency must be in (0, 1]") }
    try pos(bandwidthHz, "bandwidthHz")
    if !noisePSDdBmHz.isFinite { throw bad("noisePSDdBmHz must be finite") }
    try nonneg(noiseFigureDB, "noiseFigureDB")
    try pos(pathLossSlope, "pathLossSlope")
    if !pathLossIntercept.isFinite { throw bad("pathLossIntercept must be finite") }
    try nonneg(shadowingStdDB, "shadowingStdDB")
    if !(rho >= 0 && rho <= 1) { throw bad("rho must be in [0, 1] (got \(rho))") }
    try pos(minDistanceKm, "minDistanceKm")
    if !(maxDistanceKm >= minDistanceKm && maxDistanceKm.isFinite) {
      throw bad("maxDistanceKm must be >= minDistanceKm (got \(maxDistanceKm) < \(minDistanceKm))")
    }
    try pos(bsTransmitPowerW, "bsTransmitPowerW")
    try nonneg(uplinkBitsPerToken, "uplinkBitsPerToken")
    try nonneg(uplinkOverheadBits, "uplinkOverheadBits")
    try nonneg(downlinkBitsPerToken, "downlinkBitsPerToken")
    if !outageSNRdB.isFinite { throw bad("outageSNRdB must be finite") }
    try pos(deadlineSeconds, "deadlineSeconds")
    try pos(energyBudgetW, "energyBudgetW")
    for (k, v) in energyBudgetsW.sorted(by: { $0.key < $1.key }) {
      guard DeviceClass(rawValue: k) != nil else {
        throw bad("energyBudgetsW key '\(k)' is not a device class (known: \(DeviceClass.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      try pos(v, "energyBudgetsW['\(k)']")
    }
    try nonneg(receivePowerW, "receivePowerW")
    try frac(minAccuracy, "minAccuracy")
    try frac(maxHallucination, "maxHallucination")
    try nonneg(lyapunovV, "lyapunovV")
    try pos(energyQueueScale, "energyQueueScale")
    if lagrangeMultipliers.count != 3 || lagrangeMultipliers.contains(where: { !($0 >= 0 && $0.isFinite) }) {
      throw bad("lagrangeMultipliers must be 3 values >= 0 (energy, accuracy, hallucination)")
    }
    try nonneg(lagrangeStep, "lagrangeStep")
    if cardSet == .measured && cardsPath == nil {
      throw bad("cardSet 'measured' needs cardsPath (a model card JSON file from the evaluation suite)")
    }
  }
}
