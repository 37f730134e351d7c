// x86-64 SIMD variants (compiled for their ISA with function target attributes; selected at run time).
#include "qk_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#pragma STDC FP_CONTRACT OFF

// ---- AVX2 + FMA + F16C: u8×s8 → int16 pairs (maddubs; no saturation: |pair| ≤ 2·128·127) → int32 (madd).
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define QK_NAME(x) avx2_##x
static inline __m256i avx2_dpbusd(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}
#define QK_DPBUSD(u, s) avx2_dpbusd(u, s)
#include "qk_x86_template.h"
#undef QK_NAME
#undef QK_DPBUSD
#pragma clang attribute pop

// ---- AVX-512 VNNI (+VL): vpdpbusd on 256-bit registers.
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni"))), apply_to = function)
#define QK_NAME(x) vnni_##x
#define QK_DPBUSD(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s)
#include "qk_x86_template.h"
#undef QK_NAME
#undef QK_DPBUSD
#pragma clang attribute pop

const qk_kernels qk_avx2_kernels = { avx2_dot_q4_0, avx2_dot_q4_1, avx2_dot_q8_0, avx2_quantize, avx2_fdot,
                                     avx2_axpy };
const qk_kernels qk_avx512vnni_kernels = { vnni_dot_q4_0, vnni_dot_q4_1, vnni_dot_q8_0, vnni_quantize, vnni_fdot,
                                           vnni_axpy };
#endif
