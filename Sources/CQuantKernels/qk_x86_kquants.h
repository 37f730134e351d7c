// SIMD k-quant kernels Q4_K, Q5_K, Q3_K and Q2_K, included twice by qk_x86.c like qk_x86_template.h (AVX2 with
// maddubs + madd, AVX-512 VNNI with vpdpbusd on 256-bit registers; QK_NAME and QK_DPBUSD as there). Each follows
// its portable reference in qk_scalar.c operation for operation: the same integer lane sums (exact, so the order of
// integer instructions is free), the same float products and the same fused multiply-adds into the same lanes of
// the same accumulators, and the canonical reduction — so every level returns the same bits.

/// Byte j = `val` where bit `bit` of byte j of `bits` is set, else 0.
static inline __m256i QK_NAME(bitplane)(__m256i bits, int bit, char val) {
  const __m256i m = _mm256_set1_epi8((char)(1 << bit));
  return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(bits, m), m), _mm256_set1_epi8(val));
}

/// 2-bit field s (bits 2s, 2s+1) of each byte.
static inline __m256i QK_NAME(crumbs)(__m256i raw, int s) {
  return _mm256_and_si256(_mm256_srl_epi16(raw, _mm_cvtsi32_si128(2 * s)), _mm256_set1_epi8(3));
}

/// Lanes 0–3 = lo, lanes 4–7 = hi (per-16 scales of one activation block).
static inline __m256i QK_NAME(halves)(int32_t lo, int32_t hi) {
  return _mm256_set_m128i(_mm_set1_epi32(hi), _mm_set1_epi32(lo));
}

/// qk_q4k_scales without the per-scale branches: ggml's 32-bit-word unpacking of the 12 packed bytes (as in
/// llama.cpp's ggml_vec_dot_q4_K_q8_K) gives the 8 scales in bytes 0–7 and the 8 mins in bytes 8–15, widened and
/// multiplied by d and dmin in one vector step each (the same single float products).
static inline void QK_NAME(q4k_scales)(const uint8_t *wb, float dj[8], float mj[8]) {
  uint32_t u0 = qk_load32(wb + 4), u1 = qk_load32(wb + 8), u2 = qk_load32(wb + 12);
  const uint32_t k1 = 0x3f3f3f3fu, k2 = 0x0f0f0f0fu, k3 = 0x03030303u;
  uint32_t sc_lo = u0 & k1, sc_hi = (u2 & k2) | (((u0 >> 6) & k3) << 4);
  uint32_t m_lo = u1 & k1, m_hi = ((u2 >> 4) & k2) | (((u1 >> 6) & k3) << 4);
  __m128i sc = _mm_setr_epi32((int)sc_lo, (int)sc_hi, 0, 0), m = _mm_setr_epi32((int)m_lo, (int)m_hi, 0, 0);
  _mm256_storeu_ps(dj, _mm256_mul_ps(_mm256_set1_ps(QK_NAME(half)(wb)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(sc))));
  _mm256_storeu_ps(mj, _mm256_mul_ps(_mm256_set1_ps(QK_NAME(half)(wb + 2)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(m))));
}

/// Q4_K and Q5_K (`five`: the fifth bit of sub-block g from bit g of qh, as a 0x10 byte plane).
static inline float QK_NAME(dot_q45_k)(const uint8_t *w, const qk_row *a, int64_t nb, int five) {
  const int64_t bb = five ? 176 : 144, qoff = five ? 48 : 16;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float m0 = 0, m1 = 0;
  const __m256i m4 = _mm256_set1_epi8(0x0f);
  for (int64_t sb = 0; sb < nb / 8; sb++) {
    const uint8_t *wb = w + bb * sb;
    float dj[8], mj[8];
    QK_NAME(q4k_scales)(wb, dj, mj);
    __m256i qh = five ? _mm256_loadu_si256((const __m256i *)(wb + 16)) : _mm256_setzero_si256();
    for (int c = 0; c < 4; c++) {
      __m256i raw = _mm256_loadu_si256((const __m256i *)(wb + qoff + 32 * c));
      int64_t g0 = 8 * sb + 2 * c;
      const int8_t *x0 = a->q + 32 * g0;
      __m256i q0 = _mm256_and_si256(raw, m4), q1 = _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4);
      if (five) {
        q0 = _mm256_or_si256(q0, QK_NAME(bitplane)(qh, 2 * c, 0x10));
        q1 = _mm256_or_si256(q1, QK_NAME(bitplane)(qh, 2 * c + 1, 0x10));
      }
      __m256i l0 = QK_DPBUSD(q0, _mm256_loadu_si256((const __m256i *)x0));
      __m256i l1 = QK_DPBUSD(q1, _mm256_loadu_si256((const __m256i *)(x0 + 32)));
      acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(dj[2 * c] * a->d[g0]), acc0);
      acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l1), _mm256_set1_ps(dj[2 * c + 1] * a->d[g0 + 1]), acc1);
      float t0 = mj[2 * c] * a->s[g0], t1 = mj[2 * c + 1] * a->s[g0 + 1];
      m0 = m0 - t0; m1 = m1 - t1;
    }
  }
  return QK_NAME(hsum8)(acc0, acc1, m0, m1);
}
static float QK_NAME(dot_q4_k)(const uint8_t *w, const qk_row *a, int64_t nb) { return QK_NAME(dot_q45_k)(w, a, nb, 0); }
static float QK_NAME(dot_q5_k)(const uint8_t *w, const qk_row *a, int64_t nb) { return QK_NAME(dot_q45_k)(w, a, nb, 1); }

