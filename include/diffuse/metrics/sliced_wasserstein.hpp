#pragma once
// diffuse/metrics/sliced_wasserstein.hpp — sliced Wasserstein-2 distance between two samples:
// the root mean square over random directions θ of the 1D Wasserstein-2 distance between the
// projections θᵀx and θᵀy. References: Rabin, Peyré, Delon & Bernot, "Wasserstein barycenter
// and its application to texture mixing" (2011), Sec. 3.2; 1D optimal transport by quantile
// matching (Villani, "Topics in Optimal Transportation", 2003, Thm. 2.18).

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/metrics/pairwise.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// Squared 1D Wasserstein-2 distance between two empirical distributions with equal weights:
/// W2² = ∫₀¹ (F⁻¹(u) - G⁻¹(u))² du, exact for step quantile functions (a merge of the sorted
/// values; plain pairing of sorted values when the sizes are equal). Takes the values by copy
/// to sort them. Requires both non-empty.
inline double wasserstein2_squared_1d(std::vector<double> a, std::vector<double> b) {
  DIFFUSE_REQUIRE(!a.empty() && !b.empty(), "wasserstein2_squared_1d", "samples must be non-empty",
                  std::to_string(a.size()) + " and " + std::to_string(b.size()), "at least one value each");
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const auto n = a.size(), m = b.size();
  double total = 0;
  if (n == m) {
    for (std::size_t i = 0; i < n; ++i) total += (a[i] - b[i]) * (a[i] - b[i]);
    return total / static_cast<double>(n);
  }
  // Walk the breakpoints i/n and j/m of both quantile functions; between two consecutive
  // breakpoints both are constant. Comparing (i+1)·m with (j+1)·n keeps the order exact.
  std::size_t i = 0, j = 0;
  double u = 0;
  while (i < n && j < m) {
    const std::size_t ai = (i + 1) * m, bj = (j + 1) * n;
    const double next = static_cast<double>(std::min(ai, bj)) / static_cast<double>(n * m);
    total += (next - u) * (a[i] - b[j]) * (a[i] - b[j]);
    u = next;
    if (ai <= bj) ++i;
    if (bj <= ai) ++j;
  }
  return total;
}

/// Sliced Wasserstein-2 distance SW₂ = (mean over `projections` random unit directions θ of
/// W2²(θᵀx, θᵀy))^{1/2} between x (d x n) and y (d x m); directions are normalised Gaussian
/// vectors from `rng` (uniform on the sphere). For N(0, I) against N(μ, I), SW₂² → |μ|²/d.
/// Unequal sample sizes use exact quantile matching. Cost O(projections (n log n + m log m)).
template <class DX, class DY>
double sliced_wasserstein(const Eigen::MatrixBase<DX>& x, const Eigen::MatrixBase<DY>& y, Index projections,
                          Rng& rng) {
  check_nonempty("sliced_wasserstein", "x", x);
  check_nonempty("sliced_wasserstein", "y", y);
  check_shape("sliced_wasserstein", "y", y, x.rows(), -1);
  check_at_least<Index>("sliced_wasserstein", "projections", projections, 1);
  check_all_finite("sliced_wasserstein", "x", x);
  check_all_finite("sliced_wasserstein", "y", y);
  // SW₂ is homogeneous of degree 1: large samples are rescaled so the squared gaps stay finite.
  const double scale = detail::overflow_scale(x, y);
  const Matrix<double> xd = x.template cast<double>() / scale;
  const Matrix<double> yd = y.template cast<double>() / scale;
  Vector<double> theta(x.rows());
  std::vector<double> px(static_cast<std::size_t>(x.cols())), py(static_cast<std::size_t>(y.cols()));
  double total = 0;
  for (Index p = 0; p < projections; ++p) {
    do {
      rng.fill_normal(theta);
    } while (theta.norm() == 0);
    theta.normalize();
    Eigen::Map<RowVector<double>>(px.data(), xd.cols()).noalias() = theta.transpose() * xd;
    Eigen::Map<RowVector<double>>(py.data(), yd.cols()).noalias() = theta.transpose() * yd;
    total += wasserstein2_squared_1d(px, py);
  }
  return detail::scaled_back("sliced_wasserstein", std::sqrt(total / static_cast<double>(projections)), scale);
}

}  // namespace diffuse
