#pragma once
// diffuse/samplers/predictor_corrector.hpp — predictor–corrector sampling (Song et al. 2021,
// Algs. 2–5; seeds 002 and 003): Langevin corrector steps at t with a target signal-to-noise
// ratio r, then one predictor step from t to t_next.
//
// Corrector (Alg. 4/5): ε_L = 2 (r ‖z‖ / ‖s‖)², x ← x + ε_L s + √(2 ε_L) z, with ‖·‖ the mean
// per-sample norm over the batch (Song et al. also scale ε_L by the one-step α_i = 1 − β_i on VP;
// that O(β_i) factor is left out here). Reverse-diffusion predictor (Alg. 2, eq. 46): with the forward
// step x_t = a x_s + b ξ of the noise levels (a = α_t/α_s, b² = σ_t² − a² σ_s²),
// x_s = (2 − a) x_t + b² s + b z. Euler–Maruyama predictor: the reverse SDE step of reverse_sde.hpp.

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse {

/// The predictor of a PredictorCorrector sampler.
enum class Predictor {
  reverse_diffusion,  ///< ancestral-like step from the forward transition; any NoiseLevels
  euler_maruyama,     ///< Euler–Maruyama on the reverse SDE; needs a Process
};

/// Predictor–corrector sampler: corrector_steps Langevin steps at t (target SNR `snr`), then the
/// predictor to t_next. corrector_steps + 1 evaluations per step.
/// Draws: corrector_steps + 1 d x n draws per step, every step: one per corrector step (after its
/// model call), then one for the predictor — score_sde's order (corrector, then predictor).
/// Where the predicted score is zero (ε̂ = 0) the corrector step size is taken as 0: its draw is
/// made but not used.
template <class S = double>
struct PredictorCorrector {
  using Scalar = S;
  static constexpr bool noise_to_data_only = true;
  Predictor predictor = Predictor::reverse_diffusion;  ///< predictor step
  int corrector_steps = 1;                             ///< M, Langevin steps per time step
  S snr = S(0.16);                                     ///< r, target signal-to-noise ratio
  int evals_per_step = corrector_steps + 1;            ///< derived; do not set
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise;
  } work = {};

  /// Throws diffuse::Error for M < 0 or r ≤ 0.
  void validate() const {
    check_at_least("PredictorCorrector", "corrector_steps", corrector_steps, 0);
    check_positive("PredictorCorrector", "snr", snr);
  }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S t, S t_next, Noise& noise) {
    using Levels = std::remove_cvref_t<decltype(model.levels())>;
    const auto& lv = model.levels();
    const S sigma = lv.sigma(t);
    for (int j = 0; j < corrector_steps; ++j) {
      model.predict(x, t, work.pred);
      detail::fill_noise(noise, work.noise, x.rows(), x.cols());
      // s = −ε̂/σ, so ‖s‖ = ‖ε̂‖/σ
      const S score_norm = work.pred.eps.colwise().norm().mean() / sigma;
      if (!(score_norm > S(0))) continue;
      const S noise_norm = work.noise.colwise().norm().mean();
      const S ratio = snr * noise_norm / score_norm;
      const S eps_l = 2 * ratio * ratio;
      // x ← x + ε_L s + √(2 ε_L) z
      x += (-eps_l / sigma) * work.pred.eps + std::sqrt(2 * eps_l) * work.noise;
    }
    model.predict(x, t, work.pred);
    detail::fill_noise(noise, work.noise, x.rows(), x.cols());
    if (predictor == Predictor::reverse_diffusion) {
      const S a = lv.alpha(t) / lv.alpha(t_next), s_next = lv.sigma(t_next);
      // b² = α_t² (σ̃_t² − σ̃_s²) >= 0 on a grid of decreasing noise (sample() checks); the max
      // only absorbs rounding where two levels are equal.
      const S b2 = std::max(sigma * sigma - a * a * s_next * s_next, S(0));
      // x_s = (2 − a) x_t + b² s + b z
      x = (2 - a) * x - (b2 / sigma) * work.pred.eps + std::sqrt(b2) * work.noise;
      return;
    }
    if constexpr (Process<Levels>) {
      const S h = t - t_next, f = lv.drift_coef(t), g = lv.diffusion(t);
      // x ← x − [f x − g² s] h + g √h z
      x = (1 - f * h) * x - (g * g * h / sigma) * work.pred.eps + (g * std::sqrt(h)) * work.noise;
    } else {
      detail::fail("PredictorCorrector", "the Euler–Maruyama predictor needs a continuous Process",
                   "discrete or σ-indexed noise levels", "a Process (VP, VE, sub-VP, OU) or Predictor::reverse_diffusion");
    }
  }
};

static_assert(Sampler<PredictorCorrector<double>, detail::DenoiserArchetype<detail::ProcessArchetype<double>>>);
static_assert(Sampler<PredictorCorrector<float>, detail::DenoiserArchetype<detail::ProcessArchetype<float>>>);

}  // namespace diffuse
