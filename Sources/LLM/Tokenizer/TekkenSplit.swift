// The Tekken pre-tokenizer (Mistral NeMo; tokenizer.ggml.pre "tekken"), matched by hand on Unicode scalars with the
// regex engine's leftmost-alternative, greedy-with-backtracking semantics. The regex (from the model's tokenizer.json):
//   A: [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
//   B: [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*
//   C: \p{N}      D:  ?[^\s\p{L}\p{N}]+[\r\n/]*      E: \s*[\r\n]+      F: \s+(?!\S)      G: \s+
// Upper = [Lu Lt Lm Lo M] and Lower = [Ll Lm Lo M] overlap (Lm, Lo, marks), so A's greedy Upper run backs off one
// character at a time until a Lower run can follow. Examples: "helloWorld" → "hello", "World";
// "HTTPServer" → one piece (Upper "HTTPS", Lower "erver"); "ABC" → B.
// llama.cpp approximates the classes with ASCII ranges ((?=[\p{L}])([^a-z])); this follows the tokenizer.json regex.

extension PreTokenizer {
  static func isMark(_ s: Unicode.Scalar) -> Bool {
    switch s.properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: return true
    default: return false
    }
  }
  static func isUpperClass(_ s: Unicode.Scalar) -> Bool {
    switch s.properties.generalCategory {
    case .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark, .spacingMark, .enclosingMark: return true
    default: return false
    }
  }
  static func isLowerClass(_ s: Unicode.Scalar) -> Bool {
    switch s.properties.generalCategory {
    case .lowercaseLetter, .modifierLetter, .otherLetter, .nonspacingMark, .spacingMark, .enclosingMark: return true
    default: return false
    }
  }

  static func tekken(_ s: ArraySlice<Unicode.Scalar>, into out: inout [String]) {
    var i = s.startIndex
    let n = s.endIndex
    func emit(_ a: Int, _ b: Int) { out.append(String(String.UnicodeScalarView(s[a..<b]))) }
    /// End of Upper*Lower+ from j (nil if no match): the greedy Upper run backs off until a Lower run follows.
    func upperStarLowerPlus(_ j: Int) -> Int? {
      var k = j
      while k < n && isUpperClass(s[k]) { k += 1 }
      var u = k
      while u >= j {
        if u < n && isLowerClass(s[u]) {
          var e = u + 1
          while e < n && isLowerClass(s[e]) { e += 1 }
          return e
        }
        u -= 1
      }
      return nil
    }
    /// End of Upper+Lower* from j (nil if no match).
    func upperPlusLowerStar(_ j: Int) -> Int? {
      guard j < n, isUpperClass(s[j]) else { return nil }
      var k = j + 1
      while k < n && isUpperClass(s[k]) { k += 1 }
      while k < n && isLowerClass(s[k]) { k += 1 }
      return k
    }
    /// The optional prefix [^\r\n\p{L}\p{N}]? is tried first taken, then empty.
    func withPrefix(_ body: (Int) -> Int?) -> Int? {
      if !isNewline(s[i]) && !isL(s[i]) && !isN(s[i]) && i + 1 < n, let e = body(i + 1) { return e }
      return body(i)
    }
    while i < n {
      if let e = withPrefix(upperStarLowerPlus) ?? withPrefix(upperPlusLowerStar) { emit(i, e); i = e; continue }
      if isN(s[i]) { emit(i, i + 1); i += 1; continue }
      //  ?[^\s\p{L}\p{N}]+[\r\n/]*
      do {
        let j = (s[i] == " " && i + 1 < n) ? i + 1 : i
        let c = s[j]
        if !isS(c) && !isL(c) && !isN(c) {
          var k = j + 1
          while k < n && !isS(s[k]) && !isL(s[k]) && !isN(s[k]) { k += 1 }
          while k < n && (isNewline(s[k]) || s[k] == "/") { k += 1 }
          emit(i, k); i = k; continue
        }
      }
      var k = i
      while k < n && isS(s[k]) { k += 1 }
      if k == i { emit(i, i + 1); i += 1; continue }  // a mark with no letter: unreachable in practice; guarantees progress
      if let last = (i..<k).last(where: { isNewline(s[$0]) }) { emit(i, last + 1); i = last + 1; continue }
      if k < n && k - i > 1 { k -= 1 }
      emit(i, k); i = k
    }
  }
}
