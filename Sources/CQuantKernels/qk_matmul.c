// Batched quantized products (int8 dot kernels and the direct 16-bit kernels) and decoding attention on the pool.
#include <math.h>
#include "qk_internal.h"

#pragma STDC FP_CONTRACT OFF

#define QK_MAX_MATS 16

typedef struct {
  const qk_matrix *mats;
  int32_t count;
  int64_t first[QK_MAX_MATS + 1];   // first task of each matrix
  int64_t chunk;
  int64_t n, cols;
  const qk_act *a;
  const qk_kernels *k;
} matmul_job;

static void matmul_task(void *p, int64_t task) {
  const matmul_job *J = (const matmul_job *)p;
  int32_t m = 0;
  while (task >= J->first[m + 1]) m++;
  const qk_matrix *M = &J->mats[m];
  int64_t r0 = (task - J->first[m]) * J->chunk;
  int64_t r1 = r0 + J->chunk < M->rows ? r0 + J->chunk : M->rows;
  const uint8_t *w = (const uint8_t *)M->w;
  if (qk_supports_direct16(M->type)) {         // F16 / BF16: float activations, direct 16-bit kernels
    for (int64_t r = r0; r < r1; r++) {
      const uint8_t *wr = w + r * M->row_bytes;
      for (int64_t i = 0; i < J->n; i++) {
        float v = qk_dot16(M->type, wr, J->a->x + i * J->cols, J->cols);
        float *y = M->y + i * M->ldy + r;
        *y = M->accumulate ? *y + v : v;
      }
    }
    return;
  }
  qk_dot_fn dot;
  switch (M->type) {
  case QK_TYPE_Q4_0: dot = J->k->q4_0; break;
  case QK_TYPE_Q4_1: dot = J->k->q4_1; break;
  case QK_TYPE_Q5_0: dot = J->k->q5_0; break;
  case QK_TYPE_Q5_1: dot = J->k->q5_1; break;
  case QK_TYPE_Q2_K: dot = J->k->q2_k; break;
  case QK_TYPE_Q3_K: dot = J->k->q3_k; break;
  case QK_TYPE_Q4_K: dot = J->k->q4_k; break;
  case QK_TYPE_Q5_K: dot = J->k->q5_k; break;
  case QK_TYPE_Q6_K: dot = J->k->q6_k; break;
  default: dot = J->k->q8_0; break;
  }
  int64_t nb = J->cols / 32;
  if (J->n == 1) {
    qk_row a0 = qk_row_of(J->a, 0, nb);
    float *y = M->y;
    if (M->accumulate) {
      for (int64_t r = r0; r < r1; r++) y[r] = y[r] + dot(w + r * M->row_bytes, &a0, nb);
    } else {
      for (int64_t r = r0; r < r1; r++) y[r] = dot(w + r * M->row_bytes, &a0, nb);
    }
    return;
  }
  for (int64_t r = r0; r < r1; r++) {
    const uint8_t *wr = w + r * M->row_bytes;
    for (int64_t i = 0; i < J->n; i++) {
      qk_row ri = qk_row_of(J->a, i, nb);
      float v = dot(wr, &ri, nb);
      float *y = M->y + i * M->ldy + r;
      *y = M->accumulate ? *y + v : v;
    }
  }
}

void qk_matmul(const qk_matrix *mats, int32_t count, int64_t n, int64_t cols, const qk_act *a, int32_t threads) {
  if (count <= 0 || n <= 0) return;
  if (count > QK_MAX_MATS) {
    for (int32_t c = 0; c < count; c += QK_MAX_MATS)
      qk_matmul(mats + c, count - c < QK_MAX_MATS ? count - c : QK_MAX_MATS, n, cols, a, threads);
    return;
  }
  matmul_job J;
  J.mats = mats; J.count = count; J.n = n; J.cols = cols;
  J.a = a; J.k = qk_current();
  int64_t total = 0;
  for (int32_t c = 0; c < count; c++) total += mats[c].rows;
  // About 8 chunks per thread for load balance (the machine may be shared), at least 16 rows each.
  int64_t chunk = threads > 1 ? total / ((int64_t)threads * 8) : total;
  if (chunk < 16) chunk = 16;
  chunk = (chunk + 3) & ~(int64_t)3;
  J.chunk = chunk;
  J.first[0] = 0;
  for (int32_t c = 0; c < count; c++) J.first[c + 1] = J.first[c] + (mats[c].rows + chunk - 1) / chunk;
  qk_parallel_for(J.first[count], threads, matmul_task, &J);
}

// ---- decoding attention

typedef struct {
  const float *q, *k, *v; float *out, *scores;
  int64_t T, kw; int32_t group, hd; float scale;
  const qk_kernels *K;
} attn_job;

static void attn_task(void *p, int64_t h) {
  const attn_job *J = (const attn_job *)p;
  int64_t g = h / J->group;
  J->K->attn(J->q + h * J->hd, J->k + g * J->hd, J->v + g * J->hd, J->out + h * J->hd, J->scores + h * J->T, J->T,
             J->kw, J->hd, J->scale);
}

void qk_decode_attention(const float *q, const float *k, const float *v, float *out, float *scores, int64_t T,
                         int32_t heads, int32_t group, int32_t hd, int64_t kw, float scale, int32_t threads) {
  if (heads <= 0 || T <= 0) return;
  attn_job J = { q, k, v, out, scores, T, kw, group, hd, scale, qk_current() };
  qk_parallel_for(heads, threads, attn_task, &J);
}
