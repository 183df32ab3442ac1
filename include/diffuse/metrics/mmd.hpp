#pragma once
// diffuse/metrics/mmd.hpp — squared maximum mean discrepancy between two samples, unbiased
// U-statistic with a sum of Gaussian (RBF) kernels. Reference: Gretton et al., "A Kernel
// Two-Sample Test", JMLR 13 (2012), Lemma 6 (MMD²_u).

#include <algorithm>
#include <cmath>
#include <type_traits>
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
  Index block = 256;
};

/// Unbiased squared MMD between samples x (d x n) and y (d x m), n, m >= 2:
///   MMD²_u = 1/(n(n-1)) Σ_{i≠j} k(x_i, x_j) + 1/(m(m-1)) Σ_{i≠j} k(y_i, y_j) - 2/(nm) Σ_ij k(x_i, y_j).
/// Its expectation is 0 when x and y come from the same distribution, so it can be slightly
/// negative. Cost O((n + m)² d) in block x block tiles, sums accumulated in double; float
/// batches of dimension <= 8 evaluate distances and kernels in float (relative error ~1e-6),
/// double batches in double.
template <class DX, class DY>
double mmd2(const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DY>& y, const MmdOptions& options = {}) {
  detail::check_two_samples("mmd2", x, y, 2);
  DIFFUSE_REQUIRE(!options.bandwidths.empty(), "mmd2", "bandwidths is empty", 0, "at least one bandwidth");
  for (const double b : options.bandwidths) check_variance("mmd2", "bandwidth", b);  // 1/(2b²) finite
  check_at_least<Index>("mmd2", "block", options.block, 1);
  // Float squared distances overflow beyond 1e19: large float samples are measured in double.
  if constexpr (!std::is_same_v<typename DX::Scalar, double> || !std::is_same_v<typename DY::Scalar, double>) {
    if (detail::overflow_scale(x, y) != 1.0) {
      const Matrix<double> xd = x.template cast<double>(), yd = y.template cast<double>();
      return mmd2(xd, yd, options);
    }
  }
  // k(d²) = Σ_b exp(-c_b d²), c_b = 1/(2b²). With e = exp(-c_min d²), every c_b that is an
  // integer multiple p·c_min gives exp(-c_b d²) = e^p by repeated squaring: one exp per pair
  // instead of one per bandwidth (the default set has p = 1, 4, 16, 100, 400).
  double c_min = HUGE_VAL;
  for (const double b : options.bandwidths) c_min = std::min(c_min, 0.5 / (b * b));
  std::vector<long> powers;    // p for bandwidths on the power path
  std::vector<double> scales;  // c_b for the others
  for (const double b : options.bandwidths) {
    const double ratio = 0.5 / (b * b) / c_min;
    const double p = std::round(ratio);
    if (p <= 4096 && std::abs(ratio - p) <= 1e-12 * ratio) {
      powers.push_back(static_cast<long>(p));
    } else {
      scales.push_back(0.5 / (b * b));
    }
  }
  auto kernel_sum = [&](const auto& d2) {
    using T = typename std::decay_t<decltype(d2)>::Scalar;
    using Tile = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic>;
    double s = 0;
    for (const double c : scales) s += detail::column_sum((d2 * static_cast<T>(-c)).exp());
    if (powers.empty()) return s;
    const Tile base = (d2 * static_cast<T>(-c_min)).exp();
    Tile power, result;
    for (long p : powers) {
      // result = base^p by binary exponentiation. Bases whose p-th power would underflow are
      // zeroed first: denormal intermediates are two orders of magnitude slower.
      const auto smallest = static_cast<T>(std::exp(std::log(std::is_same_v<T, float> ? 1e-30 : 1e-290) /
                                                    static_cast<double>(p)));
      power = (base >= smallest).select(base, T(0));
      result.setOnes(base.rows(), base.cols());
      for (; p > 0; p >>= 1) {
        if (p & 1) result *= power;
        if (p > 1) power = power.square();
      }
      s += detail::column_sum(result);
    }
    return s;
  };
  const auto f_zero = static_cast<double>(options.bandwidths.size());  // k(x, x)
  const auto n = static_cast<double>(x.cols()), m = static_cast<double>(y.cols());
  const double kxx = detail::pair_sum(x, x, true, options.block, f_zero, kernel_sum);
  const double kyy = detail::pair_sum(y, y, true, options.block, f_zero, kernel_sum);
  const double kxy = detail::pair_sum(x, y, false, options.block, f_zero, kernel_sum);
  return kxx / (n * (n - 1)) + kyy / (m * (m - 1)) - 2 * kxy / (n * m);
}

}  // namespace diffuse
