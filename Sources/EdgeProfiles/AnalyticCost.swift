// The analytic latency / energy model of one query on one device, and the accessibility check.
//
// Roofline per phase (t = max(memory time, compute time)):
//   prefill of n prompt tokens (batched, weights read once):
//       t_pre = max( n·F / (η_c·P),  (W + kv·n) / (η_m·B) )          — compute-bound for any real prompt
//   decode of token i (i = 0..<m) at context c_i = n + i:
//       t_i   = max( (W + kv·c_i) / (η_m·B),  F / (η_c·P) )           — memory-bound on every device here
//   energy = active power × (t_pre + Σ t_i)
// with F = FLOPs/token, W = weight bytes read per token, kv = KV bytes per token of context, B = memory
// bandwidth, P = peak FLOP/s, η = achieved fractions of peak.
//
// Accessibility of a card on a device (the "accessibility" ECLD metric):
//   fits       ⇔ storage bytes + kv·context + runtime overhead ≤ usable RAM
//   fastEnough ⇔ 1 / t_decode(context) ≥ usability threshold (tokens/s)
//   accessible ⇔ fits ∧ fastEnough;  population fraction = Σ share(accessible) / Σ share(all user devices).

/// Efficiencies of the analytic model (stated assumptions, overridable).
public struct AnalyticModelConfig: Codable, Sendable, Equatable {
  /// Achieved fraction of peak memory bandwidth during decode. Assumption 0.6: llama.cpp-class runtimes
  /// reach roughly half to three quarters of STREAM-like peak on CPUs and SoCs.
  public var memoryEfficiency: Double = 0.6
  /// Achieved fraction of peak compute during prefill. Assumption 0.3 (GEMM on short prompts with
  /// dequantization overheads rarely exceeds a third of the datasheet peak on edge devices).
  public var computeEfficiency: Double = 0.3
  public init(memoryEfficiency: Double = 0.6, computeEfficiency: Double = 0.3) {
    self.memoryEfficiency = memoryEfficiency; self.computeEfficiency = computeEfficiency
  }
  public func validate() throws {
    if !(memoryEfficiency > 0 && memoryEfficiency <= 1) || !(computeEfficiency > 0 && computeEfficiency <= 1) {
      throw EdgeProfilesError.invalidQuery("efficiencies must be in (0, 1] (got memory \(memoryEfficiency), compute \(computeEfficiency))")
    }
  }
}

/// Thresholds of the accessibility check (stated assumptions, overridable).
public struct AccessibilityConfig: Codable, Sendable, Equatable {
  /// Context the KV cache must hold (tokens). Assumption: 2048, enough for a prompt with retrieved context.
  public var contextTokens: Int = 2048
  /// Runtime overhead beyond weights and KV cache (compute buffers, tokenizer, app): assumption 512 MiB.
  public var runtimeOverheadBytes: Double = 512 * 1_048_576
  /// Minimum decode speed for interactive use: assumption 5 tokens/s (about reading speed).
  public var minDecodeTokensPerSecond: Double = 5
  public init(contextTokens: Int = 2048, runtimeOverheadBytes: Double = 512 * 1_048_576,
              minDecodeTokensPerSecond: Double = 5) {
    self.contextTokens = contextTokens; self.runtimeOverheadBytes = runtimeOverheadBytes
    self.minDecodeTokensPerSecond = minDecodeTokensPerSecond
  }
}

/// Latency and energy of one query on one device.
public struct QueryCost: Codable, Sendable, Equatable {
  public var prefillSeconds: Double
  public var decodeSeconds: Double
  public var prefillJoules: Double
  public var decodeJoules: Double
  public var totalSeconds: Double { prefillSeconds + decodeSeconds }
  public var totalJoules: Double { prefillJoules + decodeJoules }
}

/// Accessibility of one card on one device.
public struct DeviceAccess: Codable, Sendable, Equatable {
  public var device: String
  public var requiredBytes: Double
  public var usableBytes: Double
  public var fits: Bool
  public var decodeTokensPerSecond: Double
  public var fastEnough: Bool
  public var accessible: Bool { fits && fastEnough }
  public var populationShare: Double
}

/// The decode roofline of one model on one device as coefficients:
/// t(c) = max(memA + memB·c, computeK) seconds per token at c tokens of context, with memA = W/(η_m·B),
/// memB = kv/(η_m·B), computeK = F/(η_c·P). `c` may be fractional (a batch's mean context).
public struct DecodeRoofline: Sendable, Equatable {
  public let memA: Double, memB: Double, computeK: Double

  public init(card: ModelCard, device: DeviceProfile, config: AnalyticModelConfig = .init()) {
    let bw = config.memoryEfficiency * device.memoryBandwidth
    memA = card.bytesPerToken / bw
    memB = card.kvBytesPerToken / bw
    computeK = card.flopsPerToken / (config.computeEfficiency * device.peakFLOPS)
  }

  @inline(__always)
  public func secondsPerToken(context: Double) -> Double { max(memA + memB * context, computeK) }

  /// Σ_{c=n}^{n+m-1} t(c) in closed form (what `AnalyticModel.queryCost` sums token by token).
  public func seconds(prompt n: Int, output m: Int) -> Double {
    if m <= 0 { return 0 }
    if memB <= 0 { return Double(m) * max(memA, computeK) }
    // First context at which memory time reaches compute time.
    let cStar = ((computeK - memA) / memB).rounded(.up)
    let j = Double(min(max(Int(max(min(cStar, 1e15), -1e15)) - n, 0), m))  // tokens in the compute-bound regime
    let md = Double(m), nd = Double(n)
    let first = nd + j, last = nd + md - 1
    return j * computeK + (md - j) * memA + memB * (first + last) * (md - j) / 2
  }
}

