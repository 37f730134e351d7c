import Foundation

/// A Lua error that reached Swift: the message (usually "chunk:line: text") and, when the error went through
/// EdgeLab's message handler, the traceback lines after it.
public struct LuaError: Error, CustomStringConvertible, LocalizedError {
  public let message: String
  public let traceback: String?

  public init(message: String, traceback: String? = nil) {
    self.message = message
    self.traceback = traceback
  }

  /// Splits "message\nstack traceback:\n..." as produced by edgelab_traceback.
  init(handled text: String) {
    if let r = text.range(of: "\nstack traceback:") {
      message = String(text[..<r.lowerBound])
      traceback = String(text[text.index(after: r.lowerBound)...])
    } else {
      message = text
      traceback = nil
    }
  }

  public var description: String { message }
  public var errorDescription: String? { message }
  /// Message followed by the traceback, when there is one.
  public var fullDescription: String { traceback.map { message + "\n" + $0 } ?? message }
  /// True for the error raised when Ctrl-C stopped the script.
  public var isInterrupt: Bool { message.hasSuffix("interrupted!") }
}

/// Errors of the Swift side of the bridge: bad arguments, failed conversions and option decoding.
public enum LuaBridgeError: Error, CustomStringConvertible, LocalizedError {
  /// lauxlib style: "bad argument #2 to 'quantize' (bits must be one of 2,3,4; got 7)".
  case badArgument(index: Int, function: String, message: String)
  /// A value that cannot be converted ("table mixes integer and string keys").
  case conversion(String)
  /// An options table that does not match the Swift config type (unknown key, wrong type, missing key).
  case option(String)
  /// Anything else, with a plain message.
  case message(String)

  public var description: String {
    switch self {
    case .badArgument(let i, let f, let m): return "bad argument #\(i) to '\(f)' (\(m))"
    case .conversion(let m), .option(let m), .message(let m): return m
    }
  }
  public var errorDescription: String? { description }
}
