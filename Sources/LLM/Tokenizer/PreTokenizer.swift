// Pre-tokenizers: split text into pieces that BPE encodes independently.
//
// GPT-2 regex (the ByteLevel pre-tokenizer of HF tokenizers / llama.cpp "gpt-2"), implemented by hand on
// Unicode scalars:  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// Alternatives are tried in order at each position, as the regex engine does; `\s+(?!\S)` backtracks by one
// whitespace character when the run is followed by non-space, leaving it to prefix the next word.
// SmolLM2 ("smollm" in GGUF; HF Sequence[Digits(individual_digits), ByteLevel]) first isolates every \p{N}
// character, then applies the regex to the remaining segments.
// Llama 3 / Qwen2 / Tekken regexes: see the cases; the names are those of llama.cpp's tokenizer.ggml.pre
// (src/llama-vocab.cpp), the regexes those of the models' HF tokenizer.json, matched by hand here (TekkenSplit.swift).

public enum PreTokenizer: String, Sendable, Codable {
  case gpt2
  case digitsThenGPT2
  /// Llama 3 ("llama-bpe"): (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
  ///   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  case llama3
  /// Qwen2 / Qwen2.5 / Qwen3 ("qwen2"): the Llama 3 regex with single digits —
  ///   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  case qwen2
  /// Mistral NeMo / Tekken ("tekken"), the regex of its tokenizer.json —
  ///   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|
  ///   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}|
  ///    ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
  case tekken

  /// Names of `tokenizer.ggml.pre` this type implements exactly.
  public static let ggufNames: [String: PreTokenizer] = [
    "smollm": .digitsThenGPT2, "gpt-2": .gpt2, "gpt2": .gpt2, "default": .gpt2, "llama-bpe": .llama3, "llama3": .llama3,
    "qwen2": .qwen2, "qwen2.5": .qwen2, "qwen-2.5": .qwen2, "deepseek-r1-qwen": .qwen2, "tekken": .tekken,
  ]

  /// The split regex of this pre-tokenizer in HF tokenizer.json (Split before a regex-less ByteLevel); nil for the
  /// GPT-2 ByteLevel ones.
  public var huggingFaceRegex: String? {
    switch self {
    case .gpt2, .digitsThenGPT2: return nil
    case .llama3: return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    case .qwen2: return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    case .tekken:
      return #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    }
  }

  /// The GGUF `tokenizer.ggml.pre` name written for this pre-tokenizer.
  public var ggufName: String {
    switch self {
    case .gpt2: return "gpt-2"
    case .digitsThenGPT2: return "smollm"
    case .llama3: return "llama-bpe"
    case .qwen2: return "qwen2"
    case .tekken: return "tekken"
    }
  }

  /// From `tokenizer.ggml.pre`. An unknown name is an error naming it, unless `fallback` is set: then plain
  /// GPT-2 splitting is used and `known` is false (tokens may then differ from the model's own tokenizer).
  public static func fromGGUF(_ name: String?, fallback: Bool = false) throws -> (PreTokenizer, known: Bool) {
    if let p = ggufNames[name ?? "default"] { return (p, true) }
    guard fallback else { throw TokenizerError.unknownPreTokenizer(name ?? "default") }
    return (.gpt2, false)
  }

  public func split(_ text: String) -> [String] {
    let scalars = Array(text.unicodeScalars)
    var out = [String]()
    switch self {
    case .gpt2: PreTokenizer.gpt2(scalars[...], into: &out)
    case .llama3: PreTokenizer.llama3(scalars[...], maxDigits: 3, into: &out)
    case .qwen2: PreTokenizer.llama3(scalars[...], maxDigits: 1, into: &out)
    case .tekken: PreTokenizer.tekken(scalars[...], into: &out)
    case .digitsThenGPT2:
      var start = 0
      for i in 0..<scalars.count where PreTokenizer.isN(scalars[i]) {
        if start < i { PreTokenizer.gpt2(scalars[start..<i], into: &out) }
        out.append(String(String.UnicodeScalarView([scalars[i]])))
        start = i + 1
      }
      if start < scalars.count { PreTokenizer.gpt2(scalars[start...], into: &out) }
    }
    return out
  }

  static func isL(_ s: Unicode.Scalar) -> Bool {
    switch s.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
    default: return false
    }
  }
  static func isN(_ s: Unicode.Scalar) -> Bool {
    switch s.properties.generalCategory {
    case .decimalNumber, .letterNumber, .otherNumber: return true
    default: return false
    }
  }
  static func isS(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

  static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }

