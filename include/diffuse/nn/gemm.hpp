#pragma once
// diffuse/nn/gemm.hpp — the matrix products of the dense layers: C (+)= A B in the loop nest of
// Goto & van de Geijn ("Anatomy of high-performance matrix multiplication", 2008), run by the
// micro-kernel of the CPU's SIMD level (nn/gemm_kernels.hpp, chosen at run time), with persistent
// workspaces so that nothing touches the heap after warm-up.
//
// A is packed into MR-row micro-panels once per product, in depth blocks of kc = 256 (a k x MR
// micro-panel of A and a kc x NR panel of B stay in L1 and L2); B, the large activation operand,
// is read in place. A layer's three products:
//   forward          z   = b + W x   A = W (row-major: packed through register transposes), B = x
//   weight gradient  dWᵀ += x gzᵀ    A = x,  B(l, j) = gz(j, l), depth = the batch
//   input gradient   gx   = Wᵀ gz    A = Wᵀ, whose columns are the rows of the row-major W
// A depth of 2 (the first layer once its time embedding is folded into the bias) or 34 is one
// short depth block: the micro-kernel writes each tile once, adding the bias as it stores.
// Eigen's GEMM would pack both operands on every call and, above EIGEN_STACK_ALLOCATION_LIMIT,
// malloc its packing buffers each time.

#include <algorithm>
#include <type_traits>

#include <Eigen/Core>

#include "diffuse/core/cpu.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/nn/gemm_kernels.hpp"

namespace diffuse::detail {

/// Element (r, c) of a strided operand sits at data[r · row_stride + c · col_stride].
template <class S>
struct StridedOperand {
  const S* data;
  Index row_stride, col_stride;
  StridedOperand transposed() const { return {data, col_stride, row_stride}; }
};

/// The strided view of a dense Eigen operand with unit inner stride.
template <class X>
StridedOperand<typename X::Scalar> strided(const X& x) {
  eigen_assert(x.innerStride() == 1);
  if constexpr (X::IsRowMajor)
    return {x.data(), x.outerStride(), 1};
  else
    return {x.data(), 1, x.outerStride()};
}

/// Products dst (+)= lhs · rhs for dense operands with unit inner stride (matrices, maps,
/// blocks, transposes of those), with buffers for the packed left operand and for a transposed
/// result. Copies start with empty buffers.
template <class S>
class GemmWorkspace {
 public:
  /// Depth of one block of the product: Σ_l is summed in blocks of kc terms, at every SIMD level.
  static constexpr Index kc = 256;

  GemmWorkspace() = default;
  GemmWorkspace(const GemmWorkspace&) : GemmWorkspace() {}
  GemmWorkspace& operator=(const GemmWorkspace&) { return *this; }

  /// dst += lhs · rhs (dst must not alias lhs or rhs).
  template <class Dst, class Lhs, class Rhs>
  void accumulate(Dst&& dst, const Lhs& lhs, const Rhs& rhs) { product(dst, lhs, rhs, true); }

  /// dst = lhs · rhs.
  template <class Dst, class Lhs, class Rhs>
  void assign(Dst&& dst, const Lhs& lhs, const Rhs& rhs) { product(dst, lhs, rhs, false); }

  /// dst = bias + lhs · rhs (bias added to every column) for a column-major dst, in blocks of
  /// columns small enough for L1: done(begin, count) is called on each block as soon as it is
  /// complete, so a following element-wise pass (an activation) reads it from cache.
  template <class Dst, class Lhs, class Rhs, class Bias, class Done>
  void affine_by_blocks(Dst& dst, const Lhs& lhs, const Rhs& rhs, const Bias& bias, Done&& done) {
    static_assert(!Dst::IsRowMajor, "affine_by_blocks writes a column-major destination");
    eigen_assert(lhs.cols() == rhs.rows() && lhs.rows() == dst.rows() && rhs.cols() == dst.cols());
    eigen_assert(bias.innerStride() == 1);
    const Index m = dst.rows(), n = dst.cols(), k = lhs.cols();
    if (k == 0) {
      dst.colwise() = bias;
      done(Index(0), n);
      return;
    }
    constexpr Index block_bytes = 32 * 1024;
    const Index block = std::max<Index>(12, block_bytes / (m * Index(sizeof(S))) / 12 * 12);
    run(m, n, k, strided(lhs), strided(rhs), dst.data(), dst.outerStride(), bias.data(), 0, block, done);
  }

 private:
  template <class Dst, class Lhs, class Rhs>
  void product(Dst& dst, const Lhs& lhs, const Rhs& rhs, bool add) {
    using D = std::remove_cvref_t<Dst>;
    eigen_assert(dst.innerStride() == 1 && lhs.cols() == rhs.rows());
    const Index k = lhs.cols();
    if (dst.size() == 0) return;
    if (k == 0) {
      if (!add) dst.setZero();
      return;
    }
    // A row-major destination is the column-major Cᵀ = rhsᵀ lhsᵀ — unless its rows fill the
    // micro-kernel's MR rows better (dW of a 34-wide input layer: 96 rows, 34 columns); then C
    // is computed column-major in scratch and added transposed. The rows are counted in tiles
    // of the widest kernel at every level, so all levels sum in the same order.
    if constexpr (D::IsRowMajor) {
      constexpr Index mr = 128 / sizeof(S);
      if (row_waste(dst.rows(), mr) < row_waste(dst.cols(), mr)) {
        if (m_scratch.size() < dst.size()) m_scratch.resize(dst.size());
        overwrite_or_add(dst.rows(), dst.cols(), k, strided(lhs), strided(rhs), m_scratch.data(), dst.rows(), false);
        const Eigen::Map<const Matrix<S>> c(m_scratch.data(), dst.rows(), dst.cols());
        if (add)
          dst += c;
        else
          dst = c;
        return;
      }
      overwrite_or_add(dst.cols(), dst.rows(), k, strided(rhs).transposed(), strided(lhs).transposed(), dst.data(),
                       dst.outerStride(), add);
    } else {
      overwrite_or_add(dst.rows(), dst.cols(), k, strided(lhs), strided(rhs), dst.data(), dst.outerStride(), add);
    }
  }

