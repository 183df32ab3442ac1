#pragma once
// diffuse/metrics/likelihood.hpp — mean negative log-likelihood of samples under an isotropic
// Gaussian mixture given by its raw parameters (means, standard deviations, weights), with a
// log-sum-exp over components (Bishop, "Pattern Recognition and Machine Learning", 2006, eq. 9.7).

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// Mean over samples (d x n) of -log p(x), p(x) = Σ_k w_k N(x; μ_k, σ_k² I), for means (d x K),
/// per-component standard deviations `stds` (size K, or size 1 for a shared σ) and weights
/// (size K, normalised; empty = uniform). Cost O(n K d).
template <class DS, class DM>
double mixture_nll(const Eigen::MatrixBase<DS>& samples, const Eigen::MatrixBase<DM>& means,
                   const std::vector<double>& stds, std::vector<double> weights = {}) {
  check_nonempty("mixture_nll", "samples", samples);
  check_nonempty("mixture_nll", "means", means);
  check_shape("mixture_nll", "means", means, samples.rows(), -1);
  check_all_finite("mixture_nll", "samples", samples);
  check_all_finite("mixture_nll", "means", means);
  const Index modes = means.cols();
  DIFFUSE_REQUIRE(stds.size() == 1 || static_cast<Index>(stds.size()) == modes, "mixture_nll",
                  "stds must have one entry per component or a single shared entry", stds.size(),
                  "1 or " + std::to_string(modes));
  for (const double s : stds) check_variance("mixture_nll", "std", s);
  if (weights.empty()) weights.assign(static_cast<std::size_t>(modes), 1.0);
  DIFFUSE_REQUIRE(static_cast<Index>(weights.size()) == modes, "mixture_nll",
                  "weights must have one entry per component", weights.size(), std::to_string(modes));
  double largest = 0;
  for (const double w : weights) {
    check_non_negative("mixture_nll", "weight", w);
    largest = std::max(largest, w);
  }
  DIFFUSE_REQUIRE(largest > 0, "mixture_nll", "weights sum to zero", largest, "a positive sum");
  // Sum w / max(w): weights near double's maximum would overflow the plain sum.
  for (double& w : weights) w /= largest;
  double weight_sum = 0;
  for (const double w : weights) weight_sum += w;

  const auto d = static_cast<double>(samples.rows());
  const Matrix<double> mu = means.template cast<double>();
  // log(w_k) - d/2 log(2π σ_k²) and -1/(2σ_k²), per component.
  std::vector<double> offset(static_cast<std::size_t>(modes)), scale(static_cast<std::size_t>(modes));
  for (Index j = 0; j < modes; ++j) {
    const double s = stds[stds.size() == 1 ? 0 : static_cast<std::size_t>(j)];
    const double w = weights[static_cast<std::size_t>(j)] / weight_sum;
    offset[static_cast<std::size_t>(j)] =
        (w > 0 ? std::log(w) : -HUGE_VAL) - 0.5 * d * std::log(2 * std::numbers::pi * s * s);
    scale[static_cast<std::size_t>(j)] = -0.5 / (s * s);
  }
  std::vector<double> terms(static_cast<std::size_t>(modes));
  double total = 0;
  for (Index i = 0; i < samples.cols(); ++i) {
    const Vector<double> x = samples.col(i).template cast<double>();
    for (Index j = 0; j < modes; ++j) {
      const auto u = static_cast<std::size_t>(j);
      terms[u] = offset[u] + scale[u] * (mu.col(j) - x).squaredNorm();
    }
    // log Σ exp(t) = t_max + log Σ exp(t - t_max).
    const double top = *std::max_element(terms.begin(), terms.end());
    DIFFUSE_REQUIRE(std::isfinite(top), "mixture_nll", "sample " + std::to_string(i) + " is too far from every mode",
                    "a log-density below double's range", "samples whose squared distances to the means are finite");
    double sum = 0;
    for (const double t : terms) sum += std::exp(t - top);
    total -= top + std::log(sum);
  }
  return total / static_cast<double>(samples.cols());
}

/// mixture_nll with one standard deviation shared by all components.
template <class DS, class DM>
double mixture_nll(const Eigen::MatrixBase<DS>& samples, const Eigen::MatrixBase<DM>& means, double std,
                   std::vector<double> weights = {}) {
  return mixture_nll(samples, means, std::vector<double>{std}, std::move(weights));
}

}  // namespace diffuse
