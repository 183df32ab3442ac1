#pragma once
// diffuse/schedules/sigma_levels.hpp — noise levels indexed by σ itself (NCSN, VE, EDM), and the
// log signal-to-noise ratio λ(t) = log(α(t)/σ(t)) of any NoiseLevels.
//
// Karras, Aittala, Aila, Laine, "Elucidating the Design Space of Diffusion-Based Generative
// Models" (EDM, 2022), Table 1: with s(t) = 1 and σ(t) = t the probability-flow ODE is
// dx/dσ = (x − D(x; σ))/σ. Song & Ermon, "Generative Modeling by Estimating Gradients of the Data
// Distribution" (NCSN, 2019): x_σ = x0 + σ ε. Lu et al., "DPM-Solver" (2022), eq. (3.4): λ(t).

#include <cmath>

#include "diffuse/core/concepts.hpp"

namespace diffuse {

/// Noise levels with t = σ: alpha(t) = 1, sigma(t) = t. The level set of NCSN and EDM; the
/// sampling grid is the list of σ values (e.g. karras_sigmas or geometric_sigmas), ending at 0.
template <class S = double>
struct SigmaLevels {
  using Scalar = S;
  /// α(σ) = 1: the data is never scaled.
  S alpha(S) const { return S(1); }
  /// σ(t) = t.
  S sigma(S t) const { return t; }
};

static_assert(NoiseLevels<SigmaLevels<double>>);
static_assert(NoiseLevels<SigmaLevels<float>>);

/// λ(t) = log(α(t)/σ(t)), the half log-SNR used by DPM-Solver; +∞ where σ = 0.
template <NoiseLevels L>
scalar_of<L> log_snr(const L& levels, scalar_of<L> t) {
  return std::log(levels.alpha(t)) - std::log(levels.sigma(t));
}

/// λ = −log σ, the time variable of DPM-Solver in σ-space (α = 1; k-diffusion's t_fn).
template <class S>
S lambda_of_sigma(S sigma) {
  return -std::log(sigma);
}

/// σ = e^{−λ}, the inverse of lambda_of_sigma (k-diffusion's sigma_fn).
template <class S>
S sigma_of_lambda(S lambda) {
  return std::exp(-lambda);
}

}  // namespace diffuse
