#!/usr/bin/env python3
"""Independent checks of files EdgeLab writes (run by hand; results in
docs/decisions/0001-reference-model-is-dequantized-q4_1.md).

  .venv-ref/bin/python tools/reference/check_exports.py ORIGINAL.gguf EXPORTED.gguf HF_DIR

1. EXPORTED.gguf (LlamaModel.save, format gguf) parses with PyPI `gguf` (the llama.cpp project's reader); every
   tensor of ORIGINAL.gguf is present with the same type, shape and dequantized values; llama.* keys agree.
2. HF_DIR (LlamaModel.save, format safetensors) is read with a plain safetensors parser and PyPI `tokenizers`
   (tokenizer.json), and the numpy Llama of llm_reference.py — Hugging Face convention, half-split RoPE,
   *no* un-permutation since the export is already in HF row order — reproduces the perplexity fixture.
"""
import json, os, struct, sys
import numpy as np
import gguf
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llm_reference as ref


def check_gguf(orig, exported):
    a, b = gguf.GGUFReader(orig), gguf.GGUFReader(exported)
    bt = {t.name: t for t in b.tensors}
    assert len(a.tensors) == len(bt), (len(a.tensors), len(bt))
    for t in a.tensors:
        u = bt[t.name]
        assert u.tensor_type == t.tensor_type and list(u.shape) == list(t.shape), t.name
        assert np.array_equal(gguf.quants.dequantize(t.data, t.tensor_type), gguf.quants.dequantize(u.data, u.tensor_type)), t.name
    for k in a.fields:
        if k.startswith("llama.") or k.startswith("tokenizer.ggml.") and k != "tokenizer.ggml.token_type":
            va, vb = a.fields[k].contents(), b.fields[k].contents() if k in b.fields else None
            assert va == vb or np.allclose(va, vb), (k, str(va)[:80], str(vb)[:80])
    print(f"gguf: {len(a.tensors)} tensors identical after dequantization; llama.* and tokenizer keys agree")


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        buf = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        raw = np.frombuffer(buf[b:en], dtype=np.uint16 if e["dtype"] in ("BF16", "F16") else np.float32)
        if e["dtype"] == "BF16":
            arr = (raw.astype(np.uint32) << 16).view(np.float32)
        elif e["dtype"] == "F16":
            arr = raw.view(np.float16).astype(np.float32)
        else:
            arr = raw
        out[name] = arr.reshape(e["shape"])
    return out


class HFLlama(ref.Llama):
    def __init__(self, d):
        cfg = json.load(open(os.path.join(d, "config.json")))
        T = read_safetensors(os.path.join(d, "model.safetensors"))
        W = {"token_embd.weight": T["model.embed_tokens.weight"], "output_norm.weight": T["model.norm.weight"]}
        names = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
                 "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
                 "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm"}
        for k, v in T.items():
            if k.startswith("model.layers."):
                _, _, i, *mid, _ = k.split(".")
                W[f"blk.{i}.{names['.'.join(mid)]}.weight"] = v
        if "lm_head.weight" in T:
            W["output.weight"] = T["lm_head.weight"]
        self.W, self.L = W, cfg["num_hidden_layers"]
        self.nh, self.nkv, self.d = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["hidden_size"]
        self.hd, self.eps, self.theta = cfg["head_dim"], cfg["rms_norm_eps"], cfg["rope_theta"]


def check_hf(d):
    fixture = json.load(open(os.path.join(ref.OUT, "llm_reference.json")))
    tok = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    ids = tok.encode(fixture["text"]).ids
    assert ids == fixture["ids"], "tokenizer.json does not reproduce the fixture's token ids"
    m = HFLlama(d)
    nll, count = 0.0, 0
    for s in range(0, len(ids) - 1, fixture["ctx"]):
        w = ids[s:s + fixture["ctx"]]
        lp = ref.log_softmax(m.forward(w)[:-1])
        nll -= lp[np.arange(len(w) - 1), w[1:]].sum()
        count += len(w) - 1
    ppl = float(np.exp(nll / count))
    print(f"safetensors ({d}): tokenizer.json ids match; numpy HF-convention ppl {ppl:.4f} vs fixture {fixture['perplexity']:.4f}"
          f" ({100 * (ppl / fixture['perplexity'] - 1):+.3f}%)")


if __name__ == "__main__":
    check_gguf(sys.argv[1], sys.argv[2])
    for d in sys.argv[3:]:
        check_hf(d)
