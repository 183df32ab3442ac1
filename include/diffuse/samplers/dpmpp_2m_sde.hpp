#pragma once
// diffuse/samplers/dpmpp_2m_sde.hpp — DPM-Solver++(2M) SDE (Lu et al. 2023; k-diffusion's
// sample_dpmpp_2m_sde). In λ = −log σ with h = λ_next − λ and η h the extra noise rate:
//   x ← (σ_next/σ) e^{−ηh} x + (1 − e^{−h−ηh}) D + correction + σ_next √(1 − e^{−2ηh}) s_noise z,
// correction (with r = h_prev/h, ΔD = D − D_prev, none on the first step):
//   midpoint: ½ (1 − e^{−h−ηh}) ΔD / r,   heun: ((1 − e^{−h−ηh})/(−h − ηh) + 1) ΔD / r.
// The last step, to σ = 0, returns D. η = 0 is the deterministic DPM-Solver++(2M) ODE step.

#include <cmath>
#include <span>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// The second-order correction of DPM-Solver++(2M) SDE.
enum class SecondOrder {
  midpoint,  ///< ½ (1 − e^{−h−ηh}) ΔD / r (k-diffusion's default)
  heun,      ///< ((1 − e^{−h−ηh})/(−h − ηh) + 1) ΔD / r
};

/// DPM-Solver++(2M) SDE in σ-space, on a σ grid ending at 0; keeps the previous D and h between
/// steps (cleared by reset()). One evaluation per step.
/// Draws: with η > 0, one d x n draw per step after the model call, none on the last step to σ = 0
/// (as k-diffusion; with η = 0 none at all).
template <class S = double>
struct DpmSolverPP2MSde {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  static constexpr bool noise_to_data_only = true;
  S eta = 1;                                 ///< η: 0 the ODE step, 1 the SDE of Lu et al.
  S s_noise = 1;                             ///< scale of the added noise
  SecondOrder solver = SecondOrder::midpoint;  ///< the correction (see above)
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> noise, x0_prev;
    S h_prev = 0;
    bool has_prev = false;
  } work = {};

  /// Throws diffuse::Error for negative or NaN η or s_noise.
  void validate() const {
    check_non_negative("DpmSolverPP2MSde", "eta", eta);
    check_non_negative("DpmSolverPP2MSde", "s_noise", s_noise);
  }

  /// Forgets the previous step (starts a new trajectory).
  void reset(std::span<const S>) { work.has_prev = false; }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise& noise) {
    detail::require_sigma_space<D>();
    model.predict(x, sigma, work.pred);
    const Matrix<S>& x0 = work.pred.x0;
    if (sigma_next == S(0)) {
      x = x0;
    } else {
      const S h = lambda_of_sigma(sigma_next) - lambda_of_sigma(sigma), eta_h = eta * h;
      const S phi = -std::expm1(-h - eta_h);  // 1 − e^{−h−ηh}
      // x ← (σ_next/σ) e^{−ηh} x + (1 − e^{−h−ηh}) D
      x = (sigma_next / sigma * std::exp(-eta_h)) * x + phi * x0;
      if (work.has_prev) {
        const S r = work.h_prev / h;
        // midpoint: + ½ φ ΔD / r;  heun: + (φ/(−h − ηh) + 1) ΔD / r
        const S c = solver == SecondOrder::heun ? (phi / (-h - eta_h) + 1) * (1 / r) : S(0.5) * phi * (1 / r);
        x += c * (x0 - work.x0_prev);
      }
      if (eta != S(0)) {
        detail::fill_noise(noise, work.noise, x.rows(), x.cols());
        // x ← x + σ_next √(1 − e^{−2ηh}) s_noise z
        x += (sigma_next * std::sqrt(-std::expm1(-2 * eta_h)) * s_noise) * work.noise;
      }
      work.h_prev = h;
    }
    work.x0_prev = x0;
    work.has_prev = true;
  }
};

static_assert(Sampler<DpmSolverPP2MSde<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<DpmSolverPP2MSde<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
