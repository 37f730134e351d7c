// x86-64 tile kernels of the int8-activation GEMM (qk_gemm.c has the math, the panel layout and the portable tile).
// Each vector lane is one weight row of the panel; for every block the 32-element integer sum t_b is built with
// integer instructions (exact, so their order is free), then the float chain acc = fma((float)t_b, dw·dx, acc)
// (+ fma(mw, s, acc)) runs in block order exactly as in the portable tile: all levels return the same bits.
//   AVX-512 VNNI: 16 rows per 512-bit register; vpdpbusd(codes u8, broadcast 4 activation bytes s8) adds 4
//   products per lane; the accumulator starts at −o·isum_b.
//   AVX2: 8 rows per 256-bit register, two halves; maddubs (u8 × s8 → int16 pairs, no saturation for codes ≤ 31)
//   + madd with ones → int32. Q8_0 codes (u = q + 128 ≤ 255 would saturate) go back to signed q and use
//   |q| × sign(x, q), starting from 0 instead of −128·isum (the same integer).
#include "qk_internal.h"
#include "qk_gemm.h"
#if defined(__x86_64__)
#include <immintrin.h>

#pragma STDC FP_CONTRACT OFF

static inline int32_t g_load32(const int8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni"))), apply_to = function)
static inline __attribute__((always_inline)) void vnni_tile(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0,
                                                            float *out, const int NC, const int MIN) {
  __m512 acc[QK_GEMM_COLS];
  for (int c = 0; c < NC; c++) acc[c] = _mm512_setzero_ps();
  const int64_t stride = nb * 32;
  const int8_t *q0 = a->q + i0 * stride;
  const float *d0 = a->d + i0 * nb, *s0 = a->s + i0 * nb;
  const int32_t *is0 = a->isum + i0 * nb;
  const int32_t off = p->offset;
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t *cb = p->codes + 512 * b;
    __m512i W0 = _mm512_load_si512(cb), W1 = _mm512_load_si512(cb + 64), W2 = _mm512_load_si512(cb + 128),
            W3 = _mm512_load_si512(cb + 192), W4 = _mm512_load_si512(cb + 256), W5 = _mm512_load_si512(cb + 320),
            W6 = _mm512_load_si512(cb + 384), W7 = _mm512_load_si512(cb + 448);
    __m512 dw = _mm512_load_ps(p->dw + 16 * b);
    for (int c = 0; c < NC; c++) {
      const int8_t *x = q0 + c * stride + 32 * b;
      __m512i t0 = _mm512_set1_epi32(-off * is0[c * nb + b]), t1 = _mm512_setzero_si512();
      t0 = _mm512_dpbusd_epi32(t0, W0, _mm512_set1_epi32(g_load32(x)));
      t1 = _mm512_dpbusd_epi32(t1, W1, _mm512_set1_epi32(g_load32(x + 4)));
      t0 = _mm512_dpbusd_epi32(t0, W2, _mm512_set1_epi32(g_load32(x + 8)));
      t1 = _mm512_dpbusd_epi32(t1, W3, _mm512_set1_epi32(g_load32(x + 12)));
      t0 = _mm512_dpbusd_epi32(t0, W4, _mm512_set1_epi32(g_load32(x + 16)));
      t1 = _mm512_dpbusd_epi32(t1, W5, _mm512_set1_epi32(g_load32(x + 20)));
      t0 = _mm512_dpbusd_epi32(t0, W6, _mm512_set1_epi32(g_load32(x + 24)));
      t1 = _mm512_dpbusd_epi32(t1, W7, _mm512_set1_epi32(g_load32(x + 28)));
      __m512 sc = _mm512_mul_ps(dw, _mm512_set1_ps(d0[c * nb + b]));
      acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(t0, t1)), sc, acc[c]);
      if (MIN) acc[c] = _mm512_fmadd_ps(_mm512_load_ps(p->mw + 16 * b), _mm512_set1_ps(s0[c * nb + b]), acc[c]);
    }
  }
  for (int c = 0; c < NC; c++) _mm512_storeu_ps(out + 16 * c, acc[c]);
}

