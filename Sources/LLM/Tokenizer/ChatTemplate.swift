// Chat formats, chosen from the file's tokenizer.chat_template text (the Jinja template itself is not executed):
//   ChatML (SmolLM2, Qwen2/Qwen3): <|im_start|>{role}\n{content}<|im_end|>\n … then "<|im_start|>assistant\n".
//     SmolLM2's template inserts a default system message when the first message is not a system message; we
//     take that default from the template text (so other ChatML models get their own or none).
//   Llama 3 (template mentions <|start_header_id|>): <|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>
//     … then "<|start_header_id|>assistant<|end_header_id|>\n\n". (Llama-3.1's official template also writes
//     "Cutting Knowledge Date/Today Date" lines into the system turn; that is not reproduced.)
//   Mistral (template mentions [INST]; the Tekken/NeMo layout without spaces): [INST]{user}[/INST]{assistant}</s>…,
//     a system message prefixed to the last user turn as "{system}\n\n{user}".
// <|begin_of_text|> / <s> are not written: they are the BOS that encode adds when the file sets add_bos_token.

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

  public enum ChatFormat: String, Sendable { case chatML, llama3, mistral }

  /// The chat format the file's template describes (ChatML when there is no template).
  public var chatFormat: ChatFormat {
    guard let t = chatTemplate else { return .chatML }
    if t.contains("<|start_header_id|>") { return .llama3 }
    if t.contains("[INST]") { return .mistral }
    return .chatML
  }

  /// Render messages in the file's chat format; `addGenerationPrompt` appends the assistant header (ChatML, Llama 3).
  public func applyChatTemplate(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
    switch chatFormat {
    case .chatML: break
    case .llama3:
      var s = messages.map { "<|start_header_id|>\($0.role)<|end_header_id|>\n\n\($0.content)<|eot_id|>" }.joined()
      if addGenerationPrompt { s += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
      return s
    case .mistral:
      let system = messages.first { $0.role == "system" }?.content
      let turns = messages.filter { $0.role != "system" }
      let lastUser = turns.lastIndex { $0.role == "user" }
      var s = ""
      for (i, m) in turns.enumerated() {
        if m.role == "user" {
          let content = (i == lastUser && system != nil) ? system! + "\n\n" + m.content : m.content
          s += "[INST]\(content)[/INST]"
        } else { s += m.content + "</s>" }
      }
      return s
    }
    var s = ""
    if let first = messages.first, first.role != "system", let sys = defaultSystemPrompt {
      s += "<|im_start|>system\n\(sys)<|im_end|>\n"
    }
    for m in messages { s += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
    if addGenerationPrompt { s += "<|im_start|>assistant\n" }
    return s
  }
}
