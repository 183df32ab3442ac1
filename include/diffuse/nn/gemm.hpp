#pragma once
// diffuse/nn/gemm.hpp — the matrix products of the dense layers, with a register-tiled kernel
// that packs nothing but (at most) the weight matrix, and never touches the heap after warm-up.
//
// C += A B is computed in register tiles of MP·P rows x NR columns (P scalars per SIMD packet;
// Goto & van de Geijn, "Anatomy of high-performance matrix multiplication", 2008, without the
// packing of B): for every k, MP packets of a column of A are loaded and multiplied with NR
// broadcast entries of row k of B. A layer's three products all fit this with A read in place:
//   forward          z   += W x      A = W (copied column-major once per call), B = x
//   weight gradient  dWᵀ += x gzᵀ    A = x,  B(k, j) = gz(j, k)   (dW is row-major, so dWᵀ is C)
//   input gradient   gx   = Wᵀ gz    A = Wᵀ, whose columns are the rows of the row-major W
// so the activations — the large operands — are never repacked. Eigen's GEMM packs both
// operands on every call and, above EIGEN_STACK_ALLOCATION_LIMIT, mallocs its packing buffers
// each time, which in these VMs page-faults on every product.
//
// The kernel uses Eigen's packet primitives, so it vectorises for whatever SIMD the translation
// unit is compiled for (scalar code when none) and stays portable.

#include <algorithm>
#include <type_traits>

#include <Eigen/Core>

#include "diffuse/core/types.hpp"

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

/// Register-tile shape for scalar S: MP packets of rows by NR columns of accumulators.
template <class S>
struct GemmTile {
  using Packet = typename Eigen::internal::packet_traits<S>::type;
  static constexpr int P = Eigen::internal::unpacket_traits<Packet>::size;
  // 32 SIMD registers: 24 accumulators + 3 A packets + 1 broadcast; 16: 8 + 2 + 1.
  static constexpr bool wide = EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS >= 32;
  static constexpr int MP = wide ? 3 : 2, NR = wide ? 8 : 4;
};

/// C(0:MP·P, 0:nr) (+)= A(0:MP·P, 0:k) B(0:k, 0:nr) with A's columns contiguous (lda apart);
/// nr = NR, or 1 for the leftover columns.
template <class S, int MP, int NR>
EIGEN_ALWAYS_INLINE void gemm_tile(Index k, const S* a, Index lda, const S* b, Index bk, Index bj, S* c, Index ldc,
                                   bool add) {
  namespace ei = Eigen::internal;
  using Packet = typename GemmTile<S>::Packet;
  constexpr int P = GemmTile<S>::P;
  Packet acc[MP][NR];
  for (int j = 0; j < NR; ++j)
    for (int p = 0; p < MP; ++p) acc[p][j] = ei::pset1<Packet>(S(0));
  for (Index l = 0; l < k; ++l) {
    Packet ap[MP];
    for (int p = 0; p < MP; ++p) ap[p] = ei::ploadu<Packet>(a + l * lda + p * P);
    const S* bl = b + l * bk;
    for (int j = 0; j < NR; ++j) {
      const Packet bv = ei::pset1<Packet>(bl[j * bj]);
      for (int p = 0; p < MP; ++p) acc[p][j] = ei::pmadd(ap[p], bv, acc[p][j]);
    }
  }
  for (int j = 0; j < NR; ++j)
    for (int p = 0; p < MP; ++p) {
      S* cp = c + j * ldc + p * P;
      ei::pstoreu(cp, add ? ei::padd(ei::ploadu<Packet>(cp), acc[p][j]) : acc[p][j]);
    }
}

/// Rows [i, i + MP·P) of C, every column: NR-column tiles, then single columns.
template <class S, int MP>
void gemm_row_panel(Index n, Index k, const S* a, Index lda, const StridedOperand<S>& b, S* c, Index ldc, bool add) {
  constexpr int NR = GemmTile<S>::NR;
  Index j = 0;
  for (; j + NR <= n; j += NR)
    gemm_tile<S, MP, NR>(k, a, lda, b.data + j * b.col_stride, b.row_stride, b.col_stride, c + j * ldc, ldc, add);
  for (; j < n; ++j)
    gemm_tile<S, MP, 1>(k, a, lda, b.data + j * b.col_stride, b.row_stride, b.col_stride, c + j * ldc, ldc, add);
}

