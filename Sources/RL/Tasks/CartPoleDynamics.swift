// Classic cart-pole dynamics (Barto, Sutton & Anderson 1983) with the constants and explicit-Euler
// integration of Gymnasium's CartPole-v1. A value type: copying it copies the whole simulator state, which
// the imagination-plumbing exactness test uses (a "true simulator" world model branches from copies).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

public struct CartPoleDynamics: Codable, Equatable, Sendable {
  public static let gravity: Double = 9.8
  public static let massCart: Double = 1.0
  public static let massPole: Double = 0.1
  public static let halfLength: Double = 0.5
  public static let forceMag: Double = 10.0
  public static let tau: Double = 0.02
  public static let thetaLimit: Double = 12 * 2 * Double.pi / 360
  public static let xLimit: Double = 2.4

  /// (x, ẋ, θ, θ̇)
  public var state: [Double]
  public init(state: [Double]) { self.state = state }

  /// Gymnasium's reset: every state variable uniform in [−0.05, 0.05).
  public static func reset(rng: inout RNG) -> CartPoleDynamics {
    CartPoleDynamics(state: (0..<4).map { _ in rng.uniform(-0.05, 0.05) })
  }

  /// Applies push left (0) or right (1) for one step; returns whether the pole fell / cart left the track.
  public mutating func step(action: Int) -> Bool {
    let (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
    let force = action == 1 ? Self.forceMag : -Self.forceMag
    let cosT = cos(theta), sinT = sin(theta)
    let totalMass = Self.massCart + Self.massPole
    let poleMassLength = Self.massPole * Self.halfLength
    let temp = (force + poleMassLength * thetaDot * thetaDot * sinT) / totalMass
    let thetaAcc = (Self.gravity * sinT - cosT * temp)
      / (Self.halfLength * (4.0 / 3.0 - Self.massPole * cosT * cosT / totalMass))
    let xAcc = temp - poleMassLength * thetaAcc * cosT / totalMass
    state = [x + Self.tau * xDot, xDot + Self.tau * xAcc, theta + Self.tau * thetaDot, thetaDot + Self.tau * thetaAcc]
    return abs(state[0]) > Self.xLimit || abs(state[2]) > Self.thetaLimit
  }

  public var observation: [Float] { state.map(Float.init) }
}
