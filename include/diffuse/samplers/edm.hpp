#pragma once
// diffuse/samplers/edm.hpp — EDM's Heun sampler, deterministic or stochastic (Karras et al. 2022,
// Alg. 1 and Alg. 2; seed 004), on levels with σ(t) = t and α = 1 (SigmaLevels).
//
// Churn (Alg. 2): γ = min(S_churn/N, √2 − 1) when S_min ≤ σ ≤ S_max, σ̂ = (1 + γ) σ,
// x̂ = x + √(σ̂² − σ²) S_noise z. Then Heun on dx/dσ = (x − D(x; σ))/σ from σ̂ to σ_next, with
// a plain Euler step when σ_next = 0.

#include <cmath>
#include <limits>
#include <span>
#include <type_traits>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// EDM Heun sampler on a σ grid (karras_sigmas). With s_churn = 0 it is deterministic (Alg. 1).
/// Two evaluations per step, one on the last step to σ = 0.
template <class S = double>
struct EdmHeun {
  using Scalar = S;
  static constexpr int evals_per_step = 2;
  S s_churn = 0;                                    ///< total churn S_churn (0: deterministic)
  S s_min = 0;                                      ///< churn only for σ ≥ S_min
  S s_max = std::numeric_limits<S>::infinity();     ///< churn only for σ ≤ S_max
  S s_noise = 1;                                    ///< S_noise, inflation of the added noise
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise, d, probe;
    int steps = 1;  // N, set by reset()
  } work = {};

  /// Throws diffuse::Error for negative S_churn or S_noise.
  void validate() const {
    check_non_negative("EdmHeun", "s_churn", s_churn);
    check_non_negative("EdmHeun", "s_noise", s_noise);
  }

  /// Records the number of steps N = grid size − 1 that S_churn is spread over.
  void reset(std::span<const S> grid) { work.steps = static_cast<int>(grid.size()) - 1; }

  template <Denoiser D>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Rng& rng) {
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(model.levels())>, SigmaLevels<S>>,
                  "EdmHeun takes t = σ: give the model SigmaLevels noise levels");
    S sigma_hat = sigma;
    if (s_churn > S(0) && sigma >= s_min && sigma <= s_max) {
      const S gamma = std::min(s_churn / S(work.steps), std::sqrt(S(2)) - 1);
      sigma_hat = sigma * (1 + gamma);
      detail::fill_noise(rng, work.noise, x.rows(), x.cols());
      // x̂ = x + √(σ̂² − σ²) S_noise z
      x += (std::sqrt(sigma_hat * sigma_hat - sigma * sigma) * s_noise) * work.noise;
    }
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
