#pragma once
// diffuse/nn/silu_kernels.hpp — the SiLU passes over contiguous arrays, one version per SIMD
// level (core/cpu.hpp), with a vectorised logistic function of their own for AVX2 and AVX-512.
//
//   forward   s = σ(z) = 1 / (1 + e^{−z}),  a = z s          (the cache c holds z, then s)
//   backward  g ⊙= s + a (1 − s)                             (= σ(z) + z σ(z)(1 − σ(z)))
//
// e^x = 2ⁿ e^r with n = round(x / ln 2) and r = x − n ln 2 (Cody & Waite's two-part ln 2),
// e^r by its Taylor polynomial in Horner form (degree 7 for float, 13 for double: truncation
// below 0.1 ulp on |r| ≤ ln 2 / 2), x clamped to [lo, hi] so that 2ⁿ is normal or, at the top,
// +∞ (then σ = 0 and a = −0, as for z → −∞). The clamp moves σ only where it is below the
// smallest normal number or rounds to 1 anyway; elsewhere σ is within 1.05 ulps (float).
// AVX2 and AVX-512 run the same operations in the same order, so they agree bitwise; the
// baseline keeps Eigen's logistic, whose float version is a fit to absolute accuracy (2 ulps of 1,
// but 1e-3 relative near z = −9); tests/nn/test_silu_kernels.cpp states both tolerances.

#include <algorithm>

#include <Eigen/Core>

#include "diffuse/core/cpu.hpp"
#include "diffuse/core/simd.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse::detail {

/// The constants of e^x for scalar S.
template <class S>
struct ExpConstants;
template <>
struct ExpConstants<float> {
  static constexpr float lo = -87.0f, hi = 89.0f;
  static constexpr float log2e = 1.44269504088896341f, ln2_hi = 0.693359375f, ln2_lo = -2.12194440e-4f;
  static constexpr int degree = 7;
};
template <>
struct ExpConstants<double> {
  static constexpr double lo = -708.0, hi = 710.0;
  static constexpr double log2e = 1.4426950408889634074, ln2_hi = 0.693145751953125, ln2_lo = 1.42860682030941723212e-6;
  static constexpr int degree = 13;
};

/// 1 / k! in S.
template <class S>
constexpr S inverse_factorial(int k) {
  double f = 1;
  for (int i = 2; i <= k; ++i) f *= i;
  return static_cast<S>(1.0 / f);
}

// ---- baseline: Eigen's vectorised logistic for the translation unit's packets ----

template <class S>
void baseline_silu_forward(S* c, S* a, Index size) {
  namespace ei = Eigen::internal;
  using Packet = typename ei::packet_traits<S>::type;
  constexpr Index P = ei::packet_traits<S>::size;
  auto silu = [](const Packet& z, Packet& s) {
    s = ei::scalar_logistic_op<S>().packetOp(z);
    return ei::pmul(z, s);
  };
  const Index whole = size / P * P;
  for (Index i = 0; i < whole; i += P) {
    const Packet z = ei::ploadu<Packet>(c + i);
    Packet s;
    ei::pstoreu(a + i, silu(z, s));
    ei::pstoreu(c + i, s);
  }
  // the last partial packet through a padded one, so every entry sees the same arithmetic
  if (whole < size) {
    S zs[P] = {}, ss[P], as[P];
    std::copy(c + whole, c + size, zs);
    Packet s;
    ei::pstoreu(as, silu(ei::ploadu<Packet>(zs), s));
    ei::pstoreu(ss, s);
    std::copy(ss, ss + (size - whole), c + whole);
    std::copy(as, as + (size - whole), a + whole);
  }
}

template <class S>
void baseline_silu_backward(const S* c, const S* a, S* g, Index size) {
  using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
  const Eigen::Map<const Array> s(c, size), out(a, size);
  Eigen::Map<Array> grad(g, size);
  grad *= s + out * (S(1) - s);
}

#if DIFFUSE_X86_KERNELS

// ---- AVX-512 ----

/// σ(z) for one AVX-512 vector, as the header describes it.
template <class S>
DIFFUSE_TARGET_AVX512 DIFFUSE_INLINE typename Avx512<S>::V avx512_logistic(typename Avx512<S>::V z) {
  using O = Avx512<S>;
  using E = ExpConstants<S>;
  // x = −z clamped; n = round(x log₂e); r = x − n ln 2
  const typename O::V x = O::min(O::max(O::sub(O::zero(), z), O::set1(E::lo)), O::set1(E::hi));
  const typename O::V n = O::round(O::mul(x, O::set1(E::log2e)));
  typename O::V r = O::fmadd(n, O::set1(-E::ln2_hi), x);
  r = O::fmadd(n, O::set1(-E::ln2_lo), r);
  // e^r = Σ_k r^k / k!, Horner from the top
  typename O::V p = O::set1(inverse_factorial<S>(E::degree));
  for (int k = E::degree - 1; k >= 0; --k) p = O::fmadd(p, r, O::set1(inverse_factorial<S>(k)));
  // σ = 1 / (1 + 2ⁿ e^r)
  const typename O::V one = O::set1(S(1));
  return O::div(one, O::fmadd(p, O::pow2(n), one));
}

