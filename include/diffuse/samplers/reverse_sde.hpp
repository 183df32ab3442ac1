#pragma once
// diffuse/samplers/reverse_sde.hpp — the reverse-time SDE with Euler–Maruyama (Anderson 1982;
// Song et al. 2021, eq. 6; seed 002):
//   dx = [f(t) x − g(t)² ∇log p_t(x)] dt + g(t) dW̄,   ∇log p_t(x) ≈ −ε̂/σ(t).

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse {

/// Euler–Maruyama on the reverse-time SDE of the model's Process (VP, VE, sub-VP, OU), from t
/// down to t_next < t. One evaluation per step; strong order ½, weak order 1.
/// Draws: one d x n draw per step, after the model call, on every step (the last included), as
/// score_sde's EulerMaruyamaPredictor.
template <class S = double>
struct ReverseEulerMaruyama {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  static constexpr bool noise_to_data_only = true;
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise;
  } work = {};

  template <Denoiser D, NoiseSource<S> Noise>
    requires Process<std::remove_cvref_t<decltype(std::declval<D&>().levels())>>
  void step(D& model, Matrix<S>& x, S t, S t_next, Noise& noise) {
    const auto& process = model.levels();
    model.predict(x, t, work.pred);
    const S h = t - t_next, f = process.drift_coef(t), g = process.diffusion(t), sigma = process.sigma(t);
    detail::fill_noise(noise, work.noise, x.rows(), x.cols());
    // x ← x − [f x − g² s] h + g √h z,   s = −ε̂/σ
    x = (1 - f * h) * x - (g * g * h / sigma) * work.pred.eps + (g * std::sqrt(h)) * work.noise;
  }
};

static_assert(Sampler<ReverseEulerMaruyama<double>, detail::DenoiserArchetype<detail::ProcessArchetype<double>>>);
static_assert(Sampler<ReverseEulerMaruyama<float>, detail::DenoiserArchetype<detail::ProcessArchetype<float>>>);

}  // namespace diffuse
