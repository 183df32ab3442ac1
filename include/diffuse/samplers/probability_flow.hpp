#pragma once
// diffuse/samplers/probability_flow.hpp — the probability-flow ODE (Song et al. 2021, eq. 13;
// seed 002) with Euler, Heun or classical RK4:
//   dx/dt = f(t) x − ½ g(t)² ∇log p_t(x) = f(t) x + ½ g(t)² ε̂(x, t)/σ(t).

#include <type_traits>
#include <utility>

#include "diffuse/core/concepts.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse {

/// Explicit Runge–Kutta method for an ODE sampler.
enum class OdeMethod {
  euler,  ///< order 1, 1 evaluation per step
  heun,   ///< order 2 (explicit trapezoid), 2 evaluations per step
  rk4,    ///< order 4 (classical Runge–Kutta), 4 evaluations per step
};

/// Deterministic sampler integrating the probability-flow ODE of the model's Process in either
/// direction of time (t_next < t samples, t_next > t encodes). A step that ends where σ = 0 is an
/// Euler step: the velocity ½ g² ε̂/σ is undefined there.
template <class S = double>
struct ProbabilityFlow {
  using Scalar = S;
  OdeMethod method = OdeMethod::heun;  ///< integrator
  int evals_per_step = method == OdeMethod::euler ? 1 : method == OdeMethod::heun ? 2 : 4;  ///< derived; do not set
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> k1, k2, k3, k4, probe;
  } work = {};

  template <Denoiser D, class Noise>
    requires Process<std::remove_cvref_t<decltype(std::declval<D&>().levels())>>
  void step(D& model, Matrix<S>& x, S t, S t_next, Noise&) {
    const S h = t_next - t;
    velocity(model, x, t, work.k1);
    const OdeMethod m = model.levels().sigma(t_next) == S(0) ? OdeMethod::euler : method;
    switch (m) {
      case OdeMethod::euler:
        // x ← x + h F(x, t)
        x += h * work.k1;
        return;
      case OdeMethod::heun:
        // x ← x + h/2 [F(x, t) + F(x + h F(x, t), t + h)]
        work.probe = x + h * work.k1;
        velocity(model, work.probe, t_next, work.k2);
        x += (h / 2) * (work.k1 + work.k2);
        return;
      case OdeMethod::rk4:
        // x ← x + h/6 (k1 + 2 k2 + 2 k3 + k4)
        work.probe = x + (h / 2) * work.k1;
        velocity(model, work.probe, t + h / 2, work.k2);
        work.probe = x + (h / 2) * work.k2;
        velocity(model, work.probe, t + h / 2, work.k3);
        work.probe = x + h * work.k3;
        velocity(model, work.probe, t_next, work.k4);
        x += (h / 6) * (work.k1 + 2 * work.k2 + 2 * work.k3 + work.k4);
        return;
    }
  }

 private:
  // out = f(t) x + ½ g(t)² ε̂/σ(t)
  template <class D>
  void velocity(D& model, const Matrix<S>& x, S t, Matrix<S>& out) {
    const auto& process = model.levels();
    model.predict(x, t, work.pred);
    const S g = process.diffusion(t);
    out = process.drift_coef(t) * x + (g * g / (2 * process.sigma(t))) * work.pred.eps;
  }
};

static_assert(Sampler<ProbabilityFlow<double>, detail::DenoiserArchetype<detail::ProcessArchetype<double>>>);
static_assert(Sampler<ProbabilityFlow<float>, detail::DenoiserArchetype<detail::ProcessArchetype<float>>>);

}  // namespace diffuse
