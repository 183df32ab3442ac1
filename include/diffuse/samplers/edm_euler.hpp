#pragma once
// diffuse/samplers/edm_euler.hpp — Euler's method on the σ-space probability-flow ODE (Karras et al.
// 2022, eq. 3 with σ(t) = t, s(t) = 1; k-diffusion's sample_euler), with optional churn:
//   d = (x̂ − D(x̂; σ̂))/σ̂,   x ← x̂ + (σ_next − σ̂) d.

#include <cmath>
#include <limits>
#include <span>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/churn.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// Euler sampler in σ-space (EDM's Euler, k-diffusion's sample_euler) (SigmaLevels, or any model through SigmaView) on a σ grid ending at 0.
/// First order; one evaluation per step. With s_churn = 0 it is deterministic; on the model's
/// own times it is DDIM with η = 0 (x̃_s = x̃_t + (σ̃_s − σ̃_t) ε̂).
/// Draws: as EdmHeun — one d x n draw per step where churn applies, or at every step with
/// draws = every_step (k-diffusion's sample_euler).
template <class S = double>
struct EdmEuler {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  S s_churn = 0;                                 ///< total churn S_churn (0: deterministic)
  S s_min = 0;                                   ///< churn only for σ ≥ S_min (k-diffusion's s_tmin)
  S s_max = std::numeric_limits<S>::infinity();  ///< churn only for σ ≤ S_max (k-diffusion's s_tmax)
  S s_noise = 1;                                 ///< S_noise, inflation of the added noise
  NoiseDraws draws = NoiseDraws::when_used;      ///< when a draw happens (see above)
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise;
    int steps = 1;  // N, set by reset()
  } work = {};

  /// Throws diffuse::Error for negative S_churn or S_noise.
  void validate() const { detail::validate_churn("EdmEuler", *this); }

  /// Records the number of steps N = grid size − 1 that S_churn is spread over.
  void reset(std::span<const S> grid) { work.steps = static_cast<int>(grid.size()) - 1; }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    const S sigma_hat = detail::churn(*this, work.steps, x, sigma, noise, work.noise);
    model.predict(x, sigma_hat, work.pred);
    // x ← x̂ + (σ_next − σ̂) d,  d = (x̂ − D(x̂; σ̂))/σ̂
    x += (sigma_next - sigma_hat) * ((x - work.pred.x0) / sigma_hat);
  }
};

static_assert(Sampler<EdmEuler<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<EdmEuler<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
