// EdgeProfiles: device profiles (DeviceProfile+BuiltIn.swift), model cards (ModelCard*.swift) and the
// analytic latency / energy / accessibility model (AnalyticCost.swift). No dependencies: shared by
// Evaluation (writes cards) and MEC (reads them).
