// Int8-activation GEMM for batched products (prefill, scoring): Y = X̂·Wᵀ with W kept in its ggml blocks
// (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0; Q4_K and Q5_K as 32-value sub-blocks with their own scale and min) and X̂ the
// activation rows quantized to int8 blocks of 32 (qk_quantize_rows:
// d = amax/127, q = round-half-away(x/d), isum = Σq, s = d·isum), the same activations as ggml's q8_0/q8_1.
//
// Math. A weight block b of row r is w_j = dw·(u_j − o) + mw with integer codes u_j ∈ [0, 255], a type offset o
// (Q4_0 8, Q5_0 16, Q8_0 128 after moving its int8 codes to u = q + 128; 0 for Q4_1/Q5_1/Q4_K/Q5_K) and a min mw
// (Q4_1/Q5_1, and −dmin·m_j for Q4_K/Q5_K sub-block j; else 0). Then, exactly,
//   w·x̂ over block b = dw·dx·(Σ_j u_j·q_j − o·isum) + mw·s.
// Each output y[i, r] is ONE fixed float chain over the blocks, b = 0, 1, …, nb−1:
//   t_b   = Σ_j u_j·q_j − o·isum_b                      (exact int32: |t_b| ≤ 32·255·127 < 2^31)
//   acc   = fmaf((float)t_b, dw_b·dx_b, acc)            ((float)t_b exact for |t_b| < 2^24; dw·dx rounded once)
//   acc   = fmaf(mw_b, s_b, acc)                        (min types only)
// so the result does not depend on the SIMD level, the thread count or the tiling (which output a task or a
// vector lane computes never changes its chain). It differs from the single-row dot kernels (qk_dot: lane sums
// of 4 elements in two interleaved accumulators, see quant_kernels.h) by float rounding only.
//
// Layout. A task packs panels of 16 weight rows: for each block, the codes of the 16 rows interleaved by groups
// of 4 consecutive elements — codes[b][k][r][0..3] = u_{r, 4k..4k+3} — so one 4-byte activation group broadcast
// to all lanes times one 64-byte register gives, with vpdpbusd, 16 rows' partial sums at once (no horizontal
// sums). The idea of interleaving rows for broadcast activations follows llama.cpp's repacked CPU kernels
// (ggml-cpu repack, q4_0x8/q4_0x16); EdgeLab packs per task into a small buffer instead of at load time, so
// memory-mapped weights stay untouched, and keeps the block-sequential float chain above.
// Tile kernels (16 rows × up to 8 activation rows): portable C here, AVX-512 VNNI and AVX2 in qk_gemm_x86.c.
#include <math.h>
#include <stdlib.h>
#include "qk_internal.h"
#include "qk_gemm.h"

#pragma STDC FP_CONTRACT OFF

int qk_gemm_supports(int type) {
  return type == QK_TYPE_Q4_0 || type == QK_TYPE_Q4_1 || type == QK_TYPE_Q5_0 || type == QK_TYPE_Q5_1 ||
         type == QK_TYPE_Q8_0 || type == QK_TYPE_Q4_K || type == QK_TYPE_Q5_K;
}

/// Block bytes, code offset o and whether the type has a min, per type.
static void gemm_type_info(int type, int64_t *block_bytes, int32_t *offset, int *has_min) {
  switch (type) {
  case QK_TYPE_Q4_0: *block_bytes = 18; *offset = 8; *has_min = 0; break;
  case QK_TYPE_Q4_1: *block_bytes = 20; *offset = 0; *has_min = 1; break;
  case QK_TYPE_Q5_0: *block_bytes = 22; *offset = 16; *has_min = 0; break;
  case QK_TYPE_Q5_1: *block_bytes = 24; *offset = 0; *has_min = 1; break;
  case QK_TYPE_Q4_K: *block_bytes = 144; *offset = 0; *has_min = 1; break;   // bytes per 256-value super-block
  case QK_TYPE_Q5_K: *block_bytes = 176; *offset = 0; *has_min = 1; break;
  default: *block_bytes = 34; *offset = 128; *has_min = 0; break;          // Q8_0
  }
}

