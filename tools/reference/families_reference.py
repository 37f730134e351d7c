#!/usr/bin/env python3
"""Reference fixtures for the model families EdgeLab runs (Tests/LLMTests/Fixtures/families/).

Setup:  python3 -m venv .venv-families && .venv-families/bin/pip install torch transformers tokenizers gguf numpy safetensors
Run:    .venv-families/bin/python tools/reference/families_reference.py

For each family it builds a tiny random-weight model with the real architecture's quirks in PyPI `transformers`:
  llama31  LlamaForCausalLM, GQA, rope_scaling llama3 (factor 8, low 1, high 4, original_max_position_embeddings 64:
           small enough that all three frequency bands occur at head_dim 16), untied output
  qwen3    Qwen3ForCausalLM, GQA, q_norm/k_norm, head_dim 24 != hidden/heads = 16, theta 1e6, tied embeddings
  mistral  MistralForCausalLM (NeMo layout), GQA, head_dim 16 != hidden/heads = 20, theta 1e6, no sliding window
  qwen2    Qwen2ForCausalLM, GQA, Q/K/V biases, theta 1e6, tied embeddings
All weights (norm weights included) are drawn at random so every quirk changes the logits. Each model is saved as a
HF directory (config.json, model.safetensors, tokenizer.json) and as GGUF written with PyPI `gguf` in llama.cpp's
tensor naming and row order (convert_hf_to_gguf.py: Llama/Mistral Q/K rows permuted, Qwen kept in HF order;
Llama-3.1's scaling as the rope_freqs.weight tensor). The logits of `transformers` (float32, eager attention) for
a fixed token sequence go to <family>.logits.f32 (little-endian, tokens x vocab) with <family>.json.
The tokenizer is a byte-level BPE trained here on a small text with the Llama-3 split regex (the vocabulary only has
to exist; logits are fixtures of token ids).
"""
import json, math, os, shutil
import numpy as np
import torch
import transformers
import gguf
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers, Regex

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests/LLMTests/Fixtures/families")
LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
                r"\s*[\r\n]+|\s+(?!\S)|\s+")
CORPUS = ["The quick brown fox jumps over the lazy dog. " * 3, "Rotary position embeddings rotate pairs of channels.",
          "Qwen3 normalises queries and keys per head; Mistral NeMo has 128-dimensional heads.", "1234 5678 90"]
IDS = [1, 37, 250, 5, 99, 180, 3, 64, 200, 17, 120, 42]   # 12 positions


def train_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated"),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<|begin_of_text|>", "<|end_of_text|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer)
    return tok


def families(vocab):
    common = dict(vocab_size=vocab, num_hidden_layers=2, intermediate_size=96, rms_norm_eps=1e-6,
                  max_position_embeddings=256, attn_implementation="eager")
    return {
        "llama31": transformers.LlamaConfig(hidden_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                                            rope_theta=10000.0, tie_word_embeddings=False,
                                            rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                          "high_freq_factor": 4.0,
                                                          "original_max_position_embeddings": 64}, **common),
        "qwen3": transformers.Qwen3Config(hidden_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=24,
                                          rope_theta=1e6, tie_word_embeddings=True, **common),
        "mistral": transformers.MistralConfig(hidden_size=80, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                                              rope_theta=1e6, sliding_window=None, tie_word_embeddings=False, **common),
        "qwen2": transformers.Qwen2Config(hidden_size=64, num_attention_heads=4, num_key_value_heads=2,
                                          rope_theta=1e6, tie_word_embeddings=True, use_sliding_window=False, **common),
    }


def randomise(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            noise = torch.randn(p.shape, generator=g)
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.3 * noise)
            elif name.endswith(".bias"):
                p.copy_(0.5 * noise)
            else:
                p.copy_(noise / math.sqrt(p.shape[-1]) * (1.5 if "embed" in name else 1.0))


def permute(w, n_head):  # convert_hf_to_gguf.LlamaModel.permute
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def llama3_factors(cfg, dim):  # convert_hf_to_gguf.LlamaModel.generate_extra_tensors
    rs = cfg.rope_scaling if getattr(cfg, "rope_scaling", None) else cfg.rope_parameters
    base = cfg.rope_theta if hasattr(cfg, "rope_theta") and cfg.rope_theta else rs["rope_theta"]
    factor, low, high, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
    freqs = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    lw, hw = old / low, old / high
    out = []
    for f in freqs.tolist():
        wl = 2 * math.pi / f
        if wl < hw:
            out.append(1.0)
        elif wl > lw:
            out.append(factor)
        else:
            s = (old / wl - low) / (high - low)
            out.append(1 / ((1 - s) / factor + s))
    return np.array(out, dtype=np.float32)


