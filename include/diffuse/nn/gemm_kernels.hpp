#pragma once
// diffuse/nn/gemm_kernels.hpp — the GEMM micro-kernels, one per SIMD level, and the block loop
// around them (Goto & van de Geijn, "Anatomy of high-performance matrix multiplication", 2008;
// Van Zee & van de Geijn, "BLIS", 2015: the two inner loops around the micro-kernel).
//
// A block is C (m x n) = addend + Ā B for a packed Ā: MR-row micro-panels, each k x MR with the
// MR entries of one column of A contiguous (zero rows pad the last panel). B is read in place
// through its strides: the micro-kernel broadcasts B's entries one at a time, so any layout
// serves, and the loop order (column panels outer, row panels inner) keeps each k x NR
// micro-panel of B in L1 while every micro-panel of Ā streams past it from L2. Leftover columns
// are copied into a zero-padded NR-wide panel. Packing every panel of B, as BLIS does, costs a
// transpose per panel in the forward product (B = x, column-major) and measured slower for the
// weight gradient's B = gzᵀ (111 against 128 GFLOP/s at 96 x 96 x 384).
//
// Every entry is addend + Σ_l a_il b_lj summed in increasing l from zero, one fused multiply-add
// per term, in every version with FMA (AVX2, AVX-512, and the baseline when the translation
// unit enables FMA): those agree bitwise. A baseline without FMA rounds each product, and
// differs by a few ulps of Σ_l |a_il b_lj|.

#include <algorithm>

#include <Eigen/Core>

#include "diffuse/core/cpu.hpp"
#include "diffuse/core/simd.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse::detail {

/// One block product C (+)= Ā B as the header describes it. addend (m x n, entry (i, j) at
/// addend[i + j · addend_ld]) is C itself to accumulate, a bias with addend_ld = 0, or null to
/// overwrite. edge is workspace for one k x NR panel of B.
template <class S>
struct GemmBlock {
  Index m, n, k;
  const S* a;                   // packed Ā: ⌈m / MR⌉ micro-panels of k · MR scalars
  const S* b;                   // B(l, j) at b[l · b_row_stride + j · b_col_stride]
  Index b_row_stride, b_col_stride;
  S* c;
  Index ldc;
  const S* addend;
  Index addend_ld;
  S* edge;
};

/// A micro-kernel's register tile (MR x NR) and the block loop that runs it.
template <class S>
struct GemmKernel {
  int mr, nr;
  void (*block)(const GemmBlock<S>&);
};

/// Writes an MR x NR tile computed in `tile` (column-major, MR apart) to the mr x nr corner of C.
template <class S>
inline void store_tile_corner(const S* tile, int MR, Index mr, Index nr, S* c, Index ldc, const S* addend,
                              Index addend_ld) {
  for (Index j = 0; j < nr; ++j)
    for (Index i = 0; i < mr; ++i)
      c[i + j * ldc] = addend ? addend[i + j * addend_ld] + tile[i + j * MR] : tile[i + j * MR];
}

/// Copies columns [j, j + nr) of B (k rows) into a k x NR panel with zero columns after nr.
template <class S>
inline void pack_edge_columns(const GemmBlock<S>& g, Index j, Index nr, int NR) {
  for (Index l = 0; l < g.k; ++l)
    for (Index jj = 0; jj < NR; ++jj)
      g.edge[l * NR + jj] = jj < nr ? g.b[l * g.b_row_stride + (j + jj) * g.b_col_stride] : S(0);
}

// ---- baseline: Eigen's packets for the translation unit's own SIMD flags ----

template <class S>
struct BaselineTile {
  using Packet = typename Eigen::internal::packet_traits<S>::type;
  static constexpr int P = Eigen::internal::packet_traits<S>::size;
  // 32 SIMD registers: 2 x 12 accumulators; 16: 2 x 4 (plus the A packets and a broadcast).
  static constexpr int MP = 2, NR = EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS >= 32 ? 12 : 4, MR = MP * P;
};

