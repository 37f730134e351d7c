// Tokenizer from a Hugging Face tokenizer.json (model.type "BPE" with byte-level pre-tokenizer/decoder).
// Merges may be "a b" strings (older files) or ["a", "b"] pairs (tokenizers >= 0.20). Added tokens marked
// special become control tokens. A Digits(individual_digits) step in the pre-tokenizer selects SmolLM2's
// digits-then-GPT-2 splitting.
import TensorCore
import Foundation

extension Tokenizer {
  public init(huggingFaceJSON path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else { throw FileIOError.cannotOpen(path: path, errno: ENOENT) }
    try self.init(huggingFaceJSON: data)
  }

  /// `preTokenizerFallback`: accept a Split regex this type does not implement and split like GPT-2 (else an error).
  public init(huggingFaceJSON data: Data, preTokenizerFallback: Bool = false) throws {
    guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw TokenizerError.invalid("tokenizer.json is not a JSON object")
    }
    guard let model = root["model"] as? [String: Any] else { throw TokenizerError.missing("model") }
    let type = model["type"] as? String ?? "(none)"
    guard type == "BPE" else { throw TokenizerError.unsupportedModel(type) }
    guard let vocab = model["vocab"] as? [String: Any] else { throw TokenizerError.missing("model.vocab") }
    var added = [(String, Int, Bool)]()
    for a in root["added_tokens"] as? [[String: Any]] ?? [] {
      if let c = a["content"] as? String, let id = (a["id"] as? NSNumber)?.intValue {
        added.append((c, id, (a["special"] as? Bool) ?? false))
      }
    }
    var maxID = -1
    for (_, v) in vocab { if let i = (v as? NSNumber)?.intValue { maxID = max(maxID, i) } }
    for (_, i, _) in added { maxID = max(maxID, i) }
    guard maxID >= 0, maxID < 10_000_000 else { throw TokenizerError.invalid("vocabulary ids") }
    var tokens = [String](repeating: "", count: maxID + 1)
    var types = [TokenType](repeating: .unused, count: maxID + 1)
    for (t, v) in vocab {
      guard let i = (v as? NSNumber)?.intValue, i >= 0 else { throw TokenizerError.invalid("id of '\(t)'") }
      tokens[i] = t; types[i] = .normal
    }
    for (c, i, special) in added where i >= 0 { tokens[i] = c; types[i] = special ? .control : .userDefined }
    var merges = [String]()
    for m in model["merges"] as? [Any] ?? [] {
      if let s = m as? String { merges.append(s) }
      else if let p = m as? [String], p.count == 2 { merges.append(p[0] + " " + p[1]) }
      else { throw TokenizerError.invalid("merge entry \(m)") }
    }
    // Pre-tokenizer: a Split step's regex must be one we implement exactly; else Digits+ByteLevel or ByteLevel.
    let preObject = root["pre_tokenizer"] as? [String: Any]
    let steps = (preObject?["pretokenizers"] as? [[String: Any]]) ?? (preObject.map { [$0] } ?? [])
    let split = steps.first { $0["type"] as? String == "Split" }
    var pre: PreTokenizer = steps.contains { $0["type"] as? String == "Digits" } ? .digitsThenGPT2 : .gpt2
    var known = true
    if let split {
      let regex = ((split["pattern"] as? [String: Any])?["Regex"] as? String) ?? "(not a regex)"
      if let p = [PreTokenizer.llama3, .qwen2, .tekken].first(where: { $0.huggingFaceRegex == regex }) { pre = p }
      else if preTokenizerFallback { known = false }
      else { throw TokenizerError.unknownPreTokenizer("tokenizer.json Split regex \(regex)") }
    }
    func idOf(_ s: String?) -> Int32? { s.flatMap { n in tokens.firstIndex(of: n).map { Int32($0) } } }
    // BOS: a TemplateProcessing post-processor (alone or in a Sequence, as Llama 3's) whose single-sequence
    // template starts with a special token adds that token (HF's add_special_tokens); otherwise bos/eos are not in
    // tokenizer.json proper and SmolLM2 uses <|im_start|>/<|im_end|> as in its GGUF.
    func templateBOS(_ any: Any?) -> String? {
      guard let o = any as? [String: Any] else { return nil }
      if let single = o["single"] as? [[String: Any]], let first = single.first?["SpecialToken"] as? [String: Any] {
        return first["id"] as? String
      }
      return (o["processors"] as? [Any])?.lazy.compactMap(templateBOS).first
    }
    let addedBOS = templateBOS(root["post_processor"]).flatMap { idOf($0) }
    try self.init(tokens: tokens, tokenTypes: types, merges: merges, preTokenizer: pre,
                  preTokenizerName: pre.ggufName, preTokenizerKnown: known,
                  bosID: addedBOS ?? idOf("<|im_start|>") ?? idOf("<|begin_of_text|>") ?? idOf("<s>"),
                  eosID: idOf("<|im_end|>") ?? idOf("<|eot_id|>") ?? idOf("<|end_of_text|>") ?? idOf("</s>"),
                  addBOS: addedBOS != nil)
  }
}

extension Tokenizer {
  /// A tokenizer.json equivalent to this tokenizer (BPE + byte-level; Digits first for SmolLM2's splitting).
  public func huggingFaceJSON() throws -> Data {
    var vocab = [String: Int]()
    var added = [[String: Any]]()
    for (i, t) in tokens.enumerated() {
      switch tokenTypes[i] {
      case .control, .userDefined:
        added.append(["id": i, "content": t, "special": tokenTypes[i] == .control, "single_word": false,
                      "lstrip": false, "rstrip": false, "normalized": false])
      default: if vocab[t] == nil { vocab[t] = i }
      }
    }
    let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
    let pre: [String: Any]
    switch preTokenizer {
    case .gpt2: pre = byteLevel
    case .digitsThenGPT2: pre = ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel]]
    case .llama3, .qwen2, .tekken:
      let regex = preTokenizer.huggingFaceRegex!
      var bl = byteLevel; bl["use_regex"] = false
      pre = ["type": "Sequence", "pretokenizers": [["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false], bl]]
    }
    // add_bos_token ↔ a TemplateProcessing post-processor that puts BOS first (what HF's Llama 3 files carry).
    var postProcessor: Any = NSNull()
    if addBOS, let b = bosID {
      let bos = tokens[Int(b)]
      postProcessor = ["type": "TemplateProcessing",
                       "single": [["SpecialToken": ["id": bos, "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                       "pair": [["SpecialToken": ["id": bos, "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]],
                                ["SpecialToken": ["id": bos, "type_id": 1]], ["Sequence": ["id": "B", "type_id": 1]]],
                       "special_tokens": [bos: ["id": bos, "ids": [Int(b)], "tokens": [bos]]]] as [String: Any]
    }
    let json: [String: Any] = [
      "version": "1.0", "added_tokens": added, "normalizer": NSNull(), "pre_tokenizer": pre,
      "post_processor": postProcessor, "decoder": byteLevel,
      "model": ["type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "vocab": vocab,
                "merges": merges.map { $0.split(separator: " ", maxSplits: 1).map(String.init) }] as [String: Any],
    ]
    return try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
  }
}
