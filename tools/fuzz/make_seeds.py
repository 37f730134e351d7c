#!/usr/bin/env python3
"""Seed corpus for scripts/fuzz.sh (written to fuzz/corpus/<target>/seed-*; standard library only).

gguf: two tiny but complete Llama GGUF files (byte-level GPT-2 vocabulary, 1 layer; F32/F16 and Q8_0/Q4_0
tensors) written from the GGUF v3 layout (ggml docs/gguf.md), plus, when assets/models/SmolLM2-135M-
Instruct.Q4_1.gguf is present, a seed derived from it: its real metadata (every key, arrays cut to their
first 300 entries) over the same tiny tensors; and two mini models (24-byte vocabulary, dim 8, mixed
F32/F16/Q8_0/Q4_0 tensors, 5.4 KB) that the fuzzer executes several times faster.  safetensors: F32/F16/
BF16 files with metadata.  tokenizer: texts for each mode byte, and two tokenizer.json files (256 and 13
byte tokens).  lua-options: byte strings.
Run from the repository root:  python3 tools/fuzz/make_seeds.py
"""
import json, os, struct, sys

OUT = "fuzz/corpus"

def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b); cs.append(256 + n); n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}

def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b

# value types (GGUF): 4 u32, 5 i32, 6 f32, 8 string, 9 array
def kv(key, vtype, value):
    out = gstr(key) + struct.pack("<I", vtype)
    return out + encode(vtype, value)

def encode(vtype, value):
    if vtype == 4: return struct.pack("<I", value)
    if vtype == 5: return struct.pack("<i", value)
    if vtype == 6: return struct.pack("<f", value)
    if vtype == 7: return struct.pack("<B", 1 if value else 0)
    if vtype == 8: return gstr(value)
    if vtype == 10: return struct.pack("<Q", value)
    if vtype == 9:
        etype, items = value
        return struct.pack("<IQ", etype, len(items)) + b"".join(encode(etype, x) for x in items)
    raise ValueError(vtype)

def f16(x): return struct.pack("<e", x)

def q8_0(values):  # blocks of 32: f16 scale + 32 int8
    out = b""
    for i in range(0, len(values), 32):
        blk = values[i:i + 32]
        amax = max(abs(v) for v in blk) or 1.0
        d = amax / 127
        out += f16(d) + bytes((round(v / d) & 0xFF) for v in blk)
    return out

def q4_0(values):  # blocks of 32: f16 scale + 16 bytes of nibbles (x = (q - 8) * d)
    out = b""
    for i in range(0, len(values), 32):
        blk = values[i:i + 32]
        amax = max(blk, key=abs) or 1.0
        d = amax / -8
        q = [min(15, max(0, round(v / d + 8))) for v in blk]
        out += f16(d) + bytes(q[j] | (q[j + 16] << 4) for j in range(16))
    return out

def tensor_bytes(ttype, values):
    if ttype == 0: return b"".join(struct.pack("<f", v) for v in values)
    if ttype == 1: return b"".join(f16(v) for v in values)
    if ttype == 8: return q8_0(values)
    if ttype == 2: return q4_0(values)
    raise ValueError(ttype)

def det_values(n, seed):
    x = seed
    out = []
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out.append(((x >> 40) / (1 << 24) - 0.5) * 0.2)
    return out

def write_gguf(path, meta, dim, ffn, vocab, heads, kv_heads, mat_type, types=None):
    """types: tensor name -> ggml type, overriding mat_type (mixed-type files)."""
    hd = dim // heads
    tensors = [("token_embd.weight", [dim, vocab], mat_type), ("blk.0.attn_norm.weight", [dim], 0),
               ("blk.0.attn_q.weight", [dim, heads * hd], mat_type), ("blk.0.attn_k.weight", [dim, kv_heads * hd], mat_type),
               ("blk.0.attn_v.weight", [dim, kv_heads * hd], mat_type), ("blk.0.attn_output.weight", [heads * hd, dim], mat_type),
               ("blk.0.ffn_norm.weight", [dim], 0), ("blk.0.ffn_gate.weight", [dim, ffn], mat_type),
               ("blk.0.ffn_up.weight", [dim, ffn], mat_type), ("blk.0.ffn_down.weight", [ffn, dim], mat_type),
               ("output_norm.weight", [dim], 0)]
    tensors = [(name, dims, (types or {}).get(name, t)) for name, dims, t in tensors]
    if any(t in (8, 2) and dims[0] % 32 for _, dims, t in tensors): raise ValueError("block types need rows of 32k")
    datas, infos, off = [], b"", 0
    for i, (name, dims, t) in enumerate(tensors):
        n = 1
        for d in dims: n *= d
        vals = [1.0] * n if name.endswith("norm.weight") else det_values(n, i + 1)
        data = tensor_bytes(t, vals)
        pad = (-off) % 32
        datas.append(b"\0" * pad + data)
        off += pad
        infos += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", t, off)
        off += len(data)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(meta)) + b"".join(meta) + infos
    head += b"\0" * ((-len(head)) % 32)
    with open(path, "wb") as f:
        f.write(head + b"".join(datas))

