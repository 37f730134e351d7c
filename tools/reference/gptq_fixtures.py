#!/usr/bin/env python3
"""numpy reference for EdgeLab's GPTQ linear algebra (Cholesky, SPD inverse, upper Cholesky of the inverse).

Setup:  python3 -m venv .venv-ref && .venv-ref/bin/pip install numpy gguf
Run:    .venv-ref/bin/python tools/reference/gptq_fixtures.py
Writes: Tests/CompressionTests/Fixtures/cholesky.json — a seeded 9x9 SPD matrix A (a damped Gram matrix of
        correlated columns, like a GPTQ Hessian), L = cholesky(A) (lower), inv(A), and U = the upper factor with
        inv(A) = U^T U (torch.linalg.cholesky(inv, upper=True) in the GPTQ reference), all float64 row-major.
"""
import json, os
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
rng = np.random.default_rng(99)
n = 9
X = rng.normal(size=(40, n)) @ (np.eye(n) + 0.8 * rng.normal(size=(n, n)))
A = 2.0 / 40 * X.T @ X
A += 0.01 * np.mean(np.diag(A)) * np.eye(n)
L = np.linalg.cholesky(A)
inv = np.linalg.inv(A)
U = np.linalg.cholesky(inv).T
assert np.allclose(U.T @ U, inv)
out = {"generator": "tools/reference/gptq_fixtures.py", "numpy": np.__version__, "n": n,
       "A": A.ravel().tolist(), "L": L.ravel().tolist(), "inv": inv.ravel().tolist(), "U": U.ravel().tolist()}
path = os.path.join(ROOT, "Tests/CompressionTests/Fixtures/cholesky.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print(f"wrote {path} ({os.path.getsize(path)} bytes)")
