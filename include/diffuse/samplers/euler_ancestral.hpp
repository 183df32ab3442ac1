#pragma once
// diffuse/samplers/euler_ancestral.hpp — ancestral sampling with Euler steps (k-diffusion's
// sample_euler_ancestral): an Euler step of dx/dσ = (x − D(x; σ))/σ down to σ_down, then fresh
// noise of std σ_up (samplers/ancestral.hpp).

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/ancestral.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// Euler ancestral sampler in σ-space on a σ grid ending at 0. One evaluation per step.
/// Draws: one d x n draw per step after the model call where σ_up > 0; with draws = every_step,
/// one on every step with σ_next > 0 (k-diffusion: noise_sampler is called even where σ_up = 0).
/// None on the last step to σ = 0.
template <class S = double>
struct EulerAncestral {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  static constexpr bool noise_to_data_only = true;
  S eta = 1;                                 ///< η: 1 the DDPM noise, 0 deterministic (Euler)
  S s_noise = 1;                             ///< scale of the added noise
  NoiseDraws draws = NoiseDraws::when_used;  ///< when a draw happens (see above)
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise;
  } work = {};

  /// Throws diffuse::Error for negative or NaN η or s_noise.
  void validate() const { detail::validate_ancestral("EulerAncestral", *this); }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    model.predict(x, sigma, work.pred);
    const AncestralStep<S> split = ancestral_step(sigma, sigma_next, eta);
    // x ← x + (σ_down − σ) d,  d = (x − D(x; σ))/σ
    x += (split.sigma_down - sigma) * ((x - work.pred.x0) / sigma);
    // x ← x + σ_up s_noise z  (k-diffusion draws on every step with σ_next > 0)
    if (sigma_next > S(0)) detail::add_ancestral_noise(*this, x, split.sigma_up, noise, work.noise);
  }
};

static_assert(Sampler<EulerAncestral<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<EulerAncestral<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
