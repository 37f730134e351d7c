// JSON Lines: one canonical compact JSON object per line (sorted keys), streamed like CSVWriter.
import Foundation

public final class JSONLWriter {
  public let url: URL
  let stream: StreamingFile
  public private(set) var count = 0
  /// A shard's row-order log (see Shard.swift).
  var order: RowOrder?

  public init(url: URL, discarding: Bool = false) throws {
    self.url = url
    stream = try StreamingFile(url: url, discarding: discarding)
  }

  public var isClosed: Bool { stream.isClosed }

  public func add(_ value: JSONValue) throws {
    guard !stream.isClosed else { throw LabError.closed(url.lastPathComponent) }
    if let o = order, try !o.admit() { return }
    try stream.write(CanonicalJSON.string(value, pretty: false) + "\n")
    count += 1
  }

  public func flush() throws { try stream.flush(); try order?.stream.flush() }
  public func close() throws {
    defer { try? order?.stream.close() }
    try stream.close()
    try order?.stream.close()
  }
}
