import XCTest
import Foundation
@testable import LLM

final class TokenizerTests: XCTestCase {
  static var cached: Tokenizer?
  func tokenizer() throws -> Tokenizer {
    if let t = Self.cached { return t }
    let t = try Tokenizer(gguf: GGUFFile.load(path: TestPaths.requireModel()))
    Self.cached = t
    return t
  }

  struct Cases: Decodable { struct C: Decodable { let text: String; let ids: [Int32] }; let cases: [C] }

  func testPreTokenizerRegexSemantics() {
    let p = PreTokenizer.gpt2
    XCTAssertEqual(p.split("Hello world"), ["Hello", " world"])
    XCTAssertEqual(p.split("a   b"), ["a", "  ", " b"])          // \s+(?!\S) leaves one space for " b"
    XCTAssertEqual(p.split("x  "), ["x", "  "])
    XCTAssertEqual(p.split("don't"), ["don", "'t"])
    XCTAssertEqual(p.split("hi!!! ok"), ["hi", "!!!", " ok"])
    XCTAssertEqual(p.split("a\n\nb"), ["a", "\n", "\n", "b"])
    XCTAssertEqual(p.split("abc123"), ["abc", "123"])
    XCTAssertEqual(PreTokenizer.digitsThenGPT2.split("abc 123"), ["abc", " ", "1", "2", "3"])
  }

  func testByteLevelTable() {
    XCTAssertEqual(ByteLevel.byteToScalar[32], "Ġ")
    XCTAssertEqual(ByteLevel.byteToScalar[10], "Ċ")
    XCTAssertEqual(ByteLevel.byteToScalar[65], "A")
    XCTAssertEqual(Set(ByteLevel.byteToScalar.map(\.value)).count, 256)
    XCTAssertEqual(ByteLevel.decode(ByteLevel.encode([0, 10, 32, 200, 255])), [0, 10, 32, 200, 255])
  }

  /// Token ids match HF `tokenizers` (Rust) on tricky strings (fixture from tools/reference/llm_reference.py).
  func testMatchesHuggingFaceTokenizers() throws {
    let tok = try tokenizer()
    XCTAssertEqual(tok.preTokenizer, .digitsThenGPT2)
    XCTAssertTrue(tok.preTokenizerKnown)
    let cases = try JSONDecoder().decode(Cases.self, from: Data(TestPaths.readFixture("tokenizer_cases.json")))
    XCTAssertGreaterThan(cases.cases.count, 10)
    for c in cases.cases {
      let ids = tok.encode(c.text)
      XCTAssertEqual(ids, c.ids, "encode \(c.text.debugDescription)")
      XCTAssertEqual(tok.decode(ids), c.text, "round trip \(c.text.debugDescription)")
    }
    // The long reference text too.
    let ref = try JSONDecoder().decode(RefFixture.self, from: Data(TestPaths.readFixture("llm_reference.json")))
    XCTAssertEqual(tok.encode(ref.text), ref.ids)
    XCTAssertEqual(tok.encode(tok.applyChatTemplate([.user("What is the capital of France?")])), ref.chat_prompt_ids)
  }

  struct L3Cases: Decodable { struct C: Decodable { let text: String; let ids: [Int32]; let pieces: [String] }; let llama3_cases: [C] }

  /// The Llama 3 pre-tokenizer against HF tokenizers' Split(regex) on the same vocabulary.
  func testLlama3PreTokenizerMatchesRegex() throws {
    let g = try tokenizer()
    let l3 = try Tokenizer(tokens: g.tokens, tokenTypes: g.tokenTypes, merges: g.merges, preTokenizer: .llama3)
    XCTAssertEqual(try PreTokenizer.fromGGUF("llama-bpe").0, .llama3)
    let cases = try JSONDecoder().decode(L3Cases.self, from: Data(TestPaths.readFixture("tokenizer_cases.json")))
    XCTAssertGreaterThan(cases.llama3_cases.count, 15)
    for c in cases.llama3_cases {
      XCTAssertEqual(PreTokenizer.llama3.split(c.text).map { ByteLevel.encode(Array($0.utf8)) }, c.pieces, c.text.debugDescription)
      XCTAssertEqual(l3.encode(c.text, parseSpecial: false), c.ids, c.text.debugDescription)
    }
    // tokenizer.json written for it loads back as the Llama 3 splitter.
    let back = try Tokenizer(huggingFaceJSON: l3.huggingFaceJSON())
    XCTAssertEqual(back.preTokenizer, .llama3)
    for c in cases.llama3_cases { XCTAssertEqual(back.encode(c.text, parseSpecial: false), c.ids) }
  }

