import XCTest
import TensorCore
@testable import LLM

final class GGUFTests: XCTestCase {
  /// A small file exercising every metadata type, nested arrays and a few tensor types.
  static func sampleWriter() -> GGUFWriter {
    var w = GGUFWriter()
    w.set("general.architecture", .string("llama"))
    w.set("u8", .uint8(200)); w.set("i8", .int8(-5)); w.set("u16", .uint16(60000)); w.set("i16", .int16(-3000))
    w.set("u32", .uint32(4_000_000_000)); w.set("i32", .int32(-7)); w.set("f32", .float32(1.5))
    w.set("bool", .bool(true)); w.set("str", .string("héllo ✓")); w.set("u64", .uint64(UInt64.max))
    w.set("i64", .int64(Int64.min)); w.set("f64", .float64(-2.25))
    w.set("arr.i32", .array(.int32, [.int32(9), .int32(8), .int32(7)]))
    w.set("arr.str", .array(.string, [.string("a"), .string(""), .string("Ġthe")]))
    w.set("arr.nested", .array(.array, [.array(.uint8, [.uint8(1), .uint8(2)]), .array(.uint8, [])]))
    w.set("arr.empty", .array(.float32, []))
    w.tensors.append(.init(name: "a.weight", dims: [3, 2], floats: [1, 2, 3, 4, 5, 6]))
    w.tensors.append(.init(name: "q.weight", type: .q8_0, dims: [32, 2], data: (0..<68).map { UInt8($0) }))
    w.tensors.append(.init(name: "h.weight", type: .f16, dims: [5], data: [UInt8](repeating: 0x3C, count: 10)))
    return w
  }

