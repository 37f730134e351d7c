// Lane-wise body of qk_vmath.c's functions for one x86 ISA (included by qk_vmath_x86.c with the vector macros
// defined): the same operations in the same order on W lanes; the tail goes through one vector over a zero-padded
// copy, so every element gets the vector code's bits (which equal the portable C's).

static inline V VM(exp)(V x) {
  V xc = MINV(MAXV(x, SET(VM_EXP_LO)), SET(VM_EXP_HI));
  V t = ADD(MUL(xc, SET(VM_LOG2E)), SET(VM_ROUND));
  V n = SUB(t, SET(VM_ROUND));
  V r = ADD(SUB(xc, MUL(n, SET(VM_LN2_HI))), MUL(n, SET(VM_LN2_LO)));
  V p = SET(VM_E0);
  p = ADD(MUL(p, r), SET(VM_E1)); p = ADD(MUL(p, r), SET(VM_E2)); p = ADD(MUL(p, r), SET(VM_E3));
  p = ADD(MUL(p, r), SET(VM_E4)); p = ADD(MUL(p, r), SET(VM_E5));
  V y = ADD(ADD(MUL(MUL(p, r), r), r), SET(1.0f));
  VI k = ISUB(CASTI(t), SETI(0x4B400000));
  V v = MUL(y, CASTF(SLLI(IADD(k, SETI(127)), 23)));
  v = SEL(LT(x, SET(VM_EXP_LO)), SET(0.0f), v);
  v = SEL(GT(x, SET(VM_EXP_HI)), SET(INFINITY), v);
  return SEL(UNORD(x), x, v);
}

static inline V VM(abs)(V x) { return CASTF(IAND(CASTI(x), SETI(0x7fffffff))); }
static inline V VM(neg)(V x) { return CASTF(IXOR(CASTI(x), SETI((int32_t)0x80000000u))); }
static inline V VM(signed)(V magnitude, V sign) {
  return CASTF(IOR(IAND(CASTI(magnitude), SETI(0x7fffffff)), IAND(CASTI(sign), SETI((int32_t)0x80000000u))));
}

static inline V VM(tanh)(V x) {
  V a = VM(abs)(x);
  V e = VM(exp)(MINV(MUL(SET(2.0f), a), SET(88.0f)));
  V big = SUB(SET(1.0f), DIV(SET(2.0f), ADD(e, SET(1.0f))));
  V x2 = MUL(x, x);
  V small = MUL(a, ADD(SET(1.0f), MUL(x2, ADD(SET(VM_T1), MUL(x2, SUB(SET(VM_T2), MUL(x2, SET(VM_T3))))))));
  V m = SEL(LT(a, SET(0.0625f)), small, big);
  return SEL(UNORD(x), x, SEL(LT(x, SET(0.0f)), VM(neg)(m), m));
}

static inline V VM(sigmoid)(V x) { return DIV(SET(1.0f), ADD(SET(1.0f), VM(exp)(VM(neg)(x)))); }

static inline V VM(log_normal)(V x) {
  VI bits = CASTI(x);
  VI e0 = ISUB(IAND(SRLI(bits, 23), SETI(0xff)), SETI(126));
  V m = CASTF(IOR(IAND(bits, SETI(0x007fffff)), SETI(0x3f000000)));
  M small = LT(m, SET(VM_SQRT_HALF));
  VI e = SELI(small, ISUB(e0, SETI(1)), e0);
  V f = SEL(small, SUB(ADD(m, m), SET(1.0f)), SUB(m, SET(1.0f)));
  V z = MUL(f, f);
  V p = SET(VM_L0);
  p = SUB(MUL(p, f), SET(VM_L1)); p = ADD(MUL(p, f), SET(VM_L2)); p = SUB(MUL(p, f), SET(VM_L3));
  p = ADD(MUL(p, f), SET(VM_L4)); p = SUB(MUL(p, f), SET(VM_L5)); p = ADD(MUL(p, f), SET(VM_L6));
  p = SUB(MUL(p, f), SET(VM_L7)); p = ADD(MUL(p, f), SET(VM_L8));
  V y = MUL(MUL(f, z), p);
  V fe = CVTIF(e);
  y = ADD(y, MUL(fe, SET(-VM_LN2_LO_LOG)));
  y = ADD(y, MUL(SET(-0.5f), z));
  return ADD(ADD(f, y), MUL(fe, SET(VM_LN2_HI)));
}

static inline V VM(log1p)(V x) {
  V one = SET(1.0f);
  V u = ADD(one, x);
  V r = ADD(VM(log_normal)(MAXV(u, SET(VM_LEAST_NORMAL))), DIV(SUB(x, SUB(u, one)), u));
  V v = SEL(EQ(x, SET(INFINITY)), x, r);
  v = SEL(EQ(x, SET(-1.0f)), SET(-INFINITY), v);
  v = SEL(LT(x, SET(-1.0f)), CASTF(SETI(0x7fc00000)), v);
  v = SEL(EQ(x, SET(0.0f)), x, v);
  return SEL(UNORD(x), x, v);
}

static inline V VM(expm1)(V x) {
  V one = SET(1.0f);
  V u = VM(exp)(x);
  V um1 = SUB(u, one);
  V k = DIV(MUL(um1, x), VM(log_normal)(MAXV(u, SET(VM_LEAST_NORMAL))));
  V r = SEL(EQ(u, one), x, k);
  r = SEL(GT(VM(abs)(x), one), um1, r);
  return SEL(UNORD(x), x, r);
}

static inline V VM(symlog)(V x) { return VM(signed)(VM(log1p)(VM(abs)(x)), x); }
static inline V VM(symexp)(V x) { return VM(signed)(VM(expm1)(VM(abs)(x)), x); }

#define VM_LOOP(fn)                                                                                  \
  static void VM(fn##_buf)(const float *x, float *y, int64_t n) {                                    \
    int64_t i = 0;                                                                                   \
    for (; i + W <= n; i += W) ST(y + i, VM(fn)(LD(x + i)));                                         \
    if (i < n) {                                                                                     \
      float buf[W] = {0};                                                                            \
      memcpy(buf, x + i, (size_t)(n - i) * sizeof(float));                                          \
      ST(buf, VM(fn)(LD(buf)));                                                                      \
      memcpy(y + i, buf, (size_t)(n - i) * sizeof(float));                                           \
    }                                                                                                \
  }
VM_LOOP(exp)
VM_LOOP(tanh)
VM_LOOP(sigmoid)
VM_LOOP(log1p)
VM_LOOP(expm1)
VM_LOOP(symlog)
VM_LOOP(symexp)
#undef VM_LOOP
