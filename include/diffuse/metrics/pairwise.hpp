#pragma once
// diffuse/metrics/pairwise.hpp — sums of a function of squared distances over all pairs of
// columns of two batches, in tiles, so that n x m pairs never need an n x m matrix. This is the
// engine of the O(n^2) two-sample statistics (MMD, energy distance).

#include <algorithm>
#include <cmath>
#include <string_view>
#include <type_traits>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

namespace detail {

/// Checks the two batches of a two-sample statistic: same dimension, at least `min_cols` columns
/// each, finite entries.
template <class DX, class DY>
void check_two_samples(std::string_view api, const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DY>& y,
                       Index min_cols) {
  check_nonempty(api, "x", x);
  check_nonempty(api, "y", y);
  check_shape(api, "y", y, x.rows(), -1);
  check_at_least<Index>(api, "x columns", x.cols(), min_cols);
  check_at_least<Index>(api, "y columns", y.cols(), min_cols);
  check_all_finite(api, "x", x);
  check_all_finite(api, "y", y);
}

/// The scale s that keeps squared distances of x and y finite: their largest |entry| when it is
/// above 1e15 (float squares overflow at 1.8e19), else 1. Metrics that are homogeneous in the
/// scale of the samples (energy distance, sliced Wasserstein) compute on x/s and y/s in double
/// and multiply back with scaled_back().
template <class DX, class DY>
double overflow_scale(const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DY>& y) {
  const double top = std::max(static_cast<double>(x.cwiseAbs().maxCoeff()), static_cast<double>(y.cwiseAbs().maxCoeff()));
  return top > 1e15 ? top : 1.0;
}

/// value · scale, which must be finite: a metric of samples near double's range can overflow.
inline double scaled_back(std::string_view api, double value, double scale) {
  const double out = value * scale;
  DIFFUSE_REQUIRE(std::isfinite(out), api, "the metric overflows double at the samples' scale", scale,
                  "samples whose distances are below about 1e300");
  return out;
}

/// Σ_i Σ_j f(|x_i - y_j|²) accumulated in double, where `block_sum(D)` returns the sum (as a
/// double) of f over a tile D of squared distances (an Eigen array). With `same` (x and y are
/// the same batch) the diagonal pairs i = j are excluded: f(0) = `f_zero` is subtracted for each
/// of them, and only tiles on or above the diagonal are computed. Tiles are `block` x `block`.
/// Precision: with at most 8 dimensions the distances are Σ_k (x_k - y_k)² in the inputs' scalar
/// type (float inputs give float tiles, whose vectorised exp/sqrt are the fast path); with more
/// dimensions one double GEMM per tile, |x|² + |y|² - 2 x·y.
template <class DX, class DY, class F>
double pair_sum(const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DY>& y, bool same, Index block,
                double f_zero, F&& block_sum) {
  // |a|² + |b|² − 2 a·b is inf − inf for entries beyond 1e150: those take the direct sum (inf, never NaN).
  const bool direct = x.rows() <= 8 || overflow_scale(x, y) > 1e150;
  using Low = std::conditional_t<std::is_same_v<typename DX::Scalar, float> && std::is_same_v<typename DY::Scalar, float>,
                                 float, double>;
  const Index n = x.cols(), m = y.cols();
  double total = 0;
  Matrix<Low> at_low, d2_low;
  Matrix<double> a, at, b, d2;
  Eigen::Array<double, 1, Eigen::Dynamic> b_norms;
  Eigen::Array<double, Eigen::Dynamic, 1> a_norms;
  for (Index i0 = 0; i0 < n; i0 += block) {
    const Index bi = std::min(block, n - i0);
    if (direct) {
      at_low = x.middleCols(i0, bi).transpose().template cast<Low>();
    } else {
      a = x.middleCols(i0, bi).template cast<double>();
      at = a.transpose();
      a_norms = a.colwise().squaredNorm().transpose().array();
    }
    for (Index j0 = same ? i0 : 0; j0 < m; j0 += block) {
      const Index bj = std::min(block, m - j0);
      const bool diagonal = same && i0 == j0;
      double tile = 0;
      if (direct) {
        // Σ_k (a_k - b_k)², one column of the tile at a time (vectorised over the rows).
        d2_low.setZero(bi, bj);
        for (Index j = 0; j < bj; ++j)
          for (Index k = 0; k < x.rows(); ++k)
            d2_low.col(j).array() += (at_low.col(k).array() - static_cast<Low>(y(k, j0 + j))).square();
        if (diagonal) d2_low.diagonal().setZero();
        tile = block_sum(d2_low.array());
      } else {
        b = y.middleCols(j0, bj).template cast<double>();
        b_norms = b.colwise().squaredNorm().array();
        // |a - b|² = |a|² + |b|² - 2 a·b, clamped at 0 against rounding.
        d2.noalias() = -2.0 * at * b;
        d2.array().colwise() += a_norms;
        d2.array().rowwise() += b_norms;
        d2 = d2.cwiseMax(0.0);
        if (diagonal) d2.diagonal().setZero();
        tile = block_sum(d2.array());
      }
      total += diagonal ? tile - f_zero * static_cast<double>(bi) : (same ? 2.0 : 1.0) * tile;
    }
  }
  return total;
}

/// Sum of an array's entries in double: columns in the array's scalar type, then across
/// columns in double (float tiles keep their rounding error at the column length).
template <class A>
double column_sum(const A& values) {
  return values.colwise().sum().template cast<double>().sum();
}

}  // namespace detail

}  // namespace diffuse
