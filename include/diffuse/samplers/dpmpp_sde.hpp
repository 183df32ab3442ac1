#pragma once
// diffuse/samplers/dpmpp_sde.hpp — the stochastic DPM-Solver++ of k-diffusion's sample_dpmpp_sde:
// two ancestral half-steps per step in λ = −log σ (h = λ_next − λ, s = λ + r h, f = 1/(2r)):
//   x' = (σ_{s'}/σ) x − (e^{λ − s'} − 1) D(x; σ) + σ_up' s_noise z₁,   (σ_{s'}, σ_up') = split(σ → σ_s)
//   x ← (σ_{n'}/σ) x − (e^{λ − n'} − 1) [(1 − f) D(x; σ) + f D(x'; σ_s)] + σ_up s_noise z₂,
// with (σ_{n'}, σ_up) = split(σ → σ_next) (samplers/ancestral.hpp). A step to σ = 0 is an Euler step.

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/ancestral.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// DPM-Solver++ SDE in σ-space, on a σ grid ending at 0. Two evaluations per step, one on the last.
/// Draws: two d x n draws per step, z₁ before the second model call and z₂ at the end, each where
/// its σ_up > 0; with draws = every_step, both on every step with σ_next > 0 (k-diffusion's noise
/// sampler is called twice per step whatever η). None on the last step to σ = 0.
template <class S = double>
struct DpmSolverPPSde {
  using Scalar = S;
  static constexpr int evals_per_step = 2;
  static constexpr bool noise_to_data_only = true;
  S eta = 1;                                 ///< η of both ancestral splits
  S s_noise = 1;                             ///< scale of the added noise
  S r = S(0.5);                              ///< position of the intermediate point, in (0, 1)
  NoiseDraws draws = NoiseDraws::when_used;  ///< when a draw happens (see above)
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise, probe, x0;
  } work = {};

  /// Throws diffuse::Error for negative η or s_noise, or r outside (0, 1].
  void validate() const {
    detail::validate_ancestral("DpmSolverPPSde", *this);
    DIFFUSE_REQUIRE(r > S(0) && r <= S(1), "DpmSolverPPSde", "r must lie in (0, 1]", r, "0 < r <= 1");
  }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    model.predict(x, sigma, work.pred);
    if (sigma_next == S(0)) {
      // x ← x + (0 − σ) d
      x += (sigma_next - sigma) * ((x - work.pred.x0) / sigma);
      return;
    }
    const S t = lambda_of_sigma(sigma), t_next = lambda_of_sigma(sigma_next);
    const S h = t_next - t, s = t + h * r, f = 1 / (2 * r);
    work.x0 = work.pred.x0;
    // first half-step: x' = (σ_{s'}/σ) x − (e^{λ − s'} − 1) D + σ_up' s_noise z₁
    const AncestralStep<S> half = ancestral_step(sigma_of_lambda(t), sigma_of_lambda(s), eta);
    const S s_down = lambda_of_sigma(half.sigma_down);
    work.probe = (sigma_of_lambda(s_down) / sigma_of_lambda(t)) * x - std::expm1(t - s_down) * work.x0;
    detail::add_ancestral_noise(*this, work.probe, half.sigma_up, noise, work.noise);
    model.predict(work.probe, sigma_of_lambda(s), work.pred);
    // full step: x ← (σ_{n'}/σ) x − (e^{λ − n'} − 1) [(1 − f) D + f D'] + σ_up s_noise z₂
    const AncestralStep<S> full = ancestral_step(sigma_of_lambda(t), sigma_of_lambda(t_next), eta);
    const S n_down = lambda_of_sigma(full.sigma_down);
    x = (sigma_of_lambda(n_down) / sigma_of_lambda(t)) * x - std::expm1(t - n_down) * ((1 - f) * work.x0 + f * work.pred.x0);
    detail::add_ancestral_noise(*this, x, full.sigma_up, noise, work.noise);
  }
};

static_assert(Sampler<DpmSolverPPSde<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<DpmSolverPPSde<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
