// SIMD kernels, included twice by qk_x86.c: once for AVX2 (+FMA, F16C; u8×s8 products by maddubs + madd) and once
// for AVX-512 VNNI (+VL; products by vpdpbusd on 256-bit registers). QK_NAME(x) names the variant's functions and
// QK_DPBUSD(u8, s8) returns the 8 int32 lane sums Σ_{j=4k}^{4k+3} u_j·s_j.
// Both produce exactly the lane sums of the scalar reference and use its float accumulation order.

static inline float QK_NAME(hsum8)(__m256 acc0, __m256 acc1, float m0, float m1) {
  __m256 v = _mm256_add_ps(acc0, acc1);
  __m128 u = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));   // u_k = v_k + v_{k+4}
  __m128 t = _mm_add_ps(u, _mm_movehl_ps(u, u));                                   // (u0+u2, u1+u3, …)
  float r = _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
  return r + (m0 + m1);
}

static inline float QK_NAME(half)(const uint8_t *p) { return _cvtsh_ss(qk_load16(p)); }

/// 16 packed bytes → 32 unsigned nibbles: bytes 0..15 = low nibbles, 16..31 = high nibbles (ggml element order).
static inline __m256i QK_NAME(nibbles)(const uint8_t *p) {
  __m128i raw = _mm_loadu_si128((const __m128i *)p);
  __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0f));
}

/// Lane sums of signed weights × signed activations (|w| as u8, sign moved onto the activations).
static inline __m256i QK_NAME(dot_ss)(__m256i w, __m256i x) {
  return QK_DPBUSD(_mm256_abs_epi8(w), _mm256_sign_epi8(x, w));
}

__attribute__((unused)) static float QK_NAME(dot_q4_0)(const uint8_t *w, const qk_row *a, int64_t nb) {
  const int8_t *q = a->q; const float *d = a->d;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  const __m256i eight = _mm256_set1_epi8(8);
  int64_t b = 0;
  for (; b + 2 <= nb; b += 2) {
    const uint8_t *w0 = w + 18 * b, *w1 = w0 + 18;
    __m256i l0 = QK_NAME(dot_ss)(_mm256_sub_epi8(QK_NAME(nibbles)(w0 + 2), eight),
                                 _mm256_loadu_si256((const __m256i *)(q + 32 * b)));
    __m256i l1 = QK_NAME(dot_ss)(_mm256_sub_epi8(QK_NAME(nibbles)(w1 + 2), eight),
                                 _mm256_loadu_si256((const __m256i *)(q + 32 * b + 32)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(QK_NAME(half)(w0) * d[b]), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l1), _mm256_set1_ps(QK_NAME(half)(w1) * d[b + 1]), acc1);
  }
  if (b < nb) {
    const uint8_t *w0 = w + 18 * b;
    __m256i l0 = QK_NAME(dot_ss)(_mm256_sub_epi8(QK_NAME(nibbles)(w0 + 2), eight),
                                 _mm256_loadu_si256((const __m256i *)(q + 32 * b)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(QK_NAME(half)(w0) * d[b]), acc0);
  }
  return QK_NAME(hsum8)(acc0, acc1, 0, 0);
}

__attribute__((unused)) static float QK_NAME(dot_q4_1)(const uint8_t *w, const qk_row *a, int64_t nb) {
  const int8_t *q = a->q; const float *d = a->d; const float *s = a->s;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float m0 = 0, m1 = 0;
  int64_t b = 0;
  for (; b + 2 <= nb; b += 2) {
    const uint8_t *w0 = w + 20 * b, *w1 = w0 + 20;
    __m256i l0 = QK_DPBUSD(QK_NAME(nibbles)(w0 + 4), _mm256_loadu_si256((const __m256i *)(q + 32 * b)));
    __m256i l1 = QK_DPBUSD(QK_NAME(nibbles)(w1 + 4), _mm256_loadu_si256((const __m256i *)(q + 32 * b + 32)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(QK_NAME(half)(w0) * d[b]), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l1), _mm256_set1_ps(QK_NAME(half)(w1) * d[b + 1]), acc1);
    float t0 = QK_NAME(half)(w0 + 2) * s[b];
    float t1 = QK_NAME(half)(w1 + 2) * s[b + 1];
    m0 = m0 + t0; m1 = m1 + t1;
  }
  if (b < nb) {
    const uint8_t *w0 = w + 20 * b;
    __m256i l0 = QK_DPBUSD(QK_NAME(nibbles)(w0 + 4), _mm256_loadu_si256((const __m256i *)(q + 32 * b)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(QK_NAME(half)(w0) * d[b]), acc0);
    float t0 = QK_NAME(half)(w0 + 2) * s[b];
    m0 = m0 + t0;
  }
  return QK_NAME(hsum8)(acc0, acc1, m0, m1);
}

__attribute__((unused)) static float QK_NAME(dot_q8_0)(const uint8_t *w, const qk_row *a, int64_t nb) {
  const int8_t *q = a->q; const float *d = a->d;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t b = 0;
  for (; b + 2 <= nb; b += 2) {
    const uint8_t *w0 = w + 34 * b, *w1 = w0 + 34;
    __m256i l0 = QK_NAME(dot_ss)(_mm256_loadu_si256((const __m256i *)(w0 + 2)),
                                 _mm256_loadu_si256((const __m256i *)(q + 32 * b)));
    __m256i l1 = QK_NAME(dot_ss)(_mm256_loadu_si256((const __m256i *)(w1 + 2)),
                                 _mm256_loadu_si256((const __m256i *)(q + 32 * b + 32)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(QK_NAME(half)(w0) * d[b]), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l1), _mm256_set1_ps(QK_NAME(half)(w1) * d[b + 1]), acc1);
  }
  if (b < nb) {
    const uint8_t *w0 = w + 34 * b;
    __m256i l0 = QK_NAME(dot_ss)(_mm256_loadu_si256((const __m256i *)(w0 + 2)),
                                 _mm256_loadu_si256((const __m256i *)(q + 32 * b)));
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(l0), _mm256_set1_ps(QK_NAME(half)(w0) * d[b]), acc0);
  }
  return QK_NAME(hsum8)(acc0, acc1, 0, 0);
}

static float QK_NAME(dot_q6_k)(const uint8_t *w, const qk_row *a, int64_t nb) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0f), m30 = _mm256_set1_epi8(0x30);
  for (int64_t sb = 0; sb < nb / 8; sb++) {
    const uint8_t *wb = w + 210 * sb;
    float d = QK_NAME(half)(wb + 208);
    float dsc[16];                                            // d·scale_i, the same products as the portable loop
    for (int h = 0; h < 2; h++) {
      __m128i s8 = _mm_loadl_epi64((const __m128i *)(wb + 192 + 8 * h));
      _mm256_storeu_ps(dsc + 8 * h, _mm256_mul_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(s8))));
    }
    for (int hf = 0; hf < 2; hf++) {
      __m256i ql0 = _mm256_loadu_si256((const __m256i *)(wb + 64 * hf));
      __m256i ql1 = _mm256_loadu_si256((const __m256i *)(wb + 64 * hf + 32));
      __m256i qh = _mm256_loadu_si256((const __m256i *)(wb + 128 + 32 * hf));
      __m256i q[4];
      q[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_and_si256(_mm256_slli_epi16(qh, 4), m30));
      q[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_and_si256(_mm256_slli_epi16(qh, 2), m30));
      q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_and_si256(qh, m30));
      q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4), _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30));
      for (int k = 0; k < 4; k++) {
        int64_t g = 8 * sb + 4 * hf + k;
        __m256i lanes = QK_DPBUSD(q[k], _mm256_loadu_si256((const __m256i *)(a->q + 32 * g)));
        lanes = _mm256_add_epi32(lanes, _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(a->nls + 8 * g)), 5));
        int si = 8 * hf + 2 * k;
        __m256 sc = _mm256_set_m128(_mm_set1_ps(dsc[si + 1] * a->d[g]), _mm_set1_ps(dsc[si] * a->d[g]));
        if (g & 1) acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), sc, acc1);
        else acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), sc, acc0);
      }
    }
  }
  return QK_NAME(hsum8)(acc0, acc1, 0, 0);
}

