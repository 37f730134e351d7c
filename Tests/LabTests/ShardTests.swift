import Foundation
import XCTest
@testable import Lab

final class ShardTests: XCTestCase {
  /// Every point of every grid runs in exactly one shard, for K = 1…7, grids of 0…23 points after any offset.
  func testSlicesPartitionEveryGrid() throws {
    for k in 1...7 {
      for size in 0...23 {
        for offset in [0, 1, 5, 6, 13] {
          var seen = [Int](repeating: 0, count: size)
          for i in 0..<k {
            let s = try ShardSpec(index: i, count: k).slice(size: size, offset: offset)
            XCTAssertEqual(s, s.sorted(), "ascending")
            // plain reference: global ordinal (offset + p) mod K picks the shard
            XCTAssertEqual(s, (0..<size).filter { (offset + $0) % k == i }, "k=\(k) size=\(size) offset=\(offset) i=\(i)")
            for p in s { seen[p] += 1 }
          }
          XCTAssertEqual(seen, [Int](repeating: 1, count: size), "k=\(k) size=\(size) offset=\(offset)")
        }
      }
    }
  }

  /// Through the cursor: consecutive outermost grids continue round-robin; nested grids run whole.
  func testCursorOffsetsAndNesting() throws {
    for k in 1...7 {
      var union: [[Int]] = [[], []]
      for i in 0..<k {
        let c = GridCursor(shard: try ShardSpec(index: i, count: k), skipAll: false, rootSeed: 1)
        for (g, n) in [5, 3].enumerated() {
          let pass = c.enter(size: n)
          let inner = c.enter(size: 4)
          XCTAssertTrue(inner.nested)
          XCTAssertEqual(inner.indices, [0, 1, 2, 3])
          c.leave(inner)
          union[g] += pass.indices
          for p in pass.indices { XCTAssertNotNil(c.begin(pass, point: p)) }
          c.leave(pass)
        }
        XCTAssertEqual(c.segment, 4, "two outermost grids: entered and left twice")
      }
      XCTAssertEqual(union[0].sorted(), Array(0..<5))
      XCTAssertEqual(union[1].sorted(), Array(0..<3))
    }
    let shard1of3 = GridCursor(shard: try ShardSpec(index: 1, count: 3), skipAll: false, rootSeed: 0)
    XCTAssertEqual(shard1of3.enter(size: 5).indices, [1, 4])
    XCTAssertEqual(shard1of3.segment, 1)
    XCTAssertEqual(shard1of3.enter(size: 2).indices, [0, 1], "nested")
    let collect = GridCursor(shard: nil, skipAll: true, rootSeed: 0)
    XCTAssertEqual(collect.enter(size: 5).indices, [])
  }

  func testSpecParsingAndErrors() throws {
    let s = try ShardSpec(parsing: "3/8")
    XCTAssertEqual(s.index, 3)
    XCTAssertEqual(s.count, 8)
    for bad in ["8/8", "-1/3", "1/0", "x/2", "3", "1/2/3", ""] {
      XCTAssertThrowsError(try ShardSpec(parsing: bad), bad)
    }
  }

  /// Point seeds depend only on (root, grid, point), differ across points and grids, fit a Lua integer;
  /// SplitMix64 checked against its published first output for seed 0 (0xE220A8397B1DCDAF).
  func testPointSeeds() {
    XCTAssertEqual(GridCursor.splitMix(0), 0xE220_A839_7B1D_CDAF)
    var seen = Set<Int64>()
    for g in 1...3 { for p in -1..<50 { seen.insert(GridCursor.seed(7, g, p)) } }
    XCTAssertEqual(seen.count, 3 * 51)
    XCTAssertTrue(seen.allSatisfy { $0 >= 0 })
    XCTAssertEqual(GridCursor.seed(7, 2, 3), GridCursor.seed(7, 2, 3))
    XCTAssertNotEqual(GridCursor.seed(7, 2, 3), GridCursor.seed(8, 2, 3))
  }

  /// Rows written by K shards and merged equal the rows of the unsharded run, byte for byte.
  func testShardedRunsMergeToTheWholeRun() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("shard-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: root) }
    let cfg = try LabConfig.resolve(defaults: ["n": 7])
    func script(_ run: Run) throws {
      let w = try run.csv("rows.csv", columns: ["where", "point", "j", "text"])
      let j = try run.jsonl("rows.jsonl")
      try w.add(["before", .null, .null, "a,\"quoted\"\nline"])
      for g in 0..<2 {
        let pass = run.grids.enter(size: g == 0 ? 7 : 4)
        for p in pass.indices {
          _ = run.grids.begin(pass, point: p)
          for r in 0..<(p % 3) { try w.add([.string("grid\(g)"), .int(p), .int(r), .string("")]) }
          try j.add(["g": .int(g), "p": .int(p)])
        }
        run.grids.leave(pass)
        try w.add([.string("after\(g)"), .null, .null, "x"])
      }
      _ = run.beginSummary()
      try run.finish(.complete)
    }
    let whole = try Run(root: root.appendingPathComponent("whole"), experiment: "e", config: cfg, version: "t")
    try script(whole)
    for k in [1, 2, 3, 5] {
      let out = root.appendingPathComponent("k\(k)")
      for i in 0..<k {
        try script(try Run(root: out, experiment: "e", config: cfg, version: "t",
                           role: .shard(try ShardSpec(index: i, count: k), options: ["--smoke"])))
      }
      let merge = try ShardMerge.load(out.appendingPathComponent("e/default"))
      XCTAssertEqual(merge.count, k)
      XCTAssertEqual(merge.options, ["--smoke"])
      for name in ["rows.csv", "rows.jsonl"] {
        let expected = try Data(contentsOf: whole.dir.appendingPathComponent(name))
        XCTAssertEqual(merge.file(name)?.data, expected, "\(name), K=\(k)")
      }
      // The collect role writes the merged files and discards the script's pre-summary rows.
      let collect = try Run(root: out, experiment: "e", config: cfg, version: "t", role: .collect(merge))
      try script(collect)
      XCTAssertEqual(try Data(contentsOf: collect.dir.appendingPathComponent("rows.csv")),
                     try Data(contentsOf: whole.dir.appendingPathComponent("rows.csv")))
      XCTAssertEqual(collect.status, .complete)
    }
  }

