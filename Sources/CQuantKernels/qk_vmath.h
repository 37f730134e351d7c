// Constants and the kernel table shared by qk_vmath.c (portable C) and qk_vmath_x86.c (AVX2, AVX-512): the literals
// of TensorCore/FastMath.swift, rounded to float as Swift rounds them.
#ifndef EDGELAB_QK_VMATH_H
#define EDGELAB_QK_VMATH_H
#include <stdint.h>

#define VM_EXP_LO (-87.33654f)
#define VM_EXP_HI 88.3762626647949f
#define VM_LOG2E 1.44269504088896341f
#define VM_ROUND 12582912.0f
#define VM_LN2_HI 0.693359375f
#define VM_LN2_LO 2.12194440e-4f
#define VM_E0 1.9875691500e-4f
#define VM_E1 1.3981999507e-3f
#define VM_E2 8.3334519073e-3f
#define VM_E3 4.1665795894e-2f
#define VM_E4 1.6666665459e-1f
#define VM_E5 5.0000001201e-1f
#define VM_T1 (-0.333333333f)
#define VM_T2 0.133333333f
#define VM_T3 0.0539682540f
#define VM_SQRT_HALF 0.707106781186547524f
#define VM_L0 7.0376836292e-2f
#define VM_L1 1.1514610310e-1f
#define VM_L2 1.1676998740e-1f
#define VM_L3 1.2420140846e-1f
#define VM_L4 1.4249322787e-1f
#define VM_L5 1.6668057665e-1f
#define VM_L6 2.0000714765e-1f
#define VM_L7 2.4999993993e-1f
#define VM_L8 3.3333331174e-1f
#define VM_LN2_LO_LOG 2.12194440e-4f
#define VM_LEAST_NORMAL 1.17549435e-38f

typedef void (*qk_vmath_fn)(const float *x, float *y, int64_t n);
typedef struct { qk_vmath_fn exp, tanh, sigmoid, log1p, expm1, symlog, symexp; } qk_vmath_kernels;
#if defined(__x86_64__)
extern const qk_vmath_kernels qk_vmath_avx2;
extern const qk_vmath_kernels qk_vmath_avx512;
#endif
#endif
