#pragma once
// diffuse/processes/ornstein_uhlenbeck.hpp — the Ornstein–Uhlenbeck SDE with mean reversion to
// μ (seed 000, Question 2.2; seed 003, exact transition kernel).
//
//   dX = θ (μ − X) dt + σ dW
//   X_t | X_0 ~ N(μ + (X_0 − μ) e^{−θ t}, σ² / (2θ) (1 − e^{−2θ t}) I),   stationary N(μ, σ²/(2θ) I)

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/processes/transition.hpp"

namespace diffuse {

/// Ornstein–Uhlenbeck process with rate θ > 0, mean μ (the same in every coordinate) and noise
/// scale σ >= 0 (σ = 0 is the deterministic relaxation of seed 000's first OU panel).
template <class S>
class OrnsteinUhlenbeck {
 public:
  using Scalar = S;

  OrnsteinUhlenbeck(S theta, S mu, S sigma) : m_theta(theta), m_mu(mu), m_sigma(sigma) {
    constexpr const char* api = "OrnsteinUhlenbeck";
    check_positive(api, "theta", theta);
    check_finite(api, "mu", mu);
    check_non_negative(api, "sigma", sigma);
  }

  S theta() const { return m_theta; }
  S mu() const { return m_mu; }
  S noise() const { return m_sigma; }
  /// D = σ² / (2θ), the stationary variance per coordinate.
  S stationary_variance() const { return m_sigma * m_sigma / (S(2) * m_theta); }

  /// E[X_t | X_0 = x0] = μ + (x0 − μ) e^{−θ t}.
  Matrix<S> transition_mean(const Matrix<S>& x0, S t) const {
    return ((x0.array() - m_mu) * std::exp(-m_theta * t) + m_mu).matrix();
  }
  /// Std of X_t | X_0 per coordinate: √(σ²/(2θ) (1 − e^{−2θ t})).
  S transition_std(S t) const { return std::sqrt(stationary_variance() * -std::expm1(-S(2) * m_theta * t)); }

  /// f(x, t) = θ (μ − x).
  void drift(const Matrix<S>& x, S, Matrix<S>& out) const { out = (m_theta * (m_mu - x.array())).matrix(); }
  /// g(t) = σ.
  S diffusion(S) const { return m_sigma; }
  /// Exact transition over h = t' − t: X' = e^{−θh} X + μ (1 − e^{−θh}) + std(h) ξ.
  GaussianTransition<S> transition(S t, S t_next) const {
    const S decay = std::exp(-m_theta * (t_next - t));
    return {decay, m_mu * (S(1) - decay), transition_std(t_next - t)};
  }

 private:
  S m_theta, m_mu, m_sigma;
};

static_assert(AdditiveNoiseSde<OrnsteinUhlenbeck<double>>);

}  // namespace diffuse
