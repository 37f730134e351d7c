#!/usr/bin/env python3
"""Opt-in cross-check: GGUF files exported by EdgeLab load in llama.cpp and give the same log-probabilities.

    python3 -m venv .venv-llama && .venv-llama/bin/pip install llama-cpp-python numpy
    edgelab run tools/reference/export_for_llamacpp.lua -- outputs/llamacpp
    .venv-llama/bin/python tools/reference/check_llamacpp.py outputs/llamacpp

For every <name>.json written by the Lua script, loads <name>.gguf with llama-cpp-python, evaluates the same
token ids (no BOS added, no re-tokenization) with logits for all positions, and compares the per-token
log-probabilities and the perplexity with EdgeLab's. Exits 1 when the perplexities differ by more than 2%
or any file fails to load. (Both sides quantize activations to 8 bits inside Q4/Q8 products, in different
ways, so per-token values differ slightly; the perplexity agreement is the check.)
"""
import glob, json, math, os, sys

import numpy as np
from llama_cpp import Llama


def main(folder: str) -> int:
    ok = True
    files = sorted(glob.glob(os.path.join(folder, "*.json")))
    if not files:
        print(f"no exports in {folder}")
        return 1
    for path in files:
        ref = json.load(open(path))
        tokens, ours = ref["tokens"], np.array(ref["logprobs"], dtype=np.float64)
        llm = Llama(model_path=ref["model"], n_ctx=max(512, len(tokens) + 8), logits_all=True,
                    n_threads=2, verbose=False)
        llm.reset()
        llm.eval(tokens)
        scores = np.array(llm.scores[: len(tokens)], dtype=np.float64)
        m = scores.max(axis=1, keepdims=True)
        logsm = scores - m - np.log(np.exp(scores - m).sum(axis=1, keepdims=True))
        theirs = np.array([logsm[i - 1, tokens[i]] for i in range(1, len(tokens))])
        if len(ours) == len(tokens):          # EdgeLab may report a value for the first token too
            ours = ours[1:]
        if len(ours) != len(theirs):
            print(f"{path}: length mismatch {len(ours)} vs {len(theirs)}")
            ok = False
            continue
        ppl_ours, ppl_theirs = math.exp(-ours.mean()), math.exp(-theirs.mean())
        rel = abs(ppl_ours / ppl_theirs - 1)
        print(f"{os.path.basename(ref['model'])}: {len(tokens)} tokens, ppl EdgeLab {ppl_ours:.4f} vs "
              f"llama.cpp {ppl_theirs:.4f} (rel {rel:.4%}); per-token |Δ| max {np.abs(ours - theirs).max():.4f}, "
              f"mean {np.abs(ours - theirs).mean():.4f}; same argmax-free check")
        ok = ok and rel <= 0.02
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "outputs/llamacpp"))
