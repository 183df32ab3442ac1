#pragma once
// diffuse/metrics/modes.hpp — mode coverage of samples from a model of a mixture with known
// centres: how many samples land near a mode, how evenly the modes are hit, and the KL
// divergence of the mode histogram to the mixture weights (the "high-quality samples" and
// "modes covered" statistics of Srivastava et al., "VEEGAN", NeurIPS 2017, Sec. 5.1).

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// Result of mode_stats.
struct ModeStats {
  double fraction_within = 0;  ///< fraction of samples within k·std of their nearest centre
  std::vector<Index> counts;   ///< per centre: samples within k·std whose nearest centre it is
  Index modes_covered = 0;     ///< centres with at least one such sample
  double balance_ratio = 0;    ///< max(counts) / min(counts); +inf when a mode is empty
  double kl_to_weights = 0;    ///< KL(p ‖ w), p = counts / Σ counts (0 log 0 = 0); +inf if Σ counts = 0
};

/// Mode statistics of samples (d x n) against centres (d x K) of an isotropic mixture with
/// standard deviation `std` and weights (uniform when empty; normalised otherwise): a sample
/// counts for its nearest centre when it lies within k·std of it. Requires n, K >= 1, std > 0,
/// k > 0, weights of size K, non-negative and not all zero. Cost O(n K d).
template <class DS, class DC>
ModeStats mode_stats(const Eigen::MatrixBase<DS>& samples, const Eigen::MatrixBase<DC>& centres, double std,
                     double k, std::vector<double> weights = {}) {
  check_nonempty("mode_stats", "samples", samples);
  check_nonempty("mode_stats", "centres", centres);
  check_shape("mode_stats", "centres", centres, samples.rows(), -1);
  check_positive("mode_stats", "std", std);
  check_positive("mode_stats", "k", k);
  check_all_finite("mode_stats", "centres", centres);
  const Index modes = centres.cols();
  if (weights.empty()) weights.assign(static_cast<std::size_t>(modes), 1.0);
  DIFFUSE_REQUIRE(static_cast<Index>(weights.size()) == modes, "mode_stats", "weights must have one entry per centre",
                  weights.size(), std::to_string(modes));
  double largest = 0;
  for (const double w : weights) {
    check_non_negative("mode_stats", "weight", w);
    largest = std::max(largest, w);
  }
  DIFFUSE_REQUIRE(largest > 0, "mode_stats", "weights sum to zero", largest, "a positive sum");
  // Sum w / max(w): weights near double's maximum would overflow the plain sum.
  for (double& w : weights) w /= largest;
  double weight_sum = 0;
  for (const double w : weights) weight_sum += w;

  const Matrix<double> c = centres.template cast<double>();
  const double radius2 = (k * std) * (k * std);
  ModeStats stats;
  stats.counts.assign(static_cast<std::size_t>(modes), 0);
  Index within = 0;
  for (Index i = 0; i < samples.cols(); ++i) {
    const Vector<double> s = samples.col(i).template cast<double>();
    Index nearest = 0;
    const double d2 = (c.colwise() - s).colwise().squaredNorm().minCoeff(&nearest);
    // A NaN sample is never within any radius.
    if (d2 <= radius2) {
      ++stats.counts[static_cast<std::size_t>(nearest)];
      ++within;
    }
  }
  stats.fraction_within = static_cast<double>(within) / static_cast<double>(samples.cols());
  const auto [lo, hi] = std::minmax_element(stats.counts.begin(), stats.counts.end());
  stats.balance_ratio = *lo > 0 ? static_cast<double>(*hi) / static_cast<double>(*lo)
                                : std::numeric_limits<double>::infinity();
  stats.modes_covered = static_cast<Index>(std::count_if(stats.counts.begin(), stats.counts.end(),
                                                         [](Index n) { return n > 0; }));
  if (within == 0) {
    stats.kl_to_weights = std::numeric_limits<double>::infinity();
    return stats;
  }
  // KL(p ‖ w) = Σ p_j log(p_j / w_j); empty modes contribute 0, a hit mode of weight 0 gives +inf.
  for (std::size_t j = 0; j < stats.counts.size(); ++j) {
    if (stats.counts[j] == 0) continue;
    const double p = static_cast<double>(stats.counts[j]) / static_cast<double>(within);
    const double w = weights[j] / weight_sum;
    stats.kl_to_weights += w > 0 ? p * std::log(p / w) : std::numeric_limits<double>::infinity();
  }
  return stats;
}

}  // namespace diffuse