  func testSpecialTokensAndChatTemplate() throws {
    let tok = try tokenizer()
    XCTAssertEqual(tok.bosID, 1); XCTAssertEqual(tok.eosID, 2); XCTAssertFalse(tok.addBOS)
    XCTAssertEqual(tok.encode("<|im_start|>"), [1])
    XCTAssertNotEqual(tok.encode("<|im_start|>", parseSpecial: false), [1])
    XCTAssertEqual(tok.decode([1, 2], skipSpecial: true), "")
    XCTAssertEqual(tok.defaultSystemPrompt, "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
    let s = tok.applyChatTemplate([.user("Hi")])
    XCTAssertEqual(s, "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    XCTAssertEqual(tok.applyChatTemplate([.system("S"), .user("U")], addGenerationPrompt: false),
                   "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n")
  }

  func testRandomBytesRoundTrip() throws {
    let tok = try tokenizer()
    var rng = RNGLite(seed: 7)
    for _ in 0..<50 {
      let scalars = (0..<rng.below(40)).compactMap { _ in Unicode.Scalar(UInt32([32, 97, 48, 0x4E00, 0x1F600, 0x3A, 0xE9][rng.below(7)] + UInt32(rng.below(20)))) }
      let s = String(String.UnicodeScalarView(scalars))
      XCTAssertEqual(tok.decode(tok.encode(s, parseSpecial: false)), s)
    }
  }

  /// The HF tokenizer.json loader, on a tokenizer.json written from the GGUF vocabulary.
  func testLoadFromHuggingFaceJSON() throws {
    let g = try tokenizer()
    var vocab = [String: Int]()
    for (i, t) in g.tokens.enumerated() where !g.isSpecial(Int32(i)) { vocab[t] = i }
    let added = g.tokens.indices.filter { g.isSpecial(Int32($0)) }.map { ["id": $0, "content": g.tokens[$0], "special": true] as [String: Any] }
    let json: [String: Any] = [
      "model": ["type": "BPE", "vocab": vocab, "merges": g.merges.map { $0.split(separator: " ", maxSplits: 1).map(String.init) }],
      "added_tokens": added,
      "pre_tokenizer": ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], ["type": "ByteLevel"]]],
    ]
    let data = try JSONSerialization.data(withJSONObject: json)
    let hf = try Tokenizer(huggingFaceJSON: data)
    let cases = try JSONDecoder().decode(Cases.self, from: Data(TestPaths.readFixture("tokenizer_cases.json")))
    for c in cases.cases { XCTAssertEqual(hf.encode(c.text), c.ids, c.text) }
    XCTAssertThrowsError(try Tokenizer(huggingFaceJSON: Data("{\"model\":{\"type\":\"Unigram\"}}".utf8)))
    XCTAssertThrowsError(try Tokenizer(huggingFaceJSON: Data("not json".utf8)))
  }
}

struct RefFixture: Decodable {
  let text: String; let ids: [Int32]; let ctx: Int; let perplexity: Double; let scored_tokens: Int
  let logit_positions: [Int]; let vocab: Int; let chat_prompt_ids: [Int32]; let greedy_ids: [Int32]; let greedy_text: String
}

/// Tiny deterministic generator for test inputs.
struct RNGLite {
  var s: UInt64
  init(seed: UInt64) { s = seed }
  mutating func below(_ n: Int) -> Int { s = s &* 6364136223846793005 &+ 1442695040888963407; return Int((s >> 33) % UInt64(n)) }
}
