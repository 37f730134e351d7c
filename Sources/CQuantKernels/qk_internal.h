// Internal declarations shared by the quant_kernels translation units.
#ifndef EDGELAB_QK_INTERNAL_H
#define EDGELAB_QK_INTERNAL_H
#include <stdint.h>
#include <string.h>
#include "quant_kernels.h"

#pragma STDC FP_CONTRACT OFF

/// Activation pointers of one row.
typedef struct {
  const int8_t *q;
  const float *d, *s;
  const int32_t *isum;
  const float *ds;
  const int32_t *nls;
} qk_row;

typedef float (*qk_dot_fn)(const uint8_t *w, const qk_row *a, int64_t nb);
typedef void (*qk_quant_fn)(const float *x, int64_t nblocks, int8_t *q, float *d, float *s, int32_t *isum);

static inline qk_row qk_row_of(const qk_act *a, int64_t row, int64_t nb) {
  qk_row r = { a->q + row * nb * 32, a->d + row * nb, a->s + row * nb, a->isum + row * nb, a->ds + row * 2 * nb,
               a->nls + row * 8 * nb };
  return r;
}
typedef float (*qk_fdot_fn)(const float *a, const float *b, int64_t n);
typedef void (*qk_axpy_fn)(float *y, float a, const float *x, int64_t n);
/// One decoding-attention head: sc[j] = scale·q·k_j (j < T), softmax, out = Σ_j sc[j]·v_j (rows of stride kw).
typedef void (*qk_attn_fn)(const float *q, const float *k, const float *v, float *out, float *sc, int64_t T,
                           int64_t kw, int32_t hd, float scale);

typedef struct {
  qk_dot_fn q4_0, q4_1, q8_0, q4_k, q6_k, q5_0, q5_1;
  qk_quant_fn quantize;
  qk_fdot_fn fdot;
  qk_axpy_fn axpy;
  qk_attn_fn attn;
  qk_dot_fn q5_k, q3_k, q2_k;
} qk_kernels;

const qk_kernels *qk_current(void);
extern const qk_kernels qk_scalar_kernels;
#if defined(__x86_64__)
extern const qk_kernels qk_avx2_kernels;
extern const qk_kernels qk_avx512vnni_kernels;
#endif

/// Exact binary16 → binary32.
static inline float qk_h2f(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  uint32_t em = (uint32_t)(h & 0x7fff) << 13;
  uint32_t bits;
  if ((h & 0x7c00) == 0x7c00) {
    bits = sign | 0x7f800000u | em;
  } else {
    float f, scale, r;
    uint32_t sb = 0x77800000u;                 // 2^112
    memcpy(&f, &em, 4); memcpy(&scale, &sb, 4);
    r = f * scale;                             // exact: rebias normals and subnormals alike
    memcpy(&bits, &r, 4);
    bits |= sign;
  }
  float out; memcpy(&out, &bits, 4);
  return out;
}

static inline uint16_t qk_load16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t qk_load32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/// Q4_K super-block (256 values: fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles): the
/// float scale d·sc_j and min dmin·m_j of each of its 8 sub-blocks of 32 (ggml's get_scale_min_k4 packing).
static inline void qk_q4k_scales(const uint8_t *wb, float dj[8], float mj[8]) {
  float d = qk_h2f(qk_load16(wb)), dmin = qk_h2f(qk_load16(wb + 2));
  const uint8_t *s = wb + 4;
  for (int j = 0; j < 8; j++) {
    int sc, m;
    if (j < 4) { sc = s[j] & 63; m = s[j + 4] & 63; }
    else { sc = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4); m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4); }
    dj[j] = d * (float)sc;
    mj[j] = dmin * (float)m;
  }
}

/// Q3_K's 16 six-bit scales (12 bytes at s: low nibbles in bytes 0–7, two high bits per scale in bytes 8–11, as
/// ggml's dequantize_row_q3_K), minus the offset 32.
static inline void qk_q3k_scales(const uint8_t *s, int32_t sc[16]) {
  for (int i = 0; i < 16; i++) {
    int lo = i < 8 ? (s[i] & 15) : (s[i - 8] >> 4);
    int hi = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
    sc[i] = (lo | (hi << 4)) - 32;
  }
}

/// The canonical final reduction: v = acc0 + acc1; u_k = v_k + v_{k+4}; r = (u0 + u2) + (u1 + u3); r + (m0 + m1).
static inline float qk_reduce(const float acc0[8], const float acc1[8], float m0, float m1) {
  float v[8], u[4];
  for (int k = 0; k < 8; k++) v[k] = acc0[k] + acc1[k];
  for (int k = 0; k < 4; k++) u[k] = v[k] + v[k + 4];
  float r = (u[0] + u[2]) + (u[1] + u[3]);
  return r + (m0 + m1);
}
#endif
