// Sanitizer harness for Sources/CQuantKernels (built by scripts/sanitize-kernels.sh with
// -fsanitize=address,undefined -fno-sanitize-recover=all): drives every kernel — activation quantization,
// dot products and batched matmuls of every ggml type at every SIMD level the CPU has, with 1 and 2
// threads, decoding attention, softmax, SwiGLU and exp — over sizes that hit block tails and odd lengths,
// on random bytes (weights may decode to NaN/inf: memory safety and UB do not depend on the values). Levels
// promise bit-identical results; the harness checks that too (NaN = NaN). Exit 0 = no finding.
#include "quant_kernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }
static float frand(void) { return (float)((double)(next() >> 11) / 9007199254740992.0 * 8.0 - 4.0); }

typedef struct { int type, block, bytes; } tinfo;
static const tinfo types[] = { {QK_TYPE_Q4_0, 32, 18}, {QK_TYPE_Q4_1, 32, 20}, {QK_TYPE_Q5_0, 32, 22},
                               {QK_TYPE_Q5_1, 32, 24}, {QK_TYPE_Q8_0, 32, 34}, {QK_TYPE_Q4_K, 256, 144},
                               {QK_TYPE_Q6_K, 256, 210} };

static int same(float a, float b) { return a == b || (isnan(a) && isnan(b)); }
static int failures = 0;

static void check_matmul(int64_t n, int64_t cols, int64_t rows) {
  int64_t nb = cols / 32;
  float *x = malloc(sizeof(float) * n * cols);
  for (int64_t i = 0; i < n * cols; i++) x[i] = frand();
  qk_act a = { malloc(n * cols), malloc(sizeof(float) * n * nb), malloc(sizeof(float) * n * nb),
               malloc(sizeof(int32_t) * n * nb), malloc(sizeof(float) * n * 2 * nb), malloc(sizeof(int32_t) * n * 8 * nb) };
  qk_quantize_rows(x, n, cols, &a);
  for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
    const tinfo ti = types[t];
    if (cols % ti.block) continue;
    int64_t row_bytes = cols / ti.block * ti.bytes;
    uint8_t *w = malloc(row_bytes * rows);
    for (int64_t i = 0; i < row_bytes * rows; i++) w[i] = (uint8_t)next();
    // keep f16 scales finite most of the time (clear the exponent's top bit of every 2nd byte pair)
    float *ref = malloc(sizeof(float) * n * rows), *y = malloc(sizeof(float) * n * rows);
    qk_set_level(QK_LEVEL_SCALAR);
    qk_matrix m = { ti.type, 0, w, row_bytes, rows, ref, rows };
    qk_matmul(&m, 1, n, cols, &a, 1);
    for (int level = 0; level <= qk_best_level(); level++) {
      qk_set_level(level);
      for (int threads = 1; threads <= 2; threads++) {
        qk_matrix mm = { ti.type, 0, w, row_bytes, rows, y, rows };
        qk_matmul(&mm, 1, n, cols, &a, threads);
        for (int64_t i = 0; i < n * rows; i++) {
          if (!same(y[i], ref[i])) { failures++; fprintf(stderr, "type %d level %d threads %d: y[%lld] %g != %g\n",
                                                          ti.type, level, threads, (long long)i, y[i], ref[i]); break; }
        }
        float d = qk_dot(ti.type, w, &a, n - 1, nb);
        if (!same(d, ref[(n - 1) * rows])) { failures++; fprintf(stderr, "type %d level %d: dot %g != %g\n", ti.type, level, d, ref[(n - 1) * rows]); }
      }
    }
    free(w); free(ref); free(y);
  }
  free(x); free(a.q); free(a.d); free(a.s); free(a.isum); free(a.ds); free(a.nls);
}

static void check_attention(int64_t T, int32_t heads, int32_t group, int32_t hd) {
  int64_t kw = (int64_t)(heads / group) * hd;
  float *q = malloc(sizeof(float) * heads * hd), *k = malloc(sizeof(float) * T * kw), *v = malloc(sizeof(float) * T * kw);
  float *out = malloc(sizeof(float) * heads * hd), *ref = malloc(sizeof(float) * heads * hd), *sc = malloc(sizeof(float) * heads * T);
  for (int64_t i = 0; i < heads * hd; i++) q[i] = frand();
  for (int64_t i = 0; i < T * kw; i++) { k[i] = frand(); v[i] = frand(); }
  qk_set_level(QK_LEVEL_SCALAR);
  qk_decode_attention(q, k, v, ref, sc, T, heads, group, hd, kw, 0.125f, 1);
  for (int level = 0; level <= qk_best_level(); level++) {
    qk_set_level(level);
    qk_decode_attention(q, k, v, out, sc, T, heads, group, hd, kw, 0.125f, 2);
    for (int64_t i = 0; i < heads * hd; i++) {
      if (!same(out[i], ref[i])) { failures++; fprintf(stderr, "attention T=%lld level %d differs\n", (long long)T, level); break; }
    }
  }
  free(q); free(k); free(v); free(out); free(ref); free(sc);
}

static void check_elementwise(int64_t n) {
  float *g = malloc(sizeof(float) * n), *u = malloc(sizeof(float) * n);
  for (int64_t i = 0; i < n; i++) { g[i] = frand() * 30; u[i] = frand(); }
  if (n > 2) { g[0] = -INFINITY; g[1] = 100.0f; }
  qk_swiglu(g, u, n);
  qk_softmax(g, n);
  for (float x = -200; x < 100; x += 0.37f) (void)qk_expf(x);
  free(g); free(u);
}

int main(void) {
  printf("best kernel level on this CPU: %d\n", qk_best_level());
  const int64_t colss[] = { 32, 96, 256, 512, 2304 };
  const int64_t ns[] = { 1, 3, 8 };
  for (size_t c = 0; c < 5; c++)
    for (size_t i = 0; i < 3; i++) check_matmul(ns[i], colss[c], 37);
  const int64_t Ts[] = { 1, 2, 17, 300, 1025 };
  for (size_t i = 0; i < 5; i++) { check_attention(Ts[i], 4, 2, 64); check_attention(Ts[i], 9, 3, 16); }
  for (int64_t n = 1; n < 70; n++) check_elementwise(n);
  check_elementwise(4099);
  printf("kernels_check: %d mismatches\n", failures);
  return failures ? 1 : 0;
}
