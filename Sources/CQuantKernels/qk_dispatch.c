// Run-time kernel selection, activation quantization and single dots.
#include <stdatomic.h>
#include <stdlib.h>
#include "qk_internal.h"

static int detect_best(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni"))
      return QK_LEVEL_AVX512VNNI;
    return QK_LEVEL_AVX2;
  }
#endif
  return QK_LEVEL_SCALAR;
}

static _Atomic int best_level = -1;
static _Atomic int cur_level = -1;

int qk_best_level(void) {
  int b = atomic_load(&best_level);
  if (b < 0) { b = detect_best(); atomic_store(&best_level, b); }
  return b;
}

int qk_set_level(int level) {
  int b = qk_best_level();
  int l = level < 0 ? 0 : (level > b ? b : level);
  atomic_store(&cur_level, l);
  return l;
}

int qk_level(void) {
  int l = atomic_load(&cur_level);
  if (l < 0) {
    // EDGELAB_QK_LEVEL=0|1|2 caps the level (0 = portable C), e.g. to test the fallback in a whole program.
    const char *env = getenv("EDGELAB_QK_LEVEL");
    l = qk_set_level(env && *env ? atoi(env) : 99);
  }
  return l;
}

const qk_kernels *qk_current(void) {
  switch (qk_level()) {
#if defined(__x86_64__)
  case QK_LEVEL_AVX512VNNI: return &qk_avx512vnni_kernels;
  case QK_LEVEL_AVX2: return &qk_avx2_kernels;
#endif
  default: return &qk_scalar_kernels;
  }
}

int qk_supports(int type) {
  return type == QK_TYPE_Q4_0 || type == QK_TYPE_Q4_1 || type == QK_TYPE_Q8_0 || type == QK_TYPE_Q4_K ||
         type == QK_TYPE_Q6_K || type == QK_TYPE_Q5_0 || type == QK_TYPE_Q5_1 || type == QK_TYPE_Q5_K ||
         type == QK_TYPE_Q3_K || type == QK_TYPE_Q2_K;
}

void qk_quantize_rows(const float *x, int64_t n, int64_t cols, const qk_act *a) {
  if (n <= 0 || cols <= 0) return;
  int64_t nbt = n * (cols / 32);
  qk_current()->quantize(x, nbt, a->q, a->d, a->s, a->isum);
  for (int64_t b = 0; b < nbt; b++) {
    a->ds[2 * b] = a->d[b];
    a->ds[2 * b + 1] = a->s[b];
    for (int k = 0; k < 8; k++) {
      const int8_t *c = a->q + 32 * b + 4 * k;
      a->nls[8 * b + k] = -((int32_t)c[0] + c[1] + c[2] + c[3]);
    }
  }
}

float qk_dot(int type, const void *w, const qk_act *a, int64_t row, int64_t nb) {
  const qk_kernels *k = qk_current();
  qk_row r = qk_row_of(a, row, nb);
  switch (type) {
  case QK_TYPE_Q4_0: return k->q4_0((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q4_1: return k->q4_1((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q8_0: return k->q8_0((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q4_K: return k->q4_k((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q6_K: return k->q6_k((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q5_0: return k->q5_0((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q5_1: return k->q5_1((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q5_K: return k->q5_k((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q3_K: return k->q3_k((const uint8_t *)w, &r, nb);
  case QK_TYPE_Q2_K: return k->q2_k((const uint8_t *)w, &r, nb);
  default: return 0;
  }
}
