import LuaBridge

/// One Swift-implemented submodule of `edgelab` (`edgelab.<name>`, `require "edgelab.<name>"`).
/// A domain binding file `Bind+<Domain>.swift` defines `static let <domain> = EdgeLabBinding(...)` and
/// adds one line to `EdgeLabBinding.all` (Bindings.swift).
public struct EdgeLabBinding {
  public let name: String
  /// Fills the module table: `module.function("name") { call in ... }`, `module.value(...)`.
  public let build: (LuaModule, EdgeLabSession) -> Void

  public init(_ name: String, build: @escaping (LuaModule, EdgeLabSession) -> Void) {
    self.name = name
    self.build = build
  }
}
