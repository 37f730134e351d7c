// quant_kernels: integer dot products between ggml weight rows (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K,
// Q5_K, Q6_K) and int8-quantized activation rows, direct 16-bit dot products (F16, BF16 weights × float
// activations, qk_direct16.c), plus a small persistent thread pool. Used by Sources/LLM (QuantizedMatrix, the
// Llama forward pass).
//
// Activations: each row of `cols` values (cols a multiple of 32) is split into blocks of 32;
//   d = amax/127, q = round-half-away-from-zero(x · (1/d)) ∈ [−127, 127], isum = Σq, s = d·isum.
// A dot product is exactly Σ_j w_j·x̂_j with w the decoded weights and x̂ = d·q (up to float rounding), the same
// math as ggml's q8_0/q8_1 activations.
//
// Every kernel has a portable C implementation and, on x86-64, AVX2 (+FMA, F16C) and AVX-512-VNNI variants chosen
// at run time (__builtin_cpu_supports). All variants use one canonical float accumulation order (two groups of
// 8 lanes for even/odd blocks, a fixed horizontal reduction; the direct 16-bit kernels 32 lanes, see
// qk_direct16.c), so they return bit-identical results. Design and measurements: docs/decisions/0002, 0802, 0803.
#ifndef EDGELAB_QUANT_KERNELS_H
#define EDGELAB_QUANT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// ggml type ids handled here.
enum { QK_TYPE_F16 = 1, QK_TYPE_Q4_0 = 2, QK_TYPE_Q4_1 = 3, QK_TYPE_Q5_0 = 6, QK_TYPE_Q5_1 = 7, QK_TYPE_Q8_0 = 8,
       QK_TYPE_Q2_K = 10, QK_TYPE_Q3_K = 11, QK_TYPE_Q4_K = 12, QK_TYPE_Q5_K = 13, QK_TYPE_Q6_K = 14, QK_TYPE_BF16 = 30 };

/// Kernel levels. qk_set_level clamps a request to what the CPU supports and returns the level in use.
enum { QK_LEVEL_SCALAR = 0, QK_LEVEL_AVX2 = 1, QK_LEVEL_AVX512VNNI = 2 };
int qk_best_level(void);
int qk_level(void);
int qk_set_level(int level);
/// 1 when `type` has an int8-activation kernel here.
int qk_supports(int type);
/// 1 when `type` (F16, BF16) has a direct 16-bit kernel: weights widened to float in registers, times the float
/// activations (no int8 rounding, no decoded row buffer).
int qk_supports_direct16(int type);

/// Quantized activation rows (n rows, nb = cols/32 blocks per row), all arrays row-major:
///   q    n·cols int8 codes             d, s  n·nb floats (scale, d·Σq)      isum  n·nb int32 (Σq)
///   ds   n·2·nb floats: (d, s) pairs   nls   n·8·nb int32: −Σ of each 4 consecutive codes (lane sums)
/// ds and nls let the AVX-512 kernels load per-block-pair scales and integer offsets with one instruction.
///   x    n·cols floats: the activation rows themselves (read by the direct 16-bit kernels only; the int8 buffers may
///        be NULL when every matrix of a product is F16/BF16)
typedef struct {
  int8_t *q;
  float *d;
  float *s;
  int32_t *isum;
  float *ds;
  int32_t *nls;
  const float *x;
} qk_act;

/// Quantize n rows of cols floats (cols % 32 == 0) into `a` (buffers sized as above).
void qk_quantize_rows(const float *x, int64_t n, int64_t cols, const qk_act *a);

/// One weight row (nb blocks of 32 values of `type`; k-quant rows need nb % 8 == 0) · activation row `row` of `a`.
float qk_dot(int type, const void *w, const qk_act *a, int64_t row, int64_t nb);

/// One F16 or BF16 weight row of n values · n floats x (the direct 16-bit kernels, qk_direct16.c).
float qk_dot16(int type, const void *w, const float *x, int64_t n);

/// One matrix of a batched product: Y[i·ldy + r] (=|+=) W_r · act_i for r < rows, i < n.
typedef struct {
  int32_t type;
  int32_t accumulate;
  const void *w;
  int64_t row_bytes;
  int64_t rows;
  float *y;
  int64_t ldy;
} qk_matrix;

/// Products of several matrices that share the same activations (n rows of cols values; quantized in `a` for the
/// int8 types, `a->x` for F16/BF16), rows split in chunks across `threads` threads (the caller's thread included). Each output is computed by exactly one thread
/// with the same code, so the result does not depend on `threads`.
void qk_matmul(const qk_matrix *mats, int32_t count, int64_t n, int64_t cols, const qk_act *a, int32_t threads);

/// 1 when `type` has an int8-activation GEMM (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K).
int qk_gemm_supports(int type);

/// Batched products for many activation rows (prefill): the same outputs as qk_matmul up to float rounding, with
/// weights repacked per task into interleaved 16-row panels and one block-sequential float chain per output
/// (qk_gemm.c). Every matrix must satisfy qk_gemm_supports; `a` holds n quantized rows of cols values. The result
/// does not depend on `threads` or the kernel level.
void qk_gemm(const qk_matrix *mats, int32_t count, int64_t n, int64_t cols, const qk_act *a, int32_t threads);

/// Thread pool: run fn(ctx, i) for i in [0, ntasks) on up to `threads` threads (caller included); returns when all
/// tasks are done. Tasks are handed out dynamically. Nested calls from inside a task run serially.
typedef void (*qk_task_fn)(void *ctx, int64_t task);
void qk_parallel_for(int64_t ntasks, int32_t threads, qk_task_fn fn, void *ctx);

/// Decoding attention for one query row: for each head h (group g = h / group):
///   out_h = softmax(scale · q_h·K_g[j], j < T) · V_g, with K/V rows of stride kw and head width hd.
/// `scores` is scratch space for heads·T floats. Heads run in parallel on `threads` threads; every head is computed
/// by one thread in a fixed order.
void qk_decode_attention(const float *q, const float *k, const float *v, float *out, float *scores, int64_t T,
                         int32_t heads, int32_t group, int32_t hd, int64_t kw, float scale, int32_t threads);

/// In-place softmax of n values (max-subtracted). exp is a Cephes-style polynomial (≈2 ulp; < −87 gives 0).
void qk_softmax(float *x, int64_t n);
/// g ← silu(g)·u = g/(1 + exp(−g))·u, element-wise.
void qk_swiglu(float *g, const float *u, int64_t n);
/// The scalar exp used by both (for tests).
float qk_expf(float x);

#ifdef __cplusplus
}
#endif
#endif
