#pragma once
// diffuse/processes/ve.hpp — the variance-exploding SDE (NCSN in continuous time) with a
// geometric σ(t) (Song et al. 2021, eq. 9, 30; seed 002, SDE framework).
//
//   σ(t) = σ_min (σ_max / σ_min)^t,   dx = √(d[σ²(t)]/dt) dW = σ(t) √(2 log(σ_max/σ_min)) dW
//   α(t) = 1

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/processes/transition.hpp"

namespace diffuse {

/// VE-SDE with geometric σ(t) on t ∈ [t_min, t_max]; the prior is N(0, σ(t_max)² I).
template <class S>
class VeProcess {
 public:
  using Scalar = S;

  /// Requires 0 < σ_min < σ_max, 0 < t_min < t_max. Defaults are seed 002's (0.01, 50) and
  /// Song et al.'s t_min = 1e-5.
  VeProcess(S sigma_min = S(0.01), S sigma_max = S(50), S t_min = S(1e-5), S t_max = S(1))
      : m_sigma_min(sigma_min), m_sigma_max(sigma_max), m_t_min(t_min), m_t_max(t_max) {
    constexpr const char* api = "VeProcess";
    check_positive(api, "sigma_min", sigma_min);
    check_positive(api, "sigma_max", sigma_max);
    DIFFUSE_REQUIRE(sigma_min < sigma_max, api, "sigma_min must be below sigma_max", sigma_min,
                    "sigma_min < sigma_max = " + detail::to_text(sigma_max));
    check_positive(api, "t_min", t_min);
    DIFFUSE_REQUIRE(std::isfinite(t_max) && t_max > t_min, api, "t_max must exceed t_min", t_max,
                    "t_max > t_min = " + detail::to_text(t_min));
    m_log_ratio = std::log(sigma_max / sigma_min);
  }

  S sigma_min() const { return m_sigma_min; }
  S sigma_max() const { return m_sigma_max; }

  /// α(t) = 1.
  S alpha(S) const { return S(1); }
  /// σ(t) = σ_min (σ_max / σ_min)^t.
  S sigma(S t) const { return m_sigma_min * std::exp(t * m_log_ratio); }
  /// f(t) = 0.
  S drift_coef(S) const { return S(0); }
  /// g(t) = σ(t) √(2 log(σ_max / σ_min)).
  S diffusion(S t) const { return sigma(t) * std::sqrt(S(2) * m_log_ratio); }
  S t_min() const { return m_t_min; }
  S t_max() const { return m_t_max; }

  /// x_T ~ N(0, σ(t_max)² I), d x n.
  Matrix<S> sample_prior(Index d, Index n, Rng& rng) const { return sigma(m_t_max) * rng.normal<S>(d, n); }

  /// Forward SDE drift: zero.
  void drift(const Matrix<S>& x, S, Matrix<S>& out) const { out.setZero(x.rows(), x.cols()); }

  /// Exact transition from t to t_next > t.
  GaussianTransition<S> transition(S t, S t_next) const { return process_transition(*this, t, t_next); }

 private:
  S m_sigma_min, m_sigma_max, m_t_min, m_t_max;
  S m_log_ratio = 0;
};

static_assert(Process<VeProcess<double>>);
static_assert(AdditiveNoiseSde<VeProcess<double>>);

}  // namespace diffuse
