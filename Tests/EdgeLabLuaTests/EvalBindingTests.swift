import XCTest
import Foundation
@testable import EdgeLabLua
import LuaBridge

/// edgelab.eval from Lua: suite resolution (strict keys), devices, paper-scale cards, card files.
final class EvalBindingTests: XCTestCase {
  func testSuiteDevicesAndCards() throws {
    let lua = try Repo.state()
    let path = NSTemporaryDirectory() + "edgelab-cards-\(getpid()).json"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try lua.run("""
      local eval = require("edgelab").eval
      local s = eval.suite { items_per_task = 0, seed = 7, query = { prompt_tokens = 16, output_tokens = 4 } }
      local d = eval.devices()
      local cards = eval.paper_cards()
      eval.save_cards(..., { cards[1], cards[2] })
      local f = assert(io.open(..., "r")); local text = f:read("a"); f:close()
      return s.items_per_task, s.seed, s.halu_eval_items, s.query.output_tokens, #d, d[1].name,
             cards[1].name, cards[1].source, text:find('"paper-scale"', 1, true) ~= nil
    """, args: [.string(path)])
    XCTAssertEqual(r, [.nil, 7, 100, 4, 10, "phone-4gb", "llama-3.1-8b-f16", "paper-scale", true])
    XCTAssertThrowsError(try lua.run("require('edgelab').eval.suite { itemsPerTsk = 3 }", name: "@t.lua")) { e in
      XCTAssertTrue("\(e)".contains("itemsPerTsk"), "\(e)")
    }
    XCTAssertThrowsError(try lua.run("require('edgelab').eval.suite { perplexity_context = 2 }", name: "@t.lua")) { e in
      XCTAssertTrue("\(e)".contains("perplexity_context"), "\(e)")
    }
    XCTAssertThrowsError(try lua.run("require('edgelab').eval.run(42)", name: "@t.lua")) { e in
      XCTAssertTrue("\(e)".contains("edgelab.LLM"), "\(e)")
    }
  }
}
