// Pre-tokenizers of the paper's families ("llama-bpe", "qwen2", "tekken") against PyPI `tokenizers` (HF, Rust):
// tools/reference/tokenizer_families_reference.py trained a byte-level BPE per family with that family's split regex
// and special tokens and recorded, for hard strings, HF's pre-tokenized pieces and token ids.
import Foundation
import XCTest
@testable import LLM

final class TokenizerFamiliesTests: XCTestCase {
  struct Case: Decodable { let text: String; let pieces: [String]?; let ids: [Int32]; let add_bos: Bool? }
  struct Cases: Decodable { let pre_tokenizer: String; let regex: String; let cases: [Case] }
  static let names: [(String, PreTokenizer)] = [("llama-bpe", .llama3), ("qwen2", .qwen2), ("tekken", .tekken)]

  func load(_ name: String) throws -> (Tokenizer, Cases) {
    let tok = try Tokenizer(huggingFaceJSON: Data(TestPaths.readFixture("families/tokenizers/\(name).tokenizer.json")))
    let cases = try JSONDecoder().decode(Cases.self, from: Data(TestPaths.readFixture("families/tokenizers/\(name).cases.json")))
    return (tok, cases)
  }

  func testPreTokenizersMatchHuggingFace() throws {
    for (name, pre) in Self.names {
      let (tok, cases) = try load(name)
      XCTAssertEqual(tok.preTokenizer, pre, name)
      XCTAssertEqual(tok.addBOS, name != "qwen2", "\(name): BOS from the post-processor (Qwen adds none)")
      XCTAssertEqual(pre.huggingFaceRegex, cases.regex, name)
      XCTAssertEqual(try PreTokenizer.fromGGUF(name).0, pre)
      XCTAssertGreaterThan(cases.cases.count, 20)
      for c in cases.cases {
        if let pieces = c.pieces {
          XCTAssertEqual(pre.split(c.text).map { ByteLevel.encode(Array($0.utf8)) }, pieces, "\(name) \(c.text.debugDescription)")
        }
        let bos = c.add_bos ?? false
        XCTAssertEqual(tok.encode(c.text, addBOS: bos), c.ids, "\(name) \(c.text.debugDescription)")
        if bos { XCTAssertEqual(tok.encode(c.text), c.ids, "\(name): the template post-processor adds BOS by default") }
        else { XCTAssertEqual(tok.decode(c.ids), c.text, name) }
      }
    }
  }

  /// The splits really differ between families (so the name matters).
  func testFamiliesSplitDifferently() {
    XCTAssertEqual(PreTokenizer.llama3.split("12345"), ["123", "45"])
    XCTAssertEqual(PreTokenizer.qwen2.split("12345"), ["1", "2", "3", "4", "5"])
    XCTAssertEqual(PreTokenizer.tekken.split("helloWorld a/\nb"), ["hello", "World", " a", "/\n", "b"])
    XCTAssertEqual(PreTokenizer.llama3.split("helloWorld"), ["helloWorld"])
  }

  func testUnknownPreTokenizerIsAnErrorNamingIt() throws {
    XCTAssertThrowsError(try PreTokenizer.fromGGUF("gemma4-bpe")) { e in
      XCTAssertTrue("\(e)".contains("'gemma4-bpe'"), "\(e)")
      XCTAssertTrue("\(e)".contains("pre_tokenizer_fallback"), "\(e)")
    }
    let (p, known) = try PreTokenizer.fromGGUF("gemma4-bpe", fallback: true)
    XCTAssertEqual(p, .gpt2); XCTAssertFalse(known)
    // tokenizer.json with a Split regex we do not implement.
    var json = try JSONSerialization.jsonObject(with: Data(TestPaths.readFixture("families/tokenizers/qwen2.tokenizer.json"))) as! [String: Any]
    json["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [["type": "Split", "pattern": ["Regex": "\\p{L}+|\\s+"],
                                                                     "behavior": "Isolated", "invert": false]]]
    let data = try JSONSerialization.data(withJSONObject: json)
    XCTAssertThrowsError(try Tokenizer(huggingFaceJSON: data)) { XCTAssertTrue("\($0)".contains(#"\p{L}+|\s+"#), "\($0)") }
    XCTAssertFalse(try Tokenizer(huggingFaceJSON: data, preTokenizerFallback: true).preTokenizerKnown)
  }

  /// tokenizer.json written back keeps the family's regex (and so loads as the same pre-tokenizer).
  func testHuggingFaceJSONRoundTrip() throws {
    for (name, pre) in Self.names {
      let (tok, cases) = try load(name)
      let again = try Tokenizer(huggingFaceJSON: tok.huggingFaceJSON())
      XCTAssertEqual(again.preTokenizer, pre)
      XCTAssertEqual(again.addBOS, tok.addBOS, name)
      for c in cases.cases { XCTAssertEqual(again.encode(c.text, addBOS: c.add_bos ?? false), c.ids, name) }
    }
  }
}

final class ChatFormatTests: XCTestCase {
  func tokenizer(template: String?) throws -> Tokenizer {
    let b = try Tokenizer.byteLevel()
    return try Tokenizer(tokens: b.tokens, tokenTypes: b.tokenTypes, merges: b.merges, preTokenizer: b.preTokenizer,
                         bosID: b.bosID, eosID: b.eosID, chatTemplate: template)
  }

  func testFormatsByTemplate() throws {
    let msgs: [ChatMessage] = [.system("Be brief."), .user("Hi"), .assistant("Hello."), .user("Capital of France?")]
    let llama = try tokenizer(template: "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}")
    XCTAssertEqual(llama.chatFormat, .llama3)
    XCTAssertEqual(llama.applyChatTemplate(msgs),
                   "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                   + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                   + "Capital of France?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    let mistral = try tokenizer(template: "{{ '[INST]' + message['content'] + '[/INST]' }}")
    XCTAssertEqual(mistral.chatFormat, .mistral)
    XCTAssertEqual(mistral.applyChatTemplate(msgs), "[INST]Hi[/INST]Hello.</s>[INST]Be brief.\n\nCapital of France?[/INST]")
    let qwen = try tokenizer(template: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'}}{% endfor %}")
    XCTAssertEqual(qwen.chatFormat, .chatML)
    XCTAssertEqual(qwen.applyChatTemplate([.user("Hi")]), "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
  }
}
