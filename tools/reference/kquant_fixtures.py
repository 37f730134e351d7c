#!/usr/bin/env python3
"""Reference fixtures for EdgeLab's k-quant quantizers (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K), produced by ggml's own C
reference quantizers. PyPI `gguf` 0.19 only dequantizes k-quants (its quantize raises NotImplementedError), so the
quantize direction needs ggml's C: quantize_row_q{2..6}_K_ref in ggml-quants.c.

ggml's source is not part of this repository. Get it (any checkout whose ggml-quants.c has the same *_ref
functions; these fixtures were made from ggml-org/ggml at commit d99724f2b141fed9e1a9f402213506c081433465,
whose src/ggml-quants.c is the same file llama.cpp carries as ggml/src/ggml-quants.c):
    git clone https://github.com/ggml-org/ggml && git -C ggml checkout d99724f2b141fed9e1a9f402213506c081433465
Setup:  python3 -m venv .venv-ref && .venv-ref/bin/pip install numpy gguf
Run:    GGML_SRC=path/to/ggml .venv-ref/bin/python tools/reference/kquant_fixtures.py
        (for a llama.cpp checkout: GGML_SRC=path/to/llama.cpp/ggml)
The C file is compiled with the system `cc` (-O2 -std=c11: ISO C, so no FMA contraction; x86-64 or arm64) together
with tools/reference/kquant_fixtures_main.c, which quantizes the rows below and dequantizes the result.
The C dequantization is checked here against gguf.quants.dequantize (bit for bit) before anything is written.
Writes Tests/LLMTests/Fixtures/ggml/kquants.json: the Float32 input (base64, little-endian), and per type the
block bytes and the dequantized Float32 values.
"""
import base64, json, os, platform, subprocess, sys, tempfile
from importlib.metadata import version

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = "Tests/LLMTests/Fixtures/ggml/kquants.json"
COMMIT = "d99724f2b141fed9e1a9f402213506c081433465"
B64 = lambda a: base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()
TYPES = [("q2_K", T.Q2_K), ("q3_K", T.Q3_K), ("q4_K", T.Q4_K), ("q5_K", T.Q5_K), ("q6_K", T.Q6_K)]


def super_blocks(rng):
    """256-element super-blocks: the hard cases first (names kept in the fixture), then LLM-like ones."""
    cases = []
    add = lambda name, x: cases.append((name, np.asarray(x, dtype=np.float64)))
    add("all_zero", np.zeros(256))
    add("constant", np.full(256, 0.75))
    add("normal", rng.normal(size=256) * 0.02)
    x = rng.normal(size=256) * 0.02; x[37] = 0.9; add("one_outlier", x)
    x = rng.normal(size=256) * 0.02; x[200] = -0.9; add("one_negative_outlier", x)
    add("negative_only", rng.uniform(-3, -2, size=256))
    add("positive_only", rng.uniform(2, 3, size=256))
    add("tiny_1e-6", rng.normal(size=256) * 1e-6)                     # fp16 subnormal super-scales
    add("tiny_1e-9", rng.normal(size=256) * 1e-9)                     # super-scales round to 0 in fp16
    add("large_300", rng.normal(size=256) * 300)
    x = rng.normal(size=256); x *= np.repeat(10.0 ** rng.integers(-4, 1, size=16), 16); add("group_magnitudes", x)
    x = rng.normal(size=256) * 0.05; x[64:96] = 0; add("zero_groups", x)
    add("grid_ties", np.round(rng.normal(size=256) * 8) / 8)
    x = rng.normal(size=256) * 0.02; x[::16] = 0.3; add("outlier_every_group", x)
    for k in range(4):
        add(f"student_t4_{k}", rng.standard_t(4, size=256) * 0.05)
    return cases


def run_c(x, work):
    src = os.environ.get("GGML_SRC")
    if not src:
        sys.exit("set GGML_SRC to a ggml checkout (see the header of this script)")
    inc = [os.path.join(src, p) for p in ("src", "include", "src/ggml-cpu")]
    exe = os.path.join(work, "kquant_fixtures")
    flags = ["-O2", "-std=c11", "-ffunction-sections", "-fdata-sections"] + [f"-I{p}" for p in inc]
    subprocess.run(["cc", *flags, "-c", os.path.join(src, "src", "ggml-quants.c"), "-o", exe + "_q.o"], check=True)
    subprocess.run(["cc", *flags, os.path.join(os.path.dirname(__file__), "kquant_fixtures_main.c"), exe + "_q.o",
                    "-Wl,--gc-sections", "-lm", "-o", exe], check=True)
    x.astype("<f4").tofile(os.path.join(work, "in.f32"))
    subprocess.run([exe, os.path.join(work, "in.f32"), str(x.size), work], check=True)
    cc = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return cc


def main():
    rng = np.random.default_rng(20261203)
    cases = super_blocks(rng)
    x = np.concatenate([c[1] for c in cases]).astype(np.float32)
    entries = []
    with tempfile.TemporaryDirectory() as work:
        cc = run_c(x, work)
        for name, qt in TYPES:
            qbytes = np.fromfile(os.path.join(work, name + ".bin"), dtype=np.uint8)
            deq_c = np.fromfile(os.path.join(work, name + ".deq.f32"), dtype="<f4")
            bs, ts = quants.GGML_QUANT_SIZES[qt]
            assert qbytes.size == x.size // bs * ts, (name, qbytes.size)
            deq_py = quants.dequantize(qbytes, qt).astype(np.float32).reshape(-1)
            same = (deq_py.view(np.uint32) == deq_c.view(np.uint32)) | (np.isnan(deq_py) & np.isnan(deq_c))
            if not same.all():
                sys.exit(f"{name}: C and gguf dequantization differ at {np.flatnonzero(~same)[:8]}")
            rmse = float(np.sqrt(np.mean((deq_c.astype(np.float64) - x) ** 2)))
            print(f"{name}: {qbytes.size} bytes, gguf dequantization equals C, rmse {rmse:.3g}")
            entries.append({"type": qt.name, "id": int(qt), "quant": B64(qbytes), "dequant": B64(deq_c)})
    fx = {"generator": "tools/reference/kquant_fixtures.py", "ggml": f"ggml-org/ggml {COMMIT} src/ggml-quants.c",
          "compiler": cc, "machine": platform.machine(), "gguf": version("gguf"), "numpy": np.__version__,
          "count": int(x.size), "cases": [c[0] for c in cases], "input": B64(x), "types": entries}
    path = os.path.join(ROOT, OUT)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(fx, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
