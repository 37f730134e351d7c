// Exact snapshot / restore / clone of an MEC env.
//
// The env's state is (scenario, layout) — immutable, shared — plus everything `reset` and `step` mutate:
// slot clock and episode flag, pending queries, channel state (distances, shadowing, large-scale gain, the
// complex small-scale fading h, the gain), device and edge-GPU backlogs, the edge's running batches, the
// virtual queues and Lagrange multipliers, the long-run constraint accumulators, the token ledger, the last
// slot's outcome, and the three RNG streams (episode seeds, arrivals, channel innovations). A `Snapshot` is a
// value copy of all of it, so
//     let s = env.snapshot(); (step k times); env.restore(s); (step the same k actions)
// replays bit-identical observations, rewards and infos, and `clone()` is an independent env in the same
// state (same scenario and layout, no layout recomputation). Typical uses: look-ahead / MPC baselines that
// roll the true simulator forward from the current slot, and a "perfect world model" ablation for
// model-based RL (imagine with `clone()`, or `snapshot()` → rollout → `restore(_:)` on one env).
// `MECSnapshotTests.testSnapshotCoversEveryStoredProperty` fails when a new stored property is neither here
// nor listed as immutable/scratch, so the snapshot cannot silently go stale.
import EnvKit
import TensorCore

extension MECEnv {
  /// The whole mutable state of an env (a value; cheap to keep many).
  public struct Snapshot: Sendable, Equatable {
    /// Scenario the state belongs to (restore checks it).
    public let scenario: MECScenario
    /// Slot index within the episode at the time of the snapshot.
    public var slot: Int { state.slot }
    var state: State
  }

  /// The mutable state proper (field-for-field the env's `var`s).
  struct State: Sendable, Equatable {
    var slot: Int, over: Bool
    var queries: [MECQuery], firstQuery: [Int], queryCount: [Int]
    var distanceKm: [Double], shadowDB: [Double], largeScale: [Double], hRe: [Double], hIm: [Double], gain: [Double]
    var deviceFreeAt: [Double], gpuFreeAt: [Double]
    var energyQueue: [Double], accuracyQueue: Double, hallucinationQueue: Double, multipliers: [Double]
    var lastOutcome: SlotOutcome, lastQueries: [MECQuery]
    var ledger: TokenLedger
    var engines: [EdgeGPUState], inFlight: [Int: EdgeJob], nextRequestId: Int
    var lastSettled: [MECSettled], longRun: MECLongRun
    var episodeRng: RNG, arrivalRng: RNG, channelRng: RNG
  }

  /// A value copy of the env's whole mutable state.
  public func snapshot() -> Snapshot {
    Snapshot(scenario: scenario, state: State(
      slot: slot, over: over, queries: queries, firstQuery: firstQuery, queryCount: queryCount,
      distanceKm: distanceKm, shadowDB: shadowDB, largeScale: largeScale, hRe: hRe, hIm: hIm, gain: gain,
      deviceFreeAt: deviceFreeAt, gpuFreeAt: gpuFreeAt, energyQueue: energyQueue, accuracyQueue: accuracyQueue,
      hallucinationQueue: hallucinationQueue, multipliers: multipliers, lastOutcome: lastOutcome,
      lastQueries: lastQueries, ledger: ledger, engines: engines, inFlight: inFlight, nextRequestId: nextRequestId,
      lastSettled: lastSettled, longRun: longRun, episodeRng: episodeRng, arrivalRng: arrivalRng,
      channelRng: channelRng))
  }

  /// Puts the env back into the state of `snapshot` (taken from this env or from one with an equal scenario).
  public func restore(_ snapshot: Snapshot) throws {
    guard snapshot.scenario == scenario else {
      throw MECError.invalidSnapshot("snapshot of scenario '\(snapshot.scenario.name)' (\(snapshot.scenario.users) users) does not belong to this env ('\(scenario.name)', \(scenario.users) users, or another field differs)")
    }
    let s = snapshot.state
    slot = s.slot; over = s.over
    queries = s.queries; firstQuery = s.firstQuery; queryCount = s.queryCount
    distanceKm = s.distanceKm; shadowDB = s.shadowDB; largeScale = s.largeScale; hRe = s.hRe; hIm = s.hIm
    gain = s.gain; deviceFreeAt = s.deviceFreeAt; gpuFreeAt = s.gpuFreeAt
    energyQueue = s.energyQueue; accuracyQueue = s.accuracyQueue; hallucinationQueue = s.hallucinationQueue
    multipliers = s.multipliers; lastOutcome = s.lastOutcome; lastQueries = s.lastQueries
    ledger = s.ledger; engines = s.engines; inFlight = s.inFlight; nextRequestId = s.nextRequestId
    lastSettled = s.lastSettled; longRun = s.longRun; episodeRng = s.episodeRng; arrivalRng = s.arrivalRng; channelRng = s.channelRng
  }

  /// An independent env in exactly this env's state (shares the immutable scenario and layout).
  public func clone() -> MECEnv {
    let c = MECEnv(scenario: scenario, layout: layout)
    try! c.restore(snapshot())  // same scenario by construction
    return c
  }
}
