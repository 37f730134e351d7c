#!/usr/bin/env python3
"""Independent reference fixtures for EdgeLab's LLM module (Tests/LLMTests/Fixtures/).

Setup:  python3 -m venv .venv-ref && .venv-ref/bin/pip install numpy gguf tokenizers   (.venv* is git-ignored)
Run:    .venv-ref/bin/python tools/reference/llm_reference.py [model.gguf]

What it writes, all from code that shares nothing with the Swift implementation:
  tokenizer_cases.json  - token ids of tricky strings, from PyPI `tokenizers` (HF, Rust) loading a
                          tokenizer.json built from the GGUF vocabulary and merges, with SmolLM2's
                          pre-tokenizer (Digits(individual_digits) then ByteLevel).
  llm_reference.json    - token ids of a fixed text, perplexity with non-overlapping windows, top logits,
                          greedy chat continuation; and llm_logits.f32 (logits at a few positions, little-endian
                          float32, row-major positions x vocab).
The forward pass is a plain numpy Llama in the *Hugging Face* convention: weights dequantized by PyPI `gguf`,
Q/K un-permuted back to HF layout (inverse of convert_hf_to_gguf.permute), RoPE by the half-split
rotate_half. The Swift model uses the GGUF layout with adjacent-pair rotation, so agreement checks both.
"""
import json, sys, os
import numpy as np
import gguf
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, AddedToken

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "assets/models/SmolLM2-135M-Instruct.Q4_1.gguf")
OUT = os.path.join(ROOT, "Tests/LLMTests/Fixtures")

TEXT = ("The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. It is named "
        "after the engineer Gustave Eiffel, whose company designed and built the tower from 1887 to 1889. "
        "Locally nicknamed \"La dame de fer\" (French for \"Iron Lady\"), it was constructed as the centerpiece "
        "of the 1889 World's Fair, and to crown the centennial anniversary of the French Revolution. Although "
        "initially criticised by some of France's leading artists and intellectuals for its design, it has since "
        "become a global cultural icon of France and one of the most recognisable structures in the world. "
        "The tower received 5,889,000 visitors in 2022. It is 330 metres tall, about the same height as an "
        "81-storey building, and the tallest structure in Paris.")
CTX = 128
LOGIT_POSITIONS = [0, 17, 63, 127]
TRICKY = ["Hello world", "  leading spaces and trailing  ", "Numbers: 1234567 and 3.14159!",
          "don't won't I'll we've they're it's", "tabs\tand\nnewlines\n\n  indented",
          "<|im_start|>user\nHi there<|im_end|>\n", "Ünïcödé — ça va? 日本語のテキスト 😀👍",
          "CamelCaseIdentifier_snake_case = x+y*2;", "   ", "a  b   c    d", "'s 't 're 've 'm 'll 'd ''",
          "١٢٣ Ⅻ ½ ²", "email@example.com https://huggingface.co/HuggingFaceTB?x=1&y=2"]
CHAT_PROMPT = "What is the capital of France?"
# Llama 3 ("llama-bpe") pre-tokenizer regex, as in Meta's tiktoken setup and llama.cpp.
LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
                r"\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_TRICKY = TRICKY + ["DON'T You'RE it'S", "12345678 9.99", "a\n\n\n  b\r\n c", "x \t\ny", "!!!\n\nHello",
                          "  \n", "\tTabbed\tword", "1,000,000 people"]


def field(r, k):
    return r.fields[k].contents()


def build_tokenizer(r):
    toks = field(r, "tokenizer.ggml.tokens")
    types = field(r, "tokenizer.ggml.token_type")
    merges = field(r, "tokenizer.ggml.merges")
    vocab = {t: i for i, t in enumerate(toks)}
    bpe = models.BPE(vocab=vocab, merges=[tuple(m.split(" ", 1)) for m in merges])
    tok = Tokenizer(bpe)
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t, ty in zip(toks, types) if ty == 3])
    return tok


def build_llama3_splitter(r):
    """Same vocabulary and merges, Llama 3 splitting: Split(regex, isolated) then ByteLevel without its regex."""
    from tokenizers import Regex
    tok = build_tokenizer(r)
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated"),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    return tok


def weights(r):
    W = {}
    for t in r.tensors:
        a = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        W[t.name] = a.reshape([int(x) for x in reversed(t.shape)]) if a.ndim == 1 and len(t.shape) > 1 else a
    return W