/// C (m x n, column-major, ldc) (+)= A B for A (m x k) with contiguous columns lda apart and B
/// (k x n) strided. add = false overwrites C.
template <class S>
void gemm_kernel(Index m, Index n, Index k, const S* a, Index lda, const StridedOperand<S>& b, S* c, Index ldc,
                 bool add) {
  constexpr int P = GemmTile<S>::P, MP = GemmTile<S>::MP;
  Index i = 0;
  // Panels of MP packets; with MP = 3, four packets left over go as 2 + 2 rather than 3 + 1 (a
  // one-packet panel loads as many operands as it multiplies).
  const Index packets = m / P;
  const Index wide_panels = MP > 2 && packets % MP == 1 && packets > MP ? packets / MP - 1 : packets / MP;
  for (Index p = 0; p < wide_panels; ++p, i += MP * P) gemm_row_panel<S, MP>(n, k, a + i, lda, b, c + i, ldc, add);
  if constexpr (MP > 2)
    for (; i + 2 * P <= m; i += 2 * P) gemm_row_panel<S, 2>(n, k, a + i, lda, b, c + i, ldc, add);
  for (; i + P <= m; i += P) gemm_row_panel<S, 1>(n, k, a + i, lda, b, c + i, ldc, add);
  if (i < m && m >= P) {
    // The last r < P rows: a one-packet tile over rows [m − P, m) into a scratch tile, of which
    // only the last r rows are added (the rows above were done already).
    const Index r = m - i;
    S scratch[GemmTile<S>::NR * P];
    for (Index j = 0; j < n; j += GemmTile<S>::NR) {
      const Index nr = std::min<Index>(GemmTile<S>::NR, n - j);
      const S* bj = b.data + j * b.col_stride;
      if (nr == GemmTile<S>::NR)
        gemm_tile<S, 1, GemmTile<S>::NR>(k, a + m - P, lda, bj, b.row_stride, b.col_stride, scratch, P, false);
      else
        for (Index jj = 0; jj < nr; ++jj)
          gemm_tile<S, 1, 1>(k, a + m - P, lda, bj + jj * b.col_stride, b.row_stride, b.col_stride, scratch + jj * P,
                             P, false);
      for (Index jj = 0; jj < nr; ++jj)
        for (Index ii = 0; ii < r; ++ii) {
          S& dst = c[i + ii + (j + jj) * ldc];
          dst = (add ? dst : S(0)) + scratch[P - r + ii + jj * P];
        }
    }
    return;
  }
  // Fewer rows than a packet in all: plain dot products.
  for (; i < m; ++i)
    for (Index j = 0; j < n; ++j) {
      S sum = 0;
      for (Index l = 0; l < k; ++l) sum += a[i + l * lda] * b.data[l * b.row_stride + j * b.col_stride];
      c[i + j * ldc] = add ? c[i + j * ldc] + sum : sum;
    }
}

