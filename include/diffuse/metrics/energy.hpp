#pragma once
// diffuse/metrics/energy.hpp — energy distance between two samples. Reference: Székely & Rizzo,
// "Energy statistics: A class of statistics based on distances", J. Stat. Plan. Inference 143
// (2013), eq. (2.1); within-sample terms as U-statistics (i ≠ j).

#include "diffuse/core/types.hpp"
#include "diffuse/metrics/pairwise.hpp"

namespace diffuse {

/// Energy distance D² = 2 E|X - Y| - E|X - X'| - E|Y - Y'| between x (d x n) and y (d x m),
/// n, m >= 2, with the means over pairs i ≠ j for the within-sample terms. Zero in expectation
/// for equal distributions, positive otherwise. Cost O((n + m)² d) in block x block tiles, sums
/// in double; float batches of dimension <= 8 take distances in float.
template <class DX, class DY>
double energy_distance(const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DY>& y, Index block = 256) {
  detail::check_two_samples("energy_distance", x, y, 2);
  check_at_least<Index>("energy_distance", "block", block, 1);
  // Energy distance is homogeneous of degree 1: large samples are rescaled so |x − y|² stays finite.
  if (const double scale = detail::overflow_scale(x, y); scale != 1.0) {
    const Matrix<double> xs = x.template cast<double>() / scale, ys = y.template cast<double>() / scale;
    return detail::scaled_back("energy_distance", energy_distance(xs, ys, block), scale);
  }
  auto distance_sum = [](const auto& d2) { return detail::column_sum(d2.sqrt()); };
  const auto n = static_cast<double>(x.cols()), m = static_cast<double>(y.cols());
  const double xx = detail::pair_sum(x, x, true, block, 0.0, distance_sum);
  const double yy = detail::pair_sum(y, y, true, block, 0.0, distance_sum);
  const double xy = detail::pair_sum(x, y, false, block, 0.0, distance_sum);
  return 2 * xy / (n * m) - xx / (n * (n - 1)) - yy / (m * (m - 1));
}

}  // namespace diffuse