def tiny_meta(dim, ffn, heads, kv_heads, extra_tokens=(), byte_tokens=range(256)):
    b2u = bytes_to_unicode()
    toks = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [b2u[b] for b in byte_tokens] + list(extra_tokens)
    types = [3, 3, 3] + [1] * (len(toks) - 3)
    merges = ["Ġ t", "h e", "i n"]
    meta = [kv("general.architecture", 8, "llama"), kv("general.name", 8, "fuzz-seed"),
            kv("llama.block_count", 4, 1), kv("llama.context_length", 4, 64), kv("llama.embedding_length", 4, dim),
            kv("llama.feed_forward_length", 4, ffn), kv("llama.attention.head_count", 4, heads),
            kv("llama.attention.head_count_kv", 4, kv_heads), kv("llama.rope.freq_base", 6, 10000.0),
            kv("llama.attention.layer_norm_rms_epsilon", 6, 1e-5), kv("tokenizer.ggml.model", 8, "gpt2"),
            kv("tokenizer.ggml.pre", 8, "smollm"), kv("tokenizer.ggml.tokens", 9, (8, toks)),
            kv("tokenizer.ggml.token_type", 9, (5, types)), kv("tokenizer.ggml.merges", 9, (8, merges)),
            kv("tokenizer.ggml.bos_token_id", 4, 1), kv("tokenizer.ggml.eos_token_id", 4, 2),
            kv("tokenizer.ggml.add_bos_token", 7, False),
            kv("tokenizer.chat_template", 8, "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>'}}")]
    return meta, len(toks)

def read_gguf_meta(path, cut=300):
    """(key, type, raw value bytes) of every metadata entry, arrays cut to `cut` elements."""
    with open(path, "rb") as f:
        data = f.read(64 << 20)
    pos = 4 + 4 + 8
    nkv = struct.unpack_from("<Q", data, pos)[0]; pos += 8
    def rstr(p):
        n = struct.unpack_from("<Q", data, p)[0]
        return data[p + 8:p + 8 + n].decode(), p + 8 + n
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    def rval(t, p):
        if t in sizes: return data[p:p + sizes[t]], p + sizes[t]
        if t == 8:
            _, q = rstr(p); return data[p:q], q
        et, n = struct.unpack_from("<IQ", data, p); q = p + 12
        items = []
        for _ in range(n):
            raw, q = rval(et, q); items.append(raw)
        kept = items[:cut]
        return struct.pack("<IQ", et, len(kept)) + b"".join(kept), q
    out = []
    for _ in range(nkv):
        k, pos = rstr(pos)
        t = struct.unpack_from("<I", data, pos)[0]; pos += 4
        raw, pos = rval(t, pos)
        out.append((k, t, raw))
    return out

