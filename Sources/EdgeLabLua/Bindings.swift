// The registry of `edgelab.*` submodules implemented in Swift. ONE LINE PER DOMAIN: uncomment (or add) your
// binding's line below; keep the blank lines between entries (they keep parallel edits merge-clean).
extension EdgeLabBinding {
  public static let all: [EdgeLabBinding] = [
    .rng,

    .lab,

    .tensor,

    .llm,

    .eval,

    .compress,

    .mec,

    .rl,

    .stats,

  ]
}