public enum AnalyticModel {
  /// Seconds to prefill `tokens` prompt tokens.
  public static func prefillSeconds(card: ModelCard, device: DeviceProfile, tokens: Int,
                                    config: AnalyticModelConfig = .init()) -> Double {
    let n = Double(tokens)
    let compute = n * card.flopsPerToken / (config.computeEfficiency * device.peakFLOPS)
    let memory = (card.bytesPerToken + card.kvBytesPerToken * n) / (config.memoryEfficiency * device.memoryBandwidth)
    return max(compute, memory)
  }

  /// Seconds to decode one token with `context` tokens already in the KV cache.
  public static func decodeSecondsPerToken(card: ModelCard, device: DeviceProfile, context: Int,
                                           config: AnalyticModelConfig = .init()) -> Double {
    DecodeRoofline(card: card, device: device, config: config).secondsPerToken(context: Double(context))
  }

  /// Latency and energy of `query` on `device` (active power × time).
  public static func queryCost(card: ModelCard, device: DeviceProfile, query: QueryShape,
                               config: AnalyticModelConfig = .init()) throws -> QueryCost {
    try query.validate(); try config.validate(); try card.validate(); try device.validate()
    let tp = prefillSeconds(card: card, device: device, tokens: query.promptTokens, config: config)
    var td = 0.0
    for i in 0..<query.outputTokens {
      td += decodeSecondsPerToken(card: card, device: device, context: query.promptTokens + i, config: config)
    }
    return QueryCost(prefillSeconds: tp, decodeSeconds: td,
                     prefillJoules: tp * device.activePowerW, decodeJoules: td * device.activePowerW)
  }

  /// Whether `card` can be hosted on `device`.
  public static func access(card: ModelCard, device: DeviceProfile, config: AccessibilityConfig = .init(),
                            model: AnalyticModelConfig = .init()) -> DeviceAccess {
    let required = card.storageBytes + card.kvBytesPerToken * Double(config.contextTokens)
      + config.runtimeOverheadBytes
    let tps = 1 / decodeSecondsPerToken(card: card, device: device, context: config.contextTokens, config: model)
    return DeviceAccess(device: device.name, requiredBytes: required, usableBytes: device.usableBytes,
                        fits: required <= device.usableBytes, decodeTokensPerSecond: tps,
                        fastEnough: tps >= config.minDecodeTokensPerSecond,
                        populationShare: device.populationShare)
  }

  /// Fraction of the user population (by `populationShare`) whose device can host `card`.
  public static func populationFraction(card: ModelCard, devices: [DeviceProfile],
                                        config: AccessibilityConfig = .init(),
                                        model: AnalyticModelConfig = .init()) -> Double {
    let total = devices.reduce(0) { $0 + $1.populationShare }
    guard total > 0 else { return 0 }
    let ok = devices.filter { access(card: card, device: $0, config: config, model: model).accessible }
      .reduce(0) { $0 + $1.populationShare }
    return ok / total
  }
}

extension ModelCard {
  /// This card with `devices`, `query` and `contextTokens` filled in from the analytic model.
  public func withDeviceMetrics(_ profiles: [DeviceProfile] = DeviceProfile.builtIn,
                                query: QueryShape = .standard, access: AccessibilityConfig = .init(),
                                model: AnalyticModelConfig = .init()) throws -> ModelCard {
    var c = self
    var out: [String: DeviceMetrics] = [:]
    for d in profiles {
      let cost = try AnalyticModel.queryCost(card: self, device: d, query: query, config: model)
      let a = AnalyticModel.access(card: self, device: d, config: access, model: model)
      out[d.name] = DeviceMetrics(fits: a.fits, decodeTokensPerSecond: a.decodeTokensPerSecond,
                                  accessible: a.accessible, latencySeconds: cost.totalSeconds,
                                  energyJoules: cost.totalJoules)
    }
    c.devices = out; c.query = query; c.contextTokens = access.contextTokens
    return c
  }
}

/// Cost and accessibility of one query of one card on one device, from the analytic model (what Lua's
/// `eval.device_cost` returns).
public struct DeviceCost: Codable, Sendable, Equatable {
  public var joules: Double
  public var seconds: Double
  public var prefillSeconds: Double
  public var decodeSeconds: Double
  public var requiredBytes: Double
  public var usableBytes: Double
  public var fits: Bool
  public var decodeTokensPerSecond: Double
  public var accessible: Bool
}

/// The options of `AnalyticModel.deviceCost`: query shape, accessibility rule and roofline efficiencies, each
/// defaulting to the values the cards are built with.
public struct DeviceCostOptions: Codable, Sendable, Equatable {
  public var query = QueryShape.standard
  public var accessibility = AccessibilityConfig()
  public var analytic = AnalyticModelConfig()
  public init() {}
}

extension AnalyticModel {
  public static func deviceCost(card: ModelCard, device: DeviceProfile,
                                options: DeviceCostOptions = .init()) throws -> DeviceCost {
    let cost = try queryCost(card: card, device: device, query: options.query, config: options.analytic)
    let a = access(card: card, device: device, config: options.accessibility, model: options.analytic)
    return DeviceCost(joules: cost.totalJoules, seconds: cost.totalSeconds, prefillSeconds: cost.prefillSeconds,
                      decodeSeconds: cost.decodeSeconds, requiredBytes: a.requiredBytes, usableBytes: a.usableBytes,
                      fits: a.fits, decodeTokensPerSecond: a.decodeTokensPerSecond, accessible: a.accessible)
  }
}
