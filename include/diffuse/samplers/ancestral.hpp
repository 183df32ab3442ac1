#pragma once
// diffuse/samplers/ancestral.hpp — the ancestral split of a step from σ to σ_next (k-diffusion's
// get_ancestral_step): a deterministic step down to σ_down, then fresh noise of std σ_up, with
//   σ_up = min(σ_next, η √(σ_next² (σ² − σ_next²)/σ²)),   σ_down = √(σ_next² − σ_up²),
// so that σ_down² + σ_up² = σ_next². η = 1 is the DDPM posterior's noise (Ho et al. 2020), η = 0
// a deterministic step (σ_down = σ_next).

#include <algorithm>
#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse {

/// The two halves of an ancestral step.
template <class S>
struct AncestralStep {
  S sigma_down;  ///< the level the deterministic part steps to
  S sigma_up;    ///< the std of the noise added after it
};

/// The ancestral split of a step from sigma to sigma_next with stochasticity eta (see above).
template <class S>
AncestralStep<S> ancestral_step(S sigma, S sigma_next, S eta = 1) {
  if (eta == S(0)) return {sigma_next, S(0)};
  const S up = std::min(sigma_next, eta * std::sqrt(sigma_next * sigma_next * (sigma * sigma - sigma_next * sigma_next) / (sigma * sigma)));
  return {std::sqrt(sigma_next * sigma_next - up * up), up};
}

namespace detail {

/// Throws diffuse::Error for a negative or NaN η or s_noise of ancestral sampler `api`.
template <class Options>
void validate_ancestral(const char* api, const Options& o) {
  check_non_negative(api, "eta", o.eta);
  check_non_negative(api, "s_noise", o.s_noise);
}

/// x ← x + σ_up s_noise z for a sampler with fields s_noise and draws, called where the peer
/// calls its noise sampler: draws z into `draw` where σ_up > 0, or always under every_step.
template <class Options, class S, class Noise>
void add_ancestral_noise(const Options& o, Matrix<S>& x, S sigma_up, Noise& noise, Matrix<S>& draw) {
  if (!(sigma_up > S(0)) && o.draws != NoiseDraws::every_step) return;
  fill_noise(noise, draw, x.rows(), x.cols());
  x += (o.s_noise * sigma_up) * draw;
}

}  // namespace detail

}  // namespace diffuse
