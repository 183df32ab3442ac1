#pragma once
// diffuse/nn/gemm.hpp — matrix products on persistent packing buffers, never touching the heap
// after warm-up.
//
// Eigen's GEMM (Goto & van de Geijn, "Anatomy of high-performance matrix multiplication", 2008)
// packs kc x mc blocks of the left operand and kc x nc blocks of the right one before its
// register kernel runs. Called through operator*, it sizes those blocks itself and puts them on
// the stack below EIGEN_STACK_ALLOCATION_LIMIT (128 KiB) or mallocs them on every call above
// it — and in these VMs glibc hands large blocks back to the OS, so each product page-faults.
// GemmWorkspace owns the two packing buffers (grown once, reused by every later product) and
// drives Eigen's sequential kernel directly with blocks as large as the layers of the seed
// networks, so a whole layer is one pack of each operand and one kernel sweep.
//
// Eigen parallelises large products over OpenMP threads, which allocates; the network layers
// run on one thread each (parallelism is over column chunks, as core/parallel.hpp does).

#include <algorithm>
#include <type_traits>

#include <Eigen/Core>

#include "diffuse/core/types.hpp"

namespace diffuse::detail {

/// Packing buffers and blocking sizes for products dst += α lhs rhs of dense operands with unit
/// inner stride (matrices, maps, blocks, transposes of those). Copies start with empty buffers.
template <class S>
class GemmWorkspace : public Eigen::internal::level3_blocking<S, S> {
 public:
  /// Largest blocks: depth (kc), rows (mc) and columns (nc) of the column-major problem. The
  /// defaults hold every layer of the seed networks at training batch sizes in one block.
  static constexpr Index max_kc = 256, max_mc = 512, max_nc = 1024;

  GemmWorkspace() = default;
  GemmWorkspace(const GemmWorkspace&) : GemmWorkspace() {}
  GemmWorkspace& operator=(const GemmWorkspace&) { return *this; }

  /// dst += alpha · lhs · rhs (dst must not alias lhs or rhs).
  template <class Dst, class Lhs, class Rhs>
  void accumulate(Dst&& dst, const Lhs& lhs, const Rhs& rhs, S alpha = S(1)) {
    using D = std::remove_cvref_t<Dst>;
    constexpr int dst_order = D::IsRowMajor ? Eigen::RowMajor : Eigen::ColMajor;
    constexpr int lhs_order = Lhs::IsRowMajor ? Eigen::RowMajor : Eigen::ColMajor;
    constexpr int rhs_order = Rhs::IsRowMajor ? Eigen::RowMajor : Eigen::ColMajor;
    const Index m = dst.rows(), n = dst.cols(), k = lhs.cols();
    if (m == 0 || n == 0 || k == 0) return;
    eigen_assert(dst.innerStride() == 1 && lhs.innerStride() == 1 && rhs.innerStride() == 1);
    // A row-major destination is computed as the transposed, column-major product.
    const Index rows = D::IsRowMajor ? n : m, cols = D::IsRowMajor ? m : n;
    this->m_kc = std::min(k, max_kc);
    this->m_mc = std::min(rows, max_mc);
    this->m_nc = std::min(cols, max_nc);
    reserve(m_block_a, this->m_kc * this->m_mc);
    reserve(m_block_b, this->m_kc * this->m_nc);
    this->m_blockA = m_block_a.data();
    this->m_blockB = m_block_b.data();
    Eigen::internal::general_matrix_matrix_product<Index, S, lhs_order, false, S, rhs_order, false, dst_order,
                                                   1>::run(m, n, k, lhs.data(), lhs.outerStride(), rhs.data(),
                                                           rhs.outerStride(), dst.data(), 1, dst.outerStride(),
                                                           alpha, *this);
  }

  /// dst = lhs · rhs.
  template <class Dst, class Lhs, class Rhs>
  void assign(Dst&& dst, const Lhs& lhs, const Rhs& rhs) {
    dst.setZero();
    accumulate(dst, lhs, rhs);
  }

 private:
  static void reserve(Vector<S>& buffer, Index size) {
    if (buffer.size() < size) buffer.resize(size);
  }

  Vector<S> m_block_a, m_block_b;
};

}  // namespace diffuse::detail
