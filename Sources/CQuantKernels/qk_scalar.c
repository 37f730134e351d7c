// Portable reference kernels. They follow the canonical lane structure of the SIMD kernels exactly: per block,
// 8 integer lane sums over elements 4k..4k+3, converted to float and fused-multiply-added (fmaf) with the block
// scale into the even- or odd-block accumulator; Q4_1 min terms accumulate separately (mul, then add). Q3_K and
// Q2_K (16-value sub-blocks: lanes 0–3 and 4–7 of a 32-block) multiply each integer lane sum by its sub-block's
// integer scale before the conversion (exact), and Q2_K keeps its min terms in a second pair of lane accumulators.
// Block layouts: ggml-common.h (block_q2_K … block_q6_K) and dequantize_row_q*_K in ggml-quants.c.
#include <math.h>
#include "qk_internal.h"

#pragma STDC FP_CONTRACT OFF

static float dot_q4_0(const uint8_t *w, const qk_row *a, int64_t nb) {
  const int8_t *q = a->q; const float *d = a->d;
  float acc[2][8] = {{0}};
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t *wb = w + 18 * b;
    const int8_t *xb = q + 32 * b;
    float sc = qk_h2f(qk_load16(wb)) * d[b];
    for (int k = 0; k < 8; k++) {
      int32_t lane = 0;
      for (int j = 4 * k; j < 4 * k + 4; j++) {
        int wq = j < 16 ? (wb[2 + j] & 15) : (wb[2 + j - 16] >> 4);
        lane += (wq - 8) * xb[j];
      }
      acc[b & 1][k] = fmaf((float)lane, sc, acc[b & 1][k]);
    }
  }
  return qk_reduce(acc[0], acc[1], 0, 0);
}

static float dot_q4_1(const uint8_t *w, const qk_row *a, int64_t nb) {
  const int8_t *q = a->q; const float *d = a->d; const float *s = a->s;
  float acc[2][8] = {{0}};
  float m[2] = {0, 0};
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t *wb = w + 20 * b;
    const int8_t *xb = q + 32 * b;
    float sc = qk_h2f(qk_load16(wb)) * d[b];
    for (int k = 0; k < 8; k++) {
      int32_t lane = 0;
      for (int j = 4 * k; j < 4 * k + 4; j++) {
        int wq = j < 16 ? (wb[4 + j] & 15) : (wb[4 + j - 16] >> 4);
        lane += wq * xb[j];
      }
      acc[b & 1][k] = fmaf((float)lane, sc, acc[b & 1][k]);
    }
    float mt = qk_h2f(qk_load16(wb + 2)) * s[b];
    m[b & 1] = m[b & 1] + mt;
  }
  return qk_reduce(acc[0], acc[1], m[0], m[1]);
}

static float dot_q8_0(const uint8_t *w, const qk_row *a, int64_t nb) {
  const int8_t *q = a->q; const float *d = a->d;
  float acc[2][8] = {{0}};
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t *wb = w + 34 * b;
    const int8_t *xb = q + 32 * b;
    float sc = qk_h2f(qk_load16(wb)) * d[b];
    for (int k = 0; k < 8; k++) {
      int32_t lane = 0;
      for (int j = 4 * k; j < 4 * k + 4; j++) lane += (int8_t)wb[2 + j] * xb[j];
      acc[b & 1][k] = fmaf((float)lane, sc, acc[b & 1][k]);
    }
  }
  return qk_reduce(acc[0], acc[1], 0, 0);
}