  static func gpt2(_ s: ArraySlice<Unicode.Scalar>, into out: inout [String]) {
    var i = s.startIndex
    let n = s.endIndex
    func emit(_ a: Int, _ b: Int) { out.append(String(String.UnicodeScalarView(s[a..<b]))) }
    while i < n {
      // 's 't 're 've 'm 'll 'd
      if s[i] == "'" {
        if let c = contractions.first(where: { c in i + 1 + c.count <= n && s[(i + 1)..<(i + 1 + c.count)].elementsEqual(c) }) {
          emit(i, i + 1 + c.count); i += 1 + c.count; continue
        }
      }
      // optional single space then a run of one class
      let j = (s[i] == " " && i + 1 < n) ? i + 1 : i
      if j < n {
        let c = s[j]
        let cls: ((Unicode.Scalar) -> Bool)?
        if isL(c) { cls = isL } else if isN(c) { cls = isN }
        else if !isS(c) { cls = { !isS($0) && !isL($0) && !isN($0) } } else { cls = nil }
        if let cls {
          var k = j + 1
          while k < n && cls(s[k]) { k += 1 }
          emit(i, k); i = k; continue
        }
      }
      // whitespace: \s+(?!\S) then \s+
      var k = i
      while k < n && isS(s[k]) { k += 1 }
      if k == i { k = i + 1 }  // unreachable for valid classes; guarantees progress
      if k < n && k - i > 1 { k -= 1 }
      emit(i, k); i = k
    }
  }

  static func isNewline(_ s: Unicode.Scalar) -> Bool { s == "\r" || s == "\n" }

  /// The Llama 3 regex; `maxDigits` is the digit-run bound (3: \p{N}{1,3}; 1: Qwen2's \p{N}).
  static func llama3(_ s: ArraySlice<Unicode.Scalar>, maxDigits: Int, into out: inout [String]) {
    var i = s.startIndex
    let n = s.endIndex
    func emit(_ a: Int, _ b: Int) { out.append(String(String.UnicodeScalarView(s[a..<b]))) }
    func lower(_ c: Unicode.Scalar) -> Unicode.Scalar { (c.value >= 65 && c.value <= 90) ? Unicode.Scalar(c.value + 32)! : c }
    while i < n {
      // (?i:'s|'t|'re|'ve|'m|'ll|'d)
      if s[i] == "'", let c = contractions.first(where: { c in
        i + 1 + c.count <= n && zip(s[(i + 1)..<(i + 1 + c.count)], c).allSatisfy { lower($0.0) == $0.1 } }) {
        emit(i, i + 1 + c.count); i += 1 + c.count; continue
      }
      // [^\r\n\p{L}\p{N}]?\p{L}+
      do {
        var j = i
        if !isNewline(s[j]) && !isL(s[j]) && !isN(s[j]) && j + 1 < n && isL(s[j + 1]) { j += 1 }
        if isL(s[j]) {
          var k = j + 1
          while k < n && isL(s[k]) { k += 1 }
          emit(i, k); i = k; continue
        }
      }
      // \p{N}{1,maxDigits}
      if isN(s[i]) {
        var k = i + 1
        while k < n && k < i + maxDigits && isN(s[k]) { k += 1 }
        emit(i, k); i = k; continue
      }
      //  ?[^\s\p{L}\p{N}]+[\r\n]*
      do {
        let j = (s[i] == " " && i + 1 < n) ? i + 1 : i
        let c = s[j]
        if !isS(c) && !isL(c) && !isN(c) {
          var k = j + 1
          while k < n && !isS(s[k]) && !isL(s[k]) && !isN(s[k]) { k += 1 }
          while k < n && isNewline(s[k]) { k += 1 }
          emit(i, k); i = k; continue
        }
      }
      // whitespace run [i, k)
      var k = i
      while k < n && isS(s[k]) { k += 1 }
      if k == i { emit(i, i + 1); i += 1; continue }  // unreachable for valid classes; guarantees progress
      // \s*[\r\n]+ : up to the last newline inside the run
      if let last = (i..<k).last(where: { isNewline(s[$0]) }) { emit(i, last + 1); i = last + 1; continue }
      // \s+(?!\S) then \s+
      if k < n && k - i > 1 { k -= 1 }
      emit(i, k); i = k
    }
  }
}