def unpermute(w, n_head):
    # convert_hf_to_gguf: w.reshape(n_head, 2, hd/2, in).swapaxes(1, 2) -> inverse:
    rows, cols = w.shape
    return w.reshape(n_head, rows // n_head // 2, 2, cols).swapaxes(1, 2).reshape(rows, cols)


class Llama:
    def __init__(self, r):
        self.W = weights(r)
        self.L = int(field(r, "llama.block_count"))
        self.nh = int(field(r, "llama.attention.head_count"))
        self.nkv = int(field(r, "llama.attention.head_count_kv"))
        self.d = int(field(r, "llama.embedding_length"))
        self.hd = self.d // self.nh
        self.eps = float(field(r, "llama.attention.layer_norm_rms_epsilon"))
        self.theta = float(field(r, "llama.rope.freq_base"))
        for i in range(self.L):
            self.W[f"blk.{i}.attn_q.weight"] = unpermute(self.W[f"blk.{i}.attn_q.weight"], self.nh)
            self.W[f"blk.{i}.attn_k.weight"] = unpermute(self.W[f"blk.{i}.attn_k.weight"], self.nkv)

    def rms(self, x, w):
        x64 = x.astype(np.float64)
        return (x64 / np.sqrt((x64 * x64).mean(-1, keepdims=True) + self.eps) * w).astype(np.float32)

    def rope(self, x):  # x: (T, heads, hd), HF rotate_half convention
        T, _, hd = x.shape
        inv = 1.0 / (self.theta ** (np.arange(0, hd, 2, dtype=np.float64) / hd))
        ang = np.outer(np.arange(T), inv)
        cos = np.concatenate([np.cos(ang)] * 2, -1)[:, None, :]
        sin = np.concatenate([np.sin(ang)] * 2, -1)[:, None, :]
        rot = np.concatenate([-x[..., hd // 2:], x[..., :hd // 2]], -1)
        return (x * cos + rot * sin).astype(np.float32)

    def forward(self, ids):
        W, T = self.W, len(ids)
        x = W["token_embd.weight"][ids].astype(np.float32)
        mask = np.triu(np.full((T, T), -np.inf, dtype=np.float32), 1)
        g = self.nh // self.nkv
        for i in range(self.L):
            p = f"blk.{i}."
            h = self.rms(x, W[p + "attn_norm.weight"])
            q = self.rope((h @ W[p + "attn_q.weight"].T).reshape(T, self.nh, self.hd))
            k = self.rope((h @ W[p + "attn_k.weight"].T).reshape(T, self.nkv, self.hd))
            v = (h @ W[p + "attn_v.weight"].T).reshape(T, self.nkv, self.hd)
            out = np.empty((T, self.nh, self.hd), np.float32)
            for hh in range(self.nh):
                s = q[:, hh] @ k[:, hh // g].T / np.sqrt(self.hd) + mask
                s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
                out[:, hh] = s @ v[:, hh // g]
            x = x + out.reshape(T, self.d) @ W[p + "attn_output.weight"].T
            h = self.rms(x, W[p + "ffn_norm.weight"])
            a = h @ W[p + "ffn_gate.weight"].T
            x = x + ((a / (1 + np.exp(-a))) * (h @ W[p + "ffn_up.weight"].T)) @ W[p + "ffn_down.weight"].T
        out_w = W.get("output.weight", W["token_embd.weight"])
        return self.rms(x, W["output_norm.weight"]) @ out_w.T


def log_softmax(z):
    z = z.astype(np.float64)
    m = z.max(-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))


def main():
    r = gguf.GGUFReader(MODEL)
    tok = build_tokenizer(r)
    cases = [{"text": s, "ids": tok.encode(s).ids} for s in TRICKY]
    for c in cases:
        assert tok.decode(c["ids"], skip_special_tokens=False) == c["text"], c
    l3 = build_llama3_splitter(r)
    llama3_cases = [{"text": s, "ids": l3.encode(s, add_special_tokens=False).ids,
                     "pieces": [p for p, _ in l3.pre_tokenizer.pre_tokenize_str(s)]} for s in LLAMA3_TRICKY
                    if "<|" not in s]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "tokenizer_cases.json"), "w") as f:
        json.dump({"source": "PyPI tokenizers %s on a tokenizer.json built from the GGUF vocab/merges"
                   % __import__("tokenizers").__version__, "cases": cases,
                   "llama3_regex": LLAMA3_REGEX, "llama3_cases": llama3_cases}, f, ensure_ascii=False, indent=1)

    m = Llama(r)
    ids = tok.encode(TEXT).ids
    nll, count, logit_rows = 0.0, 0, []
    for s in range(0, len(ids) - 1, CTX):
        w = ids[s:s + CTX]
        if len(w) < 2:
            break
        lg = m.forward(w)
        if s == 0:
            logit_rows = [lg[p] for p in LOGIT_POSITIONS]
        lp = log_softmax(lg[:-1])
        nll -= lp[np.arange(len(w) - 1), w[1:]].sum()
        count += len(w) - 1
    ppl = float(np.exp(nll / count))
    np.asarray(logit_rows, dtype="<f4").tofile(os.path.join(OUT, "llm_logits.f32"))

    chat = ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
            "<|im_start|>user\n" + CHAT_PROMPT + "<|im_end|>\n<|im_start|>assistant\n")
    cids = tok.encode(chat).ids
    gen = []
    for _ in range(12):
        nxt = int(np.argmax(m.forward(cids + gen)[-1]))
        gen.append(nxt)
        if nxt == 2:
            break
    ref = {"model": os.path.basename(MODEL), "text": TEXT, "ids": ids, "ctx": CTX, "perplexity": ppl,
           "scored_tokens": count, "logit_positions": LOGIT_POSITIONS, "vocab": int(lg.shape[-1]),
           "chat_prompt_ids": cids, "greedy_ids": gen, "greedy_text": tok.decode(gen)}
    with open(os.path.join(OUT, "llm_reference.json"), "w") as f:
        json.dump(ref, f, ensure_ascii=False, indent=1)
    print(f"tokens {len(ids)}  ppl(ctx={CTX}) {ppl:.4f}  greedy: {tok.decode(gen)!r}")


if __name__ == "__main__":
    main()
