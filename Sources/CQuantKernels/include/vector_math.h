// vector_math: elementwise float functions over buffers — exp, tanh, sigmoid, log1p, expm1 and the signed
// log1p / expm1 (symlog, symexp) — with the formulas of TensorCore's FastMath, operation for operation, so every
// level returns the bits FastMath's scalar Swift code returns (no fused multiply-adds, the same selects).
// Levels as the quantized kernels (qk_level: portable C, AVX2, AVX-512); every level gives identical bits.
// y may alias x (elementwise: each element is read before it is written).
#ifndef EDGELAB_VECTOR_MATH_H
#define EDGELAB_VECTOR_MATH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void qk_vexp(const float *x, float *y, int64_t n);
void qk_vtanh(const float *x, float *y, int64_t n);
void qk_vsigmoid(const float *x, float *y, int64_t n);
void qk_vlog1p(const float *x, float *y, int64_t n);
void qk_vexpm1(const float *x, float *y, int64_t n);
/// sign(x)·log1p(|x|) and sign(x)·expm1(|x|).
void qk_vsymlog(const float *x, float *y, int64_t n);
void qk_vsymexp(const float *x, float *y, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
