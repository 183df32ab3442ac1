#pragma once
// diffuse/samplers/edm.hpp — EDM's Heun sampler, deterministic or stochastic (Karras et al. 2022,
// Alg. 1 and Alg. 2; seed 004), in σ-space: on SigmaLevels (σ(t) = t, α = 1), and on any other
// model through its SigmaView.
//
// Churn (Alg. 2, samplers/churn.hpp) raises σ to σ̂ = (1 + γ) σ, then Heun on
// dx/dσ = (x − D(x; σ))/σ from σ̂ to σ_next, with a plain Euler step when σ_next = 0.

#include <cmath>
#include <limits>
#include <span>
#include <type_traits>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/churn.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// EDM Heun sampler on a σ grid (karras_sigmas). With s_churn = 0 it is deterministic (Alg. 1).
/// Two evaluations per step, one on the last step to σ = 0.
/// Draws: one d x n draw per step, before the model call, where churn applies (γ > 0); with
/// draws = every_step, one at every step, as EDM's edm_sampler and k-diffusion's sample_heun
/// (their randn_like is called at every step and multiplied by √(σ̂² − σ²) = 0 where γ = 0).
template <class S = double>
struct EdmHeun {
  using Scalar = S;
  static constexpr int evals_per_step = 2;
  S s_churn = 0;                                    ///< total churn S_churn (0: deterministic)
  S s_min = 0;                                      ///< churn only for σ ≥ S_min
  S s_max = std::numeric_limits<S>::infinity();     ///< churn only for σ ≤ S_max
  S s_noise = 1;                                    ///< S_noise, inflation of the added noise
  NoiseDraws draws = NoiseDraws::when_used;         ///< when a draw happens (see above)
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise, d, probe;
    int steps = 1;  // N, set by reset()
  } work = {};

  /// Throws diffuse::Error for negative S_churn or S_noise.
  void validate() const { detail::validate_churn("EdmHeun", *this); }

  /// Records the number of steps N = grid size − 1 that S_churn is spread over.
  void reset(std::span<const S> grid) { work.steps = static_cast<int>(grid.size()) - 1; }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    const S sigma_hat = detail::churn(*this, work.steps, x, sigma, noise, work.noise);
    model.predict(x, sigma_hat, work.pred);
    work.d = (x - work.pred.x0) / sigma_hat;
    const S h = sigma_next - sigma_hat;
    if (sigma_next == S(0)) {
      // x ← x̂ + h d  (Euler to σ = 0)
      x += h * work.d;
      return;
    }
    work.probe = x + h * work.d;
    model.predict(work.probe, sigma_next, work.pred);
    // x ← x̂ + h/2 (d + d'),  d' = (x' − D(x'; σ_next))/σ_next
    x += (h / 2) * (work.d + (work.probe - work.pred.x0) / sigma_next);
  }
};

static_assert(Sampler<EdmHeun<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<EdmHeun<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
