#pragma once
// diffuse/samplers/sample.hpp — the one sampling loop: validates the grid once, steps a Sampler
// along it, counts network evaluations and calls observers.
//
// Boost.Odeint's integrate() split: a sampler knows one step (x_t -> x_{t_next}); this driver owns
// the loop. Samplers with state across steps (multistep solvers, per-run churn) provide
// reset(grid), called once before the first step; samplers with options to check provide
// validate(), called once at entry.

#include <cmath>
#include <span>
#include <string>
#include <utility>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/observer.hpp"

namespace diffuse {

/// What a sampling run did.
struct SampleStats {
  int steps = 0;         ///< sampler steps taken (grid size − 1)
  long evaluations = 0;  ///< Denoiser::predict calls (network evaluations per sample batch)
};

namespace detail {

/// Forwards to a Denoiser and counts predict() calls.
template <Denoiser D>
struct CountingDenoiser {
  using Scalar = scalar_of<D>;
  D* model;
  long count = 0;
  void predict(const Matrix<Scalar>& x, Scalar t, Prediction<Scalar>& out) {
    ++count;
    model->predict(x, t, out);
  }
  decltype(auto) levels() const { return model->levels(); }
};

/// The least a Denoiser provides: samplers are checked against it with static_assert.
template <NoiseLevels L>
struct DenoiserArchetype {
  using Scalar = scalar_of<L>;
  L noise_levels;
  void predict(const Matrix<Scalar>&, Scalar, Prediction<Scalar>&) {}
  const L& levels() const { return noise_levels; }
};

/// The least a Process provides (α = 1, σ = t, f = 0, g = 1): for static_asserts.
template <class S>
struct ProcessArchetype {
  using Scalar = S;
  S alpha(S) const { return 1; }
  S sigma(S t) const { return t; }
  S drift_coef(S) const { return 0; }
  S diffusion(S) const { return 1; }
  S t_min() const { return 0; }
  S t_max() const { return 1; }
  Matrix<S> sample_prior(Index d, Index n, Rng& rng) const { return rng.normal<S>(d, n); }
};

/// Resizes `noise` to rows x cols (a no-op at the same size) and fills it with N(0, 1) draws.
template <class S>
void fill_noise(Rng& rng, Matrix<S>& noise, Index rows, Index cols) {
  noise.resize(rows, cols);
  rng.fill_normal(noise);
}

}  // namespace detail

/// Runs `sampler` on x (d x n, in place) along grid t_0, …, t_N: x is taken to be at t_0 and ends
/// at t_N. The grid must have ≥ 2 finite, strictly monotone points (decreasing noise for
/// sampling, increasing for DDIM inversion), on which the model's noise levels are valid: α(t_k)
/// finite and >= 0, σ(t_k) finite and > 0 except σ(t_N) >= 0 (every step divides by σ(t_k) of
/// its start). observer(x, t_k, k) is called for k = 0..N.
template <class Smp, Denoiser D, class Observer = NoObserver>
  requires Sampler<Smp, detail::CountingDenoiser<D>>
SampleStats sample(Smp& sampler, D& model, Matrix<scalar_of<D>>& x, std::span<const scalar_of<D>> grid, Rng& rng,
                   Observer&& observer = {}) {
  constexpr const char* api = "sample";
  check_nonempty(api, "x", x);
  check_all_finite(api, "x", x);
  DIFFUSE_REQUIRE(grid.size() >= 2, api, "time grid needs at least two points", grid.size(), ">= 2");
  const bool decreasing = grid[1] < grid[0];
  for (std::size_t k = 0; k < grid.size(); ++k) {
    check_finite(api, "t[" + std::to_string(k) + "]", grid[k]);
    if (k == 0) continue;
    const bool ok = decreasing ? grid[k] < grid[k - 1] : grid[k] > grid[k - 1];
    DIFFUSE_REQUIRE(ok, api,
                    "time grid must be strictly monotone (t[" + std::to_string(k) + "] vs t[" +
                        std::to_string(k - 1) + "] = " + detail::to_text(grid[k - 1]) + ")",
                    grid[k], decreasing ? "strictly decreasing" : "strictly increasing");
  }
  // Levels outside their domain (a negative VP time, a step past a DiscreteSchedule) would give
  // NaN or read out of bounds inside the loop; reject them here, once.
  const auto& levels = model.levels();
  for (std::size_t k = 0; k < grid.size(); ++k) {
    const auto alpha = levels.alpha(grid[k]), sigma = levels.sigma(grid[k]);
    const bool last = k + 1 == grid.size();
    DIFFUSE_REQUIRE(std::isfinite(alpha) && alpha >= 0 && std::isfinite(sigma) && (last ? sigma >= 0 : sigma > 0), api,
                    "noise levels are invalid at t[" + std::to_string(k) + "] = " + detail::to_text(grid[k]),
                    "alpha " + detail::to_text(alpha) + ", sigma " + detail::to_text(sigma),
                    last ? "finite alpha >= 0 and sigma >= 0" : "finite alpha >= 0 and sigma > 0 (a step starts here)");
  }
  if constexpr (requires { sampler.validate(); }) sampler.validate();
  if constexpr (requires { sampler.reset(grid); }) sampler.reset(grid);
  detail::CountingDenoiser<D> counted{&model};
  observer(std::as_const(x), grid[0], 0);
  const int steps = static_cast<int>(grid.size()) - 1;
  for (int k = 0; k < steps; ++k) {
    sampler.step(counted, x, grid[static_cast<std::size_t>(k)], grid[static_cast<std::size_t>(k) + 1], rng);
    observer(std::as_const(x), grid[static_cast<std::size_t>(k) + 1], k + 1);
  }
  return {steps, counted.count};
}

}  // namespace diffuse