  // Fraction of the rows of the micro-tiles left empty when m rows are covered by tiles of mr.
  static double row_waste(Index m, Index mr) {
    const Index covered = (m + mr - 1) / mr * mr;
    return static_cast<double>(covered - m) / static_cast<double>(covered);
  }

  void overwrite_or_add(Index m, Index n, Index k, const StridedOperand<S>& a, const StridedOperand<S>& b, S* c,
                        Index ldc, bool add) {
    run(m, n, k, a, b, c, ldc, add ? c : nullptr, ldc, n, [](Index, Index) {});
  }

  // C (m x n, column-major, ldc) = addend + A B for 0 < k, with addend as in GemmBlock, in
  // blocks of nc columns, each passed to done(begin, count) once complete.
  template <class Done>
  void run(Index m, Index n, Index k, const StridedOperand<S>& a, const StridedOperand<S>& b, S* c, Index ldc,
           const S* addend, Index addend_ld, Index nc, Done&& done) {
    const GemmKernel<S> kernel = gemm_kernel_for<S>(simd_level());
    const Index mp = (m + kernel.mr - 1) / kernel.mr * kernel.mr;
    pack_a(m, k, a, kernel.mr, mp);
    if (m_edge.size() < kc * kernel.nr) m_edge.resize(kc * kernel.nr);
    for (Index j = 0; j < n; j += nc) {
      const Index count = std::min(nc, n - j);
      for (Index p = 0; p < k; p += kc) {
        // the first depth block adds the addend, the later ones what the earlier ones stored
        const bool first = p == 0;
        kernel.block({.m = m,
                      .n = count,
                      .k = std::min(kc, k - p),
                      .a = m_packed.data() + p * mp,
                      .b = b.data + p * b.row_stride + j * b.col_stride,
                      .b_row_stride = b.row_stride,
                      .b_col_stride = b.col_stride,
                      .c = c + j * ldc,
                      .ldc = ldc,
                      .addend = first ? (addend ? addend + j * addend_ld : nullptr) : c + j * ldc,
                      .addend_ld = first ? addend_ld : ldc,
                      .edge = m_edge.data()});
      }
      done(j, count);
    }
  }

  // Packs A (m x k) as depth blocks of kc columns, each ⌈m / mr⌉ micro-panels of depth x mr
  // (column l of a panel: its mr entries of A's column l, zero below row m); block p starts at
  // p · mp for mp = ⌈m / mr⌉ mr.
  void pack_a(Index m, Index k, const StridedOperand<S>& a, Index mr, Index mp) {
    if (m_packed.size() < mp * k) m_packed.resize(mp * k);
    constexpr Index P = Eigen::internal::packet_traits<S>::size;
    for (Index p = 0; p < k; p += kc) {
      const Index depth = std::min(kc, k - p);
      for (Index i0 = 0; i0 < mp; i0 += mr) {
        S* panel = m_packed.data() + p * mp + i0 * depth;
        const Index rows = std::min(mr, m - i0);
        const S* src = a.data + i0 * a.row_stride + p * a.col_stride;
        // columns [l0, depth) of the panel entry by entry, zero rows below row m
        auto gather = [&](Index l0) {
          for (Index l = l0; l < depth; ++l) {
            for (Index r = 0; r < rows; ++r) panel[l * mr + r] = src[r * a.row_stride + l * a.col_stride];
            std::fill(panel + l * mr + rows, panel + (l + 1) * mr, S(0));
          }
        };
        if (a.row_stride == 1) {
          // contiguous columns: one copy per column
          for (Index l = 0; l < depth; ++l) {
            std::copy_n(src + l * a.col_stride, rows, panel + l * mr);
            std::fill(panel + l * mr + rows, panel + (l + 1) * mr, S(0));
          }
        } else if (a.col_stride == 1 && rows == mr && mr % P == 0) {
          // row-major A (a weight): P x P tiles transposed in registers, the depth left over by entry
          Index l0 = 0;
          for (; l0 + P <= depth; l0 += P)
            for (Index r = 0; r < mr; r += P)
              transpose_tile(src + r * a.row_stride + l0, a.row_stride, panel + l0 * mr + r, mr);
          gather(l0);
        } else {
          gather(0);
        }
      }
    }
  }

  // dst[r + c · ld_dst] = src[c + r · ld_src] for a P x P tile, with one register transpose.
  static void transpose_tile(const S* src, Index ld_src, S* dst, Index ld_dst) {
    namespace ei = Eigen::internal;
    using Packet = typename ei::packet_traits<S>::type;
    constexpr int P = ei::packet_traits<S>::size;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // a vector type as a template argument
    ei::PacketBlock<Packet, P> tile;
#pragma GCC diagnostic pop
    for (int r = 0; r < P; ++r) tile.packet[r] = ei::ploadu<Packet>(src + r * ld_src);
    ei::ptranspose(tile);
    for (int c = 0; c < P; ++c) ei::pstoreu(dst + c * ld_dst, tile.packet[c]);
  }

  Vector<S> m_packed;   // A in micro-panels
  Vector<S> m_edge;     // the last, partial column panel of B, zero-padded
  Vector<S> m_scratch;  // C of a row-major destination computed column-major
};

}  // namespace diffuse::detail
