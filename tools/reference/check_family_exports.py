#!/usr/bin/env python3
"""Independent check of pruned + quantized family models that EdgeLab exported as GGUF (run by hand).

    edgelab run tools/reference/export_families.lua -- outputs/families
    .venv-families/bin/python tools/reference/check_family_exports.py outputs/families

For each <family>-pruned-q8_0.gguf: PyPI `gguf` (llama.cpp's reader) reads the metadata (<arch>.* keys, head
counts, key_length) and dequantizes every tensor; Llama-architecture Q/K rows are un-permuted to HF order (inverse
of convert_hf_to_gguf's permute), Qwen's are taken as they are; the tensors are loaded into a PyPI `transformers`
model of the family built from those keys (Llama-3.1's rope_scaling from the fixture's config.json, checked against
rope_freqs.weight). Its log-probabilities of the ids must match EdgeLab's (reloaded with dequantize = true) within
1e-4. Exits 1 on any mismatch or missing key.
"""
import glob, json, os, sys
import numpy as np
import torch
import transformers
import gguf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests/LLMTests/Fixtures/families")
HF = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
      "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down",
      "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "self_attn.q_norm": "attn_q_norm",
      "self_attn.k_norm": "attn_k_norm"}


def unpermute(w, n_head):
    rows = w.shape[0]
    return w.reshape(n_head, rows // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def check(meta):
    r = gguf.GGUFReader(meta["gguf"])
    f = {k: v.contents() for k, v in r.fields.items() if not k.startswith("tokenizer.")}
    arch = f["general.architecture"]
    k = lambda name: f[f"{arch}.{name}"]
    T = {t.name: gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape([int(x) for x in reversed(t.shape)])
         for t in r.tensors}
    fam = meta["family"]
    base = json.load(open(os.path.join(FIXTURES, fam, "config.json")))
    heads, kv, ffn = int(k("attention.head_count")), int(k("attention.head_count_kv")), int(k("feed_forward_length"))
    cfg = dict(base)
    cfg.update(num_attention_heads=heads, num_key_value_heads=kv, intermediate_size=ffn, head_dim=int(k("attention.key_length")),
               hidden_size=int(k("embedding_length")), num_hidden_layers=int(k("block_count")),
               tie_word_embeddings="output.weight" not in T, attn_implementation="eager")
    cls = {"llama": transformers.LlamaConfig, "qwen3": transformers.Qwen3Config, "qwen2": transformers.Qwen2Config}[arch]
    if fam == "mistral":
        cls = transformers.MistralConfig
    for drop in ("architectures", "transformers_version", "dtype", "model_type"):
        cfg.pop(drop, None)
    config = cls(**cfg)
    model = transformers.AutoModelForCausalLM.from_config(config).float().eval()
    if "rope_freqs.weight" in T:
        inv = model.model.rotary_emb.inv_freq.numpy()
        hd = config.head_dim
        plain = 1.0 / (float(k("rope.freq_base")) ** (np.arange(0, hd, 2, dtype=np.float32) / hd))
        assert np.allclose(plain / inv, T["rope_freqs.weight"], rtol=1e-5), "rope_freqs differ from rope_scaling"
    sd = {}
    for name in model.state_dict():
        if name == "model.embed_tokens.weight": src = "token_embd.weight"
        elif name == "model.norm.weight": src = "output_norm.weight"
        elif name == "lm_head.weight": src = "output.weight" if "output.weight" in T else "token_embd.weight"
        else:
            _, _, i, *rest = name.split(".")
            src = f"blk.{i}.{HF['.'.join(rest[:-1])]}.{rest[-1]}"
        a = T[src]
        if arch == "llama" and src.endswith(("attn_q.weight", "attn_k.weight")):
            a = unpermute(a, heads if "attn_q" in src else kv)
        sd[name] = torch.from_numpy(np.ascontiguousarray(a))
    model.load_state_dict(sd, strict=True)
    ids = meta["ids"]
    with torch.no_grad():
        lg = model(torch.tensor([ids])).logits[0].double()
    lp = torch.log_softmax(lg, -1)[torch.arange(len(ids) - 1), torch.tensor(ids[1:])].numpy()
    d = float(np.abs(lp - np.array(meta["logprobs"])).max())
    print(f"{fam}: arch {arch}, heads {heads}/{kv}, head_dim {config.head_dim}, ffn {ffn}: max |Δ logprob| {d:.2e}")
    return d < 1e-4


def main(folder):
    files = sorted(glob.glob(os.path.join(folder, "*-pruned-q8_0.json")))
    if not files:
        print(f"no exports in {folder}"); return 1
    ok = all([check(json.load(open(p))) for p in files])
    print("all match" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "outputs/families"))
