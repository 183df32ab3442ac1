#pragma once
// diffuse/samplers/dpm_solver_adaptive.hpp — DPM-Solver-12 and -23 with adaptive step size (Lu et
// al. 2022, Sec. 3.4 and Alg. 4; k-diffusion's sample_dpm_adaptive). Each trial step from λ to
// λ + h (λ = −log σ, from σ_max to σ_min) computes an embedded pair — DPM-Solver-1 and -2 for
// order 2, DPM-Solver-2 (r1 = ⅓) and -3 for order 3 (samplers/dpm_solver_steps.hpp) — and the
// error E = ‖(x_low − x_high)/δ‖₂/√(d n), δ = max(atol, rtol max(|x_low|, |x_prev|)). A PID
// controller (Söderlind 2003) with limiter 1 + atan(f − 1) scales h by
//   f = ε₀^{b1} ε₁^{b2} ε₂^{b3},  εᵢ = 1/(Eᵢ + 10⁻⁸),  b1 = (p + i + d)/k, b2 = −(p + 2d)/k, b3 = d/k,
// k the order (1.5 with η > 0), and accepts the step when f ≥ accept_safety.

#include <algorithm>
#include <cmath>
#include <span>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/ancestral.hpp"
#include "diffuse/samplers/dpm_solver_steps.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// DPM-Solver adaptive in σ-space. Like DpmSolverFast it makes its own steps: sample() takes the
/// grid {σ_max, σ_min} (σ_min > 0) and one step() runs to σ_min. `order` evaluations per trial step;
/// work.stats counts trials, accepted and rejected steps and evaluations.
/// Draws: one d x n draw per accepted step where η > 0; with draws = every_step, one per accepted
/// step whatever η (k-diffusion).
template <class S = double>
struct DpmSolverAdaptive {
  using Scalar = S;
  static constexpr bool noise_to_data_only = true;
  int order = 3;                             ///< 2 (DPM-Solver-12) or 3 (DPM-Solver-23)
  S rtol = S(0.05);                          ///< relative tolerance
  S atol = S(0.0078);                        ///< absolute tolerance
  S h_init = S(0.05);                        ///< first trial step in λ
  S pcoeff = 0, icoeff = 1, dcoeff = 0;      ///< PID coefficients (the default is plain I control)
  S accept_safety = S(0.81);                 ///< accept when the step factor is at least this
  S eta = 0;                                 ///< η of the ancestral split
  S s_noise = 1;                             ///< scale of the added noise
  NoiseDraws draws = NoiseDraws::when_used;  ///< when a draw happens (see above)
  int max_steps = 100000;                    ///< trial steps before giving up with an error
  int evals_per_step = 0;                    ///< not known in advance: see work.stats.evaluations
  struct Stats {
    int steps = 0, accepted = 0, rejected = 0;
    long evaluations = 0;
  };
  struct Workspace {
    detail::DpmSolverCache<S> cache;
    Matrix<S> noise, x_prev, x_low, delta;
    Stats stats;
  } work = {};

  /// Throws diffuse::Error for an order other than 2 or 3 or non-positive tolerances or h_init.
  void validate() const {
    constexpr const char* api = "DpmSolverAdaptive";
    DIFFUSE_REQUIRE(order == 2 || order == 3, api, "order must be 2 or 3", order, "2 or 3");
    check_non_negative(api, "rtol", rtol);
    check_non_negative(api, "atol", atol);
    DIFFUSE_REQUIRE(rtol > S(0) || atol > S(0), api, "rtol and atol are both zero", rtol, "a positive tolerance");
    check_positive(api, "h_init", h_init);
    check_positive(api, "accept_safety", accept_safety);
    check_finite(api, "pcoeff", pcoeff);
    check_finite(api, "icoeff", icoeff);
    check_finite(api, "dcoeff", dcoeff);
    check_non_negative(api, "eta", eta);
    check_non_negative(api, "s_noise", s_noise);
    check_at_least(api, "max_steps", max_steps, 1);
  }