  func testRoundTripAllValueTypes() throws {
    let w = Self.sampleWriter()
    let bytes = try w.bytes()
    let f = try GGUFFile.parse(bytes: bytes)
    XCTAssertEqual(f.version, 3)
    XCTAssertEqual(f.keys, w.metadata.map(\.0))
    for (k, v) in w.metadata { XCTAssertEqual(f[k], v, k) }
    XCTAssertEqual(f["u64"]?.int, nil)  // does not fit Int
    XCTAssertEqual(f["arr.i32"]?.intArray, [9, 8, 7])
    XCTAssertEqual(f.tensors.map(\.name), ["a.weight", "q.weight", "h.weight"])
    XCTAssertEqual(f.tensor("a.weight")?.dims, [3, 2])
    XCTAssertEqual(f.tensor("a.weight")?.rows, 2)
    XCTAssertEqual(f.tensor("q.weight")?.byteCount, 68)
    XCTAssertEqual(f.dataOffset % 32, 0)
    for t in f.tensors { XCTAssertEqual(t.offset % 32, 0) }
    let a = try f.data(named: "a.weight")
    XCTAssertEqual(Array(a.bindMemory(to: Float.self)), [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(Array(try f.data(named: "q.weight")), (0..<68).map { UInt8($0) })
    // Re-writing the parsed file reproduces it exactly.
    XCTAssertEqual(try GGUFWriter(copying: f).bytes(), bytes)
  }

  func testWriterRejectsInconsistentTensor() {
    var w = GGUFWriter()
    w.tensors.append(.init(name: "x", type: .q4_1, dims: [33], data: [UInt8](repeating: 0, count: 20)))
    XCTAssertThrowsError(try w.bytes())
    var w2 = GGUFWriter()
    w2.tensors.append(.init(name: "x", dims: [2], floats: [1, 2]))
    w2.tensors.append(.init(name: "x", dims: [2], floats: [1, 2]))
    XCTAssertThrowsError(try w2.bytes()) { XCTAssertEqual($0 as? GGUFError, .duplicateTensor("x")) }
  }

  func testTypedErrors() throws {
    let good = try Self.sampleWriter().bytes()
    XCTAssertThrowsError(try GGUFFile.parse(bytes: [UInt8]("GGUX".utf8) + good.dropFirst(4))) {
      XCTAssertEqual($0 as? GGUFError, .badMagic)
    }
    var v = good; v[4] = 9
    XCTAssertThrowsError(try GGUFFile.parse(bytes: v)) { XCTAssertEqual($0 as? GGUFError, .unsupportedVersion(9)) }
    // Huge tensor count must not allocate: it is rejected against the file size.
    var h = good; for i in 8..<16 { h[i] = 0xFF }
    XCTAssertThrowsError(try GGUFFile.parse(bytes: h)) {
      guard case .implausibleCount = $0 as? GGUFError else { return XCTFail("\($0)") }
    }
    // Truncating inside the data section names the tensor that no longer fits.
    XCTAssertThrowsError(try GGUFFile.parse(bytes: Array(good.dropLast(40)))) {
      guard case .tensorOutOfBounds = $0 as? GGUFError else { return XCTFail("\($0)") }
      XCTAssertTrue("\($0)".contains("h.weight") || "\($0)".contains("q.weight"), "\($0)")
    }
  }

  /// Every prefix of a valid file, and many random byte corruptions, either parse or throw — never crash.
  func testFuzzTruncationAndCorruption() throws {
    let good = try Self.sampleWriter().bytes()
    var errors = 0
    for n in 0..<good.count {
      do { _ = try GGUFFile.parse(bytes: Array(good.prefix(n))) } catch { errors += 1; XCTAssertFalse("\(error)".isEmpty) }
    }
    XCTAssertGreaterThan(errors, good.count - 100)  // only padding/data truncations may still parse
    var rng = RNG(seed: 42)
    var parsed = 0
    for _ in 0..<3000 {
      var b = good
      for _ in 0..<(1 + rng.int(below: 4)) {
        let i = rng.int(below: b.count)
        b[i] = rng.bernoulli(0.5) ? UInt8(truncatingIfNeeded: rng.next()) : [0, 0xFF, 0x7F, 0x80][rng.int(below: 4)]
      }
      if let f = try? GGUFFile.parse(bytes: b) {
        parsed += 1
        for t in f.tensors { _ = Array(f.data(t)) }  // touching every byte stays in bounds
      }
    }
    XCTAssertGreaterThan(parsed, 0)
  }

  func testDefaultModelMetadataAndBitExactRoundTrip() throws {
    let path = try TestPaths.requireModel()
    let f = try GGUFFile.load(path: path)
    XCTAssertEqual(f.version, 3)
    XCTAssertEqual(f.tensors.count, 272)
    XCTAssertEqual(f.keys.count, 33)
    XCTAssertEqual(try f.string("general.architecture"), "llama")
    XCTAssertEqual(try f.int("llama.block_count"), 30)
    XCTAssertEqual(try f.int("llama.embedding_length"), 576)
    XCTAssertEqual(try f.double("llama.rope.freq_base"), 100000)
    XCTAssertEqual(try f.string("tokenizer.ggml.pre"), "smollm")
    XCTAssertEqual(f["tokenizer.ggml.tokens"]?.array?.count, 49152)
    let emb = try XCTUnwrap(f.tensor("token_embd.weight"))
    XCTAssertEqual(emb.type, .q8_0); XCTAssertEqual(emb.dims, [576, 49152]); XCTAssertEqual(f.dataOffset + emb.offset, 1785664)  // gguf-py data_offset (absolute)
    XCTAssertEqual(f.tensor("blk.0.attn_k.weight")?.dims, [576, 192])
    XCTAssertEqual(f.tensor("blk.0.attn_k.weight")?.type, .q4_1)
    // Write it back through our writer: byte-identical to the original file.
    let out = try GGUFWriter(copying: f).bytes()
    XCTAssertEqual(out.count, f.storage.count)
    XCTAssertTrue(out.withUnsafeBytes { $0.elementsEqual(f.storage.buffer) }, "round trip differs")
    // Truncations of the real file's header region throw typed errors.
    for n in [0, 3, 8, 23, 100, 1000, 600_000, 1_785_000] {
      XCTAssertThrowsError(try GGUFFile.parse(bytes: Array(f.storage.buffer.prefix(n))), "prefix \(n)")
    }
  }
}
