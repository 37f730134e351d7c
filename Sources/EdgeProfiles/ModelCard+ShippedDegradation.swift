// The measured degradation table EdgeLab ships (paper_degradation = "measured"): the degradation.json written by
// `experiments/paper/measure_degradation.lua` in the run named in its `source`, copied verbatim (decision 0713).
// That run: 2026-12-03, 08:13–09:33 UTC, the code of commit 26ffebe (its manifest names 9204ab1, the same code under a
// commit that was rewritten with an honest message), default profile (all 416 BIG-bench MC items, 500 HaluEval-QA + all 299
// TruthfulQA-MC items), 2 shared cores. Regenerate with `edgelab run experiments/paper/measure_degradation.lua` and
// replace the JSON below with the run's degradation.json.
import Foundation

extension MeasuredDegradation {
  /// The shipped table, decoded and validated.
  public static func shipped() throws -> MeasuredDegradation { try decode(Data(shippedJSON.utf8)) }
}

private let shippedJSON = """
{
  "entries" : [
    {
      "accuracy" : {
        "high" : 1.062111801242236,
        "items" : 416,
        "low" : 0.9644532680935685,
        "ratio" : 1.0106382978723405
      },
      "bitsPerWeight" : 8.506138318781499,
      "format" : "q8_0",
      "hallucination" : {
        "high" : 1.0036040932236585,
        "items" : 799,
        "low" : 0.9854007926446844,
        "ratio" : 0.9945652173913043
      },
      "variant" : "rtn:q8_0 (rtn-q8_0)"
    },
    {
      "accuracy" : {
        "high" : 1.1173357854193413,
        "items" : 416,
        "low" : 0.8900510471204189,
        "ratio" : 1
      },
      "bitsPerWeight" : 5.941019042276681,
      "format" : "q4_k_m",
      "hallucination" : {
        "high" : 1.0876906646673177,
        "items" : 799,
        "low" : 1.033769027849853,
        "ratio" : 1.059782608695652
      },
      "variant" : "rtn:q4_k (rtn-q5_0+q4_k)"
    },
    {
      "accuracy" : {
        "high" : 1.0439577717879605,
        "items" : 416,
        "low" : 0.8,
        "ratio" : 0.9148936170212766
      },
      "bitsPerWeight" : 4.979099313587373,
      "format" : "q2_k",
      "hallucination" : {
        "high" : 1.095695640412966,
        "items" : 799,
        "low" : 0.9948796664438267,
        "ratio" : 1.0416666666666667
      },
      "variant" : "rtn:q2_k (rtn-q4_0+q2_k)"
    },
    {
      "accuracy" : {
        "high" : 1.0654761904761905,
        "items" : 416,
        "low" : 0.8112175093918164,
        "ratio" : 0.9308510638297872
      },
      "bitsPerWeight" : 5.404863712904948,
      "format" : "ecld",
      "hallucination" : {
        "high" : 0.9219630188323473,
        "items" : 799,
        "low" : 0.8470283038617745,
        "ratio" : 0.8840579710144928
      },
      "variant" : "ffn=0.1/refit/gptq:q4_0 (gptq-actorder-q4_0)"
    }
  ],
  "model" : "SmolLM2-135M-Instruct (reference: Q4_1 GGUF dequantized to F32)",
  "notes" : [
    "accuracy: pooled BIG-bench MC items (items per task: all); hallucination: HaluEval-QA (500 items) + TruthfulQA-MC (all) items",
    "ratio = mean(variant) / mean(reference) on the same items; 95% paired percentile bootstrap",
    "transfer to 8-12B models is an assumption (small models lose more to the same bits per weight)"
  ],
  "source" : "experiments/paper/measure_degradation.lua, seed 1234, 2000 bootstrap resamples; wall 4808 s, load 4.54 → 2.19 (2 shared cores)"
}
"""
