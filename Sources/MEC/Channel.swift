// Wireless channel (uplink and downlink between each user and the base station):
//   path loss      PL(d) = 128.1 + 37.6·log10(d_km) dB                  (3GPP TR 36.814; REFERENCES.md)
//   shadowing      S ~ N(0, σ² = 8² dB²), drawn per user per episode (users are static within an episode)
//   fading         h(t+1) = ρ·h(t) + sqrt(1−ρ²)·w(t), w ~ CN(0, 1), h(0) ~ CN(0, 1)  (Gauss–Markov / AR(1)
//                  Rayleigh; ρ = 0 gives i.i.d. fading, ρ → 1 a frozen channel); power gain |h|², mean 1
//   channel gain   g = 10^(−(PL + S)/10) · |h|²
//   rate           r = B·log2(1 + P·g / (N0·B)),  N0 = 10^((noisePSD + NF − 30)/10) W/Hz
// with B the bandwidth share of the link (the total band split equally among the users offloading in the
// slot) and P the transmit power (device profile's `transmitPowerW` uplink, `bsTransmitPowerW` downlink).
import Foundation

public enum Channel {
  /// 3GPP macro path loss in dB for a distance in km.
  @inline(__always)
  public static func pathLossDB(distanceKm d: Double, intercept: Double = 128.1, slope: Double = 37.6) -> Double {
    intercept + slope * log10(d)
  }

  /// Noise power spectral density in W/Hz from dBm/Hz and a noise figure in dB.
  @inline(__always)
  public static func noisePSD(dBmHz: Double, noiseFigureDB: Double) -> Double {
    pow(10, (dBmHz + noiseFigureDB - 30) / 10)
  }

  /// Shannon rate in bit/s.
  @inline(__always)
  public static func rate(bandwidthHz b: Double, powerW p: Double, gain g: Double, noisePSD n0: Double) -> Double {
    b * log2(1 + p * g / (n0 * b))
  }
}
