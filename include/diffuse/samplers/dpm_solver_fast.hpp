#pragma once
// diffuse/samplers/dpm_solver_fast.hpp — DPM-Solver-fast (Lu et al. 2022, Sec. 3.4; k-diffusion's
// sample_dpm_fast): a fixed budget of `nfe` evaluations spent on m = ⌊nfe/3⌋ + 1 steps uniform in
// λ = −log σ from σ_max to σ_min, of orders 3, …, 3, then 2, 1 when 3 divides nfe, else
// 3, …, 3, nfe mod 3 (samplers/dpm_solver_steps.hpp). With η > 0 each step goes down to the
// ancestral σ_down and adds noise of std √(σ_next² − σ_down²).

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/ancestral.hpp"
#include "diffuse/samplers/dpm_solver_steps.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"
#include "diffuse/schedules/time_grid.hpp"

namespace diffuse {

/// The orders of DPM-Solver-fast's steps for a budget of nfe evaluations (they sum to nfe).
inline std::vector<int> dpm_solver_fast_orders(int nfe) {
  check_at_least("dpm_solver_fast_orders", "nfe", nfe, 1);
  const int m = nfe / 3 + 1;
  std::vector<int> orders;
  if (nfe % 3 == 0) {
    orders.assign(static_cast<std::size_t>(m - 2), 3);
    orders.push_back(2);
    orders.push_back(1);
  } else {
    orders.assign(static_cast<std::size_t>(m - 1), 3);
    orders.push_back(nfe % 3);
  }
  return orders;
}

/// DPM-Solver-fast in σ-space. Its grid is its own: sample() takes the two-point grid
/// {σ_max, σ_min} (σ_min > 0; the run ends there, as k-diffusion's) and one step() runs the whole
/// schedule. nfe evaluations in all.
/// Draws: with η > 0, one d x n draw after each of its steps; with draws = every_step, one after
/// every step whatever η (k-diffusion calls its noise sampler at every step).
template <class S = double>
struct DpmSolverFast {
  using Scalar = S;
  static constexpr bool noise_to_data_only = true;
  int nfe = 10;                              ///< the evaluation budget
  S eta = 0;                                 ///< η of the ancestral split (0: the ODE solver)
  S s_noise = 1;                             ///< scale of the added noise
  NoiseDraws draws = NoiseDraws::when_used;  ///< when a draw happens (see above)
  int evals_per_step = nfe;                  ///< derived from nfe; do not set
  struct Workspace {
    detail::DpmSolverCache<S> cache;
    Matrix<S> noise;
  } work = {};

  /// Throws diffuse::Error for nfe < 1, negative η or s_noise.
  void validate() const {
    check_at_least("DpmSolverFast", "nfe", nfe, 1);
    check_non_negative("DpmSolverFast", "eta", eta);
    check_non_negative("DpmSolverFast", "s_noise", s_noise);
  }

  /// Throws diffuse::Error unless the grid is {σ_max, σ_min} with σ_min > 0.
  void reset(std::span<const S> grid) {
    DIFFUSE_REQUIRE(grid.size() == 2 && grid[1] > S(0), "DpmSolverFast",
                    "the grid must be {sigma_max, sigma_min} with sigma_min > 0 (the solver makes its own steps)",
                    grid.size() == 2 ? detail::to_text(grid[1]) : std::to_string(grid.size()) + " points",
                    "two points, the last > 0");
  }

  template <Denoiser D, NoiseSource<S> Noise>
  void step(D& model, Matrix<S>& x, S sigma_max, S sigma_min, Noise& noise) {
    detail::require_sigma_space<D>();
    const S t_start = lambda_of_sigma(sigma_max), t_end = lambda_of_sigma(sigma_min);
    const std::vector<int> orders = dpm_solver_fast_orders(nfe);
    const std::vector<S> ts = detail::torch_linspace(t_start, t_end, static_cast<int>(orders.size()) + 1);
    auto& c = work.cache;
    for (std::size_t i = 0; i < orders.size(); ++i) {
      const S t = ts[i], t_next = ts[i + 1];
      S t_to = t_next, sigma_up = 0;
      if (eta != S(0)) {
        const AncestralStep<S> split = ancestral_step(sigma_of_lambda(t), sigma_of_lambda(t_next), eta);
        t_to = std::min(t_end, lambda_of_sigma(split.sigma_down));
        sigma_up = std::sqrt(sigma_of_lambda(t_next) * sigma_of_lambda(t_next) - sigma_of_lambda(t_to) * sigma_of_lambda(t_to));
      }
      c.has_r1 = false;
      detail::dpm_eps(model, x, t, c, c.eps);
      if (orders[i] == 1) detail::dpm_solver_1(x, t, t_to, c);
      else if (orders[i] == 2) detail::dpm_solver_2(model, x, t, t_to, S(0.5), c);
      else detail::dpm_solver_3(model, x, t, t_to, c);
      x.swap(c.out);
      if (sigma_up > S(0) || draws == NoiseDraws::every_step) {
        detail::fill_noise(noise, work.noise, x.rows(), x.cols());
        // x ← x + σ_up s_noise z
        x += (sigma_up * s_noise) * work.noise;
      }
    }
  }
};

static_assert(Sampler<DpmSolverFast<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<DpmSolverFast<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
