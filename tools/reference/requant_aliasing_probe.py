#!/usr/bin/env python3
"""Opt-in probe: why can re-quantizing the Q4_1 reference to Q5_1 be worse than to the smaller Q5_0?

    python3 tools/reference/requant_aliasing_probe.py [--seed 0]

Needs only numpy. Builds a random matrix (512 × 576, SmolLM2's width), rounds it to the Q4_1 grid (per block of 32:
m + q·d, q = 0…15, d and m in F16) as the reference model is, then re-quantizes that grid with plain-numpy
re-implementations of ggml's reference Q5_0 (d = signed max / −16, q = round(x/d) + 16) and Q5_1
(d = (max − min) / 31, q = round((x − min)/d)). For each it prints the weight RMS error, the correlation of the error with the weight's
deviation from its block mean, and the relative error of W·x for Gaussian x.

Q5_1's step 15d/31 makes q·d map to 2.067·q steps: values below the block middle round down and those above it up,
an error that follows the weight itself (a coherent gain error); Q5_0's step, max|w|/16, is unrelated to d, so its
error looks random. docs/REPRODUCTION.md (claim 3) quotes this probe's output for seed 0.
"""
import argparse
import numpy as np


def f16(x):
    return x.astype(np.float16).astype(np.float32)


def q4_1(blocks):
    lo, hi = blocks.min(1, keepdims=True), blocks.max(1, keepdims=True)
    d, m = f16((hi - lo) / 15), f16(lo)
    q = np.clip(np.round((blocks - m) / np.where(d == 0, 1, d)), 0, 15)
    return m + q * d


def q5_1(blocks):
    lo, hi = blocks.min(1, keepdims=True), blocks.max(1, keepdims=True)
    d = (hi - lo) / 31
    q = np.clip(np.floor((blocks - lo) * np.where(d == 0, 0, 1 / np.where(d == 0, 1, d)) + 0.5), 0, 31)
    return f16(lo) + q * f16(d)


def q5_0(blocks):
    signed_max = blocks[np.arange(len(blocks)), np.abs(blocks).argmax(1)][:, None]
    d = signed_max / -16
    q = np.clip(np.floor(blocks * np.where(d == 0, 0, 1 / np.where(d == 0, 1, d)) + 16.5), 0, 31)
    return (q - 16) * f16(d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rows, cols = 512, 576
    reference = q4_1((rng.standard_normal((rows, cols)).astype(np.float32) * 0.05).reshape(-1, 32))
    x = rng.standard_normal((cols, 64)).astype(np.float32)
    exact = reference.reshape(rows, cols) @ x
    deviation = (reference - reference.mean(1, keepdims=True)).ravel()
    for name, quantize in (("q5_0", q5_0), ("q5_1", q5_1)):
        requantized = quantize(reference)
        error = (requantized - reference).ravel()
        out = np.linalg.norm(requantized.reshape(rows, cols) @ x - exact) / np.linalg.norm(exact)
        print(f"{name}: weight rms error {np.sqrt((error ** 2).mean()):.6f}, "
              f"corr(error, deviation from block mean) {np.corrcoef(error, deviation)[0, 1]:+.3f}, "
              f"output relative error {out:.4f}")


if __name__ == "__main__":
    main()
