// Internal declarations of the int8-activation GEMM (qk_gemm.c, tile kernels in qk_gemm_x86.c).
#ifndef EDGELAB_QK_GEMM_H
#define EDGELAB_QK_GEMM_H
#include <stdint.h>
#include "quant_kernels.h"

#define QK_GEMM_ROWS 16   // weight rows per packed panel (one 512-bit register of int32 / float lanes)
#define QK_GEMM_COLS 8    // activation rows per tile

/// One packed panel of 16 weight rows: codes[b][k][r][e] = u of row r, element 4k+e of block b (512 bytes per
/// block); dw[b][r] scales, mw[b][r] mins (zero unless has_min); `offset` = o of the header of qk_gemm.c.
typedef struct {
  const uint8_t *codes;
  const float *dw;
  const float *mw;
  int32_t offset;
  int32_t has_min;
} qk_panel;

/// out[c·16 + r] = y[i0 + c, row r of the panel] for c < nc ≤ QK_GEMM_COLS (the chain of qk_gemm.c's header).
typedef void (*qk_gemm_tile_fn)(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0, int nc, float *out);

#if defined(__x86_64__)
void qk_gemm_tile_vnni(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0, int nc, float *out);
void qk_gemm_tile_avx2(const qk_panel *p, int64_t nb, const qk_act *a, int64_t i0, int nc, float *out);
#endif
#endif
