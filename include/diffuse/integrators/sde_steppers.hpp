#pragma once
// diffuse/integrators/sde_steppers.hpp — Euler–Maruyama for additive and diagonal noise
// (Kloeden & Platen 1992, §9.1; seed 000, Part 1A), and the exact step of SDEs with Gaussian
// transitions (Brownian motion, Ornstein–Uhlenbeck, the Gaussian forward processes).

#include <cmath>
#include <limits>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/processes/ornstein_uhlenbeck.hpp"
#include "diffuse/processes/transition.hpp"

namespace diffuse {

/// Euler–Maruyama: strong order ½, weak order 1; one drift evaluation per step. Works in either
/// time direction: the noise is scaled by √|t_next − t| (a reverse-time SDE on a decreasing grid).
/// Draws: one d x n draw per step, before the drift.
template <class S>
class EulerMaruyama {
 public:
  using Scalar = S;
  static constexpr double order = 0.5;

  template <Sde System, NoiseSource<S> Noise>
    requires std::same_as<scalar_of<System>, S>
  void step(const System& system, Matrix<S>& x, S t, S t_next, Noise& noise) {
    m_increment.resize(x.rows(), x.cols());
    noise.fill_normal(m_increment);
    // ΔW = √|h| ξ
    m_increment *= std::sqrt(std::abs(t_next - t));
    step_with_increment(system, x, t, t_next, m_increment);
  }

  /// The same step with a given Brownian increment ΔW ~ N(0, |t_next − t| I) (d x n), for
  /// coupling several resolutions to one Brownian path.
  template <Sde System>
    requires std::same_as<scalar_of<System>, S>
  void step_with_increment(const System& system, Matrix<S>& x, S t, S t_next, const Matrix<S>& dw) {
    check_shape("EulerMaruyama::step_with_increment", "dw", dw, x.rows(), x.cols());
    const S h = t_next - t;
    system.drift(x, t, m_drift);
    if constexpr (AdditiveNoiseSde<System>) {
      // x ← x + h f(x, t) + g(t) ΔW
      x.noalias() += h * m_drift + system.diffusion(t) * dw;
    } else {
      system.diffusion(x, t, m_g);
      // x ← x + h f(x, t) + g(x, t) ⊙ ΔW
      x.noalias() += h * m_drift + m_g.cwiseProduct(dw);
    }
  }

 private:
  Matrix<S> m_drift, m_increment, m_g;
};

static_assert(Integrator<EulerMaruyama<double>, OrnsteinUhlenbeck<double>>);

/// A system whose transition from t to t_next > t is exactly Gaussian and linear in x.
template <class T>
concept ExactlySolvable = HasScalar<T> && requires(const T& system, scalar_of<T> t) {
  { system.transition(t, t) } -> std::same_as<GaussianTransition<scalar_of<T>>>;
};

/// Exact step x' = a x + b + s ξ from the system's Gaussian transition: no discretisation error
/// at any step size (seed 003 simulates its OU forward process this way). Forward in time only.
/// Draws: one d x n draw per step.
template <class S>
class ExactOuStep {
 public:
  using Scalar = S;
  static constexpr double order = std::numeric_limits<double>::infinity();
  /// integrate() rejects decreasing grids for this stepper.
  static constexpr bool forward_only = true;

  template <ExactlySolvable System, NoiseSource<S> Noise>
    requires std::same_as<scalar_of<System>, S>
  void step(const System& system, Matrix<S>& x, S t, S t_next, Noise& noise) {
    DIFFUSE_ASSERT(t_next > t);
    const GaussianTransition<S> tr = system.transition(t, t_next);
    m_noise.resize(x.rows(), x.cols());
    noise.fill_normal(m_noise);
    // x ← a x + b + s ξ
    x = (tr.scale * x.array() + tr.offset).matrix() + tr.std * m_noise;
  }

 private:
  Matrix<S> m_noise;
};

static_assert(Integrator<ExactOuStep<double>, OrnsteinUhlenbeck<double>>);

}  // namespace diffuse
