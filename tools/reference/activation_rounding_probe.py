#!/usr/bin/env python3
"""Opt-in probe: how much of an EdgeLab-vs-llama.cpp perplexity gap is explained by activation rounding?

    edgelab run tools/reference/export_for_llamacpp.lua -- outputs/llamacpp
    .venv-llama/bin/pip install numpy gguf llama-cpp-python
    .venv-llama/bin/python tools/reference/activation_rounding_probe.py outputs/llamacpp/pruned_q4_0.json ...

For each <name>.json written by export_for_llamacpp.lua, runs an independent plain-numpy Llama forward in the GGUF
layout (adjacent-pair RoPE, per-layer head counts read from the tensor shapes, weights dequantized by PyPI `gguf`)
on the same token ids, in four numerics:
  f32        F32 activations everywhere (what EdgeLab's batched prefill computes);
  q8         activations entering every Q4_0/Q4_1/Q8_0 product rounded to Q8_0 blocks first (what ggml's CPU
             backend does: src1 is converted to the weight type's vec_dot_type);
  f16kv      keys and values rounded to F16 (llama.cpp's default KV-cache type);
  q8+f16kv   both.
and prints the perplexity of each next to EdgeLab's and (when llama-cpp-python is importable) llama.cpp's, with the
per-token mean/max |Δ log p| to llama.cpp. A model whose perplexity moves a lot between these numerics is
numerically fragile: an engine gap of that size is not evidence of a file-format or kernel bug.
"""
import json, math, sys
import numpy as np
import gguf

QUANTIZED = {gguf.GGMLQuantizationType.Q4_0, gguf.GGMLQuantizationType.Q4_1, gguf.GGMLQuantizationType.Q8_0}


