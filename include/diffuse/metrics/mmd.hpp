#pragma once
// diffuse/metrics/mmd.hpp — squared maximum mean discrepancy between two samples, unbiased
// U-statistic with a sum of Gaussian (RBF) kernels. Reference: Gretton et al., "A Kernel
// Two-Sample Test", JMLR 13 (2012), Lemma 6 (MMD²_u).

#include <cmath>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/metrics/pairwise.hpp"

namespace diffuse {

/// Options of mmd2.
struct MmdOptions {
  /// Bandwidths b of k(x, y) = Σ_b exp(-|x - y|² / (2 b²)); each must be > 0.
  std::vector<double> bandwidths = {0.1, 0.2, 0.5, 1, 2};
  /// Tile size of the pairwise sums (memory is O(block²)).
  Index block = 1024;
};

/// Unbiased squared MMD between samples x (d x n) and y (d x m), n, m >= 2:
///   MMD²_u = 1/(n(n-1)) Σ_{i≠j} k(x_i, x_j) + 1/(m(m-1)) Σ_{i≠j} k(y_i, y_j) - 2/(nm) Σ_ij k(x_i, y_j).
/// Its expectation is 0 when x and y come from the same distribution, so it can be slightly
/// negative. Cost O((n + m)² d), computed in double precision in tiles.
template <class DX, class DY>
double mmd2(const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DY>& y, const MmdOptions& options = {}) {
  detail::check_two_samples("mmd2", x, y, 2);
  DIFFUSE_REQUIRE(!options.bandwidths.empty(), "mmd2", "bandwidths is empty", 0, "at least one bandwidth");
  for (const double b : options.bandwidths) check_positive("mmd2", "bandwidth", b);
  check_at_least<Index>("mmd2", "block", options.block, 1);
  std::vector<double> scales;  // -1 / (2 b²)
  for (const double b : options.bandwidths) scales.push_back(-0.5 / (b * b));
  auto kernel_sum = [&](const auto& d2) {
    double s = 0;
    for (const double c : scales) s += (d2 * c).exp().sum();
    return s;
  };
  const auto f_zero = static_cast<double>(scales.size());
  const auto n = static_cast<double>(x.cols()), m = static_cast<double>(y.cols());
  const double kxx = detail::pair_sum(x, x, true, options.block, f_zero, kernel_sum);
  const double kyy = detail::pair_sum(y, y, true, options.block, f_zero, kernel_sum);
  const double kxy = detail::pair_sum(x, y, false, options.block, f_zero, kernel_sum);
  return kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2 * kxy / (n * m);
}

}  // namespace diffuse
