#!/usr/bin/env python3
"""Opt-in cross-check: GGUF files exported by EdgeLab load in llama.cpp and give the same log-probabilities.

    python3 -m venv .venv-llama && .venv-llama/bin/pip install llama-cpp-python numpy
    edgelab run tools/reference/export_for_llamacpp.lua -- outputs/llamacpp
    .venv-llama/bin/python tools/reference/check_llamacpp.py outputs/llamacpp
    edgelab run tools/reference/export_families.lua -- outputs/families      # the model families, pruned
    .venv-llama/bin/python tools/reference/check_llamacpp.py outputs/families

For every <name>.json written by the Lua script, loads <name>.gguf with llama-cpp-python, evaluates the same
token ids (no BOS added, no re-tokenization) with logits for all positions, and compares the per-token
log-probabilities and the perplexity with EdgeLab's. Quantized files: the perplexities must agree within 2 %
(llama.cpp rounds activations to 8 bits inside Q4/Q8 products and keeps an F16 KV cache, EdgeLab does not,
so per-token values differ slightly; decision 0007). F32 files ("weights": "f32"): llama.cpp runs with an F32 KV
cache and every per-token log-probability must agree within 1e-4. Exits 1 on any failure or failed load,
except the one known llama.cpp limitation below, which is reported and skipped.
Known limitation: llama.cpp's qwen2 loader sizes attn_q as width × width, so a head-pruned Qwen2 (heads × head_dim
< width) does not load there (it loads in EdgeLab, PyPI `gguf` and `transformers`).
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
        # export_for_llamacpp.lua writes tokens/model; export_families.lua (Llama-3.1, Qwen3, Mistral, Qwen2 tiny
        # models, pruned + Q8_0) writes ids/gguf.
        tokens = ref["tokens"] if "tokens" in ref else ref["ids"]
        ref["model"] = ref["model"] if "model" in ref else ref["gguf"]
        ours = np.array(ref["logprobs"], dtype=np.float64)
        exact = ref.get("weights") == "f32"
        kv_type = 0 if exact else 1          # GGML_TYPE_F32 / GGML_TYPE_F16
        try:
            llm = Llama(model_path=ref["model"], n_ctx=max(512, len(tokens) + 8), logits_all=True,
                        n_threads=2, verbose=False, type_k=kv_type, type_v=kv_type)
        except ValueError as e:
            if ref.get("family") == "qwen2":
                print(f"{os.path.basename(ref['model'])}: SKIPPED, llama.cpp's qwen2 loader needs heads × head_dim = width ({e})")
                continue
            raise
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
              f"llama.cpp {ppl_theirs:.4f} (rel {rel:.4%}); per-token |Δ| max {np.abs(ours - theirs).max():.2e}, "
              f"mean {np.abs(ours - theirs).mean():.2e}")
        if exact:
            ok = ok and np.abs(ours - theirs).max() <= 1e-4
        else:
            ok = ok and rel <= 0.02
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "outputs/llamacpp"))