/// Q3_K's 16 scales minus 32 (qk_q3k_scales, vectorized): low nibbles from bytes 0–7, high 2-bit pairs of scale
/// i = 4k + j from bits 2k, 2k+1 of byte 8 + j.
static inline void QK_NAME(q3k_scales)(const uint8_t *s, int8_t sc[16]) {
  __m128i lo8 = _mm_loadl_epi64((const __m128i *)s);
  const __m128i m4 = _mm_set1_epi8(15);
  __m128i lo = _mm_unpacklo_epi64(_mm_and_si128(lo8, m4), _mm_and_si128(_mm_srli_epi16(lo8, 4), m4));
  __m128i hi = _mm_and_si128(_mm_srlv_epi32(_mm_set1_epi32((int)qk_load32(s + 8)), _mm_setr_epi32(0, 2, 4, 6)), _mm_set1_epi8(3));
  __m128i v = _mm_sub_epi8(_mm_or_si128(lo, _mm_slli_epi16(hi, 4)), _mm_set1_epi8(32));
  _mm_storeu_si128((__m128i *)sc, v);
}

/// Q3_K, one activation block: lanes (Σu·x − 4·Σx)·(sc − 32) for sub-block pair (2g, 2g + 1) of super-block wb.
static inline __m256 QK_NAME(q3k_block)(__m256i raw, __m256i hm, int s, int g, const int8_t *sc, const qk_row *a, int64_t gb) {
  __m256i u = _mm256_or_si256(QK_NAME(crumbs)(raw, s), QK_NAME(bitplane)(hm, g, 0x04));
  __m256i lanes = QK_DPBUSD(u, _mm256_loadu_si256((const __m256i *)(a->q + 32 * gb)));
  lanes = _mm256_add_epi32(lanes, _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(a->nls + 8 * gb)), 2));
  return _mm256_cvtepi32_ps(_mm256_mullo_epi32(lanes, QK_NAME(halves)(sc[2 * g], sc[2 * g + 1])));
}

/// Blocks g = 4c + s in pairs (s, s + 1): g even → acc0, g odd → acc1 (activation block 8·sb + g has g's parity).
static float QK_NAME(dot_q3_k)(const uint8_t *w, const qk_row *a, int64_t nb) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  for (int64_t sb = 0; sb < nb / 8; sb++) {
    const uint8_t *wb = w + 110 * sb;
    float d = QK_NAME(half)(wb + 108);
    int8_t sc[16];
    QK_NAME(q3k_scales)(wb + 96, sc);
    __m256i hm = _mm256_loadu_si256((const __m256i *)wb);
    for (int c = 0; c < 2; c++) {
      __m256i raw = _mm256_loadu_si256((const __m256i *)(wb + 32 + 32 * c));
      for (int s = 0; s < 4; s += 2) {
        int g = 4 * c + s;
        int64_t gb = 8 * sb + g;
        __m256 l0 = QK_NAME(q3k_block)(raw, hm, s, g, sc, a, gb);
        __m256 l1 = QK_NAME(q3k_block)(raw, hm, s + 1, g + 1, sc, a, gb + 1);
        acc0 = _mm256_fmadd_ps(l0, _mm256_set1_ps(d * a->d[gb]), acc0);
        acc1 = _mm256_fmadd_ps(l1, _mm256_set1_ps(d * a->d[gb + 1]), acc1);
      }
    }
  }
  return QK_NAME(hsum8)(acc0, acc1, 0, 0);
}

/// Q2_K, one activation block: scale lanes sc·Σq·x and min lanes m·(−Σx) for sub-block pair (2g, 2g + 1).
static inline void QK_NAME(q2k_block)(__m256i raw, int s, const uint8_t *sm, const qk_row *a, int64_t gb, __m256 *l, __m256 *ml) {
  __m256i lanes = QK_DPBUSD(QK_NAME(crumbs)(raw, s), _mm256_loadu_si256((const __m256i *)(a->q + 32 * gb)));
  *l = _mm256_cvtepi32_ps(_mm256_mullo_epi32(lanes, QK_NAME(halves)(sm[0] & 15, sm[1] & 15)));
  *ml = _mm256_cvtepi32_ps(_mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)(a->nls + 8 * gb)),
                                              QK_NAME(halves)(sm[0] >> 4, sm[1] >> 4)));
}

static float QK_NAME(dot_q2_k)(const uint8_t *w, const qk_row *a, int64_t nb) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, mac0 = acc0, mac1 = acc0;
  for (int64_t sb = 0; sb < nb / 8; sb++) {
    const uint8_t *wb = w + 84 * sb;
    float d = QK_NAME(half)(wb + 80), dmin = QK_NAME(half)(wb + 82);
    for (int c = 0; c < 2; c++) {
      __m256i raw = _mm256_loadu_si256((const __m256i *)(wb + 16 + 32 * c));
      for (int s = 0; s < 4; s += 2) {
        int g = 4 * c + s;
        int64_t gb = 8 * sb + g;
        __m256 l0, m0, l1, m1;
        QK_NAME(q2k_block)(raw, s, wb + 2 * g, a, gb, &l0, &m0);
        QK_NAME(q2k_block)(raw, s + 1, wb + 2 * g + 2, a, gb + 1, &l1, &m1);
        acc0 = _mm256_fmadd_ps(l0, _mm256_set1_ps(d * a->d[gb]), acc0);
        mac0 = _mm256_fmadd_ps(m0, _mm256_set1_ps(dmin * a->d[gb]), mac0);
        acc1 = _mm256_fmadd_ps(l1, _mm256_set1_ps(d * a->d[gb + 1]), acc1);
        mac1 = _mm256_fmadd_ps(m1, _mm256_set1_ps(dmin * a->d[gb + 1]), mac1);
      }
    }
  }
  return QK_NAME(hsum8)(_mm256_add_ps(acc0, mac0), _mm256_add_ps(acc1, mac1), 0, 0);
}