  /// Throws diffuse::Error unless the grid is {σ_max, σ_min} with σ_min > 0.
  void reset(std::span<const S> grid) {
    DIFFUSE_REQUIRE(grid.size() == 2 && grid[1] > S(0), "DpmSolverAdaptive",
                    "the grid must be {sigma_max, sigma_min} with sigma_min > 0 (the solver makes its own steps)",
                    grid.size() == 2 ? detail::to_text(grid[1]) : std::to_string(grid.size()) + " points",
                    "two points, the last > 0");
    work.stats = {};
  }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma_max, S sigma_min, Noise& noise) {
    detail::require_sigma_space<D>();
    const S t_end = lambda_of_sigma(sigma_min), k = eta != S(0) ? S(1.5) : S(order);
    const S b1 = (pcoeff + icoeff + dcoeff) / k, b2 = -(pcoeff + 2 * dcoeff) / k, b3 = dcoeff / k;
    S s = lambda_of_sigma(sigma_max), h = h_init;
    S inv_errors[3] = {0, 0, 0};
    bool first = true;
    auto& c = work.cache;
    work.x_prev = x;
    while (s < t_end - S(1e-5)) {
      DIFFUSE_REQUIRE(work.stats.steps < max_steps, "DpmSolverAdaptive", "no convergence within max_steps trial steps",
                      max_steps, "a looser rtol/atol or a larger max_steps");
      const S t = std::min(t_end, s + h);
      S t_to = t, sigma_up = 0;
      if (eta != S(0)) {
        const AncestralStep<S> split = ancestral_step(sigma_of_lambda(s), sigma_of_lambda(t), eta);
        t_to = std::min(t_end, lambda_of_sigma(split.sigma_down));
        sigma_up = std::sqrt(sigma_of_lambda(t) * sigma_of_lambda(t) - sigma_of_lambda(t_to) * sigma_of_lambda(t_to));
      }
      c.has_r1 = false;
      detail::dpm_eps(model, x, s, c, c.eps);
      if (order == 2) {
        detail::dpm_solver_1(x, s, t_to, c);
        work.x_low.swap(c.out);
        detail::dpm_solver_2(model, x, s, t_to, S(0.5), c);
      } else {
        detail::dpm_solver_2(model, x, s, t_to, S(1) / 3, c);
        work.x_low.swap(c.out);
        detail::dpm_solver_3(model, x, s, t_to, c);
      }
      // E = ‖(x_low − x_high)/δ‖₂/√(d n),  δ = max(atol, rtol max(|x_low|, |x_prev|))
      work.delta = (rtol * work.x_low.cwiseAbs().cwiseMax(work.x_prev.cwiseAbs())).cwiseMax(atol);
      const S error = ((work.x_low - c.out).cwiseQuotient(work.delta)).norm() / std::sqrt(S(x.size()));
      // PID step factor with limiter 1 + atan(f − 1)
      const S inv_error = 1 / (error + S(1e-8));
      if (first) inv_errors[0] = inv_errors[1] = inv_errors[2] = inv_error, first = false;
      inv_errors[0] = inv_error;
      S factor = std::pow(inv_errors[0], b1) * std::pow(inv_errors[1], b2) * std::pow(inv_errors[2], b3);
      factor = 1 + std::atan(factor - 1);
      const bool accept = factor >= accept_safety;
      if (accept) {
        inv_errors[2] = inv_errors[1];
        inv_errors[1] = inv_errors[0];
      }
      h *= factor;
      if (accept) {
        work.x_prev.swap(work.x_low);
        x.swap(c.out);
        if (sigma_up > S(0) || draws == NoiseDraws::every_step) {
          detail::fill_noise(noise, work.noise, x.rows(), x.cols());
          // x ← x_high + σ_up s_noise z
          x += (sigma_up * s_noise) * work.noise;
        }
        s = t;
        ++work.stats.accepted;
      } else {
        ++work.stats.rejected;
      }
      work.stats.evaluations += order;
      ++work.stats.steps;
    }
  }
};

static_assert(Sampler<DpmSolverAdaptive<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<DpmSolverAdaptive<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
