#pragma once
// diffuse/integrators/ode_steppers.hpp — explicit Runge–Kutta steppers for dx/dt = f(x, t):
// Euler (order 1), Heun (order 2), classical RK4 (order 4) (Hairer, Nørsett & Wanner, Solving
// ODEs I, §II.1; seed 000, Part 1A). Each advances a d x n batch in place from t to t_next
// (either direction) and keeps its stage buffers, so it allocates nothing after the first step
// at a given batch size. SDE systems are stepped along their drift only.

#include "diffuse/core/concepts.hpp"
#include "diffuse/processes/ornstein_uhlenbeck.hpp"

namespace diffuse {

/// Explicit Euler: one drift evaluation per step, global error O(h).
template <class S>
class Euler {
 public:
  using Scalar = S;
  static constexpr double order = 1.0;

  template <Ode System, class Noise>
    requires std::same_as<scalar_of<System>, S>
  void step(const System& system, Matrix<S>& x, S t, S t_next, Noise&) {
    const S h = t_next - t;
    system.drift(x, t, m_k1);
    // x ← x + h f(x, t)
    x.noalias() += h * m_k1;
  }

 private:
  Matrix<S> m_k1;
};

static_assert(Integrator<Euler<double>, OrnsteinUhlenbeck<double>>);

/// Heun's method (explicit trapezoid): two drift evaluations per step, global error O(h²).
template <class S>
class Heun {
 public:
  using Scalar = S;
  static constexpr double order = 2.0;

  template <Ode System, class Noise>
    requires std::same_as<scalar_of<System>, S>
  void step(const System& system, Matrix<S>& x, S t, S t_next, Noise&) {
    const S h = t_next - t;
    system.drift(x, t, m_k1);
    m_trial = x + h * m_k1;
    system.drift(m_trial, t_next, m_k2);
    // x ← x + h/2 (f(x, t) + f(x + h f(x, t), t + h))
    x.noalias() += (S(0.5) * h) * (m_k1 + m_k2);
  }

 private:
  Matrix<S> m_k1, m_k2, m_trial;
};

static_assert(Integrator<Heun<double>, OrnsteinUhlenbeck<double>>);

/// Classical fourth-order Runge–Kutta: four drift evaluations per step, global error O(h⁴).
template <class S>
class Rk4 {
 public:
  using Scalar = S;
  static constexpr double order = 4.0;

  template <Ode System, class Noise>
    requires std::same_as<scalar_of<System>, S>
  void step(const System& system, Matrix<S>& x, S t, S t_next, Noise&) {
    const S h = t_next - t, half = S(0.5) * h;
    system.drift(x, t, m_k1);
    m_trial = x + half * m_k1;
    system.drift(m_trial, t + half, m_k2);
    m_trial = x + half * m_k2;
    system.drift(m_trial, t + half, m_k3);
    m_trial = x + h * m_k3;
    system.drift(m_trial, t_next, m_k4);
    // x ← x + h/6 (k1 + 2 k2 + 2 k3 + k4)
    x.noalias() += (h / S(6)) * (m_k1 + S(2) * (m_k2 + m_k3) + m_k4);
  }

 private:
  Matrix<S> m_k1, m_k2, m_k3, m_k4, m_trial;
};

static_assert(Integrator<Rk4<double>, OrnsteinUhlenbeck<double>>);

}  // namespace diffuse