/// Q4_K (144 bytes per 256 values: fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins, qs[128] nibbles) and Q5_K
/// (176 bytes: the same header, then qh[32] fifth bits, then qs[128]): sub-block g (of 8) is
/// (qs[32·(g/2) + l] >> 4·(g%2)) & 15, plus ((qh[l] >> g) & 1) << 4 for Q5_K. Sub-block 2c → even accumulators,
/// 2c+1 → odd; the min terms are subtracted in order.
static float dot_q45_k(const uint8_t *w, const qk_row *a, int64_t nb, int five) {
  const int64_t bb = five ? 176 : 144, qoff = five ? 48 : 16;
  float acc[2][8] = {{0}};
  float m[2] = {0, 0};
  for (int64_t sb = 0; sb < nb / 8; sb++) {
    const uint8_t *wb = w + bb * sb, *qh = wb + 16;
    float dj[8], mj[8];
    qk_q4k_scales(wb, dj, mj);
    for (int c = 0; c < 4; c++) {
      const uint8_t *qb = wb + qoff + 32 * c;
      int64_t g0 = 8 * sb + 2 * c;
      const int8_t *x0 = a->q + 32 * g0, *x1 = x0 + 32;
      float s0 = dj[2 * c] * a->d[g0], s1 = dj[2 * c + 1] * a->d[g0 + 1];
      for (int k = 0; k < 8; k++) {
        int32_t l0 = 0, l1 = 0;
        for (int e = 4 * k; e < 4 * k + 4; e++) {
          int h0 = five ? ((qh[e] >> (2 * c)) & 1) << 4 : 0, h1 = five ? ((qh[e] >> (2 * c + 1)) & 1) << 4 : 0;
          l0 += ((qb[e] & 15) | h0) * x0[e];
          l1 += ((qb[e] >> 4) | h1) * x1[e];
        }
        acc[0][k] = fmaf((float)l0, s0, acc[0][k]);
        acc[1][k] = fmaf((float)l1, s1, acc[1][k]);
      }
      float t0 = mj[2 * c] * a->s[g0], t1 = mj[2 * c + 1] * a->s[g0 + 1];
      m[0] = m[0] - t0; m[1] = m[1] - t1;
    }
  }
  return qk_reduce(acc[0], acc[1], m[0], m[1]);
}
static float dot_q4_k(const uint8_t *w, const qk_row *a, int64_t nb) { return dot_q45_k(w, a, nb, 0); }
static float dot_q5_k(const uint8_t *w, const qk_row *a, int64_t nb) { return dot_q45_k(w, a, nb, 1); }

/// Q6_K (210 bytes per 256 values: ql[128] low nibbles, qh[64] 2 high bits, 16 int8 scales, fp16 d): activation
/// block g = 8·sb + 4·half + k holds q(l) for l < 32 from ql/qh as ggml lays it out; lanes 0–3 (l < 16) use scale
/// 2·(4·half + k), lanes 4–7 the next one; the −32 offset is applied to the integer lane sums.
static inline int q6k_value(const uint8_t *wb, int half, int k, int l) {
  const uint8_t *ql = wb + 64 * half, *qh = wb + 128 + 32 * half;
  int lo = (k & 1) ? ql[32 + l] : ql[l];
  lo = (k & 2) ? (lo >> 4) : (lo & 15);
  int hi = (qh[l] >> (2 * k)) & 3;
  return lo | (hi << 4);
}

static float dot_q6_k(const uint8_t *w, const qk_row *a, int64_t nb) {
  float acc[2][8] = {{0}};
  for (int64_t sb = 0; sb < nb / 8; sb++) {
    const uint8_t *wb = w + 210 * sb;
    float d = qk_h2f(qk_load16(wb + 208));
    float dsc[16];
    for (int i = 0; i < 16; i++) dsc[i] = d * (float)(int8_t)wb[192 + i];
    for (int half = 0; half < 2; half++) {
      for (int k = 0; k < 4; k++) {
        int64_t g = 8 * sb + 4 * half + k;
        const int8_t *x = a->q + 32 * g;
        int si = 8 * half + 2 * k;
        float sa = dsc[si] * a->d[g], sbv = dsc[si + 1] * a->d[g];
        for (int ln = 0; ln < 8; ln++) {
          int32_t lane = 0;
          for (int l = 4 * ln; l < 4 * ln + 4; l++) lane += q6k_value(wb, half, k, l) * x[l];
          lane += 32 * a->nls[8 * g + ln];                  // − 32·Σx over the lane
          acc[g & 1][ln] = fmaf((float)lane, ln < 4 ? sa : sbv, acc[g & 1][ln]);
        }
      }
    }
  }
  return qk_reduce(acc[0], acc[1], 0, 0);
}