/// Codes u[32], scale and min of block b of a weight row (ggml element order: Q4/Q5 low nibbles are elements 0–15,
/// high 16–31; the Q5 fifth bit of element j is bit j of qh). Q4_K/Q5_K: block b is sub-block j = b mod 8 of
/// super-block b/8, w = d·sc_j·u − dmin·m_j, so dw = d·sc_j and mw = −dmin·m_j (the chain's min term mw·s).
static void gemm_unpack_block(int type, const uint8_t *row, int64_t b, int64_t bb, uint8_t u[32], float *dw, float *mw) {
  if (type == QK_TYPE_Q4_K || type == QK_TYPE_Q5_K) {
    const uint8_t *wb = row + bb * (b / 8);
    int j = (int)(b % 8), five = type == QK_TYPE_Q5_K;
    float dj[8], mj[8];
    qk_q4k_scales(wb, dj, mj);
    const uint8_t *qs = wb + (five ? 48 : 16) + 32 * (j / 2);
    for (int l = 0; l < 32; l++)
      u[l] = (uint8_t)(((qs[l] >> (4 * (j % 2))) & 15) | (five ? ((wb[16 + l] >> j) & 1) << 4 : 0));
    *dw = dj[j];
    *mw = -mj[j];
    return;
  }
  const uint8_t *wb = row + bb * b;
  *dw = qk_h2f(qk_load16(wb));
  *mw = 0;
  switch (type) {
  case QK_TYPE_Q4_0:
  case QK_TYPE_Q4_1: {
    const uint8_t *qs = wb + (type == QK_TYPE_Q4_1 ? 4 : 2);
    if (type == QK_TYPE_Q4_1) *mw = qk_h2f(qk_load16(wb + 2));
    for (int j = 0; j < 16; j++) { u[j] = qs[j] & 15; u[j + 16] = qs[j] >> 4; }
    break;
  }
  case QK_TYPE_Q5_0:
  case QK_TYPE_Q5_1: {
    int h = type == QK_TYPE_Q5_1 ? 4 : 2;
    if (type == QK_TYPE_Q5_1) *mw = qk_h2f(qk_load16(wb + 2));
    uint32_t qh = qk_load32(wb + h);
    const uint8_t *qs = wb + h + 4;
    for (int j = 0; j < 16; j++) {
      u[j] = (uint8_t)((qs[j] & 15) | (((qh >> j) & 1) << 4));
      u[j + 16] = (uint8_t)((qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
    }
    break;
  }
  default:
    for (int j = 0; j < 32; j++) u[j] = (uint8_t)(wb[2 + j] ^ 0x80);       // int8 q → q + 128
    break;
  }
}

/// Pack weight rows r0 … r0+15 (rows ≥ `rows` are padded with zero codes and zero scales) into panel `p`.
static void gemm_pack_panel(const qk_matrix *M, int64_t r0, int64_t nb, uint8_t *codes, float *dw, float *mw) {
  int64_t bb; int32_t off; int has_min;
  gemm_type_info(M->type, &bb, &off, &has_min);
  for (int r = 0; r < QK_GEMM_ROWS; r++) {
    int64_t row = r0 + r;
    const uint8_t *w = row < M->rows ? (const uint8_t *)M->w + row * M->row_bytes : NULL;
    for (int64_t b = 0; b < nb; b++) {
      uint8_t u[32];
      float d = 0, m = 0;
      if (w) gemm_unpack_block(M->type, w, b, bb, u, &d, &m);
      else memset(u, 0, 32);
      uint8_t *cb = codes + 512 * b;
      for (int k = 0; k < 8; k++) memcpy(cb + 64 * k + 4 * r, u + 4 * k, 4);
      dw[16 * b + r] = d;
      mw[16 * b + r] = m;
    }
  }
}

/// The portable tile: every lane of the SIMD kernels, one after another, with the same operations.
static void gemm_tile_portable(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0, int nc, float *out) {
  for (int c = 0; c < nc; c++) {
    int64_t i = i0 + c;
    const int8_t *xq = a->q + i * nb * 32;
    for (int r = 0; r < QK_GEMM_ROWS; r++) {
      float acc = 0;
      for (int64_t b = 0; b < nb; b++) {
        const uint8_t *cb = p->codes + 512 * b;
        int32_t t = -p->offset * a->isum[i * nb + b];
        for (int k = 0; k < 8; k++)
          for (int e = 0; e < 4; e++) t += (int32_t)cb[64 * k + 4 * r + e] * xq[32 * b + 4 * k + e];
        float sc = p->dw[16 * b + r] * a->d[i * nb + b];
        acc = fmaf((float)t, sc, acc);
        if (p->has_min) acc = fmaf(p->mw[16 * b + r], a->s[i * nb + b], acc);
      }
      out[16 * c + r] = acc;
    }
  }
}

static qk_gemm_tile_fn gemm_tile_for_level(void) {
  switch (qk_level()) {
#if defined(__x86_64__)
  case QK_LEVEL_AVX512VNNI: return qk_gemm_tile_vnni;
  case QK_LEVEL_AVX2: return qk_gemm_tile_avx2;
#endif
  default: return gemm_tile_portable;
  }
}

// ---- tasks: (matrix, group of QK_GEMM_GROUP panels, range of activation rows)

#define QK_GEMM_GROUP 2          // panels (of 16 rows) packed per task
#define QK_GEMM_MAX_MATS 16

typedef struct {
  const qk_matrix *mats;
  int64_t first[QK_GEMM_MAX_MATS + 1];   // first task of each matrix
  int64_t n, nb, act_chunk, act_splits;
  const qk_act *a;
  qk_gemm_tile_fn tile;
} gemm_job;

static void gemm_task(void *ctx, int64_t task) {
  const gemm_job *J = (const gemm_job *)ctx;
  int32_t m = 0;
  while (task >= J->first[m + 1]) m++;
  const qk_matrix *M = &J->mats[m];
  int64_t local = task - J->first[m];
  int64_t group = local / J->act_splits, split = local % J->act_splits;
  int64_t i_begin = split * J->act_chunk, i_end = i_begin + J->act_chunk < J->n ? i_begin + J->act_chunk : J->n;
  int64_t r_begin = group * QK_GEMM_GROUP * QK_GEMM_ROWS, nb = J->nb;
  int64_t bb; int32_t off; int has_min;
  gemm_type_info(M->type, &bb, &off, &has_min);
  int panels = 0;
  qk_panel P[QK_GEMM_GROUP];
  size_t per = (size_t)nb * (512 + 2 * 16 * sizeof(float));
  uint8_t *buf = (uint8_t *)aligned_alloc(64, (size_t)QK_GEMM_GROUP * per);
  if (!buf) abort();
  for (int g = 0; g < QK_GEMM_GROUP && r_begin + g * QK_GEMM_ROWS < M->rows; g++) {
    uint8_t *base = buf + (size_t)g * per;
    float *dw = (float *)(base + 512 * nb), *mw = dw + 16 * nb;
    gemm_pack_panel(M, r_begin + g * QK_GEMM_ROWS, nb, base, dw, mw);
    qk_panel p = { base, dw, mw, off, has_min };
    P[panels++] = p;
  }
  float out[QK_GEMM_COLS * QK_GEMM_ROWS];
  for (int64_t i0 = i_begin; i0 < i_end; i0 += QK_GEMM_COLS) {
    int nc = i_end - i0 < QK_GEMM_COLS ? (int)(i_end - i0) : QK_GEMM_COLS;
    for (int g = 0; g < panels; g++) {
      J->tile(&P[g], nb, J->a, i0, nc, out);
      int64_t r0 = r_begin + g * QK_GEMM_ROWS;
      int nr = M->rows - r0 < QK_GEMM_ROWS ? (int)(M->rows - r0) : QK_GEMM_ROWS;
      for (int c = 0; c < nc; c++) {
        float *y = M->y + (i0 + c) * M->ldy + r0;
        if (M->accumulate) for (int r = 0; r < nr; r++) y[r] = y[r] + out[16 * c + r];
        else memcpy(y, out + 16 * c, (size_t)nr * sizeof(float));
      }
    }
  }
  free(buf);
}

void qk_gemm(const qk_matrix *mats, int32_t count, int64_t n, int64_t cols, const qk_act *a, int32_t threads) {
  if (count <= 0 || n <= 0 || cols <= 0) return;
  if (count > QK_GEMM_MAX_MATS) {
    for (int32_t c = 0; c < count; c += QK_GEMM_MAX_MATS)
      qk_gemm(mats + c, count - c < QK_GEMM_MAX_MATS ? count - c : QK_GEMM_MAX_MATS, n, cols, a, threads);
    return;
  }
  gemm_job J;
  J.mats = mats; J.n = n; J.nb = cols / 32; J.a = a; J.tile = gemm_tile_for_level();
  const int64_t group_rows = QK_GEMM_GROUP * QK_GEMM_ROWS;
  int64_t groups = 0;
  for (int32_t c = 0; c < count; c++) groups += (mats[c].rows + group_rows - 1) / group_rows;
  // Enough tasks for load balance on a shared machine (about 8 per thread): split the activation rows too when the
  // matrices have few row groups. Activation chunks are multiples of the tile width.
  int64_t want = threads > 1 ? 8 * (int64_t)threads : 1;
  int64_t splits = groups >= want ? 1 : (want + groups - 1) / groups;
  int64_t max_splits = (n + QK_GEMM_COLS - 1) / QK_GEMM_COLS;
  if (splits > max_splits) splits = max_splits;
  if (splits < 1) splits = 1;
  int64_t chunk = (n + splits - 1) / splits;
  chunk = (chunk + QK_GEMM_COLS - 1) / QK_GEMM_COLS * QK_GEMM_COLS;
  J.act_chunk = chunk;
  J.act_splits = (n + chunk - 1) / chunk;
  J.first[0] = 0;
  for (int32_t c = 0; c < count; c++)
    J.first[c + 1] = J.first[c] + (mats[c].rows + group_rows - 1) / group_rows * J.act_splits;
  qk_parallel_for(J.first[count], threads, gemm_task, &J);
}
