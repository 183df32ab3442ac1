#pragma once
// diffuse/samplers/churn.hpp — the stochastic "churn" of Karras et al. (2022), Alg. 2, lines 4–6,
// shared by the σ-space samplers that offer it (EDM Heun, Euler; k-diffusion's s_churn, s_tmin,
// s_tmax, s_noise):
//   γ = min(S_churn/N, √2 − 1) if S_min ≤ σ ≤ S_max else 0,   σ̂ = (1 + γ) σ,
//   x̂ = x + √(σ̂² − σ²) S_noise z.

#include <algorithm>
#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse::detail {

/// Throws diffuse::Error for negative or NaN S_churn or S_noise of sampler `api`.
template <class Options>
void validate_churn(const char* api, const Options& o) {
  check_non_negative(api, "s_churn", o.s_churn);
  check_non_negative(api, "s_noise", o.s_noise);
}

/// Applies churn to x at σ for a sampler with fields s_churn, s_min, s_max, s_noise and draws,
/// over a grid of `steps` steps, and returns σ̂. Draws one d x n sample into `draw` where γ > 0,
/// or at every call when draws = NoiseDraws::every_step (the peers' order).
template <class Options, class S, class Noise>
S churn(const Options& o, int steps, Matrix<S>& x, S sigma, Noise& noise, Matrix<S>& draw) {
  const bool active = o.s_churn > S(0) && sigma >= o.s_min && sigma <= o.s_max;
  const S gamma = active ? std::min(o.s_churn / S(steps), std::sqrt(S(2)) - 1) : S(0);
  const S sigma_hat = sigma * (1 + gamma);
  if (gamma > S(0) || o.draws == NoiseDraws::every_step) fill_noise(noise, draw, x.rows(), x.cols());
  // x̂ = x + √(σ̂² − σ²) S_noise z
  if (gamma > S(0)) x += (std::sqrt(sigma_hat * sigma_hat - sigma * sigma) * o.s_noise) * draw;
  return sigma_hat;
}

}  // namespace diffuse::detail
