// The text splits of compression and evaluation never share a passage (decision 0710). Every split is tokenized
// with SmolLM2's tokenizer the way its consumer reads it (`Calibration.windows`: one text after another) and
// every window of 32 consecutive tokens inside a text is hashed (FNV-1a 64 of the token bytes); the hash sets
// of a compression-side split and an evaluation split must not intersect.
//   compression side: HaluEval summarization calibration split (calibration, GPTQ, refit, distillation with
//                     source = "calibration"); the teacher corpus (distillation with source = "teacher")
//   evaluation side:  HaluEval summarization held-out split (perplexity / KLD, in domain); HaluEval-QA
//                     knowledge passages (other-domain perplexity / KLD, and the HaluEval-QA items)
// Each split is read up to EDGELAB_SPLIT_TOKENS tokens (default 200k: more than any default consumer reads;
// the GPTQ sweep's 256 windows × 256 are 65k). Skipped when the SmolLM2 GGUF or HaluEval data is missing.
import Foundation
import XCTest
import Evaluation
import LLM
import TensorCore
@testable import Compression

final class DistillSplitsTests: XCTestCase {
  static let window = 32

  /// Hashes of every `window`-token run inside each text (texts read in order until `budget` tokens).
  static func windowHashes(_ texts: [[Int32]], budget: Int) -> (hashes: Set<UInt64>, tokens: Int) {
    var out = Set<UInt64>(), used = 0
    for t in texts where used < budget {
      used += t.count
      guard t.count >= window else { continue }
      t.withUnsafeBytes { raw in
        for i in 0...(t.count - window) {
          out.insert(fnv1a64(bytes: UnsafeRawBufferPointer(rebasing: raw[(i * 4)..<((i + window) * 4)])))
        }
      }
    }
    return (out, used)
  }

  func testWindowHashingFindsAnOverlap() {
    // The detector itself: a shared 32-token run in the middle of two otherwise different texts is found.
    let shared = (0..<32).map { Int32(1000 + $0) }
    let a = Self.windowHashes([(0..<50).map { Int32($0) } + shared + [7, 8]], budget: .max)
    let b = Self.windowHashes([[9, 9, 9] + shared], budget: .max)
    let c = Self.windowHashes([[9, 9, 9] + shared.dropLast()], budget: .max)
    XCTAssertEqual(a.hashes.intersection(b.hashes).count, 1)
    XCTAssertTrue(a.hashes.isDisjoint(with: c.hashes))
  }

  func testCompressionAndEvaluationSplitsAreDisjoint() throws {
    let root = QuantFixtures.dir + "/../../.."
    let env = ProcessInfo.processInfo.environment
    let modelPath = env["EDGELAB_MODEL"] ?? root + "/assets/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    let files = DataFiles(root: env["EDGELAB_DATA"] ?? root + "/assets/data")
    guard FileManager.default.fileExists(atPath: modelPath),
          FileManager.default.fileExists(atPath: files.haluEval(.summarization)),
          FileManager.default.fileExists(atPath: files.haluEval(.qa)) else {
      throw XCTSkip("SmolLM2 GGUF or HaluEval data missing")
    }
    let budget = env["EDGELAB_SPLIT_TOKENS"].flatMap(Int.init) ?? 200_000
    let model = try LlamaModel.load(path: modelPath)
    func tokenize(_ texts: [String]) -> [[Int32]] {
      var out: [[Int32]] = [], n = 0
      for t in texts where n < budget { let e = model.tokenizer.encode(t); out.append(e); n += e.count }
      return out
    }
    let splits = try TextSplits.haluEval(files: files)
    let dir = NSTemporaryDirectory() + "edgelab-splits-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var co = TeacherCorpusOptions()
    co.windows = 4; co.length = 128; co.seed = 0; co.cacheDirectory = dir
    let teacherCorpus = try TeacherCorpus.load(teacher: model, options: co).windows

    let compression: [(String, [[Int32]])] = [("news_calibration", tokenize(splits.calibration)), ("teacher_corpus", teacherCorpus)]
    let evaluation: [(String, [[Int32]])] = [("news_held_out", tokenize(splits.heldOut)),
                                             ("qa_knowledge", tokenize(try HaluEval.knowledgePassages(files: files)))]
    var summary: [String] = []
    for (cn, ct) in compression {
      let c = Self.windowHashes(ct, budget: budget)
      XCTAssertGreaterThan(c.hashes.count, 0, cn)
      for (en, et) in evaluation {
        let e = Self.windowHashes(et, budget: budget)
        let shared = c.hashes.intersection(e.hashes).count
        summary.append("\(cn) (\(c.tokens) tokens) ∩ \(en) (\(e.tokens) tokens): \(shared) shared \(Self.window)-token windows")
        XCTAssertEqual(shared, 0, "\(cn) and \(en) share \(shared) windows of \(Self.window) tokens")
      }
    }
    print(summary.joined(separator: "\n"))
    XCTAssertGreaterThanOrEqual(compression[0].1.reduce(0) { $0 + $1.count }, min(budget, 100_000))
    XCTAssertGreaterThanOrEqual(evaluation[0].1.reduce(0) { $0 + $1.count }, min(budget, 50_000))
  }
}
