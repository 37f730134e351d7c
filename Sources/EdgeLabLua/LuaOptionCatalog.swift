import Compression
import EdgeProfiles
import Evaluation
import LuaBridge
import MEC
import RL

/// Every options table a binding decodes, next to the LuaCATS stub class that documents it. The stub
/// consistency test (`StubConsistencyTests`) walks this list: keys, types and defaults must agree between the
/// Swift config (the one place a default lives) and `lua/meta/*.lua`.
public struct LuaOptionEntry {
  public let stubClass: String
  /// Keys the binding takes out of the table before decoding (e.g. `mec.env`'s `scenario` and `seed`).
  public let extraKeys: [String]
  public let keys: [String]
  public let defaults: [String: LuaValue]

  init<T: Codable>(_ stubClass: String, _ defaults: T, extraKeys: [String] = []) throws {
    self.stubClass = stubClass
    self.extraKeys = extraKeys
    (keys, self.defaults) = try LuaDecoder().optionKeys(defaults: defaults)
  }
}

public enum LuaOptionCatalog {
  public static func entries() throws -> [LuaOptionEntry] {
    [
      try LuaOptionEntry("edgelab.Suite", SuiteConfig()),
      try LuaOptionEntry("edgelab.DivergenceOptions", DivergenceConfig()),
      try LuaOptionEntry("edgelab.DeviceCostOptions", DeviceCostOptions()),
      try LuaOptionEntry("edgelab.mec.EnvOptions", try MECScenario.named("paper"), extraKeys: ["scenario", "seed"]),
      try LuaOptionEntry("edgelab.mec.EvalOptions", MECBinding.EvaluateOptions()),
      try LuaOptionEntry("edgelab.mec.DiagnoseOptions", MECDiagnoseOptions()),
      try LuaOptionEntry("edgelab.LLMLoadOptions", LLMLoadOptions()),
      try LuaOptionEntry("edgelab.LLMGenOptions", LLMGenOptions()),
      try LuaOptionEntry("edgelab.PruneOptions", CPruneOpts()),
      try LuaOptionEntry("edgelab.QuantizeOptions", CQuantOpts()),
      try LuaOptionEntry("edgelab.DistillOptions", CDistillOpts()),
      try LuaOptionEntry("edgelab.PipelineOptions", CPipeOpts()),
      try LuaOptionEntry("edgelab.QuantizeCheckpointOptions", CQuantCheckpointOpts()),
      try LuaOptionEntry("edgelab.LLMSyntheticOptions", LLMSyntheticOptions()),
      try LuaOptionEntry("edgelab.BootstrapOptions", StatsBinding.BootstrapOptions()),
      try LuaOptionEntry("edgelab.StratifiedBootstrapOptions", StatsBinding.StratifiedOptions()),
      try LuaOptionEntry("edgelab.PermutationOptions", StatsBinding.PermutationOptions()),
      try LuaOptionEntry("edgelab.rl.Options", PPOConfig(), extraKeys: ["env"] + RLOptions.runKeys),
      try LuaOptionEntry("edgelab.rl.LossOptions", PPOLossConfig()),
      try LuaOptionEntry("edgelab.rl.WMOptions", WMPPOConfig()),
      try LuaOptionEntry("edgelab.rl.WorldModelOptions", WorldModelConfig()),
    ]
  }
}