template <class S>
inline void baseline_micro(Index k, const S* a, const S* b, Index bk, Index bj, S* c, Index ldc, const S* addend,
                           Index addend_ld, Index mr, Index nr) {
  namespace ei = Eigen::internal;
  using T = BaselineTile<S>;
  using Packet = typename T::Packet;
  constexpr int P = T::P, MP = T::MP, NR = T::NR, MR = T::MR;
  Packet acc[MP][NR];
  for (int j = 0; j < NR; ++j)
    for (int p = 0; p < MP; ++p) acc[p][j] = ei::pset1<Packet>(S(0));
  for (Index l = 0; l < k; ++l) {
    Packet ap[MP];
    for (int p = 0; p < MP; ++p) ap[p] = ei::ploadu<Packet>(a + l * MR + p * P);
    const S* bl = b + l * bk;
    for (int j = 0; j < NR; ++j) {
      const Packet bv = ei::pset1<Packet>(bl[j * bj]);
      for (int p = 0; p < MP; ++p) acc[p][j] = ei::pmadd(ap[p], bv, acc[p][j]);
    }
  }
  if (mr == MR && nr == NR) {
    for (int j = 0; j < NR; ++j)
      for (int p = 0; p < MP; ++p) {
        // c = addend + acc
        const Packet sum = addend ? ei::padd(ei::ploadu<Packet>(addend + j * addend_ld + p * P), acc[p][j]) : acc[p][j];
        ei::pstoreu(c + j * ldc + p * P, sum);
      }
    return;
  }
  alignas(64) S tile[MR * NR];
  for (int j = 0; j < NR; ++j)
    for (int p = 0; p < MP; ++p) ei::pstore(tile + j * MR + p * P, acc[p][j]);
  store_tile_corner(tile, MR, mr, nr, c, ldc, addend, addend_ld);
}

template <class S>
void baseline_block(const GemmBlock<S>& g) {
  using T = BaselineTile<S>;
  for (Index j = 0; j < g.n; j += T::NR) {
    const Index nr = std::min<Index>(T::NR, g.n - j);
    const S* b = g.b + j * g.b_col_stride;
    Index bk = g.b_row_stride, bj = g.b_col_stride;
    if (nr < T::NR) {
      pack_edge_columns(g, j, nr, T::NR);
      b = g.edge, bk = T::NR, bj = 1;
    }
    for (Index i = 0; i < g.m; i += T::MR)
      baseline_micro(g.k, g.a + i * g.k, b, bk, bj, g.c + i + j * g.ldc, g.ldc,
                     g.addend ? g.addend + i + j * g.addend_ld : nullptr, g.addend_ld,
                     std::min<Index>(T::MR, g.m - i), nr);
  }
}

#if DIFFUSE_X86_KERNELS

/// AVX-512: 2 x 12 zmm accumulators (32 x 12 floats, 16 x 12 doubles).
namespace avx512 {
inline constexpr int NR = 12;
#define DIFFUSE_LEVEL_TARGET DIFFUSE_TARGET_AVX512
#include "diffuse/nn/gemm_level.inc"
#undef DIFFUSE_LEVEL_TARGET
}  // namespace avx512

/// AVX2: 2 x 6 ymm accumulators (16 x 6 floats, 8 x 6 doubles).
namespace avx2 {
inline constexpr int NR = 6;
#define DIFFUSE_LEVEL_TARGET DIFFUSE_TARGET_AVX2
#include "diffuse/nn/gemm_level.inc"
#undef DIFFUSE_LEVEL_TARGET
}  // namespace avx2

#endif  // DIFFUSE_X86_KERNELS

/// The kernel of a SIMD level (baseline off x86-64).
template <class S>
GemmKernel<S> gemm_kernel_for(SimdLevel level) {
#if DIFFUSE_X86_KERNELS
  if (level == SimdLevel::avx512) return {2 * Avx512<S>::P, avx512::NR, &avx512::block<S>};
  if (level == SimdLevel::avx2) return {2 * Avx2<S>::P, avx2::NR, &avx2::block<S>};
#endif
  (void)level;
  return {BaselineTile<S>::MR, BaselineTile<S>::NR, &baseline_block<S>};
}

}  // namespace diffuse::detail
