// Calibration and held-out text splits that never overlap (decision 0710).
// Exact duplicates are removed (first occurrence kept); documents that share a run of `sharedWords`
// whitespace-separated words (near-duplicates: the same news story rewritten, a follow-up quoting the first
// report) are joined into one group (union–find over hashed word shingles, Broder 1997), and a whole group goes
// to one split: group → calibration when mix(min over its documents of FNV-1a(salt + text)) mod 10_000 <
// calibrationFraction · 10_000 (mix = one SplitMix64 step). A document's split is fixed by its own text unless
// a new document joins its group. (Split by document alone, the HaluEval summarization splits shared 1,079
// windows of 32 tokens within their first 200k tokens: CNN follow-up stories repeat whole paragraphs.)
import TensorCore

public struct TextSplits: Sendable, Equatable {
  /// Texts for calibration (pruning importance, GPTQ Hessians, distillation).
  public var calibration: [String]
  /// Texts for perplexity / KL divergence (never seen by compression).
  public var heldOut: [String]

  /// Splits `documents`; `sharedWords` = length of the word run that makes two documents one group (0 = no
  /// grouping, exact duplicates only).
  public init(documents: [String], calibrationFraction: Double = 0.5, salt: String = "edgelab-split-v1",
              sharedWords: Int = 12) throws {
    guard calibrationFraction > 0 && calibrationFraction < 1 else {
      throw EvaluationError.invalidArgument("calibration_fraction must be in (0, 1) (got \(calibrationFraction))")
    }
    guard sharedWords >= 0 else { throw EvaluationError.invalidArgument("shared_words must be ≥ 0 (got \(sharedWords))") }
    var seen = Set<String>()
    let docs = documents.filter { !$0.isEmpty && seen.insert($0).inserted }
    let group = sharedWords > 0 ? TextSplits.groups(docs, sharedWords: sharedWords) : Array(docs.indices)
    // A group's representative is its document of least hash; the representative's hash, mixed once more
    // (SplitMix64, so the minimum's bias toward small values is gone), decides the split.
    var least = [UInt64](repeating: .max, count: docs.count)
    for (i, d) in docs.enumerated() { least[group[i]] = min(least[group[i]], fnv1a64(salt + "\u{1F}" + d)) }
    let cut = UInt64(calibrationFraction * 10_000)
    var cal: [String] = [], held: [String] = []
    for (i, d) in docs.enumerated() {
      var x = least[group[i]]
      if splitMix64(&x) % 10_000 < cut { cal.append(d) } else { held.append(d) }
    }
    calibration = cal; heldOut = held
  }

  /// The group (a representative document index) of every document: documents sharing a shingle of
  /// `sharedWords` consecutive words (split at ASCII whitespace) are in one group.
  static func groups(_ docs: [String], sharedWords k: Int) -> [Int] {
    guard !docs.isEmpty else { return [] }
    // (shingle hash, document) packed into one UInt64 and sorted: equal hashes are adjacent. The low bits hold
    // the document; a truncated-hash collision can only merge two groups (a more cautious split), never split one.
    let docBits = max(1, Int.bitWidth - (docs.count - 1).leadingZeroBitCount)
    let docMask = (UInt64(1) << docBits) - 1
    var packed: [UInt64] = []
    for (i, d) in docs.enumerated() {
      var words: [UInt64] = [], h: UInt64 = 0xCBF2_9CE4_8422_2325, inWord = false
      for b in d.utf8 {
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
          if inWord { words.append(h); h = 0xCBF2_9CE4_8422_2325; inWord = false }
        } else { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3; inWord = true }
      }
      if inWord { words.append(h) }
      guard words.count >= k else { continue }
      for s in 0...(words.count - k) {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for w in words[s..<(s + k)] { x = splitMix64(&x) ^ w }
        x = splitMix64(&x)
        packed.append((x & ~docMask) | UInt64(i))
      }
    }
    packed.sort()
    var parent = Array(docs.indices)
    func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
    var j = 0
    while j < packed.count {
      var e = j + 1
      while e < packed.count && packed[e] & ~docMask == packed[j] & ~docMask { e += 1 }
      let a = find(Int(packed[j] & docMask))
      for t in (j + 1)..<max(j + 1, e) { let b = find(Int(packed[t] & docMask)); if a != b { parent[b] = a } }
      j = e
    }
    return docs.indices.map(find)
  }

  /// The splits of the HaluEval summarization documents.
  public static func haluEval(files: DataFiles = DataFiles(), calibrationFraction: Double = 0.5) throws -> TextSplits {
    try TextSplits(documents: HaluEval.documents(files: files), calibrationFraction: calibrationFraction)
  }
}
