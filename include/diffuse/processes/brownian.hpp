#pragma once
// diffuse/processes/brownian.hpp — Brownian motion dX = σ dW (seed 000, Part 1B, Question 2.1).
//
//   X_t | X_s ~ N(X_s, σ² (t − s) I)

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/processes/transition.hpp"

namespace diffuse {

/// Brownian motion with noise scale σ: zero drift, constant isotropic diffusion.
template <class S>
class BrownianMotion {
 public:
  using Scalar = S;

  /// Requires σ > 0.
  explicit BrownianMotion(S sigma) : m_sigma(sigma) { check_positive("BrownianMotion", "sigma", sigma); }

  S noise() const { return m_sigma; }
  /// Var[X_t − X_0] = σ² t per coordinate.
  S variance(S t) const { return m_sigma * m_sigma * t; }

  /// f(x, t) = 0.
  void drift(const Matrix<S>& x, S, Matrix<S>& out) const { out.setZero(x.rows(), x.cols()); }
  /// g(t) = σ.
  S diffusion(S) const { return m_sigma; }
  /// Exact transition: X_{t'} = X_t + σ √(t' − t) ξ.
  GaussianTransition<S> transition(S t, S t_next) const {
    return {S(1), S(0), m_sigma * std::sqrt(t_next - t)};
  }

 private:
  S m_sigma;
};

static_assert(AdditiveNoiseSde<BrownianMotion<double>>);

}  // namespace diffuse
