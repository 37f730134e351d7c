#!/usr/bin/env python3
"""Reference fixtures for EdgeLab's ggml codecs and RTN quantizer, produced with PyPI `gguf` (gguf/quants.py).

Setup:  python3 -m venv .venv-ref && .venv-ref/bin/pip install numpy gguf
Run:    .venv-ref/bin/python tools/reference/ggml_fixtures.py
Writes:
  Tests/LLMTests/Fixtures/ggml/codec.json           per type: seeded Float32 input, gguf.quants.quantize bytes,
                                                    gguf.quants.dequantize of those bytes; plus random valid blocks
                                                    (k-quants and 32-blocks) with their gguf dequantization.
  Tests/CompressionTests/Fixtures/rtn_matrix.json   a 12x128 weight matrix quantized row-wise by gguf per type.
All arrays are little-endian, base64-encoded. Versions of numpy and gguf are recorded in each file.
"""
import base64, json, os, sys
from importlib.metadata import version

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
B64 = lambda a: base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def special_blocks(rng):
    """32-element blocks exercising the rounding and tie rules, then random ones."""
    b = []
    b.append(np.zeros(32))                                             # all zero: d = 0
    b.append(np.full(32, 0.75))                                        # constant: max == min
    b.append(rng.normal(size=32))
    b.append(rng.normal(size=32) * 1e-3)
    b.append(rng.normal(size=32) * 1e-6)                               # fp16 subnormal scales
    b.append(rng.normal(size=32) * 300)
    x = np.arange(32) - 15.5; x[0] = 127.0; b.append(x)               # Q8_0: d = 1, exact .5 ties
    x = rng.normal(size=32); x[3] = 4.0; x[9] = -4.0; b.append(x)     # |max| tie: first (+) wins
    x = rng.normal(size=32); x[3] = -4.0; x[9] = 4.0; b.append(x)     # |max| tie: first (-) wins
    x = np.linspace(-8, 7.5, 32); x[0] = -8.0; b.append(x)           # Q4_0: d = 1 exactly, edge at 16 -> 15
    x = np.linspace(-16, 15.5, 32); b.append(x)                       # Q5_0: d = 1 exactly
    b.append(rng.uniform(2, 3, size=32))                               # all positive (min > 0)
    b.append(rng.uniform(-3, -2, size=32))                             # all negative
    b.append(np.round(rng.normal(size=32) * 8) / 8)                   # on a grid: many exact ties
    x = rng.normal(size=32) * 0.02; x[17] = 0.5; b.append(x)          # one outlier
    for _ in range(9):
        b.append(rng.standard_t(4, size=32) * 0.05)                    # heavy-tailed like LLM weights
    return np.concatenate(b).astype(np.float32)


def random_blocks(rng, qtype, n_blocks):
    """Random bytes with every fp16 field replaced by a sane value (no inf/NaN)."""
    bs, ts = quants.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(n_blocks, ts), dtype=np.uint8)
    half = lambda: np.array([rng.uniform(-0.05, 0.05)], dtype=np.float16).view(np.uint8)
    fields = {T.Q8_0: [0], T.Q4_0: [0], T.Q5_0: [0], T.Q4_1: [0, 2], T.Q5_1: [0, 2],
              T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208]}[qtype]
    for blk in raw:
        for off in fields:
            blk[off:off + 2] = half()
    return raw


def codec_fixture():
    rng = np.random.default_rng(20260425)
    x = special_blocks(rng)
    entries = []
    for qt in [T.F32, T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1]:
        q = quants.quantize(x, qt)
        qbytes = np.ascontiguousarray(q).view(np.uint8)
        deq = quants.dequantize(qbytes, qt).astype(np.float32)
        entries.append({"type": qt.name, "id": int(qt), "count": int(x.size),
                        "quant": B64(qbytes), "dequant": B64(deq)})
    randoms = []
    for qt in [T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]:
        nb = 3 if quants.GGML_QUANT_SIZES[qt][0] == 256 else 8
        raw = random_blocks(rng, qt, nb)
        deq = quants.dequantize(raw.reshape(-1), qt).astype(np.float32)
        randoms.append({"type": qt.name, "id": int(qt), "count": int(deq.size),
                        "bytes": B64(raw), "dequant": B64(deq)})
    return {"generator": "tools/reference/ggml_fixtures.py", "gguf": version("gguf"), "numpy": np.__version__,
            "input": B64(x), "count": int(x.size), "quantized": entries, "random_blocks": randoms}


def rtn_fixture():
    rng = np.random.default_rng(7)
    rows, cols = 12, 128
    w = rng.standard_t(5, size=(rows, cols)) * 0.02
    w[:, 5] *= 8                                                       # an outlier input column
    w[3] += 0.01                                                       # a row with an offset
    w = w.astype(np.float32)
    out = []
    for qt in [T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.F16, T.BF16]:
        q = np.ascontiguousarray(quants.quantize(w, qt)).view(np.uint8)
        out.append({"type": qt.name, "bytes": B64(q)})
    return {"generator": "tools/reference/ggml_fixtures.py", "gguf": version("gguf"), "numpy": np.__version__,
            "rows": rows, "cols": cols, "weights": B64(w), "types": out}


def write(path, obj):
    path = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    write("Tests/LLMTests/Fixtures/ggml/codec.json", codec_fixture())
    write("Tests/CompressionTests/Fixtures/rtn_matrix.json", rtn_fixture())
    sys.exit(0)
