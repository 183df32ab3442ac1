#pragma once
// diffuse/samplers/dpm2.hpp — k-diffusion's DPM-2 samplers: a second-order step of
// dx/dσ = (x − D(x; σ))/σ that evaluates the slope at the geometric midpoint
// σ_mid = exp(½ (log σ + log σ_next)) (inspired by DPM-Solver-2, Lu et al. 2022), with Karras
// et al.'s churn (Dpm2; sample_dpm_2) or an ancestral split (Dpm2Ancestral; sample_dpm_2_ancestral):
//   x' = x + (σ_mid − σ) d(x, σ),   x ← x + (σ_to − σ) d(x', σ_mid).
// A step to σ_to = 0 is a plain Euler step.

#include <cmath>
#include <limits>
#include <span>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/ancestral.hpp"
#include "diffuse/samplers/churn.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

namespace detail {

/// exp(lerp(log a, log b, ½)) with torch.lerp's rounding at weight ½ (b − (b − a)/2).
template <class S>
S geometric_midpoint(S a, S b) {
  const S la = std::log(a), lb = std::log(b);
  return std::exp(lb - (lb - la) * S(0.5));
}

/// One DPM-2 step of x from σ to σ_to (> 0) given D(x; σ) in pred; `probe` and `pred` are workspaces.
template <class D, class S>
void dpm2_step(D& model, Matrix<S>& x, S sigma, S sigma_to, Prediction<S>& pred, Matrix<S>& d, Matrix<S>& probe) {
  const S sigma_mid = geometric_midpoint(sigma, sigma_to);
  d = (x - pred.x0) / sigma;
  // x' = x + (σ_mid − σ) d
  probe = x + (sigma_mid - sigma) * d;
  model.predict(probe, sigma_mid, pred);
  // x ← x + (σ_to − σ) d(x', σ_mid)
  x += (sigma_to - sigma) * ((probe - pred.x0) / sigma_mid);
}

}  // namespace detail

/// DPM-2 with churn in σ-space, on a σ grid ending at 0. Two evaluations per step, one on the last.
/// Draws: as EdmHeun (one where churn applies, or at every step with draws = every_step, as
/// k-diffusion's sample_dpm_2).
template <class S = double>
struct Dpm2 {
  using Scalar = S;
  static constexpr int evals_per_step = 2;
  S s_churn = 0;                                 ///< total churn S_churn (0: deterministic)
  S s_min = 0;                                   ///< churn only for σ ≥ S_min (k-diffusion's s_tmin)
  S s_max = std::numeric_limits<S>::infinity();  ///< churn only for σ ≤ S_max (k-diffusion's s_tmax)
  S s_noise = 1;                                 ///< S_noise, inflation of the added noise
  NoiseDraws draws = NoiseDraws::when_used;      ///< when a draw happens (see above)
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise, d, probe;
    int steps = 1;  // N, set by reset()
  } work = {};

  void validate() const { detail::validate_churn("Dpm2", *this); }
  void reset(std::span<const S> grid) { work.steps = static_cast<int>(grid.size()) - 1; }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    const S sigma_hat = detail::churn(*this, work.steps, x, sigma, noise, work.noise);
    model.predict(x, sigma_hat, work.pred);
    if (sigma_next == S(0)) {
      // x ← x + (σ_next − σ̂) d
      x += (sigma_next - sigma_hat) * ((x - work.pred.x0) / sigma_hat);
      return;
    }
    detail::dpm2_step(model, x, sigma_hat, sigma_next, work.pred, work.d, work.probe);
  }
};

/// DPM-2 ancestral in σ-space: the DPM-2 step down to σ_down, then noise of std σ_up. Two
/// evaluations per step, one where σ_down = 0 (the last step).
/// Draws: one d x n draw after the second model call where σ_up > 0; with draws = every_step,
/// one on every step with σ_down > 0 (k-diffusion adds no noise where σ_down = 0, even when
/// σ_next > 0 — with η large enough that σ_up = σ_next — and so draws none there).
template <class S = double>
struct Dpm2Ancestral {
  using Scalar = S;
  static constexpr int evals_per_step = 2;
  static constexpr bool noise_to_data_only = true;
  S eta = 1;                                 ///< η of the ancestral split
  S s_noise = 1;                             ///< scale of the added noise
  NoiseDraws draws = NoiseDraws::when_used;  ///< when a draw happens (see above)
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise, d, probe;
  } work = {};

  /// Throws diffuse::Error for negative or NaN η or s_noise.
  void validate() const { detail::validate_ancestral("Dpm2Ancestral", *this); }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    model.predict(x, sigma, work.pred);
    const AncestralStep<S> split = ancestral_step(sigma, sigma_next, eta);
    if (split.sigma_down == S(0)) {
      // x ← x + (0 − σ) d
      x += (split.sigma_down - sigma) * ((x - work.pred.x0) / sigma);
      return;
    }
    detail::dpm2_step(model, x, sigma, split.sigma_down, work.pred, work.d, work.probe);
    // x ← x + σ_up s_noise z
    detail::add_ancestral_noise(*this, x, split.sigma_up, noise, work.noise);
  }
};

static_assert(Sampler<Dpm2<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<Dpm2Ancestral<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
