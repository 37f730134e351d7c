// Byte-level BPE tokenizer (GPT-2 family; SmolLM2) built from GGUF metadata or a HF tokenizer.json.
//
// encode(text): special tokens (GGUF token type CONTROL=3 / USER_DEFINED=4, HF added tokens) are cut out of
// the text first (longest match), the rest is pre-tokenized (PreTokenizer), each piece is mapped to
// byte-level characters and merged by BPE: repeatedly merge the adjacent pair with the lowest merge rank
// (leftmost on ties) — the algorithm of GPT-2 encoder.py and HF tokenizers' BPE model.
// decode(ids): token strings → bytes via the inverse byte map → UTF-8 (invalid sequences replaced).

public enum TokenizerError: Error, CustomStringConvertible, Equatable {
  case unsupportedModel(String)
  case missing(String)
  case invalid(String)
  case unknownPreTokenizer(String)

  public var description: String {
    switch self {
    case let .unsupportedModel(m): return "unsupported tokenizer model '\(m)' (only byte-level BPE 'gpt2' is implemented)"
    case let .missing(k): return "tokenizer data missing: \(k)"
    case let .invalid(m): return "invalid tokenizer data: \(m)"
    case let .unknownPreTokenizer(n):
      return "unknown pre-tokenizer '\(n)' (tokenizer.ggml.pre; implemented: \(PreTokenizer.ggufNames.keys.sorted().joined(separator: ", "))); "
        + "pass pre_tokenizer_fallback = true to split it like GPT-2 anyway (token ids may then differ from the model's)"
    }
  }
}

public struct Tokenizer: Sendable {
  public enum TokenType: Int32, Sendable { case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6 }

  public let tokens: [String]
  public let tokenTypes: [TokenType]
  public let merges: [String]
  public let preTokenizer: PreTokenizer
  /// Name found in the file (`tokenizer.ggml.pre`) and whether it is one we implement exactly.
  public let preTokenizerName: String
  public let preTokenizerKnown: Bool
  public let bosID: Int32?
  public let eosID: Int32?
  public let addBOS: Bool
  public let chatTemplate: String?

  let vocab: [String: Int32]
  /// (left id << 32 | right id) → (rank, merged id)
  let mergeTable: [UInt64: (rank: Int32, id: Int32)]
  let byteIDs: [Int32]
  /// Special tokens matched in raw text, longest first.
  let specials: [(text: [UInt8], id: Int32)]
  let specialFirstByte: [Bool]

  public var vocabSize: Int { tokens.count }

  public init(tokens: [String], tokenTypes: [TokenType]? = nil, merges: [String], preTokenizer: PreTokenizer,
              preTokenizerName: String? = nil, preTokenizerKnown: Bool = true,
              bosID: Int32? = nil, eosID: Int32? = nil, addBOS: Bool = false, chatTemplate: String? = nil,
              specialTokens: [String] = []) throws {
    guard !tokens.isEmpty else { throw TokenizerError.missing("token list") }
    guard tokens.count < Int(Int32.max) else { throw TokenizerError.invalid("\(tokens.count) tokens do not fit 32-bit ids") }
    self.tokens = tokens
    var types = tokenTypes ?? [TokenType](repeating: .normal, count: tokens.count)
    guard types.count == tokens.count else { throw TokenizerError.invalid("\(types.count) token types for \(tokens.count) tokens") }
    var v = [String: Int32](minimumCapacity: tokens.count)
    for (i, t) in tokens.enumerated() where v[t] == nil { v[t] = Int32(i) }
    for s in specialTokens { if let id = v[s], types[Int(id)] == .normal { types[Int(id)] = .control } }
    self.tokenTypes = types
    vocab = v
    self.merges = merges
    var table = [UInt64: (rank: Int32, id: Int32)](minimumCapacity: merges.count)
    for (r, m) in merges.enumerated() {
      let parts = m.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2 else { throw TokenizerError.invalid("merge #\(r) '\(m)' is not 'left right'") }
      let (a, b) = (String(parts[0]), String(parts[1]))
      guard let ia = v[a], let ib = v[b], let im = v[a + b] else { continue }  // unreachable merge: ignore
      let key = UInt64(UInt32(ia)) << 32 | UInt64(UInt32(ib))
      if table[key] == nil { table[key] = (Int32(r), im) }
    }
    mergeTable = table
    var bids = [Int32](repeating: -1, count: 256)
    for b in 0..<256 {
      // SmolLM2 lacks a few control bytes; like HF BPE without unk_token, such bytes are dropped.
      if let id = v[String(ByteLevel.byteToScalar[b])] { bids[b] = id }
    }
    byteIDs = bids
    var sp = [(text: [UInt8], id: Int32)]()
    for (i, t) in tokens.enumerated() where types[i] == .control || types[i] == .userDefined {
      if !t.isEmpty { sp.append((Array(t.utf8), Int32(i))) }
    }
    specials = sp.sorted { $0.text.count > $1.text.count }
    var first = [Bool](repeating: false, count: 256)
    for s in sp { first[Int(s.text[0])] = true }
    specialFirstByte = first
    self.preTokenizer = preTokenizer
    self.preTokenizerName = preTokenizerName ?? preTokenizer.rawValue
    self.preTokenizerKnown = preTokenizerKnown
    for id in [bosID, eosID].compactMap({ $0 }) where id < 0 || Int(id) >= tokens.count {
      throw TokenizerError.invalid("special token id \(id) outside vocabulary of \(tokens.count)")
    }
    self.bosID = bosID; self.eosID = eosID; self.addBOS = addBOS; self.chatTemplate = chatTemplate
  }

