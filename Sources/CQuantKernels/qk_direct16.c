// Direct 16-bit kernels: one F16 or BF16 weight row · one float activation row, y = Σ_j w_j·x_j, with the weights
// widened to float in registers (no decoded row buffer) and the activations left in float. These are not int8
// kernels: a 16-bit weight times an int8-rounded activation would add rounding for no saving, because widening
// F16/BF16 to F32 is exact (F16 by F16C's vcvtph2ps or qk_h2f, IEEE 754 binary16 → binary32; BF16 by a 16-bit left
// shift: bfloat16 is the upper half of a binary32) and the product is then one float fused multiply-add.
//
// Canonical order (every level, bit-identical): 32 lanes, element j of each full group of 32 goes to lane j % 32,
//   acc_l = fmaf(w_j, x_j, acc_l)                         (j ≡ l mod 32, j < 32·⌊n/32⌋, in order)
//   v_k = (acc_k + acc_{k+16}) + (acc_{k+8} + acc_{k+24})  (k < 8; = the two 512-bit registers added, then halves)
//   r = qk_reduce(v, 0, 0, 0)                              (the int8 kernels' reduction)
//   r = fmaf(w_j, x_j, r) for the tail j ≥ 32·⌊n/32⌋, in order.
// AVX-512 keeps lanes 0–15 and 16–31 in two registers, AVX2 in four; the portable C runs the same lanes in arrays.
// vdpbf16ps (AVX-512 BF16) is not used: it rounds the activations to bfloat16 and its internal order differs from
// the other levels.
#include <math.h>
#include "qk_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma STDC FP_CONTRACT OFF

int qk_supports_direct16(int type) { return type == QK_TYPE_F16 || type == QK_TYPE_BF16; }

static inline float bf16_to_f32(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f; memcpy(&f, &bits, 4);
  return f;
}

static inline float widen(int bf16, const uint8_t *w, int64_t j) {
  uint16_t h = qk_load16(w + 2 * j);
  return bf16 ? bf16_to_f32(h) : qk_h2f(h);
}

static float finish(const float v[8], int bf16, const uint8_t *w, const float *x, int64_t j, int64_t n) {
  const float zero[8] = {0};
  float r = qk_reduce(v, zero, 0, 0);
  for (; j < n; j++) r = fmaf(widen(bf16, w, j), x[j], r);
  return r;
}

static float dot16_portable(int bf16, const uint8_t *w, const float *x, int64_t n) {
  float acc[32] = {0};
  int64_t j = 0;
  for (; j + 32 <= n; j += 32)
    for (int l = 0; l < 32; l++) acc[l] = fmaf(widen(bf16, w, j + l), x[j + l], acc[l]);
  float v[8];
  for (int k = 0; k < 8; k++) v[k] = (acc[k] + acc[k + 16]) + (acc[k + 8] + acc[k + 24]);
  return finish(v, bf16, w, x, j, n);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma,f16c")))
static inline __m256 avx2_widen8(int bf16, const uint8_t *p) {
  __m128i h = _mm_loadu_si128((const __m128i *)p);
  if (bf16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  return _mm256_cvtph_ps(h);
}

__attribute__((target("avx2,fma,f16c")))
static float dot16_avx2(int bf16, const uint8_t *w, const float *x, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    const uint8_t *p = w + 2 * j;
    a0 = _mm256_fmadd_ps(avx2_widen8(bf16, p), _mm256_loadu_ps(x + j), a0);
    a1 = _mm256_fmadd_ps(avx2_widen8(bf16, p + 16), _mm256_loadu_ps(x + j + 8), a1);
    a2 = _mm256_fmadd_ps(avx2_widen8(bf16, p + 32), _mm256_loadu_ps(x + j + 16), a2);
    a3 = _mm256_fmadd_ps(avx2_widen8(bf16, p + 48), _mm256_loadu_ps(x + j + 24), a3);
  }
  float v[8];
  _mm256_storeu_ps(v, _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3)));
  return finish(v, bf16, w, x, j, n);
}

__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl")))
static inline __m512 z_widen16(int bf16, const uint8_t *p) {
  __m256i h = _mm256_loadu_si256((const __m256i *)p);
  if (bf16) return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  return _mm512_cvtph_ps(h);
}

__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl")))
static float dot16_avx512(int bf16, const uint8_t *w, const float *x, int64_t n) {
  __m512 a0 = _mm512_setzero_ps(), a1 = a0;
  int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    const uint8_t *p = w + 2 * j;
    a0 = _mm512_fmadd_ps(z_widen16(bf16, p), _mm512_loadu_ps(x + j), a0);
    a1 = _mm512_fmadd_ps(z_widen16(bf16, p + 32), _mm512_loadu_ps(x + j + 16), a1);
  }
  __m512 s = _mm512_add_ps(a0, a1);                                   // acc_k + acc_{k+16}
  __m256 lo = _mm512_castps512_ps256(s);
  __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1));
  float v[8];
  _mm256_storeu_ps(v, _mm256_add_ps(lo, hi));
  return finish(v, bf16, w, x, j, n);
}
#endif

float qk_dot16(int type, const void *w, const float *x, int64_t n) {
  int bf16 = type == QK_TYPE_BF16;
  const uint8_t *p = (const uint8_t *)w;
#if defined(__x86_64__)
  switch (qk_level()) {
  case QK_LEVEL_AVX512VNNI: return dot16_avx512(bf16, p, x, n);
  case QK_LEVEL_AVX2: return dot16_avx2(bf16, p, x, n);
  default: break;
  }
#endif
  return dot16_portable(bf16, p, x, n);
}
