// x86-64 SIMD variants (compiled for their ISA with function target attributes; selected at run time).
#include "qk_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

// ---- AVX2 + FMA + F16C: u8×s8 → int16 pairs (maddubs; no saturation: |pair| ≤ 2·128·127) → int32 (madd).
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define QK_NAME(x) avx2_##x
static inline __m256i avx2_dpbusd(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}
#define QK_DPBUSD(u, s) avx2_dpbusd(u, s)
#include "qk_x86_template.h"
#include "qk_x86_kquants.h"
#undef QK_NAME
#undef QK_DPBUSD
#pragma clang attribute pop

// ---- AVX-512 VNNI (+VL): vpdpbusd on 256-bit registers.
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni"))), apply_to = function)
#define QK_NAME(x) vnni_##x
#define QK_DPBUSD(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s)
#include "qk_x86_template.h"
#include "qk_x86_kquants.h"
#undef QK_NAME
#undef QK_DPBUSD

// 512-bit dots: two blocks per register (lanes 0–7 = block b, 8–15 = block b+1, i.e. the even/odd accumulators of
// the canonical order side by side). Scales of both blocks come from one 4×fp16 conversion ([d, m] of each block,
// or [d, junk] for Q4_0/Q8_0) times the activations' interleaved (d, s) pairs; lanes 1/3 of that product are the
// Q4_1 min terms, accumulated lane-wise in the canonical sequential order. Integer offsets (−8 for Q4_0, +128 to
// make Q8_0 weights unsigned) are cancelled by starting vpdpbusd from the activations' negated lane sums, shifted.
static inline uint32_t z_load32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static inline __m128 z_scales(const uint8_t *w0, const uint8_t *w1, const float *ds) {
  __m128i h = _mm_insert_epi32(_mm_cvtsi32_si128((int)z_load32(w0)), (int)z_load32(w1), 1);
  return _mm_mul_ps(_mm_cvtph_ps(h), _mm_loadu_ps(ds));
}

static inline __m512 z_pick(__m128 f) {
  return _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2), _mm512_castps128_ps512(f));
}

/// Nibbles of two 16-byte blocks: [b low, b high, b+1 low, b+1 high] (ggml element order per block).
static inline __m512i z_nibbles(const uint8_t *p0, const uint8_t *p1) {
  __m256i r = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)p0)),
                                      _mm_loadu_si128((const __m128i *)p1), 1);
  __m512i z = _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 1, 0, 1, 2, 3, 2, 3), _mm512_castsi256_si512(r));
  z = _mm512_mask_srli_epi16(z, (__mmask32)0xFF00FF00u, z, 4);
  return _mm512_and_si512(z, _mm512_set1_epi8(0x0f));
}

static inline __m256 z_lo(__m512 v) { return _mm512_castps512_ps256(v); }
static inline __m256 z_hi(__m512 v) { return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)); }

static float z_dot_q4_1(const uint8_t *w, const qk_row *a, int64_t nb) {
  __m512 acc = _mm512_setzero_ps();
  __m128 macc = _mm_setzero_ps();
  int64_t b = 0;
  for (; b + 2 <= nb; b += 2) {
    const uint8_t *w0 = w + 20 * b, *w1 = w0 + 20;
    __m512i L = _mm512_dpbusd_epi32(_mm512_setzero_si512(), z_nibbles(w0 + 4, w1 + 4), _mm512_loadu_si512(a->q + 32 * b));
    __m128 f = z_scales(w0, w1, a->ds + 2 * b);
    macc = _mm_add_ps(macc, f);
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(L), z_pick(f), acc);
  }
  __m256 acc0 = z_lo(acc), acc1 = z_hi(acc);
  float m[4];
  _mm_storeu_ps(m, macc);
  float m0 = m[1], m1 = m[3];
  if (b < nb) {
    const uint8_t *w0 = w + 20 * b;
    __m256i l0 = _mm256_dpbusd_epi32(_mm256_setzero_si256(), vnni_nibbles(w0 + 4), _mm256_loadu_si256((const __m256i *)(a->q + 32 * b)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(vnni_half(w0) * a->d[b]), acc0);
    float t0 = vnni_half(w0 + 2) * a->s[b];
    m0 = m0 + t0;
  }
  return vnni_hsum8(acc0, acc1, m0, m1);
}