  public func id(of token: String) -> Int32? { vocab[token] }

  /// Token ids of `text`. `parseSpecial`: recognise special tokens like <|im_start|> in the text.
  /// `addBOS` defaults to the file's setting (SmolLM2: false).
  public func encode(_ text: String, parseSpecial: Bool = true, addBOS: Bool? = nil) -> [Int32] {
    encode(text, parseSpecial: parseSpecial, addBOS: addBOS, check: {})
  }

  /// `encode`, calling `check` before every pre-tokenized piece and BPE merge, so a long text can be
  /// stopped (pass `Cancellation.check`: it throws once Ctrl-C was pressed).
  public func encode(_ text: String, parseSpecial: Bool = true, addBOS: Bool? = nil,
                     check: () throws -> Void) rethrows -> [Int32] {
    var out = [Int32]()
    if addBOS ?? self.addBOS, let b = bosID { out.append(b) }
    let bytes = Array(text.utf8)
    var start = 0, i = 0
    if parseSpecial && !specials.isEmpty {
      while i < bytes.count {
        if specialFirstByte[Int(bytes[i])],
           let m = specials.first(where: { sp in i + sp.text.count <= bytes.count && bytes[i..<(i + sp.text.count)].elementsEqual(sp.text) }) {
          if start < i { try encodeOrdinary(String(decoding: bytes[start..<i], as: UTF8.self), into: &out, check: check) }
          out.append(m.id); i += m.text.count; start = i
        } else { i += 1 }
      }
    }
    if start < bytes.count { try encodeOrdinary(String(decoding: bytes[start...], as: UTF8.self), into: &out, check: check) }
    return out
  }

  func encodeOrdinary(_ text: String, into out: inout [Int32], check: () throws -> Void) rethrows {
    // Long texts are pre-tokenized in chunks of ~64 KB (so `check` runs between them), cut only before a
    // single space between two non-space bytes: "x| y" splits into the same pieces ("x", " y") either way.
    let bytes = Array(text.utf8)
    var start = 0
    while bytes.count - start > 65_536 {
      var cut = start + 65_536
      func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
      while cut < bytes.count - 1, !(bytes[cut] == 0x20 && !isSpace(bytes[cut - 1]) && !isSpace(bytes[cut + 1])) { cut += 1 }
      if cut >= bytes.count - 1 { break }
      try check()
      for piece in preTokenizer.split(String(decoding: bytes[start..<cut], as: UTF8.self)) {
        try bpe(Array(piece.utf8), into: &out, check: check)
      }
      start = cut
    }
    try check()
    let rest = start == 0 ? text : String(decoding: bytes[start...], as: UTF8.self)
    for piece in preTokenizer.split(rest) { try bpe(Array(piece.utf8), into: &out, check: check) }
  }

  /// BPE on one pre-tokenized piece.
  func bpe(_ bytes: [UInt8], into out: inout [Int32], check: () throws -> Void) rethrows {
    var syms = bytes.map { byteIDs[Int($0)] }
    if syms.contains(-1) { syms.removeAll { $0 < 0 } }
    while syms.count > 1 {
      try check()
      var best = Int32.max, bestAt = -1, bestID: Int32 = 0
      for k in 0..<(syms.count - 1) {
        if let m = mergeTable[UInt64(UInt32(syms[k])) << 32 | UInt64(UInt32(syms[k + 1]))], m.rank < best {
          best = m.rank; bestAt = k; bestID = m.id
        }
      }
      if bestAt < 0 { break }
      syms[bestAt] = bestID
      syms.remove(at: bestAt + 1)
    }
    out.append(contentsOf: syms)
  }

  /// Bytes of one token (special tokens as their literal text).
  public func bytes(of id: Int32) -> [UInt8] {
    guard id >= 0, Int(id) < tokens.count else { return [] }
    let t = tokens[Int(id)]
    if tokenTypes[Int(id)] == .control || tokenTypes[Int(id)] == .userDefined { return Array(t.utf8) }
    return ByteLevel.decode(t) ?? Array(t.utf8)
  }

  public func decode(_ ids: [Int32], skipSpecial: Bool = false) -> String {
    var b = [UInt8]()
    for id in ids {
      if skipSpecial, id >= 0, Int(id) < tokens.count, tokenTypes[Int(id)] == .control { continue }
      b += bytes(of: id)
    }
    return String(decoding: b, as: UTF8.self)
  }

  public func isSpecial(_ id: Int32) -> Bool {
    id >= 0 && Int(id) < tokens.count && tokenTypes[Int(id)] == .control
  }
}
