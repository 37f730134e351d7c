// AVX2 and AVX-512 variants of qk_vmath.c (same operations lane-wise; no fused multiply-adds), selected at run time.
#include "qk_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <string.h>
#include "qk_vmath.h"

#pragma STDC FP_CONTRACT OFF

// ---- AVX2: 8 lanes, masks as all-ones float lanes.
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define W 8
#define V __m256
#define VI __m256i
#define M __m256
#define VM(x) avx2_vm_##x
#define LD(p) _mm256_loadu_ps(p)
#define ST(p, v) _mm256_storeu_ps(p, v)
#define SET(c) _mm256_set1_ps(c)
#define SETI(c) _mm256_set1_epi32(c)
#define ADD(a, b) _mm256_add_ps(a, b)
#define SUB(a, b) _mm256_sub_ps(a, b)
#define MUL(a, b) _mm256_mul_ps(a, b)
#define DIV(a, b) _mm256_div_ps(a, b)
#define MAXV(a, b) _mm256_max_ps(a, b)
#define MINV(a, b) _mm256_min_ps(a, b)
#define LT(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define GT(a, b) _mm256_cmp_ps(a, b, _CMP_GT_OQ)
#define EQ(a, b) _mm256_cmp_ps(a, b, _CMP_EQ_OQ)
#define UNORD(a) _mm256_cmp_ps(a, a, _CMP_UNORD_Q)
#define SEL(m, t, f) _mm256_blendv_ps(f, t, m)
#define SELI(m, t, f) _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(f), _mm256_castsi256_ps(t), m))
#define CASTI(v) _mm256_castps_si256(v)
#define CASTF(v) _mm256_castsi256_ps(v)
#define IADD(a, b) _mm256_add_epi32(a, b)
#define ISUB(a, b) _mm256_sub_epi32(a, b)
#define IAND(a, b) _mm256_and_si256(a, b)
#define IOR(a, b) _mm256_or_si256(a, b)
#define IXOR(a, b) _mm256_xor_si256(a, b)
#define SLLI(a, n) _mm256_slli_epi32(a, n)
#define SRLI(a, n) _mm256_srli_epi32(a, n)
#define CVTIF(a) _mm256_cvtepi32_ps(a)
#include "qk_vmath_x86_template.h"
#undef W
#undef V
#undef VI
#undef M
#undef VM
#undef LD
#undef ST
#undef SET
#undef SETI
#undef ADD
#undef SUB
#undef MUL
#undef DIV
#undef MAXV
#undef MINV
#undef LT
#undef GT
#undef EQ
#undef UNORD
#undef SEL
#undef SELI
#undef CASTI
#undef CASTF
#undef IADD
#undef ISUB
#undef IAND
#undef IOR
#undef IXOR
#undef SLLI
#undef SRLI
#undef CVTIF
#pragma clang attribute pop

// ---- AVX-512F: 16 lanes, masks in k registers.
#pragma clang attribute push(__attribute__((target("avx2,avx512f"))), apply_to = function)
#define W 16
#define V __m512
#define VI __m512i
#define M __mmask16
#define VM(x) avx512_vm_##x
#define LD(p) _mm512_loadu_ps(p)
#define ST(p, v) _mm512_storeu_ps(p, v)
#define SET(c) _mm512_set1_ps(c)
#define SETI(c) _mm512_set1_epi32(c)
#define ADD(a, b) _mm512_add_ps(a, b)
#define SUB(a, b) _mm512_sub_ps(a, b)
#define MUL(a, b) _mm512_mul_ps(a, b)
#define DIV(a, b) _mm512_div_ps(a, b)
#define MAXV(a, b) _mm512_max_ps(a, b)
#define MINV(a, b) _mm512_min_ps(a, b)
#define LT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define GT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ)
#define EQ(a, b) _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ)
#define UNORD(a) _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q)
#define SEL(m, t, f) _mm512_mask_blend_ps(m, f, t)
#define SELI(m, t, f) _mm512_mask_blend_epi32(m, f, t)
#define CASTI(v) _mm512_castps_si512(v)
#define CASTF(v) _mm512_castsi512_ps(v)
#define IADD(a, b) _mm512_add_epi32(a, b)
#define ISUB(a, b) _mm512_sub_epi32(a, b)
#define IAND(a, b) _mm512_and_si512(a, b)
#define IOR(a, b) _mm512_or_si512(a, b)
#define IXOR(a, b) _mm512_xor_si512(a, b)
#define SLLI(a, n) _mm512_slli_epi32(a, n)
#define SRLI(a, n) _mm512_srli_epi32(a, n)
#define CVTIF(a) _mm512_cvtepi32_ps(a)
#include "qk_vmath_x86_template.h"
#pragma clang attribute pop

const qk_vmath_kernels qk_vmath_avx2 = { avx2_vm_exp_buf, avx2_vm_tanh_buf, avx2_vm_sigmoid_buf, avx2_vm_log1p_buf,
                                         avx2_vm_expm1_buf, avx2_vm_symlog_buf, avx2_vm_symexp_buf };
const qk_vmath_kernels qk_vmath_avx512 = { avx512_vm_exp_buf, avx512_vm_tanh_buf, avx512_vm_sigmoid_buf,
                                           avx512_vm_log1p_buf, avx512_vm_expm1_buf, avx512_vm_symlog_buf,
                                           avx512_vm_symexp_buf };
#endif
