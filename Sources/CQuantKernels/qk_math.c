// Softmax and SwiGLU with one exp implementation (Cephes-style: n = round(x·log2 e), r = x − n·ln 2 in two fused
// steps, a degree-6 polynomial, scaled by 2^n; max error ≈ 2 ulp; inputs below −87 give 0, above 88 are clamped).
// The AVX2 variants run the same operations lane-wise (fused multiply-adds, round-to-nearest-even, the same
// accumulation lanes), so both return bit-identical results.
#include <math.h>
#include <string.h>
#include "qk_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma STDC FP_CONTRACT OFF

#define EXP_LO (-87.0f)
#define EXP_HI 88.0f
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO (-2.12194440e-4f)
#define P0 1.9875691500e-4f
#define P1 1.3981999507e-3f
#define P2 8.3334519073e-3f
#define P3 4.1665795894e-2f
#define P4 1.6666665459e-1f
#define P5 5.0000001201e-1f

static inline float exp_scalar(float x) {
  if (!(x >= EXP_LO)) return 0.0f;          // also NaN → 0 (the vector version does the same)
  if (x > EXP_HI) x = EXP_HI;
  float n = nearbyintf(x * LOG2E);
  float r = fmaf(n, -LN2_HI, x);
  r = fmaf(n, -LN2_LO, r);
  float y = fmaf(P0, r, P1);
  y = fmaf(y, r, P2); y = fmaf(y, r, P3); y = fmaf(y, r, P4); y = fmaf(y, r, P5);
  y = fmaf(y, r * r, r);
  y = y + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float p2; memcpy(&p2, &bits, 4);
  return y * p2;
}

static float reduce8(const float a[8]) {
  return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

static void softmax_scalar(float *x, int64_t n) {
  if (n <= 0) return;
  float m = x[0];
  for (int64_t i = 1; i < n; i++) m = x[i] > m ? x[i] : m;
  float acc[8] = {0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) { float e = exp_scalar(x[i + k] - m); x[i + k] = e; acc[k] = acc[k] + e; }
  float s = reduce8(acc);
  for (; i < n; i++) { float e = exp_scalar(x[i] - m); x[i] = e; s = s + e; }
  float inv = 1.0f / s;
  for (int64_t j = 0; j < n; j++) x[j] = x[j] * inv;
}

static void swiglu_scalar(float *g, const float *u, int64_t n) {
  for (int64_t i = 0; i < n; i++) { float a = g[i]; g[i] = (a / (1.0f + exp_scalar(-a))) * u[i]; }
}

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
static inline __m256 exp8(__m256 x) {
  __m256 keep = _mm256_cmp_ps(x, _mm256_set1_ps(EXP_LO), _CMP_GE_OQ);
  x = _mm256_min_ps(x, _mm256_set1_ps(EXP_HI));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-LN2_HI), x);
  r = _mm256_fmadd_ps(n, _mm256_set1_ps(-LN2_LO), r);
  __m256 y = _mm256_fmadd_ps(_mm256_set1_ps(P0), r, _mm256_set1_ps(P1));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P2));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P3));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P4));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P5));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), r);
  y = _mm256_add_ps(y, _mm256_set1_ps(1.0f));
  // n is clamped to [−126, 127] by the input range; a NaN input is masked to 0 below.
  __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_and_ps(_mm256_mul_ps(y, _mm256_castsi256_ps(bits)), keep);
}

static void softmax_avx2(float *x, int64_t n) {
  if (n <= 0) return;
  float m = x[0];
  int64_t i = 0;
  if (n >= 8) {
    __m256 mv = _mm256_loadu_ps(x);
    for (i = 8; i + 8 <= n; i += 8) mv = _mm256_max_ps(mv, _mm256_loadu_ps(x + i));
    float t[8]; _mm256_storeu_ps(t, mv);
    for (int k = 0; k < 8; k++) m = t[k] > m ? t[k] : m;
  }
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  __m256 mv = _mm256_set1_ps(m), acc = _mm256_setzero_ps();
  for (i = 0; i + 8 <= n; i += 8) {
    __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv));
    _mm256_storeu_ps(x + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  float a[8]; _mm256_storeu_ps(a, acc);
  float s = reduce8(a);
  for (; i < n; i++) { float e = exp_scalar(x[i] - m); x[i] = e; s = s + e; }
  float inv = 1.0f / s;
  __m256 iv = _mm256_set1_ps(inv);
  for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), iv));
  for (; i < n; i++) x[i] = x[i] * inv;
}

static void swiglu_avx2(float *g, const float *u, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f), sign = _mm256_set1_ps(-0.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 a = _mm256_loadu_ps(g + i);
    __m256 e = exp8(_mm256_xor_ps(a, sign));
    _mm256_storeu_ps(g + i, _mm256_mul_ps(_mm256_div_ps(a, _mm256_add_ps(one, e)), _mm256_loadu_ps(u + i)));
  }
  for (; i < n; i++) { float a = g[i]; g[i] = (a / (1.0f + exp_scalar(-a))) * u[i]; }
}
#pragma clang attribute pop
#endif

void qk_softmax(float *x, int64_t n) {
#if defined(__x86_64__)
  if (qk_level() >= QK_LEVEL_AVX2) { softmax_avx2(x, n); return; }
#endif
  softmax_scalar(x, n);
}

void qk_swiglu(float *g, const float *u, int64_t n) {
#if defined(__x86_64__)
  if (qk_level() >= QK_LEVEL_AVX2) { swiglu_avx2(g, u, n); return; }
#endif
  swiglu_scalar(g, u, n);
}

float qk_expf(float x) { return exp_scalar(x); }
