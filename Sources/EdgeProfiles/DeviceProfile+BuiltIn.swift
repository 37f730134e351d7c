// The built-in device table. Every number has a source or is a labelled assumption.
//
// | name            | RAM    | usable | bandwidth  | peak (dense)  | active | idle  | tx    | share |
// |-----------------|--------|--------|------------|---------------|--------|-------|-------|-------|
// | phone-4gb       | 4 GiB  | 0.50 A | 17.1 GB/s  | 0.15 TFLOP/s  | 3 W A  | 0.1 W | 0.2 W | 0.12 A|
// | phone-6gb       | 6 GiB  | 0.50 A | 17.1 GB/s  | 0.15 TFLOP/s  | 4 W A  | 0.1 W | 0.2 W | 0.18 A|
// | phone-8gb       | 8 GiB  | 0.50 A | 51.2 GB/s  | 0.5 TFLOP/s A | 5 W A  | 0.1 W | 0.2 W | 0.25 A|
// | phone-12gb      | 12 GiB | 0.50 A | 67.2 GB/s  | 3.4 TFLOP/s c | 6 W A  | 0.1 W | 0.2 W | 0.15 A|
// | phone-16gb      | 16 GiB | 0.50 A | 76.8 GB/s  | 4.6 TFLOP/s c | 6 W A  | 0.1 W | 0.2 W | 0.05 A|
// | rpi5-8gb        | 8 GiB  | 0.80 A | 17.1 GB/s  | 0.154 TFLOP/s | 8 W c  | 2.7 W c| 0.2 W| 0.05 A|
// | jetson-orin-nano| 8 GiB  | 0.80 A | 68 GB/s    | 10 TFLOP/s d  | 15 W   | 5 W A | 0.2 W | 0.05 A|
// | jetson-agx-orin | 64 GiB | 0.80 A | 204.8 GB/s | 68.75 TFLOP/s d| 60 W  | 10 W A| 0.2 W | 0.03 A|
// | laptop-16gb     | 16 GiB | 0.60 A | 89.6 GB/s  | 1.02 TFLOP/s  | 45 W A | 5 W A | 0.2 W | 0.12 A|
// | edge-gpu-l4     | 24 GiB | 0.90 A | 300 GB/s   | 121 TFLOP/s   | 72 W   | 16 W A| 0     | 0     |
//
// A = stated assumption (see the per-profile comment), c = recalled / second-hand figure (check before
// quoting), d = derived (sparse INT8 TOPS ÷ 2 for density ÷ 2 for FP16, the usual NVIDIA ratios).
// Bandwidth = transfer rate × bus width: LPDDR4X-4266 on 2×16 bit = 4266e6 × 4 B = 17.1 GB/s;
// LPDDR5-6400 on 4×16 bit = 51.2 GB/s; LPDDR5X-8400 on 4×16 bit = 67.2 GB/s; LPDDR5X-9600 = 76.8 GB/s;
// Raspberry Pi 5 LPDDR4X-4267 on 32 bit = 17.1 GB/s; DDR5-5600 dual channel (2×64 bit) = 89.6 GB/s.
// Transmit 0.2 W = 23 dBm, 3GPP UE power class 3 (TS 38.101-1); phone idle 0.1 W as in QECO (docs/REFERENCES.md).
// Population shares are an assumption (no public census of edge-user device RAM at hand): phones dominate,
// the shares of user devices sum to 1, the edge server is infrastructure (share 0).

private let GiB = 1_073_741_824.0