def main():
    for t in ("gguf", "safetensors", "tokenizer", "lua-options"):
        os.makedirs(os.path.join(OUT, t), exist_ok=True)
    meta, vocab = tiny_meta(8, 16, 2, 1)
    write_gguf(f"{OUT}/gguf/seed-tiny-f32-f16.gguf", meta, 8, 16, vocab, 2, 1, 1)
    meta, vocab = tiny_meta(32, 32, 4, 2)
    write_gguf(f"{OUT}/gguf/seed-tiny-q8_0.gguf", meta, 32, 32, vocab, 4, 2, 8)
    write_gguf(f"{OUT}/gguf/seed-tiny-q4_0.gguf", meta, 32, 32, vocab, 4, 2, 2)
    # Mini seeds: the same structure with a 24-byte vocabulary and dim 8 (bytes outside it are dropped, as
    # for SmolLM2's missing control bytes), so one execution parses ~30 strings instead of ~260: the fuzzer
    # runs them several times faster through the same code. ffn_down (rows of 32) carries the block types.
    mini_bytes = sorted(set(b" Hiehtnaxr<|>_/.,0123".replace(b"|", b"")) | {0x0A})
    for name, types in (("seed-mini-f32-q8_0.gguf", {"blk.0.ffn_down.weight": 8, "blk.0.ffn_gate.weight": 1}),
                        ("seed-mini-f16-q4_0.gguf", {"blk.0.ffn_down.weight": 2, "token_embd.weight": 1})):
        meta, vocab = tiny_meta(8, 32, 2, 1, byte_tokens=mini_bytes)
        write_gguf(f"{OUT}/gguf/{name}", meta, 8, 32, vocab, 2, 1, 0, types)
    real = "assets/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    if os.path.exists(real):
        entries = read_gguf_meta(real)
        keep = {"llama.block_count": 1, "llama.embedding_length": 32, "llama.feed_forward_length": 32,
                "llama.attention.head_count": 4, "llama.attention.head_count_kv": 2, "llama.context_length": 64,
                "llama.rope.dimension_count": 8}
        meta = []
        for k, t, raw in entries:
            if k in keep: meta.append(gstr(k) + struct.pack("<I", 4) + struct.pack("<I", keep[k]))
            elif k.startswith("llama.vocab_size"): continue
            else: meta.append(gstr(k) + struct.pack("<I", t) + raw)
        write_gguf(f"{OUT}/gguf/seed-smollm2-metadata.gguf", meta, 32, 32, 300, 4, 2, 8)
    else:
        print("note: SmolLM2 GGUF not found; the derived seed was not written", file=sys.stderr)

    def st(path, tensors, meta=None):
        header, data = {}, b""
        if meta: header["__metadata__"] = meta
        for name, dtype, shape, payload in tensors:
            header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
            data += payload
        j = json.dumps(header, separators=(",", ":")).encode()
        j += b" " * ((-len(j)) % 8)
        with open(path, "wb") as f: f.write(struct.pack("<Q", len(j)) + j + data)
    st(f"{OUT}/safetensors/seed-f32.safetensors", [("w", "F32", [2, 3], b"".join(struct.pack("<f", v) for v in range(6)))], {"step": "3"})
    st(f"{OUT}/safetensors/seed-f16-bf16.safetensors", [("a", "F16", [4], b"".join(f16(v) for v in (1, -2, 0.5, 65504))),
                                                       ("b", "BF16", [2], b"\x80\x3f\x00\xc0"), ("e", "F32", [0], b"")])
    st(f"{OUT}/safetensors/seed-i64.safetensors", [("ids", "I64", [2], struct.pack("<qq", 1, -1))])

    texts = [b"\x00Hello world, the thin interns ran 12345 miles.", b"\x04<|im_start|>user\nhi<|im_end|>\n",
             b"\x00\xf0\x9f\x98\x80 caf\xc3\xa9 \xff\xfe broken utf8", b"\x01" + struct.pack("<4i", 0, 1, 258, -1),
             b"\x05" + struct.pack("<3i", 2, 100, 2 ** 31 - 1)]
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    vocab["Ġt"] = 256; vocab["he"] = 257
    tj = {"model": {"type": "BPE", "vocab": vocab, "merges": ["Ġ t", "h e"]},
          "added_tokens": [{"id": 258, "content": "<|endoftext|>", "special": True}],
          "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "ByteLevel"}]}}
    texts.append(b"\x02" + json.dumps(tj).encode())
    # The same tokenizer.json over 24 bytes (a few hundred bytes: fits the fuzz run's -max_len).
    small = {b2u[b]: i for i, b in enumerate(sorted(set(b" helowrdt0123")))}
    small["Ġt"] = len(small); small["he"] = len(small)
    tj["model"]["vocab"] = small
    tj["added_tokens"][0]["id"] = len(small)
    texts.append(b"\x02" + json.dumps(tj).encode())
    for i, t in enumerate(texts):
        with open(f"{OUT}/tokenizer/seed-{i}", "wb") as f: f.write(t)
    for i, t in enumerate([b"\x00\x03\x04\x05\x03\x02", b"\x01\x04\x07\x00\x03\x01", b"\x02\x02\x10\x03\x00",
                           b"\x03\x06\x07\x06\x02\x01\x02\x03", bytes(range(64))]):
        with open(f"{OUT}/lua-options/seed-{i}", "wb") as f: f.write(t)

main()
