#!/usr/bin/env python3
"""numpy reference for EdgeLab's GPTQ: the linear algebra and the whole algorithm on ggml block grids.

Setup:  python3 -m venv .venv-ref && .venv-ref/bin/pip install numpy gguf
Run:    .venv-ref/bin/python tools/reference/gptq_fixtures.py
Writes:
  Tests/CompressionTests/Fixtures/cholesky.json  a seeded 9x9 SPD matrix A (a damped Gram matrix of correlated
        columns, like a GPTQ Hessian), L = cholesky(A) (lower), inv(A), and U = the upper factor with
        inv(A) = U^T U (torch.linalg.cholesky(inv, upper=True) in the GPTQ reference), all float64 row-major.
  Tests/CompressionTests/Fixtures/gptq.json      a seeded 16x128 layer W and 3 batches of correlated inputs X;
        H from the running rescale H <- H n/(n+m) + 2/(n+m) X^T X over the batches (equal to 2/N sum x x^T),
        and GPTQ (Frantar et al. 2022, Algorithm 1 with lazy batches, written from the paper and the
        IST-DASLab reference's `fasterquant`) on ggml Q4_0 / Q5_0 / Q8_0 / Q4_1 32-blocks:
          - dead columns (H_ii = 0): H_ii = 1, W[:, i] = 0;
          - damping 0.01 * mean(diag H); Hinv = upper Cholesky factor of (H + damp I)^-1;
          - lazy blocks of 64 columns (so groups start inside a lazy block);
          - dynamic groups: a 32-block's scale is fitted by gguf's own round-to-nearest quantizer from the
            error-updated weights when processing reaches its first column;
          - static groups (always with act-order, optional without): every block fitted up front from the
            original weights;
          - act-order: columns by descending diag H (stable).
        Each case stores the dequantized result Q (float32), GPTQ's loss sum (w-q)^2/(2 d^2) and the output
        errors tr(D H D^T) of GPTQ and of plain RTN (gguf quantize/dequantize).
"""
import base64, json, os
from importlib.metadata import version

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
B64 = lambda a: base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def cholesky_fixture():
    rng = np.random.default_rng(99)
    n = 9
    X = rng.normal(size=(40, n)) @ (np.eye(n) + 0.8 * rng.normal(size=(n, n)))
    A = 2.0 / 40 * X.T @ X
    A += 0.01 * np.mean(np.diag(A)) * np.eye(n)
    L = np.linalg.cholesky(A)
    inv = np.linalg.inv(A)
    U = np.linalg.cholesky(inv).T
    assert np.allclose(U.T @ U, inv)
    return {"generator": "tools/reference/gptq_fixtures.py", "numpy": np.__version__, "n": n,
            "A": A.ravel().tolist(), "L": L.ravel().tolist(), "inv": inv.ravel().tolist(), "U": U.ravel().tolist()}


def block_grid(qt, blk):
    """(a, b, lmin, lmax): gguf fits the 32-block `blk`; element j decodes to a * L + b."""
    raw = np.ascontiguousarray(quants.quantize(blk.astype(np.float32).reshape(1, 32), qt)).view(np.uint8).ravel()
    h = lambda off: float(raw[off:off + 2].view(np.float16)[0])
    if qt == T.Q4_0:
        return h(0), -8 * h(0), 0, 15
    if qt == T.Q5_0:
        return h(0), -16 * h(0), 0, 31
    if qt == T.Q8_0:
        return h(0), 0.0, -127, 127
    if qt == T.Q4_1:
        return h(0), h(2), 0, 15
    raise ValueError(qt)


def quantize_column(w, grid):
    a, b, lmin, lmax = grid
    if a == 0:
        L = np.zeros_like(w) if lmin < 0 else np.full_like(w, lmin)
    else:
        L = np.clip(np.round((w - b) / a), lmin, lmax)   # numpy rounds half to even; ties are measure-zero here
    return (np.float32(a) * L.astype(np.float32) + np.float32(b)).astype(np.float32)


