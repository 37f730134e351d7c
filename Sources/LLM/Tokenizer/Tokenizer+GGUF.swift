// Tokenizer from GGUF metadata: tokenizer.ggml.{model, pre, tokens, token_type, merges, bos_token_id,
// eos_token_id, add_bos_token}, tokenizer.chat_template.

extension Tokenizer {
  /// `preTokenizerFallback`: accept an unknown `tokenizer.ggml.pre` name and split like GPT-2 (otherwise an error).
  public init(gguf f: GGUFFile, preTokenizerFallback: Bool = false) throws {
    let model = f["tokenizer.ggml.model"]?.string ?? "(none)"
    guard model == "gpt2" else { throw TokenizerError.unsupportedModel(model) }
    guard let toks = f["tokenizer.ggml.tokens"]?.stringArray else { throw TokenizerError.missing("tokenizer.ggml.tokens") }
    guard let merges = f["tokenizer.ggml.merges"]?.stringArray else { throw TokenizerError.missing("tokenizer.ggml.merges") }
    var types: [TokenType]? = nil
    if let tt = f["tokenizer.ggml.token_type"]?.intArray {
      guard tt.count == toks.count else { throw TokenizerError.invalid("token_type has \(tt.count) entries for \(toks.count) tokens") }
      types = tt.map { TokenType(rawValue: Int32(truncatingIfNeeded: $0)) ?? .normal }
    }
    let preName = f["tokenizer.ggml.pre"]?.string
    let (pre, known) = try PreTokenizer.fromGGUF(preName, fallback: preTokenizerFallback)
    try self.init(tokens: toks, tokenTypes: types, merges: merges, preTokenizer: pre,
                  preTokenizerName: preName ?? "default", preTokenizerKnown: known,
                  bosID: try Self.tokenID(f, "tokenizer.ggml.bos_token_id"),
                  eosID: try Self.tokenID(f, "tokenizer.ggml.eos_token_id"),
                  addBOS: f["tokenizer.ggml.add_bos_token"]?.bool ?? false,
                  chatTemplate: f["tokenizer.chat_template"]?.string)
  }

  /// A special-token id from metadata: any integer type, checked to fit Int32 (never a conversion trap).
  static func tokenID(_ f: GGUFFile, _ key: String) throws -> Int32? {
    guard let v = f[key] else { return nil }
    guard let i = v.int, let id = Int32(exactly: i) else {
      throw TokenizerError.invalid("\(key) = \(v) is not a token id (an integer in 0 ... \(Int32.max))")
    }
    return id
  }

  /// The GGUF metadata entries describing this tokenizer (for writing a model).
  public var ggufMetadata: [(String, GGUFValue)] {
    var m: [(String, GGUFValue)] = [
      ("tokenizer.ggml.model", .string("gpt2")),
      ("tokenizer.ggml.pre", .string(preTokenizerName)),
      ("tokenizer.ggml.tokens", .array(.string, tokens.map { .string($0) })),
      ("tokenizer.ggml.token_type", .array(.int32, tokenTypes.map { .int32($0.rawValue) })),
      ("tokenizer.ggml.merges", .array(.string, merges.map { .string($0) })),
    ]
    if let b = bosID { m.append(("tokenizer.ggml.bos_token_id", .uint32(UInt32(b)))) }
    if let e = eosID { m.append(("tokenizer.ggml.eos_token_id", .uint32(UInt32(e)))) }
    m.append(("tokenizer.ggml.add_bos_token", .bool(addBOS)))
    if let t = chatTemplate { m.append(("tokenizer.chat_template", .string(t))) }
    return m
  }
}
