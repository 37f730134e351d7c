// Resolution of a scenario into static per-user data: which device each user holds, which compact model
// variants it hosts, and the edge model — all from EdgeProfiles (device table + model cards).
//
// - Devices: user u holds deviceNames[k] with probability ∝ the profile's populationShare (uniform if all
//   shares are 0), drawn once from `layoutSeed` (the deployment is fixed for the env's lifetime).
// - Hosted variants: among the local candidates (cards derived from the edge model: `baseModel == edgeModel`,
//   or every card except the edge model when none is), those *accessible* on the device
//   (EdgeProfiles.AnalyticModel.access: fits in usable RAM with a 2048-token KV cache and decodes ≥ 5 tok/s),
//   ranked by mean accuracy over the scenario's task classes (weighted); the best `localVariants` are hosted.
//   A user whose device can host none has only the offload choice.
// - Quality per (model, class): the card's `tasks[class]`; a card without that class uses the mean of its
//   tasks (measured cards are keyed by benchmark); a card without any task is an error.
import Foundation
import EdgeProfiles
import TensorCore

/// Quality and cost coefficients of one model on one device.
public struct HostedModel: Sendable {
  public let card: ModelCard
  /// Accuracy and hallucination per scenario task class (index = class index).
  public let accuracy: [Double]
  public let hallucination: [Double]
  /// Decode roofline (EdgeProfiles): seconds/token at context c = max(memA + memB·c, computeK).
  public let roofline: DecodeRoofline
  let device: DeviceProfile
  let config: AnalyticModelConfig

  init(card: ModelCard, device: DeviceProfile, classes: [String], config: AnalyticModelConfig) throws {
    self.card = card
    self.device = device
    self.config = config
    guard !card.tasks.isEmpty else { throw MECError.unknownModel("'\(card.name)' has no task metrics") }
    let meanAcc = card.tasks.values.map(\.accuracy).reduce(0, +) / Double(card.tasks.count)
    let meanHal = card.tasks.values.map(\.hallucination).reduce(0, +) / Double(card.tasks.count)
    accuracy = classes.map { card.tasks[$0]?.accuracy ?? meanAcc }
    hallucination = classes.map { card.tasks[$0]?.hallucination ?? meanHal }
    roofline = DecodeRoofline(card: card, device: device, config: config)
  }

  /// Prefill seconds for `tokens` prompt tokens (EdgeProfiles roofline).
  @inline(__always)
  public func prefillSeconds(_ tokens: Int) -> Double {
    AnalyticModel.prefillSeconds(card: card, device: device, tokens: tokens, config: config)
  }

  /// Decode seconds per token at `context` tokens of KV cache (EdgeProfiles roofline).
  @inline(__always)
  public func decodeSecondsPerToken(context: Double) -> Double { roofline.secondsPerToken(context: context) }

  /// Decode seconds of `m` tokens after an `n`-token prompt (EdgeProfiles' closed-form sum).
  public func decodeSeconds(prompt n: Int, output m: Int) -> Double { roofline.seconds(prompt: n, output: m) }

  /// Local service time (prefill + decode) of one query.
  @inline(__always)
  public func serviceSeconds(prompt: Int, output: Int) -> Double {
    prefillSeconds(prompt) + decodeSeconds(prompt: prompt, output: output)
  }
}

/// One user's static data.
public struct MECUser: Sendable {
  public let device: DeviceProfile
  /// Hosted local variants, best first (may be empty).
  public let variants: [HostedModel]
}

/// The resolved, static part of a scenario.
public struct MECLayout: Sendable {
  public let users: [MECUser]
  public let edge: HostedModel
  public let cards: [ModelCard]

  public init(_ s: MECScenario) throws {
    try s.validate()
    let cfg = AnalyticModelConfig(memoryEfficiency: s.memoryEfficiency, computeEfficiency: s.computeEfficiency)
    // Cards.
    let cards: [ModelCard]
    switch s.cardSet {
    case .paperScale:
      do { cards = try ModelCard.paperScale(rule: DegradationRule.named(s.paperDegradation)) } catch {
        throw MECError.invalidScenario("paperDegradation: \(error)")
      }
    case .measured:
      do { cards = try ModelCard.load(path: s.cardsPath!) } catch { throw MECError.invalidScenario("cardsPath: \(error)") }
    }
    guard let edgeCard = cards.first(where: { $0.name == s.edgeModel }) else {
      throw MECError.unknownModel("'\(s.edgeModel)' for edgeModel (known: \(cards.map(\.name).joined(separator: ", ")))")
    }
    // Devices.
    let profiles: [DeviceProfile]
    do { profiles = try s.deviceNames.map { try DeviceProfile.named($0) } } catch {
      throw MECError.unknownDevice("in deviceNames: \(error)")
    }
    let edgeDev: DeviceProfile
    do { edgeDev = try DeviceProfile.named(s.edgeDevice) } catch { throw MECError.unknownDevice("for edgeDevice: \(error)") }
    let edgeAccess = AnalyticModel.access(card: edgeCard, device: edgeDev, model: cfg)
    guard edgeAccess.fits else {
      throw MECError.invalidScenario("edge model '\(edgeCard.name)' does not fit on '\(edgeDev.name)'")
    }
    edge = try HostedModel(card: edgeCard, device: edgeDev, classes: s.taskClasses, config: cfg)
    // Local candidates.
    var candidates = cards.filter { $0.baseModel == edgeCard.name }
    if candidates.isEmpty { candidates = cards.filter { $0.name != edgeCard.name } }
    let w = s.taskClassWeights, wsum = w.reduce(0, +)
    func score(_ h: HostedModel) -> Double { zip(h.accuracy, w).map { $0 * $1 }.reduce(0, +) / wsum }
    var hostedByDevice: [String: [HostedModel]] = [:]
    for p in profiles where hostedByDevice[p.name] == nil {
      var hs: [HostedModel] = []
      for c in candidates where AnalyticModel.access(card: c, device: p, model: cfg).accessible {
        hs.append(try HostedModel(card: c, device: p, classes: s.taskClasses, config: cfg))
      }
      hs.sort { (score($0), $1.card.name) > (score($1), $0.card.name) }
      hostedByDevice[p.name] = Array(hs.prefix(s.localVariants))
    }
    // Assignment of devices to users.
    var rng = RNG(seed: s.layoutSeed).split("devices")
    let shares = profiles.map(\.populationShare)
    let weights = shares.reduce(0, +) > 0 ? shares : [Double](repeating: 1, count: profiles.count)
    users = (0..<s.users).map { _ in
      let p = profiles[rng.categorical(weights)]
      return MECUser(device: p, variants: hostedByDevice[p.name]!)
    }
    self.cards = cards
  }
}
