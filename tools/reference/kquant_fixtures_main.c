/* Driver for tools/reference/kquant_fixtures.py: runs ggml's reference k-quant quantizers and dequantizers
 * (quantize_row_q{2..6}_K_ref / dequantize_row_q{2..6}_K from ggml-quants.c, compiled from a ggml checkout
 * that is not part of this repository) on the Float32 rows in <in.f32>.
 * Usage: kquant_fixtures <in.f32> <count> <outdir>
 * Writes <outdir>/<type>.bin (block bytes) and <outdir>/<type>.deq.f32 (the C dequantization of those bytes)
 * for type in q2_K q3_K q4_K q5_K q6_K. count must be a multiple of 256. */
#include <stdio.h>
#include <stdlib.h>
#include "ggml-quants.h"

static void write_file(const char *dir, const char *name, const char *ext, const void *p, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s%s", dir, name, ext);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n) { perror(path); exit(1); }
  fclose(f);
}

#define RUN(NAME, BLOCK)                                                                          \
  do {                                                                                            \
    BLOCK *q = calloc(count / 256, sizeof(BLOCK));                                                \
    quantize_row_##NAME##_ref(x, q, count);                                                       \
    dequantize_row_##NAME(q, y, count);                                                           \
    write_file(dir, #NAME, ".bin", q, (count / 256) * sizeof(BLOCK));                             \
    write_file(dir, #NAME, ".deq.f32", y, count * sizeof(float));                                 \
    free(q);                                                                                      \
  } while (0)

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s in.f32 count outdir\n", argv[0]); return 2; }
  const long count = atol(argv[2]);
  const char *dir = argv[3];
  if (count <= 0 || count % 256) { fprintf(stderr, "count must be a positive multiple of 256\n"); return 2; }
  float *x = malloc(count * sizeof(float)), *y = malloc(count * sizeof(float));
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(x, sizeof(float), count, f) != (size_t)count) { perror(argv[1]); return 1; }
  fclose(f);
  RUN(q2_K, block_q2_K);
  RUN(q3_K, block_q3_K);
  RUN(q4_K, block_q4_K);
  RUN(q5_K, block_q5_K);
  RUN(q6_K, block_q6_K);
  free(x); free(y);
  return 0;
}
