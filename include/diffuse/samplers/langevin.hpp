#pragma once
// diffuse/samplers/langevin.hpp — annealed Langevin dynamics (Song & Ermon 2019, Alg. 1; seeds
// 000 and 002): K Langevin steps at each noise level with step size a = ε (σ/σ_ref)².

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse {

/// How a Langevin step of size a is written (the two seeds differ by a factor 2 in a).
enum class LangevinForm {
  overdamped,  ///< x ← x + a s + √(2a) z   (seed 000: Euler–Maruyama of dx = s dt + √2 dW)
  half_step,   ///< x ← x + (a/2) s + √a z  (seed 002; Song & Ermon 2019, Alg. 1)
};

/// Annealed Langevin sampler for NCSN. step(t, t_next) runs steps_per_level Langevin steps at the
/// level t (score s = −ε̂/σ(t)) and ignores t_next, so a grid σ_1 > … > σ_L > 0 (e.g.
/// geometric_sigmas with append_zero) visits every level once. steps_per_level evaluations per step.
/// Draws: steps_per_level d x n draws per step, one per Langevin step (after its model call).
template <class S = double>
struct AnnealedLangevin {
  using Scalar = S;
  int steps_per_level = 100;                    ///< K, Langevin steps per level
  S step_size = S(2e-5);                        ///< ε, the step at σ = σ_ref
  S sigma_ref = S(0.01);                        ///< σ_ref, usually the smallest level σ_L
  LangevinForm form = LangevinForm::half_step;  ///< how the step is applied
  int evals_per_step = steps_per_level;         ///< derived from steps_per_level; do not set
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise;
  } work = {};

  /// Throws diffuse::Error for K < 1, ε ≤ 0 or σ_ref ≤ 0.
  void validate() const {
    check_at_least("AnnealedLangevin", "steps_per_level", steps_per_level, 1);
    check_positive("AnnealedLangevin", "step_size", step_size);
    check_positive("AnnealedLangevin", "sigma_ref", sigma_ref);
  }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S t, S /*t_next*/, Noise& noise) {
    const S sigma = model.levels().sigma(t);
    const S a = step_size * (sigma / sigma_ref) * (sigma / sigma_ref);
    const S drift = form == LangevinForm::overdamped ? a : a / 2;
    const S kick = form == LangevinForm::overdamped ? std::sqrt(2 * a) : std::sqrt(a);
    for (int k = 0; k < steps_per_level; ++k) {
      model.predict(x, t, work.pred);
      detail::fill_noise(noise, work.noise, x.rows(), x.cols());
      // x ← x + drift · s + kick · z, with s = −ε̂/σ
      x += (-drift / sigma) * work.pred.eps + kick * work.noise;
    }
  }
};

static_assert(Sampler<AnnealedLangevin<double>, detail::DenoiserArchetype<detail::ProcessArchetype<double>>>);
static_assert(Sampler<AnnealedLangevin<float>, detail::DenoiserArchetype<detail::ProcessArchetype<float>>>);

}  // namespace diffuse
