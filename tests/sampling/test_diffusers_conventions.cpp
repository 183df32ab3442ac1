// diffusers' scheduler conventions, each against values derived by hand from its rules: DDIM's
// steps_offset and its step to t − ⌊T/N⌋, DPM-Solver's timestep rule, and Euler-discrete's
// unrounded linspace timesteps (fractional steps through the σ-space view).
#include "support/catch.hpp"

#include <diffuse/models/oracle.hpp>
#include <diffuse/models/sigma_view.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

#include <vector>

#include "mixtures.hpp"

using namespace diffuse;

TEST_CASE("diffusers timesteps: leading with steps_offset, DPM-Solver's rounded linspace, unrounded linspace") {
  // leading: k ⌊1000/10⌋ + 1 for k = 9..0
  CHECK(ddim_timesteps(1000, 10, Spacing::leading, 1) ==
        std::vector<double>{901, 801, 701, 601, 501, 401, 301, 201, 101, 1, -1});
  // DPM-Solver: round(linspace(0, 999, 11)) = 0, 100, 200, 300, 400, 500, 599, 699, 799, 899, 999
  // (99.9 k rounded; 499.5 rounds to 500), reversed, the 0 dropped
  CHECK(dpm_solver_timesteps(1000, 10) == std::vector<double>{999, 899, 799, 699, 599, 500, 400, 300, 200, 100, -1});
  // Euler discrete "linspace": 999, 666, 333, 0 unrounded; and fractional for other counts
  CHECK(linspace_timesteps(1000, 4) == std::vector<double>{999, 666, 333, 0, -1});
  const auto fractional = linspace_timesteps(1000, 7);
  CHECK(fractional[1] == Approx(999.0 * 5 / 6).epsilon(1e-15));
  CHECK(fractional[1] != std::nearbyint(fractional[1]));
  CHECK_THROWS_AS(ddim_timesteps(1000, 10, Spacing::leading, 100), Error);
}

TEST_CASE("DDIM with prev_step_offset steps from t to t - T/N, as diffusers' DDIMScheduler") {
  // linspace spacing, T = 1000, N = 10: the model is evaluated at 999, 888, …, 0 and each step
  // lands on t − 100 (999 → 899, 888 → 788, …, 0 → the clean data).
  const DiscreteSchedule<double> schedule(linear_betas(1000, 1e-4, 0.02));
  OracleDenoiser model(sampling_test::cross_mixture(), schedule);
  Rng rng(31);
  const Matrix<double> start = rng.normal<double>(2, 20);
  const auto grid = ddim_timesteps(1000, 10, Spacing::linspace);
  REQUIRE(grid[1] == 888.0);
  Matrix<double> x = start;
  sample(Ddim<>{.prev_step_offset = 100}, model, x, grid, rng);
  Matrix<double> y = start;
  Prediction<double> pred;
  for (std::size_t k = 0; k + 1 < grid.size(); ++k) {
    const double t = grid[k], s = std::max(t - 100, -1.0);
    model.predict(y, t, pred);
    // x_s = √ᾱ_s x̂0 + √(1 − ᾱ_s) ε̂
    y = schedule.alpha(s) * pred.x0 + schedule.sigma(s) * pred.eps;
  }
  CHECK((x - y).cwiseAbs().maxCoeff() < 1e-13);
  // without the offset the same grid chains 999 → 888 → …, a different run
  Matrix<double> chained = start;
  sample(Ddim<>{}, model, chained, grid, rng);
  CHECK((chained - x).cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("Euler on diffusers' fractional linspace timesteps runs through the sigma-space view") {
  const DiscreteSchedule<double> schedule(linear_betas(1000, 1e-4, 0.02));
  OracleDenoiser model(sampling_test::cross_mixture(), schedule);
  SigmaView view(model);
  const auto times = linspace_timesteps(1000, 60);
  const auto sigmas = view.sigmas_of(times);
  // the view maps each fractional step back to itself
  for (std::size_t k = 0; k + 1 < times.size(); ++k) CHECK(std::abs(view.time_of(sigmas[k]) - times[k]) < 1e-9);
  Rng rng(32);
  Matrix<double> x = sigmas.front() * rng.normal<double>(2, 1500);
  sample(EdmEuler<>{}, view, x, sigmas, rng);
  const Matrix<double> exact = sampling_test::cross_mixture().sample(1500, rng).points;
  CHECK(sampling_test::mmd2(x, exact) < 3e-3);
}

TEST_CASE("clip_sample: DDPM clips x0 before the posterior mean, DDIM keeps or re-derives eps") {
  // With |x0| far above the clip bound, the clipped runs differ from the unclipped ones exactly by
  // the formulas: DDPM mean c_t x + c_0 clip(x̂0); DDIM α_s clip(x̂0) + σ_s ε̂ (diffusers' default)
  // or + σ_s (x − α_t clip(x̂0))/σ_t (use_clipped_model_output).
  const DiscreteSchedule<double> schedule(linear_betas(100, 1e-4, 0.02));
  OracleDenoiser model(sampling_test::cross_mixture(), schedule);
  Rng rng(33);
  const Matrix<double> x = 3 * rng.normal<double>(2, 8);
  const double t = 60, s = 59, c = 1.0;
  Prediction<double> pred;
  model.predict(x, t, pred);
  const Matrix<double> clipped = pred.x0.cwiseMax(-c).cwiseMin(c);
  REQUIRE((clipped - pred.x0).cwiseAbs().maxCoeff() > 0.5);
  const double a_t = schedule.alpha(t), s_t = schedule.sigma(t), a_s = schedule.alpha(s), s_s = schedule.sigma(s);
  Matrix<double> y = x;
  Ddim<>{.clip_x0 = c, .eps_from_clipped_x0 = false}.step(model, y, t, s, rng);
  CHECK((y - (a_s * clipped + s_s * pred.eps)).cwiseAbs().maxCoeff() < 1e-12);
  y = x;
  Ddim<>{.clip_x0 = c}.step(model, y, t, s, rng);
  CHECK((y - (a_s * clipped + s_s * (x - a_t * clipped) / s_t)).cwiseAbs().maxCoeff() < 1e-12);
  // DDPM to the clean data (no noise on that step): x_{-1} = clip(x̂0)
  y = x;
  Ddpm<>{.clip_x0 = c}.step(model, y, 0.0, -1.0, rng);
  model.predict(x, 0.0, pred);
  CHECK((y - pred.x0.cwiseMax(-c).cwiseMin(c)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK_THROWS_AS(Ddpm<>{.clip_x0 = 0.0}.validate(), Error);
}