template <class S>
DIFFUSE_TARGET_AVX512 void avx512_silu_forward(S* c, S* a, Index size) {
  using O = Avx512<S>;
  // s = σ(z) into c, a = z s; the last partial vector through masked loads and stores
  Index i = 0;
  for (; i + O::P <= size; i += O::P) {
    const typename O::V z = O::load(c + i), s = avx512_logistic<S>(z);
    O::store(a + i, O::mul(z, s));
    O::store(c + i, s);
  }
  if (i < size) {
    const Index r = size - i;
    const typename O::V z = O::load_first(c + i, r), s = avx512_logistic<S>(z);
    O::store_first(a + i, O::mul(z, s), r);
    O::store_first(c + i, s, r);
  }
}

template <class S>
DIFFUSE_TARGET_AVX512 void avx512_silu_backward(const S* c, const S* a, S* g, Index size) {
  using O = Avx512<S>;
  const typename O::V one = O::set1(S(1));
  // g ⊙= s + a (1 − s)
  Index i = 0;
  for (; i + O::P <= size; i += O::P) {
    const typename O::V s = O::load(c + i);
    O::store(g + i, O::mul(O::load(g + i), O::fmadd(O::load(a + i), O::sub(one, s), s)));
  }
  if (i < size) {
    const Index r = size - i;
    const typename O::V s = O::load_first(c + i, r);
    O::store_first(g + i, O::mul(O::load_first(g + i, r), O::fmadd(O::load_first(a + i, r), O::sub(one, s), s)), r);
  }
}

// ---- AVX2: the same operations on 256-bit vectors ----

/// σ(z) for one AVX2 vector, as the header describes it.
template <class S>
DIFFUSE_TARGET_AVX2 DIFFUSE_INLINE typename Avx2<S>::V avx2_logistic(typename Avx2<S>::V z) {
  using O = Avx2<S>;
  using E = ExpConstants<S>;
  // x = −z clamped; n = round(x log₂e); r = x − n ln 2
  const typename O::V x = O::min(O::max(O::sub(O::zero(), z), O::set1(E::lo)), O::set1(E::hi));
  const typename O::V n = O::round(O::mul(x, O::set1(E::log2e)));
  typename O::V r = O::fmadd(n, O::set1(-E::ln2_hi), x);
  r = O::fmadd(n, O::set1(-E::ln2_lo), r);
  // e^r = Σ_k r^k / k!, Horner from the top
  typename O::V p = O::set1(inverse_factorial<S>(E::degree));
  for (int k = E::degree - 1; k >= 0; --k) p = O::fmadd(p, r, O::set1(inverse_factorial<S>(k)));
  // σ = 1 / (1 + 2ⁿ e^r)
  const typename O::V one = O::set1(S(1));
  return O::div(one, O::fmadd(p, O::pow2(n), one));
}

template <class S>
DIFFUSE_TARGET_AVX2 void avx2_silu_forward(S* c, S* a, Index size) {
  using O = Avx2<S>;
  // s = σ(z) into c, a = z s; the last partial vector through masked loads and stores
  Index i = 0;
  for (; i + O::P <= size; i += O::P) {
    const typename O::V z = O::load(c + i), s = avx2_logistic<S>(z);
    O::store(a + i, O::mul(z, s));
    O::store(c + i, s);
  }
  if (i < size) {
    const Index r = size - i;
    const typename O::V z = O::load_first(c + i, r), s = avx2_logistic<S>(z);
    O::store_first(a + i, O::mul(z, s), r);
    O::store_first(c + i, s, r);
  }
}

template <class S>
DIFFUSE_TARGET_AVX2 void avx2_silu_backward(const S* c, const S* a, S* g, Index size) {
  using O = Avx2<S>;
  const typename O::V one = O::set1(S(1));
  // g ⊙= s + a (1 − s)
  Index i = 0;
  for (; i + O::P <= size; i += O::P) {
    const typename O::V s = O::load(c + i);
    O::store(g + i, O::mul(O::load(g + i), O::fmadd(O::load(a + i), O::sub(one, s), s)));
  }
  if (i < size) {
    const Index r = size - i;
    const typename O::V s = O::load_first(c + i, r);
    O::store_first(g + i, O::mul(O::load_first(g + i, r), O::fmadd(O::load_first(a + i, r), O::sub(one, s), s)), r);
  }
}

#endif  // DIFFUSE_X86_KERNELS

/// The SiLU forward pass over `size` entries at the current SIMD level: c holds z on entry and
/// σ(z) on exit, a receives z σ(z).
template <class S>
void silu_forward(S* c, S* a, Index size) {
#if DIFFUSE_X86_KERNELS
  const SimdLevel level = simd_level();
  if (level == SimdLevel::avx512) return avx512_silu_forward(c, a, size);
  if (level == SimdLevel::avx2) return avx2_silu_forward(c, a, size);
#endif
  baseline_silu_forward(c, a, size);
}

/// The SiLU backward pass g ⊙= s + a (1 − s) over `size` entries at the current SIMD level.
template <class S>
void silu_backward(const S* c, const S* a, S* g, Index size) {
#if DIFFUSE_X86_KERNELS
  const SimdLevel level = simd_level();
  if (level == SimdLevel::avx512) return avx512_silu_backward(c, a, g, size);
  if (level == SimdLevel::avx2) return avx2_silu_backward(c, a, g, size);
#endif
  baseline_silu_backward(c, a, g, size);
}

}  // namespace diffuse::detail