def write_gguf(path, fam, cfg, sd, tok):
    arch = {"llama31": "llama", "mistral": "llama", "qwen3": "qwen3", "qwen2": "qwen2"}[fam]
    w = gguf.GGUFWriter(path, arch)
    hd = cfg.head_dim if getattr(cfg, "head_dim", None) else cfg.hidden_size // cfg.num_attention_heads
    w.add_block_count(cfg.num_hidden_layers)
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(cfg.num_attention_heads)
    w.add_head_count_kv(cfg.num_key_value_heads)
    w.add_key_length(hd)
    w.add_value_length(hd)
    w.add_rope_dimension_count(hd)
    theta = getattr(cfg, "rope_theta", None) or cfg.rope_parameters["rope_theta"]
    w.add_rope_freq_base(float(theta))
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    w.add_vocab_size(cfg.vocab_size)
    vocab = tok.get_vocab()
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens)
    w.add_token_types([3 if t.startswith("<|") else 1 for t in tokens])
    merges = json.loads(tok.to_str())["model"]["merges"]
    w.add_token_merges([" ".join(m) if isinstance(m, list) else m for m in merges])
    w.add_bos_token_id(vocab["<|begin_of_text|>"])
    w.add_eos_token_id(vocab["<|end_of_text|>"])
    if fam == "llama31":
        w.add_tensor("rope_freqs.weight", llama3_factors(cfg, hd))
    names = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
             "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
             "self_attn.q_norm": "attn_q_norm", "self_attn.k_norm": "attn_k_norm"}
    for name, t in sd.items():
        a = t.detach().numpy().astype(np.float32)
        if name == "model.embed_tokens.weight":
            out = "token_embd.weight"
        elif name == "model.norm.weight":
            out = "output_norm.weight"
        elif name == "lm_head.weight":
            if cfg.tie_word_embeddings:
                continue
            out = "output.weight"
        else:
            _, _, i, *rest = name.split(".")
            kind = rest[-1]
            out = f"blk.{i}.{names['.'.join(rest[:-1])]}.{kind}"
            if arch == "llama" and rest[1] in ("q_proj", "k_proj"):
                a = permute(a, cfg.num_attention_heads if rest[1] == "q_proj" else cfg.num_key_value_heads)
        w.add_tensor(out, np.ascontiguousarray(a))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    tok = train_tokenizer()
    vocab = tok.get_vocab_size()
    assert max(IDS) < vocab
    for seed, (fam, cfg) in enumerate(families(vocab).items()):
        cls = {"llama31": transformers.LlamaForCausalLM, "qwen3": transformers.Qwen3ForCausalLM,
               "mistral": transformers.MistralForCausalLM, "qwen2": transformers.Qwen2ForCausalLM}[fam]
        model = cls(cfg).float().eval()
        randomise(model, 1000 + seed)
        if cfg.tie_word_embeddings:
            model.tie_weights()
        with torch.no_grad():
            logits = model(torch.tensor([IDS])).logits[0].numpy().astype("<f4")
        d = os.path.join(OUT, fam)
        shutil.rmtree(d, ignore_errors=True)
        model.save_pretrained(d, safe_serialization=True)
        for extra in ("generation_config.json",):
            if os.path.exists(os.path.join(d, extra)):
                os.remove(os.path.join(d, extra))
        tok.save(os.path.join(d, "tokenizer.json"))
        sd = {k: v for k, v in model.state_dict().items()}
        write_gguf(os.path.join(OUT, fam + ".gguf"), fam, cfg, sd, tok)
        logits.tofile(os.path.join(OUT, fam + ".logits.f32"))
        meta = {"family": fam, "ids": IDS, "vocab": vocab, "shape": list(logits.shape),
                "source": "transformers %s, torch %s, gguf writer %s" % (transformers.__version__, torch.__version__,
                                                                          getattr(gguf, "__version__", "?")),
                "max_abs_logit": float(np.abs(logits).max())}
        if fam == "llama31":
            meta["rope_freqs"] = llama3_factors(cfg, 16).tolist()
        with open(os.path.join(OUT, fam + ".json"), "w") as f:
            json.dump(meta, f, indent=1)
        print(fam, logits.shape, "max |logit| %.3f" % meta["max_abs_logit"])


if __name__ == "__main__":
    main()
