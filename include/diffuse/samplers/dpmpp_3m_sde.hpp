#pragma once
// diffuse/samplers/dpmpp_3m_sde.hpp — DPM-Solver++(3M) SDE (k-diffusion's sample_dpmpp_3m_sde),
// the third-order multistep data-prediction solver with extra noise. In λ = −log σ, with
// h = λ_next − λ, h_η = (1 + η) h, φ₂ = (e^{−h_η} − 1)/h_η + 1, φ₃ = φ₂/h_η − ½:
//   x ← e^{−h_η} x + (1 − e^{−h_η}) D + φ₂ D₁ − φ₃ D₂ + σ_next √(1 − e^{−2ηh}) s_noise z,
// where, with r₀ = h₋₁/h, r₁ = h₋₂/h, δ₀ = (D − D₋₁)/r₀, δ₁ = (D₋₁ − D₋₂)/r₁:
//   D₁ = δ₀ + (δ₀ − δ₁) r₀/(r₀ + r₁),  D₂ = (δ₀ − δ₁)/(r₀ + r₁)   (two previous steps)
//   D₁ = δ₀, D₂ = 0                                                 (one previous step)
//   D₁ = D₂ = 0                                                     (the first step).
// The last step, to σ = 0, returns D. η = 0 is the deterministic DPM-Solver++(3M) step.

#include <cmath>
#include <span>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// DPM-Solver++(3M) SDE in σ-space, on a σ grid ending at 0; keeps two previous D and h
/// (cleared by reset()). One evaluation per step; third order with η = 0 on smooth problems.
/// Draws: with η > 0, one d x n draw per step after the model call, none on the last step to σ = 0
/// (as k-diffusion; with η = 0 none at all).
template <class S = double>
struct DpmSolverPP3MSde {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  static constexpr bool noise_to_data_only = true;
  S eta = 1;      ///< η: 0 the ODE step
  S s_noise = 1;  ///< scale of the added noise
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise, x0_1, x0_2, d1, d2;  // D₋₁, D₋₂ and the two differences
    S h_1 = 0, h_2 = 0;
    int history = 0;  // previous steps kept (0, 1 or 2)
  } work = {};

  /// Throws diffuse::Error for negative or NaN η or s_noise.
  void validate() const {
    check_non_negative("DpmSolverPP3MSde", "eta", eta);
    check_non_negative("DpmSolverPP3MSde", "s_noise", s_noise);
  }

  /// Forgets the history (starts a new trajectory).
  void reset(std::span<const S>) { work.history = 0; }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    model.predict(x, sigma, work.pred);
    const Matrix<S>& x0 = work.pred.x0;
    S h = work.h_1;  // as k-diffusion, the last step to σ = 0 passes the previous h on
    if (sigma_next == S(0)) {
      x = x0;
    } else {
      h = lambda_of_sigma(sigma_next) - lambda_of_sigma(sigma);
      const S h_eta = h * (eta + 1);
      // x ← e^{−h_η} x + (1 − e^{−h_η}) D
      x = std::exp(-h_eta) * x - std::expm1(-h_eta) * x0;
      const S phi_2 = std::expm1(-h_eta) / h_eta + 1;
      if (work.history >= 2) {
        const S r0 = work.h_1 / h, r1 = work.h_2 / h;
        // δ₀ = (D − D₋₁)/r₀, δ₁ = (D₋₁ − D₋₂)/r₁
        work.d1 = (x0 - work.x0_1) / r0;
        work.d2 = (work.x0_1 - work.x0_2) / r1;
        const S phi_3 = phi_2 / h_eta - S(0.5);
        // x ← x + φ₂ [δ₀ + (δ₀ − δ₁) r₀/(r₀ + r₁)] − φ₃ (δ₀ − δ₁)/(r₀ + r₁)
        x += phi_2 * (work.d1 + (work.d1 - work.d2) * (r0 / (r0 + r1))) - phi_3 * ((work.d1 - work.d2) / (r0 + r1));
      } else if (work.history == 1) {
        // x ← x + φ₂ (D − D₋₁)/r,  r = h₋₁/h
        x += phi_2 * ((x0 - work.x0_1) / (work.h_1 / h));
      }
      if (eta != S(0)) {
        detail::fill_noise(noise, work.noise, x.rows(), x.cols());
        // x ← x + σ_next √(1 − e^{−2ηh}) s_noise z
        x += (sigma_next * std::sqrt(-std::expm1(-2 * h * eta)) * s_noise) * work.noise;
      }
    }
    work.x0_2.swap(work.x0_1);
    work.x0_1 = x0;
    work.h_2 = work.h_1;
    work.h_1 = h;
    work.history = std::min(work.history + 1, 2);
  }
};

static_assert(Sampler<DpmSolverPP3MSde<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<DpmSolverPP3MSde<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
