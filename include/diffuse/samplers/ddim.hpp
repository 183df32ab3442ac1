#pragma once
// diffuse/samplers/ddim.hpp — DDIM (Song, Meng, Ermon 2021, eq. 12) on any noise levels.
//
//   x_s = α_s x̂0 + √(σ_s² − σ_η²) ε̂ + σ_η z,   σ_η = η √(σ²_{t|s} σ_s²/σ_t²)
// with σ²_{t|s} = σ_t² − (α_t/α_s)² σ_s² (eq. 16: η = 1 is DDPM's posterior variance, η = 0 is
// deterministic and, run with s > t, inverts the sampler: DDIM inversion / encoding).

#include <algorithm>
#include <cmath>
#include <optional>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse {

/// DDIM sampler with stochasticity η ≥ 0, on any time sub-sequence (ddim_timesteps) or any
/// NoiseLevels. Optional clipping of x̂0 to [−clip_x0, clip_x0] (ε̂ is then recomputed from the
/// clipped x̂0). One evaluation per step.
/// Draws: with η > 0, one d x n draw per step after the model call, only where σ_η > 0 (none on
/// the last step to ᾱ = 1); with draws = every_step, one at every step whenever η > 0, as
/// diffusers' DDIMScheduler (its variance_noise is drawn even where σ_η = 0).
template <class S = double>
struct Ddim {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  S eta = 0;                          ///< 0: deterministic; 1: DDPM-like ancestral noise
  std::optional<S> clip_x0 = {};      ///< clip x̂0 to [−c, c] when set (diffusers' clip_sample_range)
  /// After clipping, ε̂ = (x − α_t x̂0)/σ_t from the clipped x̂0 (diffusers' use_clipped_model_output
  /// = True, GLIDE's choice); false keeps the model's ε̂ in the direction term (diffusers' default).
  bool eps_from_clipped_x0 = true;
  NoiseDraws draws = NoiseDraws::when_used;  ///< when a draw happens (see above)
  /// diffusers' DDIMScheduler steps from t to t − ⌊T/N⌋ whatever the next grid point (for the
  /// linspace and trailing spacings the two differ: 999 → 899, then 888 → 788, …). Set it to
  /// ⌊T/N⌋ to reproduce that; a step below 0 goes to the clean data (set_alpha_to_one).
  std::optional<int> prev_step_offset = {};
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise;
  } work = {};

  /// Throws diffuse::Error for η < 0, a non-positive clip bound or prev_step_offset.
  void validate() const {
    check_non_negative("Ddim", "eta", eta);
    if (clip_x0) check_positive("Ddim", "clip_x0", *clip_x0);
    if (prev_step_offset) check_at_least("Ddim", "prev_step_offset", *prev_step_offset, 1);
  }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S t, S s, Noise& noise) {
    if (prev_step_offset) s = std::max(t - S(*prev_step_offset), S(-1));
    const auto& lv = model.levels();
    model.predict(x, t, work.pred);
    const S a_t = lv.alpha(t), s_t = lv.sigma(t), a_s = lv.alpha(s), s_s = lv.sigma(s);
    if (clip_x0) {
      work.pred.x0 = work.pred.x0.cwiseMax(-*clip_x0).cwiseMin(*clip_x0);
      if (eps_from_clipped_x0) work.pred.eps = (x - a_t * work.pred.x0) / s_t;
    }
    S s_eta = 0;
    if (eta > S(0)) {
      const S a_ts = a_t / a_s;
      // σ_η ≤ σ_s: η > 1 cannot add more noise than the target level holds
      s_eta = std::min(eta * std::sqrt(std::max(s_t * s_t - a_ts * a_ts * s_s * s_s, S(0)) * s_s * s_s / (s_t * s_t)), s_s);
    }
    // x_s = α_s x̂0 + √(σ_s² − σ_η²) ε̂ + σ_η z
    x = a_s * work.pred.x0 + std::sqrt(std::max(s_s * s_s - s_eta * s_eta, S(0))) * work.pred.eps;
    const bool draw = s_eta > S(0) || (draws == NoiseDraws::every_step && eta > S(0));
    if (!draw) return;
    detail::fill_noise(noise, work.noise, x.rows(), x.cols());
    x += s_eta * work.noise;
  }
};

static_assert(Sampler<Ddim<double>, detail::DenoiserArchetype<detail::ProcessArchetype<double>>>);
static_assert(Sampler<Ddim<float>, detail::DenoiserArchetype<detail::ProcessArchetype<float>>>);

}  // namespace diffuse