  /// A missing or failed shard: load names it and the run folder is left as it was.
  func testMissingShardIsNamed() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("shard-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: root) }
    let cfg = try LabConfig.resolve(defaults: ["n": 1])
    for i in [0, 2, 3] {
      let r = try Run(root: root, experiment: "e", config: cfg, version: "t", role: .shard(try ShardSpec(index: i, count: 4), options: []))
      if i == 3 { try r.finish(.complete); continue }   // never reached run:summary(): failed
      _ = r.beginSummary()
      try r.finish(.complete)
    }
    XCTAssertThrowsError(try ShardMerge.load(root.appendingPathComponent("e/default"))) { e in
      let m = (e as? LabError)?.message ?? ""
      XCTAssertTrue(m.contains("2 of 4 shards"), m)
      XCTAssertTrue(m.contains("missing (never ran or no manifest): shard 1"), m)
      XCTAssertTrue(m.contains("shard 3: failed: the script never called run:summary()"), m)
      XCTAssertTrue(m.contains("--only 1,3"), m)
    }
  }

  func testSlurmHelpers() throws {
    XCTAssertEqual(try Slurm.words(#"--partition=short  --time='1:00:00' --comment="a b\"c" x\ y"#),
                   ["--partition=short", "--time=1:00:00", "--comment=a b\"c", "x y"])
    XCTAssertThrowsError(try Slurm.words("--comment='open"))
    XCTAssertEqual(try Slurm.options(config: "# cluster\npartition = short\ncpus=4 # per shard\nmemory = 8G\nextra = --qos=low --exclusive\n", file: "f"),
                   ["--partition=short", "--cpus-per-task=4", "--mem=8G", "--qos=low", "--exclusive"])
    XCTAssertThrowsError(try Slurm.options(config: "gpus = 1\n", file: "f"))
    XCTAssertEqual(Slurm.arrayList([0, 1, 2, 3]), "0-3")
    XCTAssertEqual(Slurm.arrayList([7, 3]), "3,7")
    XCTAssertEqual(Slurm.arrayList([5]), "5")
    XCTAssertEqual(Slurm.parseJobID("1234\n"), "1234")
    XCTAssertEqual(Slurm.parseJobID("1234;cluster\n"), "1234")
    XCTAssertNil(Slurm.parseJobID("sbatch: error: x"))
    let st = Slurm.states("12_0|COMPLETED\n12_1|FAILED\n12_[2-4,6%2]|PENDING\n13|CANCELLED by 0\n")
    XCTAssertEqual(st["12_1"], "FAILED")
    XCTAssertEqual(st["12_3"], "PENDING")
    XCTAssertEqual(st["12_6"], "PENDING")
    XCTAssertNil(st["12_5"])
    XCTAssertEqual(st["13"], "CANCELLED")
    XCTAssertEqual(Slurm.shardStatus(disk: "complete", slurm: "FAILED"), "complete")
    XCTAssertEqual(Slurm.shardStatus(disk: nil, slurm: "PENDING"), "pending")
    XCTAssertEqual(Slurm.shardStatus(disk: "running", slurm: nil), "lost")
    XCTAssertEqual(Slurm.shardStatus(disk: "failed", slurm: nil), "failed")
    XCTAssertEqual(Slurm.shardStatus(disk: nil, slurm: "CANCELLED"), "cancelled")
    XCTAssertEqual(Slurm.shardStatus(disk: nil, slurm: nil), "missing")
    let script = Slurm.arrayScript(name: "paper/fig 1", array: "0-2", count: 3, runDir: URL(fileURLWithPath: "/o/r"),
                                   workDir: URL(fileURLWithPath: "/w"), executable: "/bin/edgelab", script: "/s/x.lua",
                                   options: ["--set", "a='b c'", "--", "arg"])
    XCTAssertTrue(script.contains("#SBATCH --job-name=edgelab-paper_fig_1\n"), script)
    XCTAssertTrue(script.contains(#"exec /bin/edgelab run /s/x.lua --shard "${SLURM_ARRAY_TASK_ID}/3" --run-dir /o/r --set 'a='\''b c'\''' -- arg"#), script)
  }

  func testSweepRecordRoundTrip() throws {
    var r = SweepRecord(shards: 3, backend: "slurm", script: "/s.lua", options: ["--smoke"])
    r.submissions = [.init(shards: [0, 1, 2], arrayJob: "5", collectJob: "6", submitted: Date(timeIntervalSince1970: 1_800_000_000))]
    r.shardStatus = ["complete", "failed", "pending"]
    let text = CanonicalJSON.data(r.json, pretty: true)
    XCTAssertEqual(try SweepRecord(json: try JSONValue.parse(text, what: "t")), r)
    XCTAssertEqual(r.submission(of: 1)?.arrayJob, "5")
    XCTAssertTrue(r.rerunCommand([1]).hasSuffix("--only 1 --smoke"))
  }
}