/// Byte j = 0x10 where bit j of x is set (the fifth bit of Q5 element j).
static inline __m256i QK_NAME(bit4s)(uint32_t x) {
  __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x),
                                  _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                                   2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
  const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull);
  v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
  return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

static inline float QK_NAME(dot_q5)(const uint8_t *w, const qk_row *a, int64_t nb, int is_q5_1) {
  const int bb = is_q5_1 ? 24 : 22, hoff = is_q5_1 ? 4 : 2;
  __m256 acc[2] = { _mm256_setzero_ps(), _mm256_setzero_ps() };
  float m[2] = {0, 0};
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t *wb = w + bb * b;
    __m256i q = _mm256_or_si256(QK_NAME(nibbles)(wb + hoff + 4), QK_NAME(bit4s)(qk_load32(wb + hoff)));
    __m256i lanes = QK_DPBUSD(q, _mm256_loadu_si256((const __m256i *)(a->q + 32 * b)));
    if (!is_q5_1) lanes = _mm256_add_epi32(lanes, _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(a->nls + 8 * b)), 4));
    acc[b & 1] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), _mm256_set1_ps(QK_NAME(half)(wb) * a->d[b]), acc[b & 1]);
    if (is_q5_1) { float mt = QK_NAME(half)(wb + 2) * a->s[b]; m[b & 1] = m[b & 1] + mt; }
  }
  return QK_NAME(hsum8)(acc[0], acc[1], m[0], m[1]);
}
static float QK_NAME(dot_q5_0)(const uint8_t *w, const qk_row *a, int64_t nb) { return QK_NAME(dot_q5)(w, a, nb, 0); }
static float QK_NAME(dot_q5_1)(const uint8_t *w, const qk_row *a, int64_t nb) { return QK_NAME(dot_q5)(w, a, nb, 1); }