#define QK_VNNI_CASE(n) case n: if (p->has_min) vnni_tile(p, nb, a, i0, out, n, 1); else vnni_tile(p, nb, a, i0, out, n, 0); break;
void qk_gemm_tile_vnni(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0, int nc, float *out) {
  switch (nc) {
  QK_VNNI_CASE(1) QK_VNNI_CASE(2) QK_VNNI_CASE(3) QK_VNNI_CASE(4)
  QK_VNNI_CASE(5) QK_VNNI_CASE(6) QK_VNNI_CASE(7) default: QK_VNNI_CASE(8)
  }
}
#undef QK_VNNI_CASE
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
static inline __attribute__((always_inline)) __m256i avx2_madd4(__m256i u, __m256i x) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), _mm256_set1_epi16(1));
}

/// One half (8 rows, lanes = rows 8h … 8h+7) of the panel.
static inline __attribute__((always_inline)) void avx2_half(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0,
                                                            float *out, int h, const int NC, const int MIN, const int Q8) {
  __m256 acc[QK_GEMM_COLS];
  for (int c = 0; c < NC; c++) acc[c] = _mm256_setzero_ps();
  const int64_t stride = nb * 32;
  const int8_t *q0 = a->q + i0 * stride;
  const float *d0 = a->d + i0 * nb, *s0 = a->s + i0 * nb;
  const int32_t *is0 = a->isum + i0 * nb;
  const int32_t off = p->offset;
  const __m256i flip = _mm256_set1_epi8((char)0x80);
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t *cb = p->codes + 512 * b + 32 * h;
    __m256i W[8];
    for (int k = 0; k < 8; k++) {
      W[k] = _mm256_load_si256((const __m256i *)(cb + 64 * k));
      if (Q8) W[k] = _mm256_xor_si256(W[k], flip);                          // back to the signed int8 code
    }
    __m256 dw = _mm256_load_ps(p->dw + 16 * b + 8 * h);
    for (int c = 0; c < NC; c++) {
      const int8_t *x = q0 + c * stride + 32 * b;
      __m256i t = Q8 ? _mm256_setzero_si256() : _mm256_set1_epi32(-off * is0[c * nb + b]);
      for (int k = 0; k < 8; k++) {
        __m256i xv = _mm256_set1_epi32(g_load32(x + 4 * k));
        if (Q8) t = _mm256_add_epi32(t, avx2_madd4(_mm256_abs_epi8(W[k]), _mm256_sign_epi8(xv, W[k])));
        else t = _mm256_add_epi32(t, avx2_madd4(W[k], xv));
      }
      __m256 sc = _mm256_mul_ps(dw, _mm256_set1_ps(d0[c * nb + b]));
      acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(t), sc, acc[c]);
      if (MIN) acc[c] = _mm256_fmadd_ps(_mm256_load_ps(p->mw + 16 * b + 8 * h), _mm256_set1_ps(s0[c * nb + b]), acc[c]);
    }
  }
  for (int c = 0; c < NC; c++) _mm256_storeu_ps(out + 16 * c + 8 * h, acc[c]);
}

static inline __attribute__((always_inline)) void avx2_tile(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0,
                                                            float *out, const int NC) {
  for (int h = 0; h < 2; h++) {
    if (p->offset == 128) avx2_half(p, nb, a, i0, out, h, NC, 0, 1);
    else if (p->has_min) avx2_half(p, nb, a, i0, out, h, NC, 1, 0);
    else avx2_half(p, nb, a, i0, out, h, NC, 0, 0);
  }
}

#define QK_AVX2_CASE(n) case n: avx2_tile(p, nb, a, i0, out, n); break;
void qk_gemm_tile_avx2(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0, int nc, float *out) {
  switch (nc) {
  QK_AVX2_CASE(1) QK_AVX2_CASE(2) QK_AVX2_CASE(3) QK_AVX2_CASE(4)
  QK_AVX2_CASE(5) QK_AVX2_CASE(6) QK_AVX2_CASE(7) default: QK_AVX2_CASE(8)
  }
}
#undef QK_AVX2_CASE
#pragma clang attribute pop
#endif
