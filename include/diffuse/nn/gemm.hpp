#pragma once
// diffuse/nn/gemm.hpp — matrix products that never touch the heap.
//
// Eigen's GEMM packs its operands into blocks of kc x mc and kc x nc scalars; blocks up to
// EIGEN_STACK_ALLOCATION_LIMIT (128 KiB by default) live on the stack, larger ones are malloc'ed
// on every call — and in these VMs glibc hands large blocks back to the OS, so each product
// page-faults. Splitting C = A B into tiles whose packed blocks stay under ~96 KiB keeps every
// product allocation-free and the tiles cache-resident, at a small repacking cost.
//
// Eigen parallelises large products over OpenMP threads, which allocates; the network layers
// are meant to run on one thread each (call Eigen::setNbThreads(1), or parallelise over
// column chunks as core/parallel.hpp does).

#include <algorithm>

#include <Eigen/Core>

#include "diffuse/core/types.hpp"

namespace diffuse::detail {

/// dst = lhs * rhs (accumulate = false) or dst += lhs * rhs (accumulate = true), computed as a
/// sum of tiled sub-products whose packed operands fit Eigen's stack buffers.
template <class Dst, class Lhs, class Rhs>
void tiled_product(Dst&& dst, const Lhs& lhs, const Rhs& rhs, bool accumulate) {
  using S = typename std::remove_cvref_t<Dst>::Scalar;
  constexpr Index budget = Index(96 * 1024) / Index(sizeof(S));  // scalars per packed block
  const Index m = dst.rows(), n = dst.cols(), k = lhs.cols();
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate) dst.setZero();
    return;
  }
  const Index kb = std::min<Index>(k, 256);
  const Index side = std::max<Index>(8, (budget / kb) / 8 * 8);
  const Index mb = std::min(m, side), nb = std::min(n, side);
  for (Index k0 = 0; k0 < k; k0 += kb) {
    const Index kc = std::min(kb, k - k0);
    const bool add = accumulate || k0 > 0;
    for (Index j0 = 0; j0 < n; j0 += nb) {
      const Index nc = std::min(nb, n - j0);
      for (Index i0 = 0; i0 < m; i0 += mb) {
        const Index mc = std::min(mb, m - i0);
        if (add)
          dst.block(i0, j0, mc, nc).noalias() += lhs.block(i0, k0, mc, kc) * rhs.block(k0, j0, kc, nc);
        else
          dst.block(i0, j0, mc, nc).noalias() = lhs.block(i0, k0, mc, kc) * rhs.block(k0, j0, kc, nc);
      }
    }
  }
}

}  // namespace diffuse::detail
