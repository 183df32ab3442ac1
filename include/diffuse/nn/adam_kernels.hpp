#pragma once
// diffuse/nn/adam_kernels.hpp — Adam's element-wise update (Kingma & Ba, "Adam", 2015,
// Algorithm 1, with PyTorch's placement of ε), one version per SIMD level (core/cpu.hpp):
//   g ← g + λθ,  m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,
//   θ ← θ − (lr / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε).
// AVX2 and AVX-512 run the same operations (fused multiply-adds where written) and agree
// bitwise; the baseline, Eigen's expression for the translation unit's flags, rounds the products
// on their own and agrees to a few ulps per step (tests/nn/test_optimizers.cpp).

#include <algorithm>

#include <Eigen/Core>

#include "diffuse/core/cpu.hpp"
#include "diffuse/core/simd.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse::detail {

/// The scalars of one Adam step; l2 = λ for Adam's L2 decay, else 0.
template <class S>
struct AdamCoefficients {
  S beta1, one_minus_beta1, beta2, one_minus_beta2, l2, step_size, bias2_sqrt, eps;
};

template <class S>
void baseline_adam_update(const AdamCoefficients<S>& k, const S* g, S* m, S* v, S* p, Index size) {
  using Segment = Eigen::Map<Eigen::Array<S, Eigen::Dynamic, 1>>;
  using ConstSegment = Eigen::Map<const Eigen::Array<S, Eigen::Dynamic, 1>>;
  // One pass in L1-sized segments: the moments of a segment are still in cache for the update.
  constexpr Index segment = 1024;
  for (Index i = 0; i < size; i += segment) {
    const Index len = std::min(segment, size - i);
    Segment ms(m + i, len), vs(v + i, len), ps(p + i, len);
    const ConstSegment gs(g + i, len);
    if (k.l2 != S(0)) {
      ms = k.beta1 * ms + k.one_minus_beta1 * (gs + k.l2 * ps);
      vs = k.beta2 * vs + k.one_minus_beta2 * (gs + k.l2 * ps).square();
    } else {
      ms = k.beta1 * ms + k.one_minus_beta1 * gs;
      vs = k.beta2 * vs + k.one_minus_beta2 * gs.square();
    }
    ps -= k.step_size * ms / (vs.sqrt() / k.bias2_sqrt + k.eps);
  }
}

#if DIFFUSE_X86_KERNELS
namespace avx512 {
#define DIFFUSE_LEVEL_TARGET DIFFUSE_TARGET_AVX512
#include "diffuse/nn/adam_level.inc"
#undef DIFFUSE_LEVEL_TARGET
}  // namespace avx512

namespace avx2 {
#define DIFFUSE_LEVEL_TARGET DIFFUSE_TARGET_AVX2
#include "diffuse/nn/adam_level.inc"
#undef DIFFUSE_LEVEL_TARGET
}  // namespace avx2
#endif  // DIFFUSE_X86_KERNELS

/// Adam's update of the moments m, v and the parameters p from gradients g, `size` entries, at
/// the current SIMD level.
template <class S>
void adam_update(const AdamCoefficients<S>& k, const S* g, S* m, S* v, S* p, Index size) {
#if DIFFUSE_X86_KERNELS
  const SimdLevel level = simd_level();
  if (level == SimdLevel::avx512) return avx512::adam_update(k, g, m, v, p, size);
  if (level == SimdLevel::avx2) return avx2::adam_update(k, g, m, v, p, size);
#endif
  baseline_adam_update(k, g, m, v, p, size);
}

}  // namespace diffuse::detail
