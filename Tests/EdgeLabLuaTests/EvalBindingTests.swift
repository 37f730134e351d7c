import XCTest
import Foundation
@testable import EdgeLabLua
import LuaBridge
import EdgeProfiles

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
      -- "all items" survives a round trip through Lua (the suite table is what eval.run decodes again)
      local again = eval.suite(s)
      return s.items_per_task, s.seed, s.halu_eval_items, s.query.output_tokens, #d, d[1].name,
             cards[1].name, cards[1].source, text:find('"paper-scale"', 1, true) ~= nil, again.items_per_task
    """, args: [.string(path)])
    XCTAssertEqual(r, [0, 7, 100, 4, 10, "phone-4gb", "llama-3.1-8b-f16", "paper-scale", true, 0])
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

  /// eval.paper_cards with a degradation rule (assumed, measured, a saved table); stats.paired_ratio_ci; bad names
  /// and bad tables are errors that say what is wrong.
  func testPaperCardsDegradationRules() throws {
    let lua = try Repo.state()
    let path = NSTemporaryDirectory() + "edgelab-degradation-\(getpid()).json"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try lua.run("""
      local edgelab = require("edgelab")
      local eval, stats = edgelab.eval, edgelab.stats
      local ratio, lo, hi = stats.paired_ratio_ci({ 1, 0, 0, 1 }, { 1, 1, 0, 1 }, { resamples = 100, seed = 1 })
      local function change(r) return { ratio = r, low = r, high = r, items = 10 } end
      local entries = {}
      for i, f in ipairs { "q8_0", "q4_k_m", "q2_k", "ecld" } do
        entries[i] = { format = f, variant = f, bits_per_weight = 4, accuracy = change(0.5), hallucination = change(1) }
      end
      eval.save_degradation(..., { model = "m", source = "s", entries = entries })
      local function find(cards, n) for _, c in ipairs(cards) do if c.name == n then return c end end end
      local a = find(eval.paper_cards(), "llama-3.1-8b-q2_k").tasks.knowledge.accuracy
      local m = find(eval.paper_cards { degradation = ... }, "llama-3.1-8b-q2_k").tasks.knowledge.accuracy
      local shipped = #eval.paper_cards { degradation = "measured" }
      return ratio, lo <= ratio and ratio <= hi, a, m, shipped
    """, args: [.string(path)])
    XCTAssertEqual(r[0], .number(2.0 / 3.0))
    XCTAssertEqual(r[1], true)
    XCTAssertEqual(r[2].doubleValue ?? 0, 0.653 - 0.08, accuracy: 1e-12)
    XCTAssertEqual(r[3].doubleValue ?? 0, 0.653 * 0.5, accuracy: 1e-12)
    XCTAssertEqual(r[4].doubleValue, Double(try ModelCard.paperScale.count))
    XCTAssertThrowsError(try lua.run("require('edgelab').eval.paper_cards { degradation = 'asumed' }", name: "@t.lua")) { e in
      XCTAssertTrue("\(e)".contains("'asumed'"), "\(e)")
    }
    XCTAssertThrowsError(try lua.run("require('edgelab').eval.paper_cards { degradaton = 'assumed' }", name: "@t.lua")) { e in
      XCTAssertTrue("\(e)".contains("degradaton"), "\(e)")
    }
    XCTAssertThrowsError(try lua.run("""
      require('edgelab').eval.save_degradation(..., { model = 'm', source = 's', entries = { { format = 'q9', variant = 'v',
        bits_per_weight = 4, accuracy = { ratio = 1, low = 1, high = 1, items = 1 },
        hallucination = { ratio = 1, low = 1, high = 1, items = 1 } } } })
      """, name: "@t.lua", args: [.string(path)])) { e in XCTAssertTrue("\(e)".contains("'q9'"), "\(e)") }
    XCTAssertThrowsError(try lua.run("require('edgelab').stats.paired_ratio_ci({1, 2}, {1})", name: "@t.lua")) { e in
      XCTAssertTrue("\(e)".contains("2 vs 1"), "\(e)")
    }
  }

  /// eval.divergence: per-window vectors that average to the pooled numbers, a model against itself is 0 on
  /// both texts, bad options are errors that name the option.
  func testDivergenceWindowsAndErrors() throws {
    let modelPath = LLMBindingTests.modelPath
    guard FileManager.default.fileExists(atPath: modelPath) else { throw XCTSkip("assets missing: \(modelPath)") }
    let lua = try Repo.state()
    let r = try lua.run("""
      local e = require("edgelab")
      local base = e.llm.load(...)
      local q = e.compress.quantize(base, { type = "q4_0" })
      local d = e.eval.divergence({ q, base }, base, { tokens = 64, context = 32, resamples = 20 })
      local o = e.eval.divergence({ base }, base, { text = "other_domain", tokens = 64, context = 32, resamples = 20 })
      local s = 0
      for _, x in ipairs(d[1].window_kld) do s = s + x end
      return #d, d[1].windows, #d[1].window_kld, #d[1].window_nll, math.abs(s / #d[1].window_kld - d[1].kld.mean) < 1e-12,
             d[1].kld.mean > 0, d[2].kld.mean, d[2].same_top_token, o[1].kld.mean, d[1].tokens,
             math.abs(d[2].perplexity - d[2].reference_perplexity) < 1e-9
    """, args: [.string(modelPath)])
    XCTAssertEqual(r, [2, 2, 2, 2, true, true, 0.0, 1.0, 0.0, 62, true])  // no BOS: 2 windows of 32, 31 scored each
    for (opts, word) in [("{ text = 'news' }", "text"), ("{ tokens = 1 }", "tokens"), ("{ contxt = 8 }", "contxt")] {
      XCTAssertThrowsError(try lua.run("local e = require('edgelab'); local m = e.llm.load(...); e.eval.divergence({ m }, m, \(opts))",
                                       name: "@t.lua", args: [.string(modelPath)])) { err in
        XCTAssertTrue("\(err)".contains(word), "\(err)")
      }
    }
    XCTAssertThrowsError(try lua.run("require('edgelab').eval.divergence({}, nil)", name: "@t.lua")) { err in
      XCTAssertTrue("\(err)".contains("at least one model"), "\(err)")
    }
  }
}
