// Elementwise float math over buffers (include/vector_math.h): FastMath's formulas (Sources/TensorCore/FastMath.swift)
// operation for operation, in portable C here and lane-wise in qk_vmath_x86.c, so every level returns FastMath's bits.
//   exp:    Cody–Waite reduction n = round(x·log2 e) by the 1.5·2²³ trick, r = (x − n·ln2_hi) + n·ln2_lo, the Cephes
//           expf minimax polynomial, scaled by 2^n (Cephes, S. Moshier, cephes/single/expf.c); 0 below −87.33654,
//           +inf above 88.37626, NaN stays NaN.
//   tanh:   1 − 2/(e^{2|x|} + 1) (the exponent capped at 88), odd Taylor series a(1 − a²/3 + 2a⁴/15 − 17a⁶/315)
//           for |x| < 1/16; sign restored.         sigmoid: 1/(1 + e^{−x}).
//   log1p:  u = 1 + x, ln u by the Cephes logf polynomial (m·2^e, m ∈ [√½, √2)) + (x − (u − 1))/u (Goldberg 1991).
//   expm1:  u = e^x, (u − 1)·x / ln u for |x| ≤ 1 (Kahan), u − 1 beyond.
//   symlog / symexp: sign(x)·log1p(|x|), sign(x)·expm1(|x|) (Hafner et al., DreamerV3, 2023).
// Compiled with -ffp-contract=off: every product and sum rounds on its own, as Swift's (which never fuses).
#include <math.h>
#include <string.h>
#include "qk_internal.h"
#include "vector_math.h"
#include "qk_vmath.h"

#pragma STDC FP_CONTRACT OFF

static inline uint32_t vm_bits(float x) { uint32_t b; memcpy(&b, &x, 4); return b; }
static inline float vm_float(uint32_t b) { float x; memcpy(&x, &b, 4); return x; }
// Swift.max(x, y) = y >= x ? y : x; Swift.min(x, y) = y < x ? y : x.
static inline float vm_max(float x, float y) { return y >= x ? y : x; }
static inline float vm_min(float x, float y) { return y < x ? y : x; }

static inline float vm_exp(float x) {
  float xc = vm_min(vm_max(x, VM_EXP_LO), VM_EXP_HI);
  float t = xc * VM_LOG2E + VM_ROUND;
  float n = t - VM_ROUND;
  float r = xc - n * VM_LN2_HI + n * VM_LN2_LO;
  float p = VM_E0;
  p = p * r + VM_E1; p = p * r + VM_E2; p = p * r + VM_E3; p = p * r + VM_E4; p = p * r + VM_E5;
  float y = p * r * r + r + 1.0f;
  uint32_t k = vm_bits(t) - 0x4B400000u;
  float v = y * vm_float((k + 127u) << 23);
  v = x < VM_EXP_LO ? 0.0f : v;
  v = x > VM_EXP_HI ? INFINITY : v;
  return isnan(x) ? x : v;
}

static inline float vm_tanh(float x) {
  float a = fabsf(x);
  float e = vm_exp(vm_min(2.0f * a, 88.0f));
  float big = 1.0f - 2.0f / (e + 1.0f);
  float x2 = x * x;
  float small = a * (1.0f + x2 * (VM_T1 + x2 * (VM_T2 - x2 * VM_T3)));
  float m = a < 0.0625f ? small : big;
  return isnan(x) ? x : (x < 0.0f ? -m : m);
}

static inline float vm_sigmoid(float x) { return 1.0f / (1.0f + vm_exp(-x)); }

static inline float vm_log_normal(float x) {
  uint32_t bits = vm_bits(x);
  int32_t e0 = (int32_t)((bits >> 23) & 0xffu) - 126;
  float m = vm_float((bits & 0x007fffffu) | 0x3f000000u);
  int small = m < VM_SQRT_HALF;
  int32_t e = small ? e0 - 1 : e0;
  float f = small ? m + m - 1.0f : m - 1.0f;
  float z = f * f;
  float p = VM_L0;
  p = p * f - VM_L1; p = p * f + VM_L2; p = p * f - VM_L3; p = p * f + VM_L4; p = p * f - VM_L5;
  p = p * f + VM_L6; p = p * f - VM_L7; p = p * f + VM_L8;
  float y = f * z * p;
  float fe = (float)e;
  y += fe * -VM_LN2_LO_LOG;
  y += -0.5f * z;
  return f + y + fe * VM_LN2_HI;
}

static inline float vm_log1p(float x) {
  float u = 1.0f + x;
  float r = vm_log_normal(vm_max(u, VM_LEAST_NORMAL)) + (x - (u - 1.0f)) / u;
  float v = x == INFINITY ? x : r;
  v = x == -1.0f ? -INFINITY : v;
  v = x < -1.0f ? vm_float(0x7fc00000u) : v;
  v = x == 0.0f ? x : v;
  return isnan(x) ? x : v;
}

static inline float vm_expm1(float x) {
  float u = vm_exp(x);
  float um1 = u - 1.0f;
  float k = um1 * x / vm_log_normal(vm_max(u, VM_LEAST_NORMAL));
  float r = u == 1.0f ? x : k;
  r = fabsf(x) > 1.0f ? um1 : r;
  return isnan(x) ? x : r;
}

static inline float vm_signed(float magnitude, float sign) {
  return vm_float((vm_bits(magnitude) & 0x7fffffffu) | (vm_bits(sign) & 0x80000000u));
}

static void exp_c(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = vm_exp(x[i]); }
static void tanh_c(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = vm_tanh(x[i]); }
static void sigmoid_c(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = vm_sigmoid(x[i]); }
static void log1p_c(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = vm_log1p(x[i]); }
static void expm1_c(const float *x, float *y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = vm_expm1(x[i]); }
static void symlog_c(const float *x, float *y, int64_t n) {
  for (int64_t i = 0; i < n; i++) { float v = x[i]; y[i] = vm_signed(vm_log1p(fabsf(v)), v); }
}
static void symexp_c(const float *x, float *y, int64_t n) {
  for (int64_t i = 0; i < n; i++) { float v = x[i]; y[i] = vm_signed(vm_expm1(fabsf(v)), v); }
}

static const qk_vmath_kernels vmath_c = { exp_c, tanh_c, sigmoid_c, log1p_c, expm1_c, symlog_c, symexp_c };

static const qk_vmath_kernels *vmath_current(void) {
#if defined(__x86_64__)
  switch (qk_level()) {
  case QK_LEVEL_AVX512VNNI: return &qk_vmath_avx512;
  case QK_LEVEL_AVX2: return &qk_vmath_avx2;
  default: break;
  }
#endif
  return &vmath_c;
}

void qk_vexp(const float *x, float *y, int64_t n) { vmath_current()->exp(x, y, n); }
void qk_vtanh(const float *x, float *y, int64_t n) { vmath_current()->tanh(x, y, n); }
void qk_vsigmoid(const float *x, float *y, int64_t n) { vmath_current()->sigmoid(x, y, n); }
void qk_vlog1p(const float *x, float *y, int64_t n) { vmath_current()->log1p(x, y, n); }
void qk_vexpm1(const float *x, float *y, int64_t n) { vmath_current()->expm1(x, y, n); }
void qk_vsymlog(const float *x, float *y, int64_t n) { vmath_current()->symlog(x, y, n); }
void qk_vsymexp(const float *x, float *y, int64_t n) { vmath_current()->symexp(x, y, n); }
