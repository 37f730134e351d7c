// Device profiles: the hardware facts the analytic energy / latency / accessibility models need.
// Pure data (Codable) so scenario files can override any field. The built-in table and its sources live in
// `DeviceProfile+BuiltIn.swift`.

/// Broad hardware class of a device (used for grouping in reports and by the MEC scenarios).
public enum DeviceClass: String, Codable, Sendable, CaseIterable {
  case phone
  case singleBoardComputer = "sbc"
  case embeddedGPU = "embedded-gpu"
  case laptop
  case edgeServer = "edge-server"
}

/// One device class a compact model may be deployed on.
///
/// Units are SI throughout: bytes, bytes/s, FLOP/s, watts. `peakFLOPS` is the peak *inference* throughput of
/// the engine an LLM runtime would use on the device (CPU SIMD, GPU, or tensor cores), dense (no sparsity).
public struct DeviceProfile: Codable, Sendable, Equatable, Hashable {
  /// Stable identifier, e.g. "phone-8gb", "rpi5-8gb".
  public var name: String
  public var deviceClass: DeviceClass
  /// Physical memory (DRAM / unified memory / VRAM for the edge server) in bytes.
  public var ramBytes: Double
  /// Fraction of `ramBytes` one application can use for a model (OS, other apps and drivers keep the rest).
  public var usableFraction: Double
  /// Peak DRAM bandwidth in bytes/s (the decode roofline).
  public var memoryBandwidth: Double
  /// Peak dense inference compute in FLOP/s (the prefill roofline).
  public var peakFLOPS: Double
  /// Power drawn while running inference (W).
  public var activePowerW: Double
  /// Power drawn while idle / waiting (W).
  public var idlePowerW: Double
  /// Radio transmit power while uploading (W); 0 for infrastructure.
  public var transmitPowerW: Double
  /// Share of the user population holding this device class (the shares of user devices sum to 1).
  public var populationShare: Double
  /// Where the numbers come from (short citation; assumptions are labelled as such).
  public var source: String

  public init(name: String, deviceClass: DeviceClass, ramBytes: Double, usableFraction: Double,
              memoryBandwidth: Double, peakFLOPS: Double, activePowerW: Double, idlePowerW: Double,
              transmitPowerW: Double, populationShare: Double, source: String) {
    self.name = name; self.deviceClass = deviceClass; self.ramBytes = ramBytes
    self.usableFraction = usableFraction; self.memoryBandwidth = memoryBandwidth; self.peakFLOPS = peakFLOPS
    self.activePowerW = activePowerW; self.idlePowerW = idlePowerW; self.transmitPowerW = transmitPowerW
    self.populationShare = populationShare; self.source = source
  }

  /// Memory one application may use for a model, in bytes.
  public var usableBytes: Double { ramBytes * usableFraction }

  /// Checks that every field is physically meaningful; throws a descriptive error otherwise.
  public func validate() throws {
    func bad(_ field: String, _ why: String) -> EdgeProfilesError {
      .invalidProfile("device '\(name)': \(field) \(why)")
    }
    if name.isEmpty { throw EdgeProfilesError.invalidProfile("device with empty name") }
    if !(ramBytes > 0 && ramBytes.isFinite) { throw bad("ramBytes", "must be > 0 (got \(ramBytes))") }
    if !(usableFraction > 0 && usableFraction <= 1) {
      throw bad("usableFraction", "must be in (0, 1] (got \(usableFraction))")
    }
    if !(memoryBandwidth > 0 && memoryBandwidth.isFinite) {
      throw bad("memoryBandwidth", "must be > 0 (got \(memoryBandwidth))")
    }
    if !(peakFLOPS > 0 && peakFLOPS.isFinite) { throw bad("peakFLOPS", "must be > 0 (got \(peakFLOPS))") }
    for (f, v) in [("activePowerW", activePowerW), ("idlePowerW", idlePowerW), ("transmitPowerW", transmitPowerW)]
    where !(v >= 0 && v.isFinite) { throw bad(f, "must be >= 0 (got \(v))") }
    if !(populationShare >= 0 && populationShare <= 1) {
      throw bad("populationShare", "must be in [0, 1] (got \(populationShare))")
    }
  }
}

/// Errors of the EdgeProfiles module.
public enum EdgeProfilesError: Error, CustomStringConvertible, Equatable {
  case invalidProfile(String)
  case invalidCard(String)
  case invalidQuery(String)
  case unknownDevice(String)
  case decoding(String)
  case invalidDegradation(String)

  public var description: String {
    switch self {
    case .invalidProfile(let m): return "invalid device profile: \(m)"
    case .invalidCard(let m): return "invalid model card: \(m)"
    case .invalidQuery(let m): return "invalid query shape: \(m)"
    case .unknownDevice(let m): return "unknown device \(m)"
    case .decoding(let m): return "cannot decode JSON: \(m)"
    case .invalidDegradation(let m): return "invalid degradation rule: \(m)"
    }
  }
}
