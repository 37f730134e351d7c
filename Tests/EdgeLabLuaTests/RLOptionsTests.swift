import XCTest
@testable import EdgeLabLua
import LuaBridge
import MEC
import RL

/// `rl.ppo{}` / `rl.wmppo{}` decode straight into the Swift configs: the defaults are the Swift ones, the
/// earlier spellings land on the same fields (with a deprecation), nested tables merge over the defaults.
final class RLOptionsTests: XCTestCase {
  func testAnEmptyTableGivesTheSwiftDefaults() throws {
    let (run, ppo) = try RLOptions.decode([:])
    XCTAssertEqual(ppo, PPOConfig())
    XCTAssertEqual(run.seed, 1)
    XCTAssertEqual(run.total_steps, 100_000)
    XCTAssertNil(run.checkpoint_path)
    XCTAssertEqual(try RLOptions.decodeWorldModel(nil), WMPPOConfig())
    XCTAssertEqual(try RLOptions.decodeWorldModel(.table([:])), WMPPOConfig())
  }

  func testKeysAreTheSwiftFieldsInSnakeCase() throws {
    let (_, ppo) = try RLOptions.decode(["learning_rate": .number(1e-3), "num_minibatches": .integer(2),
                                         "loss": .table(["entropy_coef": .number(0)]), "reward_normalization": .string("running"),
                                         "hidden": .array([.integer(32)])])
    var want = PPOConfig()
    want.learningRate = 1e-3; want.numMinibatches = 2; want.loss.entropyCoef = 0; want.rewardNormalization = .running
    want.hidden = [32]
    XCTAssertEqual(ppo, want)   // loss.clip and the other loss fields keep their defaults
    let wm = try RLOptions.decodeWorldModel(.table(["mve_horizon": .integer(5), "model": .table(["hidden": .integer(32)])]))
    var wantWM = WMPPOConfig()
    wantWM.mveHorizon = 5; wantWM.model.hidden = 32
    XCTAssertEqual(wm, wantWM)
  }

  func testEarlierSpellingsLandOnTheSameFieldsWithADeprecation() throws {
    var messages: [String] = []
    let saved = LuaKeyStyle.deprecationHandler
    LuaKeyStyle.deprecationHandler = { messages.append($0) }
    defer { LuaKeyStyle.deprecationHandler = saved }
    let (_, ppo) = try RLOptions.decode(["lr": .number(1e-3), "clip": .number(0.1), "ent_coef": .number(0.02),
                                         "norm_obs": .boolean(false), "epochs": .integer(3)])
    var want = PPOConfig()
    want.learningRate = 1e-3; want.loss.clip = 0.1; want.loss.valueClip = 0.1; want.loss.entropyCoef = 0.02
    want.normalizeObservations = false; want.updateEpochs = 3
    XCTAssertEqual(ppo, want)
    let wm = try RLOptions.decodeWorldModel(.table(["horizon": .integer(4), "hidden": .integer(16), "warmup": .integer(0)]))
    var wantWM = WMPPOConfig()
    wantWM.mveHorizon = 4; wantWM.model.hidden = 16; wantWM.warmupIterations = 0
    XCTAssertEqual(wm, wantWM)
    XCTAssertTrue(messages.contains("option 'clip' is deprecated: use 'loss.clip' and 'loss.value_clip'"), "\(messages)")
    XCTAssertTrue(messages.contains("option 'wm.hidden' is deprecated: use 'wm.model.hidden'"), "\(messages)")
  }

  func testBadOptionsAreNamed() {
    XCTAssertThrowsError(try RLOptions.decode(["lr": .number(1e-3), "learning_rate": .number(1e-3)])) {
      XCTAssertTrue("\($0)".contains("'lr' and 'learning_rate' both given"), "\($0)")
    }
    XCTAssertThrowsError(try RLOptions.decodeWorldModel(.table(["bogus": .integer(1)]))) {
      XCTAssertTrue("\($0)".contains("wm.bogus"), "\($0)")
    }
    XCTAssertThrowsError(try RLOptions.decodeWorldModel(.table(["model": .table(["seq_len": .string("x")])]))) {
      XCTAssertTrue("\($0)".contains("wm.model.seq_len"), "\($0)")
    }
    XCTAssertThrowsError(try RLOptions.decode(["reward_normalization": .string("forever")])) {
      XCTAssertTrue("\($0)".contains("reward_normalization"), "\($0)")
    }
  }

  func testAutomaticEntityLayout() throws {
    var m = WorldModelConfig()
    m.entities = -1
    let scenario = try MECScenario.named("paper")
    XCTAssertEqual(RLOptions.entityLayout(m, .mec(scenario)).entities, scenario.users)
    XCTAssertEqual(RLOptions.entityLayout(m, .mec(scenario)).features, MECEnv.featuresPerUser)
    XCTAssertEqual(RLOptions.entityLayout(m, .cartpole(maxSteps: 500)).entities, 0)
    m.entities = 2; m.entityFeatures = 3
    XCTAssertEqual(RLOptions.entityLayout(m, .cartpole(maxSteps: 500)).features, 3)
  }
}
