// Learning-rate schedules as values: constant, linear, cosine, and a warm-up wrapper. `value(at:)` takes the
// 0-based optimizer step; past the end a schedule holds its final value.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public indirect enum LRSchedule: Sendable, Equatable {
  case constant(Float)
  /// Linear from `from` to `to` over `steps` steps (CleanRL's annealing: from lr to 0).
  case linear(from: Float, to: Float, steps: Int)
  /// Cosine from `base` down to `min` over `steps` steps.
  case cosine(base: Float, min: Float, steps: Int)
  /// Linear warm-up from `start` to the wrapped schedule's initial value over `steps`, then the schedule.
  case warmup(steps: Int, start: Float, then: LRSchedule)

  public func value(at step: Int) -> Float {
    switch self {
    case let .constant(v): return v
    case let .linear(a, b, n):
      let f = n <= 0 ? 1 : min(1, Float(max(step, 0)) / Float(n))
      return a + (b - a) * f
    case let .cosine(base, lo, n):
      let f = n <= 0 ? 1 : min(1, Float(max(step, 0)) / Float(n))
      return lo + (base - lo) * 0.5 * (1 + cosf(Float.pi * f))
    case let .warmup(n, start, then):
      if step < n {
        let target = then.value(at: 0)
        return start + (target - start) * Float(step) / Float(max(n, 1))
      }
      return then.value(at: step - n)
    }
  }

  /// Set `optimizer.learningRate` for `step` and return it.
  @discardableResult
  public func apply(to optimizer: Optimizer, step: Int) -> Float {
    let v = value(at: step)
    optimizer.learningRate = v
    return v
  }
}