def q8_rows(x):
    """ggml quantize_row_q8_0, then dequantize: per 32-block d = amax/127 (stored as fp16), q = round half away."""
    T, n = x.shape
    b = x.reshape(T, n // 32, 32).astype(np.float32)
    d = (np.abs(b).max(-1, keepdims=True) / 127).astype(np.float32)
    inv = np.where(d > 0, 1 / np.where(d > 0, d, 1), 0).astype(np.float32)
    v = b * inv
    q = np.sign(v) * np.floor(np.abs(v) + 0.5)
    return (q * d.astype(np.float16).astype(np.float32)).reshape(T, n).astype(np.float32)


class Llama:
    def __init__(self, path):
        r = gguf.GGUFReader(path)
        f = lambda k: r.fields[k].contents()
        self.W, self.types = {}, {}
        for t in r.tensors:
            a = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
            self.W[t.name] = a.reshape([int(x) for x in reversed(t.shape)]) if a.ndim == 1 and len(t.shape) > 1 else a
            self.types[t.name] = t.tensor_type
        self.L, self.hd = int(f("llama.block_count")), int(f("llama.attention.key_length"))
        self.eps, self.theta = float(f("llama.attention.layer_norm_rms_epsilon")), float(f("llama.rope.freq_base"))

    def mm(self, x, name, q8):
        if q8 and self.types[name] in QUANTIZED:
            x = q8_rows(x)
        return (x.astype(np.float64) @ self.W[name].T.astype(np.float64)).astype(np.float32)

    def rms(self, x, w):
        x64 = x.astype(np.float64)
        return (x64 / np.sqrt((x64 * x64).mean(-1, keepdims=True) + self.eps) * w).astype(np.float32)

    def rope(self, x):  # GGUF layout: rotate adjacent pairs (2i, 2i+1)
        T, _, hd = x.shape
        ang = np.outer(np.arange(T), 1.0 / (self.theta ** (np.arange(0, hd, 2, dtype=np.float64) / hd)))[:, None, :]
        c, s = np.cos(ang), np.sin(ang)
        a, b = x[..., 0::2].astype(np.float64), x[..., 1::2].astype(np.float64)
        out = np.empty(x.shape, np.float64)
        out[..., 0::2], out[..., 1::2] = a * c - b * s, a * s + b * c
        return out.astype(np.float32)

    def forward(self, ids, q8=False, f16kv=False):
        W, T = self.W, len(ids)
        x = W["token_embd.weight"][ids].astype(np.float32)
        mask = np.triu(np.full((T, T), -np.inf, dtype=np.float32), 1)
        for i in range(self.L):
            p = f"blk.{i}."
            nh, nkv = W[p + "attn_q.weight"].shape[0] // self.hd, W[p + "attn_k.weight"].shape[0] // self.hd
            h = self.rms(x, W[p + "attn_norm.weight"])
            q = self.rope(self.mm(h, p + "attn_q.weight", q8).reshape(T, nh, self.hd))
            k = self.rope(self.mm(h, p + "attn_k.weight", q8).reshape(T, nkv, self.hd))
            v = self.mm(h, p + "attn_v.weight", q8).reshape(T, nkv, self.hd)
            if f16kv:
                k, v = k.astype(np.float16).astype(np.float32), v.astype(np.float16).astype(np.float32)
            out = np.empty((T, nh, self.hd), np.float32)
            for hh in range(nh):
                s = q[:, hh] @ k[:, hh // (nh // nkv)].T / np.sqrt(self.hd) + mask
                s = np.exp(s - s.max(-1, keepdims=True))
                out[:, hh] = (s / s.sum(-1, keepdims=True)) @ v[:, hh // (nh // nkv)]
            x = x + self.mm(out.reshape(T, nh * self.hd), p + "attn_output.weight", q8)
            h = self.rms(x, W[p + "ffn_norm.weight"])
            a = self.mm(h, p + "ffn_gate.weight", q8)
            x = x + self.mm((a / (1 + np.exp(-a))) * self.mm(h, p + "ffn_up.weight", q8), p + "ffn_down.weight", q8)
        return self.mm(self.rms(x, W["output_norm.weight"]), "output.weight" if "output.weight" in W else "token_embd.weight", q8)


def token_logprobs(logits, ids):
    z = logits.astype(np.float64)
    m = z.max(-1, keepdims=True)
    lp = z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))
    return np.array([lp[i - 1, ids[i]] for i in range(1, len(ids))])


def main(paths):
    try:
        from llama_cpp import Llama as LlamaCpp
    except ImportError:
        LlamaCpp = None
    for path in paths:
        ref = json.load(open(path))
        ids, ours = ref["tokens"], np.array(ref["logprobs"], dtype=np.float64)
        ours = ours[1:] if len(ours) == len(ids) else ours
        theirs = None
        if LlamaCpp is not None:
            cpp = LlamaCpp(model_path=ref["model"], n_ctx=max(512, len(ids) + 8), logits_all=True, n_threads=2, verbose=False)
            cpp.reset(); cpp.eval(ids)
            theirs = token_logprobs(np.array(cpp.scores[: len(ids)]), ids)
        ppl = lambda lp: math.exp(-lp.mean())
        line = f"{path}: EdgeLab {ppl(ours):.3f}" + (f", llama.cpp {ppl(theirs):.3f}" if theirs is not None else "")
        print(line)
        m = Llama(ref["model"])
        for mode, kw in [("f32", {}), ("q8", dict(q8=True)), ("f16kv", dict(f16kv=True)), ("q8+f16kv", dict(q8=True, f16kv=True))]:
            lp = token_logprobs(m.forward(ids, **kw), ids)
            extra = (f"; vs llama.cpp per-token mean |Δ| {np.abs(lp - theirs).mean():.4f}, max {np.abs(lp - theirs).max():.4f}"
                     if theirs is not None else "")
            print(f"  numpy {mode:9s} ppl {ppl(lp):10.3f}{extra}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["outputs/llamacpp/pruned_q4_0.json"])
