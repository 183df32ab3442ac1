#pragma once
// diffuse/nn/activation_kernels.hpp — the SiLU and ReLU passes over contiguous arrays, one
// version per SIMD level (core/cpu.hpp), with a vectorised logistic function of their own for
// AVX2 and AVX-512.
//
//   SiLU forward   s = σ(z) = 1 / (1 + e^{−z}),  a = z s     (the cache c holds z, then s)
//   SiLU backward  g ⊙= s + a (1 − s)                        (= σ(z) + z σ(z)(1 − σ(z)))
//   ReLU forward   a = max(z, 0);  backward  g ⊙= [z > 0]    (exact: every level agrees bitwise)
//
// e^x = 2ⁿ e^r with n = round(x / ln 2) and r = x − n ln 2 (Cody & Waite's two-part ln 2),
// e^r by its Taylor polynomial in Horner form (degree 7 for float, 13 for double: truncation
// below 0.1 ulp on |r| ≤ ln 2 / 2), x clamped to [lo, hi] so that 2ⁿ is normal or, at the top,
// +∞ (then σ = 0 and a = −0, as for z → −∞). The clamp moves σ only where it is below the
// smallest normal number or rounds to 1 anyway; elsewhere σ is within 1.05 ulps (float).
// AVX2 and AVX-512 run the same operations in the same order, so they agree bitwise; the
// baseline keeps Eigen's logistic, whose float version is a fit to absolute accuracy (2 ulps of 1,
// but 1e-3 relative near z = −9); tests/nn/test_activation_kernels.cpp states both tolerances.

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

namespace avx512 {
#define DIFFUSE_LEVEL_TARGET DIFFUSE_TARGET_AVX512
#include "diffuse/nn/activation_level.inc"
#undef DIFFUSE_LEVEL_TARGET
}  // namespace avx512

namespace avx2 {
#define DIFFUSE_LEVEL_TARGET DIFFUSE_TARGET_AVX2
#include "diffuse/nn/activation_level.inc"
#undef DIFFUSE_LEVEL_TARGET
}  // namespace avx2

#endif  // DIFFUSE_X86_KERNELS

/// The SiLU forward pass over `size` entries at the current SIMD level: c holds z on entry and
/// σ(z) on exit, a receives z σ(z).
template <class S>
void silu_forward(S* c, S* a, Index size) {
#if DIFFUSE_X86_KERNELS
  const SimdLevel level = simd_level();
  if (level == SimdLevel::avx512) return avx512::silu_forward(c, a, size);
  if (level == SimdLevel::avx2) return avx2::silu_forward(c, a, size);
#endif
  baseline_silu_forward(c, a, size);
}

/// The SiLU backward pass g ⊙= s + a (1 − s) over `size` entries at the current SIMD level.
template <class S>
void silu_backward(const S* c, const S* a, S* g, Index size) {
#if DIFFUSE_X86_KERNELS
  const SimdLevel level = simd_level();
  if (level == SimdLevel::avx512) return avx512::silu_backward(c, a, g, size);
  if (level == SimdLevel::avx2) return avx2::silu_backward(c, a, g, size);
#endif
  baseline_silu_backward(c, a, g, size);
}

/// a = max(z, 0) over `size` entries at the current SIMD level.
template <class S>
void relu_forward(const S* z, S* a, Index size) {
#if DIFFUSE_X86_KERNELS
  const SimdLevel level = simd_level();
  if (level == SimdLevel::avx512) return avx512::relu_forward(z, a, size);
  if (level == SimdLevel::avx2) return avx2::relu_forward(z, a, size);
#endif
  using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
  Eigen::Map<Array>(a, size) = Eigen::Map<const Array>(z, size).max(S(0));
}

/// g ⊙= [z > 0] over `size` entries at the current SIMD level (PyTorch's choice f'(0) = 0).
template <class S>
void relu_backward(const S* z, S* g, Index size) {
#if DIFFUSE_X86_KERNELS
  const SimdLevel level = simd_level();
  if (level == SimdLevel::avx512) return avx512::relu_backward(z, g, size);
  if (level == SimdLevel::avx2) return avx2::relu_backward(z, g, size);
#endif
  using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
  Eigen::Map<Array> grad(g, size);
  grad = (Eigen::Map<const Array>(z, size) > S(0)).select(grad, S(0));
}

}  // namespace diffuse::detail
