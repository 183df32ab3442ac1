#pragma once
// diffuse/samplers/ddpm.hpp — DDPM ancestral sampling (Ho et al. 2020, Alg. 2 and eq. 7).
//
// Between any two noise levels s < t of x_t = α x0 + σ ε (α_{t|s} = α_t/α_s,
// σ²_{t|s} = σ_t² − α_{t|s}² σ_s²), the posterior q(x_s | x_t, x0) is Gaussian with
//   mean  = α_{t|s} σ_s²/σ_t² x_t + α_s σ²_{t|s}/σ_t² x0,   variance β̃ = σ²_{t|s} σ_s²/σ_t².
// For adjacent steps of a DiscreteSchedule these are Ho et al.'s coefficients and σ²_{t|s} = β_t;
// for a DDIM sub-sequence or a continuous process they are the same formulas at larger gaps.

#include <cmath>
#include <optional>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse {

/// The reverse-step variance of DDPM (Ho et al. 2020, Sec. 3.2).
enum class DdpmVariance {
  fixed_small,  ///< β̃ = σ²_{t|s} σ_s²/σ_t², the true posterior variance
  fixed_large,  ///< σ²_{t|s} (β_t for adjacent steps; seed 001), no noise on the last step
};

/// DDPM ancestral sampler: x_s = posterior mean at x̂0 + √variance z. Works on any NoiseLevels;
/// on a DiscreteSchedule use the grid T−1, …, 0, −1 (ddim_timesteps(T, T)). One evaluation per step.
/// Draws: one d x n draw per step, after the model call, only where the step's variance is
/// positive — none on the last step to σ = 0, as diffusers' DDPMScheduler (noise only for t > 0).
template <class S = double>
struct Ddpm {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  static constexpr bool noise_to_data_only = true;
  DdpmVariance variance = DdpmVariance::fixed_small;  ///< reverse-step variance
  /// Clip x̂0 to [−c, c] before the posterior mean (diffusers' clip_sample with clip_sample_range
  /// c, applied to x̂0 of every prediction type, as diffusers does); off by default.
  std::optional<S> clip_x0 = {};
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise;
  } work = {};

  /// Throws diffuse::Error for a non-positive clip bound.
  void validate() const {
    if (clip_x0) check_positive("Ddpm", "clip_x0", *clip_x0);
  }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S t, S s, Noise& noise) {
    const auto& lv = model.levels();
    model.predict(x, t, work.pred);
    if (clip_x0) work.pred.x0 = work.pred.x0.cwiseMax(-*clip_x0).cwiseMin(*clip_x0);
    const S a_t = lv.alpha(t), s_t = lv.sigma(t), a_s = lv.alpha(s), s_s = lv.sigma(s);
    const S a_ts = a_t / a_s, var_ts = s_t * s_t - a_ts * a_ts * s_s * s_s;
    const S var = variance == DdpmVariance::fixed_small || s_s == S(0) ? var_ts * s_s * s_s / (s_t * s_t) : var_ts;
    // x_s = α_{t|s} σ_s²/σ_t² x_t + α_s σ²_{t|s}/σ_t² x̂0 + √var z
    x = (a_ts * s_s * s_s / (s_t * s_t)) * x + (a_s * var_ts / (s_t * s_t)) * work.pred.x0;
    if (var <= S(0)) return;
    detail::fill_noise(noise, work.noise, x.rows(), x.cols());
    x += std::sqrt(var) * work.noise;
  }
};

static_assert(Sampler<Ddpm<double>, detail::DenoiserArchetype<detail::ProcessArchetype<double>>>);
static_assert(Sampler<Ddpm<float>, detail::DenoiserArchetype<detail::ProcessArchetype<float>>>);

}  // namespace diffuse
