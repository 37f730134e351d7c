// ChatML chat template (the format of SmolLM2's tokenizer.chat_template):
//   <|im_start|>{role}\n{content}<|im_end|>\n ... then "<|im_start|>assistant\n" as the generation prompt.
// SmolLM2's template inserts a default system message when the first message is not a system message; we
// take that default from the file's template text (so other ChatML models get their own or none).

public struct ChatMessage: Sendable, Equatable, Codable {
  public var role: String
  public var content: String
  public init(role: String, content: String) { self.role = role; self.content = content }
  public static func system(_ c: String) -> ChatMessage { .init(role: "system", content: c) }
  public static func user(_ c: String) -> ChatMessage { .init(role: "user", content: c) }
  public static func assistant(_ c: String) -> ChatMessage { .init(role: "assistant", content: c) }
}

extension Tokenizer {
  /// The default system prompt embedded in the chat template, if any.
  public var defaultSystemPrompt: String? {
    guard let t = chatTemplate, let r = t.range(of: "<|im_start|>system\n") else { return nil }
    guard let e = t[r.upperBound...].range(of: "<|im_end|>") else { return nil }
    return String(t[r.upperBound..<e.lowerBound])
  }

  /// Render messages with ChatML; `addGenerationPrompt` appends the assistant header.
  public func applyChatTemplate(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
    var s = ""
    if let first = messages.first, first.role != "system", let sys = defaultSystemPrompt {
      s += "<|im_start|>system\n\(sys)<|im_end|>\n"
    }
    for m in messages { s += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
    if addGenerationPrompt { s += "<|im_start|>assistant\n" }
    return s
  }
}