static float z_dot_q4_0(const uint8_t *w, const qk_row *a, int64_t nb) {
  __m512 acc = _mm512_setzero_ps();
  int64_t b = 0;
  for (; b + 2 <= nb; b += 2) {
    const uint8_t *w0 = w + 18 * b, *w1 = w0 + 18;
    __m512i init = _mm512_slli_epi32(_mm512_loadu_si512(a->nls + 8 * b), 3);            // −8·Σx per lane
    __m512i L = _mm512_dpbusd_epi32(init, z_nibbles(w0 + 2, w1 + 2), _mm512_loadu_si512(a->q + 32 * b));
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(L), z_pick(z_scales(w0, w1, a->ds + 2 * b)), acc);
  }
  __m256 acc0 = z_lo(acc), acc1 = z_hi(acc);
  if (b < nb) {
    const uint8_t *w0 = w + 18 * b;
    __m256i l0 = vnni_dot_ss(_mm256_sub_epi8(vnni_nibbles(w0 + 2), _mm256_set1_epi8(8)),
                             _mm256_loadu_si256((const __m256i *)(a->q + 32 * b)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(vnni_half(w0) * a->d[b]), acc0);
  }
  return vnni_hsum8(acc0, acc1, 0, 0);
}

static float z_dot_q8_0(const uint8_t *w, const qk_row *a, int64_t nb) {
  __m512 acc = _mm512_setzero_ps();
  const __m512i bias = _mm512_set1_epi8((char)0x80);
  int64_t b = 0;
  for (; b + 2 <= nb; b += 2) {
    const uint8_t *w0 = w + 34 * b, *w1 = w0 + 34;
    __m512i wz = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(w0 + 2))),
                                    _mm256_loadu_si256((const __m256i *)(w1 + 2)), 1);
    __m512i init = _mm512_slli_epi32(_mm512_loadu_si512(a->nls + 8 * b), 7);            // −128·Σx per lane
    __m512i L = _mm512_dpbusd_epi32(init, _mm512_xor_si512(wz, bias), _mm512_loadu_si512(a->q + 32 * b));
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(L), z_pick(z_scales(w0, w1, a->ds + 2 * b)), acc);
  }
  __m256 acc0 = z_lo(acc), acc1 = z_hi(acc);
  if (b < nb) {
    const uint8_t *w0 = w + 34 * b;
    __m256i l0 = vnni_dot_ss(_mm256_loadu_si256((const __m256i *)(w0 + 2)),
                             _mm256_loadu_si256((const __m256i *)(a->q + 32 * b)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(vnni_half(w0) * a->d[b]), acc0);
  }
  return vnni_hsum8(acc0, acc1, 0, 0);
}
#pragma clang attribute pop

const qk_kernels qk_avx2_kernels = { avx2_dot_q4_0, avx2_dot_q4_1, avx2_dot_q8_0, avx2_dot_q4_k, avx2_dot_q6_k, avx2_dot_q5_0,
                                     avx2_dot_q5_1, avx2_quantize, avx2_fdot,
                                     avx2_axpy, avx2_attn, avx2_dot_q5_k, avx2_dot_q3_k,
                                     avx2_dot_q2_k };
const qk_kernels qk_avx512vnni_kernels = { z_dot_q4_0, z_dot_q4_1, z_dot_q8_0, vnni_dot_q4_k, vnni_dot_q6_k, vnni_dot_q5_0,
                                           vnni_dot_q5_1, vnni_quantize, vnni_fdot, vnni_axpy,
                                           vnni_attn, vnni_dot_q5_k, vnni_dot_q3_k, vnni_dot_q2_k };
#endif