/// Q5_0 / Q5_1 (bit j of the 32-bit qh is bit 4 of element j): lane sums of q·x, Q5_0's −16 applied to the
/// integer lane sums, Q5_1's min terms accumulated like Q4_1's.
static float dot_q5(const uint8_t *w, const qk_row *a, int64_t nb, int is_q5_1) {
  const int bb = is_q5_1 ? 24 : 22, hoff = is_q5_1 ? 4 : 2;
  float acc[2][8] = {{0}};
  float m[2] = {0, 0};
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t *wb = w + bb * b;
    const int8_t *xb = a->q + 32 * b;
    uint32_t qh = qk_load32(wb + hoff);
    const uint8_t *qs = wb + hoff + 4;
    float sc = qk_h2f(qk_load16(wb)) * a->d[b];
    for (int k = 0; k < 8; k++) {
      int32_t lane = 0;
      for (int j = 4 * k; j < 4 * k + 4; j++) {
        int wq = (j < 16 ? (qs[j] & 15) : (qs[j - 16] >> 4)) | (int)(((qh >> j) & 1) << 4);
        lane += wq * xb[j];
      }
      if (!is_q5_1) lane += 16 * a->nls[8 * b + k];
      acc[b & 1][k] = fmaf((float)lane, sc, acc[b & 1][k]);
    }
    if (is_q5_1) { float mt = qk_h2f(qk_load16(wb + 2)) * a->s[b]; m[b & 1] = m[b & 1] + mt; }
  }
  return qk_reduce(acc[0], acc[1], m[0], m[1]);
}
static float dot_q5_0(const uint8_t *w, const qk_row *a, int64_t nb) { return dot_q5(w, a, nb, 0); }
static float dot_q5_1(const uint8_t *w, const qk_row *a, int64_t nb) { return dot_q5(w, a, nb, 1); }

/// Q3_K (110 bytes per 256 values: hmask[32], qs[64], 12 bytes of 6-bit scales, fp16 d): element l of activation
/// block g = 4c + s (c < 2, s < 4) is d·(sc_i − 32)·(u − 4), u = ((qs[32c + l] >> 2s) & 3) | 4·((hmask[l] >> g) & 1),
/// i = 2g + (l ≥ 16). Lane k: the integer Σ u·x − 4·Σx times the integer scale sc_i − 32 of its half (lanes 0–3:
/// 2g, 4–7: 2g + 1), then fmaf with d·dx into the even/odd-block accumulator.
static float dot_q3_k(const uint8_t *w, const qk_row *a, int64_t nb) {
  float acc[2][8] = {{0}};
  for (int64_t sb = 0; sb < nb / 8; sb++) {
    const uint8_t *wb = w + 110 * sb;
    float d = qk_h2f(qk_load16(wb + 108));
    int32_t sc[16];
    qk_q3k_scales(wb + 96, sc);
    for (int g = 0; g < 8; g++) {
      int64_t gb = 8 * sb + g;
      const uint8_t *qs = wb + 32 + 32 * (g / 4);
      const int8_t *x = a->q + 32 * gb;
      float f = d * a->d[gb];
      for (int k = 0; k < 8; k++) {
        int32_t lane = 0;
        for (int l = 4 * k; l < 4 * k + 4; l++) {
          int u = ((qs[l] >> (2 * (g % 4))) & 3) | (((wb[l] >> g) & 1) << 2);
          lane += u * x[l];
        }
        lane += 4 * a->nls[8 * gb + k];                     // − 4·Σx over the lane
        lane *= sc[2 * g + (k >= 4)];
        acc[gb & 1][k] = fmaf((float)lane, f, acc[gb & 1][k]);
      }
    }
  }
  return qk_reduce(acc[0], acc[1], 0, 0);
}