extension DeviceProfile {
  /// The built-in device classes (user devices first, then the edge server).
  public static let builtIn: [DeviceProfile] = [
    // Low-end phone (Helio G85 class): LPDDR4X-4266 2×16 bit; CPU 2×A75@2.0 GHz×16 FLOP/cycle +
    // 6×A55@1.8 GHz×8 ≈ 0.15 TFLOP/s. Sustained SoC power 3 W under LLM load: assumption.
    DeviceProfile(name: "phone-4gb", deviceClass: .phone, ramBytes: 4 * GiB, usableFraction: 0.5,
                  memoryBandwidth: 17.1e9, peakFLOPS: 0.15e12, activePowerW: 3, idlePowerW: 0.1,
                  transmitPowerW: 0.2, populationShare: 0.12,
                  source: "LPDDR4X-4266 x32 bus; CPU NEON peak derived; power, usable, share: assumption"),
    // Mid-range phone (Snapdragon 695 class): same memory system, 2×A78@2.2 + 6×A55@1.7 ≈ 0.15 TFLOP/s.
    DeviceProfile(name: "phone-6gb", deviceClass: .phone, ramBytes: 6 * GiB, usableFraction: 0.5,
                  memoryBandwidth: 17.1e9, peakFLOPS: 0.15e12, activePowerW: 4, idlePowerW: 0.1,
                  transmitPowerW: 0.2, populationShare: 0.18,
                  source: "Snapdragon 695 class LPDDR4X-4266 x32; CPU peak derived; power, usable, share: assumption"),
    // Upper mid-range (Snapdragon 778G class): LPDDR5-6400 4×16 bit; GPU ≈ 0.5 TFLOP/s FP32 (assumption).
    DeviceProfile(name: "phone-8gb", deviceClass: .phone, ramBytes: 8 * GiB, usableFraction: 0.5,
                  memoryBandwidth: 51.2e9, peakFLOPS: 0.5e12, activePowerW: 5, idlePowerW: 0.1,
                  transmitPowerW: 0.2, populationShare: 0.25,
                  source: "Snapdragon 778G class LPDDR5-6400 x64; GPU peak, power, usable, share: assumption"),
    // Flagship (Snapdragon 8 Gen 2): LPDDR5X-8400 4×16 bit; Adreno 740 ≈ 3.4 TFLOP/s FP32 (check).
    DeviceProfile(name: "phone-12gb", deviceClass: .phone, ramBytes: 12 * GiB, usableFraction: 0.5,
                  memoryBandwidth: 67.2e9, peakFLOPS: 3.4e12, activePowerW: 6, idlePowerW: 0.1,
                  transmitPowerW: 0.2, populationShare: 0.15,
                  source: "Snapdragon 8 Gen 2 LPDDR5X-8400 x64; Adreno 740 peak (check); power, usable, share: assumption"),
    // Flagship (Snapdragon 8 Gen 3): LPDDR5X-9600 4×16 bit; Adreno 750 ≈ 4.6 TFLOP/s FP32 (check).
    DeviceProfile(name: "phone-16gb", deviceClass: .phone, ramBytes: 16 * GiB, usableFraction: 0.5,
                  memoryBandwidth: 76.8e9, peakFLOPS: 4.6e12, activePowerW: 6, idlePowerW: 0.1,
                  transmitPowerW: 0.2, populationShare: 0.05,
                  source: "Snapdragon 8 Gen 3 LPDDR5X-9600 x64; Adreno 750 peak (check); power, usable, share: assumption"),
    // Raspberry Pi 5 (8 GB): LPDDR4X-4267 on 32 bit; 4×Cortex-A76@2.4 GHz × 16 FLOP/cycle (2×128-bit FMA)
    // = 153.6 GFLOP/s. ≈8 W all-core load and ≈2.7 W idle are second-hand board measurements (check).
    DeviceProfile(name: "rpi5-8gb", deviceClass: .singleBoardComputer, ramBytes: 8 * GiB, usableFraction: 0.8,
                  memoryBandwidth: 17.1e9, peakFLOPS: 153.6e9, activePowerW: 8, idlePowerW: 2.7,
                  transmitPowerW: 0.2, populationShare: 0.05,
                  source: "Raspberry Pi 5 product brief (LPDDR4X-4267, 4xA76 2.4 GHz); power (check); usable, share: assumption"),
    // Jetson Orin Nano 8 GB: 128-bit LPDDR5, 68 GB/s; 40 sparse INT8 TOPS → 10 dense FP16 TFLOP/s
    // (derived); 15 W power mode. Idle 5 W: assumption.
    DeviceProfile(name: "jetson-orin-nano", deviceClass: .embeddedGPU, ramBytes: 8 * GiB, usableFraction: 0.8,
                  memoryBandwidth: 68e9, peakFLOPS: 10e12, activePowerW: 15, idlePowerW: 5,
                  transmitPowerW: 0.2, populationShare: 0.05,
                  source: "NVIDIA Jetson Orin Nano 8GB datasheet (68 GB/s, 40 TOPS, 7-15 W); FP16 derived; idle, usable, share: assumption"),
    // Jetson AGX Orin 64 GB: 256-bit LPDDR5, 204.8 GB/s; 275 sparse INT8 TOPS / 60 W (docs/REFERENCES.md)
    // → 68.75 dense FP16 TFLOP/s (derived). Idle 10 W: assumption.
    DeviceProfile(name: "jetson-agx-orin", deviceClass: .embeddedGPU, ramBytes: 64 * GiB, usableFraction: 0.8,
                  memoryBandwidth: 204.8e9, peakFLOPS: 68.75e12, activePowerW: 60, idlePowerW: 10,
                  transmitPowerW: 0.2, populationShare: 0.03,
                  source: "NVIDIA Jetson AGX Orin 64GB datasheet (204.8 GB/s, 275 TOPS, 60 W); FP16 derived; idle, usable, share: assumption"),
    // Laptop (16 GB DDR5-5600 dual channel, 8-core x86 CPU): 8 cores × 4.0 GHz × 32 FLOP/cycle (2×256-bit
    // FMA) = 1.024 TFLOP/s. 45 W package under load and 5 W idle: assumption (H-class laptop CPU).
    DeviceProfile(name: "laptop-16gb", deviceClass: .laptop, ramBytes: 16 * GiB, usableFraction: 0.6,
                  memoryBandwidth: 89.6e9, peakFLOPS: 1.024e12, activePowerW: 45, idlePowerW: 5,
                  transmitPowerW: 0.2, populationShare: 0.12,
                  source: "DDR5-5600 2x64 bit; CPU AVX2 peak derived; power, usable, share: assumption"),
    // Edge GPU server with an NVIDIA L4: 24 GB GDDR6, 300 GB/s, 121 dense FP16 tensor TFLOP/s (242 sparse),
    // 72 W TDP. Idle 16 W: assumption. Infrastructure, not a user device: share 0, no radio.
    DeviceProfile(name: "edge-gpu-l4", deviceClass: .edgeServer, ramBytes: 24 * GiB, usableFraction: 0.9,
                  memoryBandwidth: 300e9, peakFLOPS: 121e12, activePowerW: 72, idlePowerW: 16,
                  transmitPowerW: 0, populationShare: 0,
                  source: "NVIDIA L4 datasheet (24 GB, 300 GB/s, 121 TFLOPS FP16 dense, 72 W); idle, usable: assumption"),
  ]

  /// The built-in profile named `name`.
  public static func named(_ name: String) throws -> DeviceProfile {
    guard let p = builtIn.first(where: { $0.name == name }) else {
      throw EdgeProfilesError.unknownDevice("'\(name)' (known: \(builtIn.map(\.name).joined(separator: ", ")))")
    }
    return p
  }

  /// Returns `base` with the profiles in `overrides` replacing same-named entries (new names are appended).
  public static func merged(_ base: [DeviceProfile], overrides: [DeviceProfile]) -> [DeviceProfile] {
    var out = base
    for o in overrides {
      if let i = out.firstIndex(where: { $0.name == o.name }) { out[i] = o } else { out.append(o) }
    }
    return out
  }
}
