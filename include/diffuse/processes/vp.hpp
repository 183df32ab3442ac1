#pragma once
// diffuse/processes/vp.hpp — the variance-preserving SDE (DDPM in continuous time) with a
// linear β(t) (Song et al. 2021, "Score-Based Generative Modeling through SDEs", eq. 11, 29;
// seed 002, SDE framework).
//
//   dx = −½ β(t) x dt + √β(t) dW,   β(t) = β_min + t (β_max − β_min)
//   B(t) = ∫₀ᵗ β = β_min t + ½ t² (β_max − β_min),   ᾱ(t) = e^{−B(t)}
//   α(t) = √ᾱ(t),   σ(t)² = 1 − ᾱ(t)

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/processes/linear_beta.hpp"
#include "diffuse/processes/transition.hpp"

namespace diffuse {

/// VP-SDE with linear β(t) on t ∈ [t_min, t_max]; the prior is N(0, I).
template <class S>
class VpProcess {
 public:
  using Scalar = S;

  /// Requires 0 < β_min <= β_max, 0 < t_min < t_max. Defaults are Song et al.'s (0.1, 20, 1e-3, 1).
  VpProcess(S beta_min = S(0.1), S beta_max = S(20), S t_min = S(1e-3), S t_max = S(1))
      : m_rate("VpProcess", beta_min, beta_max, t_min, t_max) {}

  S beta_min() const { return m_rate.beta_min(); }
  S beta_max() const { return m_rate.beta_max(); }

  /// β(t) = β_min + t (β_max − β_min).
  S beta(S t) const { return m_rate.beta(t); }
  /// B(t) = ∫₀ᵗ β(s) ds.
  S integrated_beta(S t) const { return m_rate.integrated(t); }
  /// ᾱ(t) = exp(−B(t)).
  S alpha_bar(S t) const { return std::exp(-integrated_beta(t)); }

  /// α(t) = exp(−½ B(t)).
  S alpha(S t) const { return std::exp(-S(0.5) * integrated_beta(t)); }
  /// σ(t) = √(1 − ᾱ(t)), via expm1 for accuracy at small t.
  S sigma(S t) const { return std::sqrt(-std::expm1(-integrated_beta(t))); }
  /// f(t) = −½ β(t).
  S drift_coef(S t) const { return -S(0.5) * beta(t); }
  /// g(t) = √β(t).
  S diffusion(S t) const { return std::sqrt(beta(t)); }
  S t_min() const { return m_rate.t_min(); }
  S t_max() const { return m_rate.t_max(); }

  /// x_T ~ N(0, I), d x n.
  Matrix<S> sample_prior(Index d, Index n, Rng& rng) const { return rng.normal<S>(d, n); }

  /// Forward SDE drift f(t) x (so the process is itself an AdditiveNoiseSde).
  void drift(const Matrix<S>& x, S t, Matrix<S>& out) const { out = drift_coef(t) * x; }

  /// Exact transition from t to t_next > t.
  GaussianTransition<S> transition(S t, S t_next) const { return process_transition(*this, t, t_next); }

 private:
  detail::LinearBeta<S> m_rate;
};

static_assert(Process<VpProcess<double>>);
static_assert(AdditiveNoiseSde<VpProcess<double>>);

}  // namespace diffuse
