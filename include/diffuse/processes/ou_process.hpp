#pragma once
// diffuse/processes/ou_process.hpp — the Ornstein–Uhlenbeck forward process towards 0 used as a
// diffusion model's noising process (seed 003, "OU forward process").
//
//   dx = −θ x dt + σ dW,   α(t) = e^{−θ t},   σ(t)² = σ² / (2θ) (1 − e^{−2θ t})

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/processes/transition.hpp"

namespace diffuse {

/// OU forward process with mean 0 on t ∈ [t_min, t_max]. The prior is the time-t_max marginal
/// of unit-variance data, N(0, (α(t_max)² + σ(t_max)²) I). (For the general OU SDE with a mean
/// μ, see OrnsteinUhlenbeck in processes/ornstein_uhlenbeck.hpp.)
template <class S>
class OuProcess {
 public:
  using Scalar = S;

  /// Requires θ > 0, σ > 0, 0 < t_min < t_max. Defaults are seed 003's (θ = 0.5, σ = 0.5, T = 1).
  OuProcess(S theta = S(0.5), S sigma = S(0.5), S t_min = S(1e-3), S t_max = S(1))
      : m_theta(theta), m_sigma(sigma), m_t_min(t_min), m_t_max(t_max) {
    constexpr const char* api = "OuProcess";
    check_positive(api, "theta", theta);
    check_positive(api, "sigma", sigma);
    check_positive(api, "t_min", t_min);
    DIFFUSE_REQUIRE(std::isfinite(t_max) && t_max > t_min, api, "t_max must exceed t_min", t_max,
                    "t_max > t_min = " + detail::to_text(t_min));
  }

  S theta() const { return m_theta; }
  /// The SDE's noise scale σ (not the marginal σ(t)).
  S noise() const { return m_sigma; }
  /// Stationary variance σ² / (2θ).
  S stationary_variance() const { return m_sigma * m_sigma / (S(2) * m_theta); }

  /// α(t) = e^{−θ t}.
  S alpha(S t) const { return std::exp(-m_theta * t); }
  /// σ(t) = √(σ² / (2θ) (1 − e^{−2θ t})).
  S sigma(S t) const { return std::sqrt(stationary_variance() * -std::expm1(-S(2) * m_theta * t)); }
  /// f(t) = −θ.
  S drift_coef(S) const { return -m_theta; }
  /// g(t) = σ.
  S diffusion(S) const { return m_sigma; }
  S t_min() const { return m_t_min; }
  S t_max() const { return m_t_max; }

  /// x_T ~ N(0, (α(T)² + σ(T)²) I), d x n.
  Matrix<S> sample_prior(Index d, Index n, Rng& rng) const {
    const S a = alpha(m_t_max), s = sigma(m_t_max);
    return std::sqrt(a * a + s * s) * rng.normal<S>(d, n);
  }

  /// Forward SDE drift −θ x.
  void drift(const Matrix<S>& x, S, Matrix<S>& out) const { out = -m_theta * x; }

  /// Exact transition from t to t_next > t.
  GaussianTransition<S> transition(S t, S t_next) const { return process_transition(*this, t, t_next); }

 private:
  S m_theta, m_sigma, m_t_min, m_t_max;
};

static_assert(Process<OuProcess<double>>);
static_assert(AdditiveNoiseSde<OuProcess<double>>);

}  // namespace diffuse