/// Activation quantization; bit-identical to the scalar version (roundf = trunc + (|frac| ≥ ½ ? ±1 : 0)).
static void QK_NAME(quantize)(const float *x, int64_t nblocks, int8_t *q, float *d, float *s, int32_t *isum) {
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 signmask = _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u));
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  for (int64_t b = 0; b < nblocks; b++) {
    const float *xb = x + 32 * b;
    __m256 v[4];
    __m256 mx = _mm256_setzero_ps();
    for (int k = 0; k < 4; k++) {
      v[k] = _mm256_loadu_ps(xb + 8 * k);
      mx = _mm256_max_ps(mx, _mm256_and_ps(v[k], absmask));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
    float amax = _mm_cvtss_f32(m4);
    float db = amax / 127.0f;
    float id = db == 0 ? 0.0f : 1.0f / db;
    __m256 idv = _mm256_set1_ps(id);
    __m256i iv[4];
    __m256i sum = _mm256_setzero_si256();
    for (int k = 0; k < 4; k++) {
      __m256 y = _mm256_mul_ps(v[k], idv);
      __m256 t = _mm256_round_ps(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
      __m256 f = _mm256_and_ps(_mm256_sub_ps(y, t), absmask);
      __m256 adj = _mm256_and_ps(_mm256_cmp_ps(f, half, _CMP_GE_OQ), _mm256_or_ps(one, _mm256_and_ps(y, signmask)));
      iv[k] = _mm256_cvttps_epi32(_mm256_add_ps(t, adj));
      sum = _mm256_add_epi32(sum, iv[k]);
    }
    __m256i p01 = _mm256_packs_epi32(iv[0], iv[1]), p23 = _mm256_packs_epi32(iv[2], iv[3]);
    __m256i p = _mm256_packs_epi16(p01, p23);
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)(q + 32 * b), p);
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
    int32_t si = _mm_cvtsi128_si32(s4);
    d[b] = db; isum[b] = si; s[b] = db * (float)si;
  }
}

static float QK_NAME(fdot)(const float *a, const float *b, int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
  float r = QK_NAME(hsum8)(acc, _mm256_setzero_ps(), 0, 0);
  // hsum8 adds (m0 + m1) = 0 last: r + 0 == r for every r except −0 (sign only), harmless here.
  for (; i < n; i++) r = fmaf(a[i], b[i], r);
  return r;
}

static void QK_NAME(axpy)(float *y, float a, const float *x, int64_t n) {
  __m256 av = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; i++) y[i] = fmaf(a, x[i], y[i]);
}

/// Decoding attention for one head: four keys per step for the scores (independent FMA chains), the output kept in
/// registers 32 floats at a time. Per element the same operations in the same order as the portable version.
static void QK_NAME(attn)(const float *q, const float *k, const float *v, float *out, float *sc, int64_t T,
                          int64_t kw, int32_t hd, float scale) {
  int64_t j = 0;
  if (hd % 8 == 0) {
    for (; j + 4 <= T; j += 4) {
      const float *k0 = k + j * kw, *k1 = k0 + kw, *k2 = k1 + kw, *k3 = k2 + kw;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      for (int32_t e = 0; e < hd; e += 8) {
        __m256 qv = _mm256_loadu_ps(q + e);
        a0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + e), a0);
        a1 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k1 + e), a1);
        a2 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k2 + e), a2);
        a3 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k3 + e), a3);
      }
      __m256 z = _mm256_setzero_ps();
      sc[j] = QK_NAME(hsum8)(a0, z, 0, 0) * scale;
      sc[j + 1] = QK_NAME(hsum8)(a1, z, 0, 0) * scale;
      sc[j + 2] = QK_NAME(hsum8)(a2, z, 0, 0) * scale;
      sc[j + 3] = QK_NAME(hsum8)(a3, z, 0, 0) * scale;
    }
  }
  for (; j < T; j++) sc[j] = QK_NAME(fdot)(q, k + j * kw, hd) * scale;
  qk_softmax(sc, T);
  int32_t e0 = 0;
  for (; e0 + 32 <= hd; e0 += 32) {
    __m256 o0 = _mm256_setzero_ps(), o1 = o0, o2 = o0, o3 = o0;
    for (int64_t t = 0; t < T; t++) {
      const float *vt = v + t * kw + e0;
      __m256 p = _mm256_set1_ps(sc[t]);
      o0 = _mm256_fmadd_ps(p, _mm256_loadu_ps(vt), o0);
      o1 = _mm256_fmadd_ps(p, _mm256_loadu_ps(vt + 8), o1);
      o2 = _mm256_fmadd_ps(p, _mm256_loadu_ps(vt + 16), o2);
      o3 = _mm256_fmadd_ps(p, _mm256_loadu_ps(vt + 24), o3);
    }
    _mm256_storeu_ps(out + e0, o0); _mm256_storeu_ps(out + e0 + 8, o1);
    _mm256_storeu_ps(out + e0 + 16, o2); _mm256_storeu_ps(out + e0 + 24, o3);
  }
  if (e0 < hd) {
    for (int32_t e = e0; e < hd; e++) out[e] = 0;
    for (int64_t t = 0; t < T; t++) QK_NAME(axpy)(out + e0, sc[t], v + t * kw + e0, hd - e0);
  }
}