def gptq(W, H, qt, blocksize=64, percdamp=0.01, actorder=False, static_groups=False, group=32):
    """GPTQ in float32 arithmetic on the weights (Hinv from float64), like the reference."""
    W = W.astype(np.float32).copy()
    H = H.copy()
    rows, cols = W.shape
    dead = np.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    static = None
    if actorder or static_groups:                  # static groups: fitted from the original (dead-zeroed) W
        static = [[block_grid(qt, W[r, g:g + group]) for g in range(0, cols, group)] for r in range(rows)]
    if actorder:
        perm = sorted(range(cols), key=lambda i: (-H[i, i], i))
        W = W[:, perm]
        H = H[np.ix_(perm, perm)]
    else:
        perm = list(range(cols))
    H = H + percdamp * np.mean(np.diag(H)) * np.eye(cols)
    Hinv = np.linalg.cholesky(np.linalg.inv(H)).T.astype(np.float32)
    Q = np.zeros_like(W)
    loss = 0.0
    grids = [None] * rows
    for i1 in range(0, cols, blocksize):
        i2 = min(i1 + blocksize, cols)
        W1 = W[:, i1:i2].copy()
        Err1 = np.zeros_like(W1)
        for i in range(i2 - i1):
            col = perm[i1 + i]
            if static is None and col % group == 0:    # dynamic group: fit from the updated weights
                grids = [block_grid(qt, W1[r, i:i + group]) for r in range(rows)]
            g = [static[r][col // group] for r in range(rows)] if static is not None else grids
            w = W1[:, i]
            q = np.array([quantize_column(w[r:r + 1], g[r])[0] for r in range(rows)], dtype=np.float32)
            d = Hinv[i1 + i, i1 + i]
            Q[:, i1 + i] = q
            loss += float(np.sum((w.astype(np.float64) - q) ** 2) / (2.0 * float(d) ** 2))
            err = ((w - q) / d).astype(np.float32)
            W1[:, i:] -= np.outer(err, Hinv[i1 + i, i1 + i:i2]).astype(np.float32)
            Err1[:, i] = err
        W[:, i2:] -= (Err1 @ Hinv[i1:i2, i2:]).astype(np.float32)
    inv = np.argsort(perm)
    return Q[:, inv], loss


def gptq_fixture():
    rng = np.random.default_rng(2026)
    rows, cols, k = 16, 128, 16
    mix = rng.normal(size=(k, cols))
    scale = np.where(np.arange(cols) % 13 == 0, 5.0, 1.0) * rng.uniform(0.5, 1.5, size=cols)
    def batch(n):
        z = rng.normal(size=(n, k))
        return ((z @ mix / np.sqrt(k) + 0.3 * rng.normal(size=(n, cols))) * scale).astype(np.float32)
    batches = [batch(n) for n in (90, 60, 150)]
    for b in batches:
        b[:, 7] = 0                                                    # a dead input column
    W = (rng.standard_t(5, size=(rows, cols)) * 0.02).astype(np.float32)
    W[:, 40] *= 6                                                      # an outlier input column of W
    # Running rescale exactly as the reference's add_batch (in float64 here).
    H = np.zeros((cols, cols))
    n = 0
    for b in batches:
        m = b.shape[0]
        H *= n / (n + m)
        n += m
        H += 2.0 / n * (b.astype(np.float64).T @ b.astype(np.float64))
    Xall = np.concatenate(batches).astype(np.float64)
    assert np.allclose(H, 2.0 / Xall.shape[0] * Xall.T @ Xall)
    out_err = lambda Qm: float(np.trace((W - Qm) @ H @ (W - Qm).T))
    cases = []
    for qt in (T.Q4_0, T.Q5_0, T.Q8_0, T.Q4_1):
        rtn = quants.dequantize(quants.quantize(W, qt), qt).astype(np.float32)
        for act, static in ((False, False), (True, False), (False, True)):
            Q, loss = gptq(W, H, qt, actorder=act, static_groups=static)
            cases.append({"type": qt.name, "act_order": act, "static_groups": static, "q": B64(Q.astype(np.float32)),
                          "loss": loss, "gptq_error": out_err(Q), "rtn_error": out_err(rtn)})
            print(f"{qt.name} act_order={act} static_groups={static}: GPTQ {out_err(Q):.5g} vs RTN {out_err(rtn):.5g}")
    return {"generator": "tools/reference/gptq_fixtures.py", "numpy": np.__version__, "gguf": version("gguf"),
            "rows": rows, "cols": cols, "block_size": 64, "damp_percent": 0.01, "weights": B64(W),
            "batches": [{"rows": int(b.shape[0]), "x": B64(b)} for b in batches],
            "hessian": B64(H.astype(np.float64)), "cases": cases}


def write(name, obj):
    path = os.path.join(ROOT, "Tests/CompressionTests/Fixtures", name)
    with open(path, "w") as f:
        json.dump(obj, f)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    write("cholesky.json", cholesky_fixture())
    write("gptq.json", gptq_fixture())
