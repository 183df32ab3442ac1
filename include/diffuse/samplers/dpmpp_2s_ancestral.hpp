#pragma once
// diffuse/samplers/dpmpp_2s_ancestral.hpp — ancestral sampling with DPM-Solver++(2S) steps (Lu et
// al. 2022, "DPM-Solver++", Alg. 1 with r = ½; k-diffusion's sample_dpmpp_2s_ancestral). In
// λ = −log σ, with h = λ_down − λ and s = λ + h/2:
//   x' = (σ_s/σ) x − (e^{−h/2} − 1) D(x; σ),   x ← (σ_down/σ) x − (e^{−h} − 1) D(x'; σ_s),
// then noise of std σ_up (samplers/ancestral.hpp). A step with σ_down = 0 is an Euler step.

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/ancestral.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// DPM-Solver++(2S) ancestral in σ-space, on a σ grid ending at 0. Two evaluations per step, one
/// where σ_down = 0.
/// Draws: one d x n draw per step after the model calls where σ_up > 0; with draws = every_step,
/// one on every step with σ_next > 0 (k-diffusion). None on the last step to σ = 0.
template <class S = double>
struct DpmSolverPP2SAncestral {
  using Scalar = S;
  static constexpr int evals_per_step = 2;
  static constexpr bool noise_to_data_only = true;
  S eta = 1;                                 ///< η of the ancestral split
  S s_noise = 1;                             ///< scale of the added noise
  NoiseDraws draws = NoiseDraws::when_used;  ///< when a draw happens (see above)
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise, probe;
  } work = {};

  /// Throws diffuse::Error for negative or NaN η or s_noise.
  void validate() const { detail::validate_ancestral("DpmSolverPP2SAncestral", *this); }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    model.predict(x, sigma, work.pred);
    const AncestralStep<S> split = ancestral_step(sigma, sigma_next, eta);
    if (split.sigma_down == S(0)) {
      // x ← x + (0 − σ) d
      x += (split.sigma_down - sigma) * ((x - work.pred.x0) / sigma);
    } else {
      const S t = lambda_of_sigma(sigma), t_next = lambda_of_sigma(split.sigma_down);
      const S h = t_next - t, s = t + h / 2;
      // x' = (σ_s/σ) x − (e^{−h/2} − 1) D
      work.probe = (sigma_of_lambda(s) / sigma_of_lambda(t)) * x - std::expm1(-h / 2) * work.pred.x0;
      model.predict(work.probe, sigma_of_lambda(s), work.pred);
      // x ← (σ_down/σ) x − (e^{−h} − 1) D(x'; σ_s)
      x = (sigma_of_lambda(t_next) / sigma_of_lambda(t)) * x - std::expm1(-h) * work.pred.x0;
    }
    // x ← x + σ_up s_noise z  (k-diffusion draws on every step with σ_next > 0)
    if (sigma_next > S(0)) detail::add_ancestral_noise(*this, x, split.sigma_up, noise, work.noise);
  }
};

static_assert(Sampler<DpmSolverPP2SAncestral<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<DpmSolverPP2SAncestral<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
