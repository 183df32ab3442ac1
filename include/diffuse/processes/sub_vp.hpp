#pragma once
// diffuse/processes/sub_vp.hpp — the sub-VP SDE (Song et al. 2021, eq. 17; seed 002, "Sub-VP SDE").
//
//   dx = −½ β(t) x dt + √(β(t) (1 − e^{−2B(t)})) dW,   B(t) = ∫₀ᵗ β
//   α(t) = e^{−½ B(t)},   σ(t) = 1 − e^{−B(t)}   (variance (1 − ᾱ)² <= VP's 1 − ᾱ)

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/processes/linear_beta.hpp"
#include "diffuse/processes/transition.hpp"

namespace diffuse {

/// Sub-VP SDE with the same linear β(t) as VpProcess; the prior is N(0, I).
template <class S>
class SubVpProcess {
 public:
  using Scalar = S;

  /// Requires 0 < β_min <= β_max, 0 < t_min < t_max. Defaults are Song et al.'s (0.1, 20, 1e-3, 1).
  SubVpProcess(S beta_min = S(0.1), S beta_max = S(20), S t_min = S(1e-3), S t_max = S(1))
      : m_rate("SubVpProcess", beta_min, beta_max, t_min, t_max) {}

  S beta_min() const { return m_rate.beta_min(); }
  S beta_max() const { return m_rate.beta_max(); }
  /// β(t) = β_min + t (β_max − β_min).
  S beta(S t) const { return m_rate.beta(t); }
  /// B(t) = ∫₀ᵗ β(s) ds.
  S integrated_beta(S t) const { return m_rate.integrated(t); }

  /// α(t) = exp(−½ B(t)).
  S alpha(S t) const { return std::exp(-S(0.5) * integrated_beta(t)); }
  /// σ(t) = 1 − exp(−B(t)).
  S sigma(S t) const { return -std::expm1(-integrated_beta(t)); }
  /// f(t) = −½ β(t).
  S drift_coef(S t) const { return -S(0.5) * beta(t); }
  /// g(t) = √(β(t) (1 − e^{−2 B(t)})).
  S diffusion(S t) const { return std::sqrt(beta(t) * -std::expm1(-S(2) * integrated_beta(t))); }
  S t_min() const { return m_rate.t_min(); }
  S t_max() const { return m_rate.t_max(); }

  /// x_T ~ N(0, I), d x n.
  Matrix<S> sample_prior(Index d, Index n, Rng& rng) const { return rng.normal<S>(d, n); }

  /// Forward SDE drift f(t) x.
  void drift(const Matrix<S>& x, S t, Matrix<S>& out) const { out = drift_coef(t) * x; }

  /// Exact transition from t to t_next > t.
  GaussianTransition<S> transition(S t, S t_next) const { return process_transition(*this, t, t_next); }

 private:
  detail::LinearBeta<S> m_rate;
};

static_assert(Process<SubVpProcess<double>>);
static_assert(AdditiveNoiseSde<SubVpProcess<double>>);

}  // namespace diffuse