/// Q2_K (84 bytes per 256 values: 16 bytes of 4-bit scale | 4-bit min, qs[64], fp16 d, fp16 dmin): element l of
/// activation block g = 4c + s is d·sc_i·q − dmin·m_i, q = (qs[32c + l] >> 2s) & 3, i = 2g + (l ≥ 16). Lane k:
/// acc = fmaf((float)(sc_i·Σq·x), d·dx, acc) and, in a second pair of accumulators, mac = fmaf((float)(m_i·(−Σx)),
/// dmin·dx, mac) (the per-16 sums of x from the activations' negated lane sums); the two pairs are added lane by
/// lane before the canonical reduction.
static float dot_q2_k(const uint8_t *w, const qk_row *a, int64_t nb) {
  float acc[2][8] = {{0}}, mac[2][8] = {{0}};
  for (int64_t sb = 0; sb < nb / 8; sb++) {
    const uint8_t *wb = w + 84 * sb;
    float d = qk_h2f(qk_load16(wb + 80)), dmin = qk_h2f(qk_load16(wb + 82));
    for (int g = 0; g < 8; g++) {
      int64_t gb = 8 * sb + g;
      const uint8_t *qs = wb + 16 + 32 * (g / 4);
      const int8_t *x = a->q + 32 * gb;
      float f = d * a->d[gb], fm = dmin * a->d[gb];
      for (int k = 0; k < 8; k++) {
        int32_t lane = 0;
        for (int l = 4 * k; l < 4 * k + 4; l++) lane += ((qs[l] >> (2 * (g % 4))) & 3) * x[l];
        uint8_t sm = wb[2 * g + (k >= 4)];
        lane *= sm & 15;
        int32_t mlane = (sm >> 4) * a->nls[8 * gb + k];
        acc[gb & 1][k] = fmaf((float)lane, f, acc[gb & 1][k]);
        mac[gb & 1][k] = fmaf((float)mlane, fm, mac[gb & 1][k]);
      }
    }
  }
  for (int k = 0; k < 8; k++) { acc[0][k] = acc[0][k] + mac[0][k]; acc[1][k] = acc[1][k] + mac[1][k]; }
  return qk_reduce(acc[0], acc[1], 0, 0);
}

static void quantize(const float *x, int64_t nblocks, int8_t *q, float *d, float *s, int32_t *isum) {
  for (int64_t b = 0; b < nblocks; b++) {
    const float *xb = x + 32 * b;
    float amax = 0;
    for (int j = 0; j < 32; j++) { float a = fabsf(xb[j]); amax = a > amax ? a : amax; }
    float db = amax / 127.0f;
    float id = db == 0 ? 0.0f : 1.0f / db;
    int32_t si = 0;
    for (int j = 0; j < 32; j++) {
      int32_t v = (int32_t)roundf(xb[j] * id);     // round half away from zero
      q[32 * b + j] = (int8_t)v;
      si += v;
    }
    d[b] = db; isum[b] = si; s[b] = db * (float)si;
  }
}

static float fdot(const float *a, const float *b, int64_t n) {
  float acc[8] = {0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) acc[k] = fmaf(a[i + k], b[i + k], acc[k]);
  float r = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
  r = r + 0.0f;                                   // as the SIMD reduction (turns −0 into +0)
  for (; i < n; i++) r = fmaf(a[i], b[i], r);
  return r;
}

static void axpy(float *y, float a, const float *x, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = fmaf(a, x[i], y[i]);
}

static void attn(const float *q, const float *k, const float *v, float *out, float *sc, int64_t T, int64_t kw,
                 int32_t hd, float scale) {
  for (int64_t j = 0; j < T; j++) sc[j] = fdot(q, k + j * kw, hd) * scale;
  qk_softmax(sc, T);
  for (int32_t e = 0; e < hd; e++) out[e] = 0;
  for (int64_t j = 0; j < T; j++) axpy(out, sc[j], v + j * kw, hd);
}

const qk_kernels qk_scalar_kernels = { dot_q4_0, dot_q4_1, dot_q8_0, dot_q4_k, dot_q6_k, dot_q5_0, dot_q5_1, quantize, fdot, axpy, attn,
                                     dot_q5_k, dot_q3_k, dot_q2_k };
