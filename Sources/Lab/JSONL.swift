// JSON Lines: one canonical compact JSON object per line (sorted keys), streamed like CSVWriter.
import Foundation

public final class JSONLWriter {
  public let url: URL
  let stream: StreamingFile
  public private(set) var count = 0

  public init(url: URL) throws {
    self.url = url
    stream = try StreamingFile(url: url)
  }

  public var isClosed: Bool { stream.isClosed }

  public func add(_ value: JSONValue) throws {
    guard !stream.isClosed else { throw LabError.closed(url.lastPathComponent) }
    try stream.write(CanonicalJSON.string(value, pretty: false) + "\n")
    count += 1
  }

  public func flush() throws { try stream.flush() }
  public func close() throws { try stream.close() }
}