/// Products dst (+)= lhs · rhs for dense operands with unit inner stride (matrices, maps,
/// blocks, transposes of those), with buffers for the one operand that may need repacking and
/// for a transposed result. Copies start with empty buffers.
template <class S>
class GemmWorkspace {
 public:
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
    const Index m = dst.rows(), n = dst.cols(), k = lhs.cols();
    const StridedOperand<S> a = contiguous_columns(m, k, strided(lhs)), b = strided(rhs);
    constexpr Index NR = GemmTile<S>::NR, block_bytes = 16 * 1024;
    const Index block = std::max<Index>(NR, block_bytes / (m * Index(sizeof(S))) / NR * NR);
    for (Index j = 0; j < n; j += block) {
      const Index count = std::min(block, n - j);
      dst.middleCols(j, count).colwise() = bias;
      if (k > 0)
        gemm_kernel(m, count, k, a.data, a.col_stride, {b.data + j * b.col_stride, b.row_stride, b.col_stride},
                    dst.data() + j * dst.outerStride(), dst.outerStride(), true);
      done(j, count);
    }
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
    // packets of a column-major C better (dW of a 34-wide input layer: 96 rows, 34 columns);
    // then C is computed column-major in scratch and added transposed.
    if constexpr (D::IsRowMajor) {
      if (packet_waste(dst.rows()) < packet_waste(dst.cols())) {
        if (m_scratch.size() < dst.size()) m_scratch.resize(dst.size());
        column_major(dst.rows(), dst.cols(), k, strided(lhs), strided(rhs), m_scratch.data(), dst.rows(), false);
        const Eigen::Map<const Matrix<S>> c(m_scratch.data(), dst.rows(), dst.cols());
        if (add)
          dst += c;
        else
          dst = c;
        return;
      }
      column_major(dst.cols(), dst.rows(), k, strided(rhs).transposed(), strided(lhs).transposed(), dst.data(),
                   dst.outerStride(), add);
    } else {
      column_major(dst.rows(), dst.cols(), k, strided(lhs), strided(rhs), dst.data(), dst.outerStride(), add);
    }
  }

  // Fraction of the packet lanes left empty when m rows are covered by whole packets.
  static double packet_waste(Index m) {
    constexpr Index P = GemmTile<S>::P;
    return static_cast<double>((m + P - 1) / P * P - m) / static_cast<double>((m + P - 1) / P * P);
  }

  void column_major(Index m, Index n, Index k, const StridedOperand<S>& a, const StridedOperand<S>& b, S* c,
                    Index ldc, bool add) {
    const StridedOperand<S> packed = contiguous_columns(m, k, a);
    gemm_kernel(m, n, k, packed.data, packed.col_stride, b, c, ldc, add);
  }

  // A (m x k) itself if its columns are contiguous, else (a row-major weight) a column-major copy.
  StridedOperand<S> contiguous_columns(Index m, Index k, const StridedOperand<S>& a) {
    if (a.row_stride == 1) return a;
    if (m_packed.size() < m * k) m_packed.resize(m * k);
    S* packed = m_packed.data();
    auto copy = [&](Index i0, Index i1, Index l0, Index l1) {
      for (Index l = l0; l < l1; ++l)
        for (Index i = i0; i < i1; ++i) packed[i + l * m] = a.data[i * a.row_stride + l * a.col_stride];
    };
    // P x P tiles transposed in registers (rows of a row-major weight in, columns out); the
    // ragged edges entry by entry.
    constexpr Index P = GemmTile<S>::P;
    const Index mp = a.col_stride == 1 ? m / P * P : 0, kp = k / P * P;
    for (Index i0 = 0; i0 < mp; i0 += P)
      for (Index l0 = 0; l0 < kp; l0 += P)
        transpose_tile(a.data + i0 * a.row_stride + l0, a.row_stride, packed + i0 + l0 * m, m);
    copy(0, mp, kp, k);
    copy(mp, m, 0, k);
    return {m_packed.data(), 1, m};
  }

  // dst[r + c · ld_dst] = src[c + r · ld_src] for a P x P tile, with one register transpose.
  static void transpose_tile(const S* src, Index ld_src, S* dst, Index ld_dst) {
    namespace ei = Eigen::internal;
    using Packet = typename GemmTile<S>::Packet;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // a vector type as a template argument
    ei::PacketBlock<Packet, GemmTile<S>::P> tile;
#pragma GCC diagnostic pop
    for (int r = 0; r < GemmTile<S>::P; ++r) tile.packet[r] = ei::ploadu<Packet>(src + r * ld_src);
    ei::ptranspose(tile);
    for (int c = 0; c < GemmTile<S>::P; ++c) ei::pstoreu(dst + c * ld_dst, tile.packet[c]);
  }

  Vector<S> m_packed;   // A copied column-major
  Vector<S> m_scratch;  // C of a row-major destination computed column-major
};

}  // namespace diffuse::detail
