#pragma once
// diffuse/samplers/sample.hpp — the one sampling loop: validates the grid once, steps a Sampler
// along it, counts network evaluations and calls observers.
//
// Boost.Odeint's integrate() split: a sampler knows one step (x_t -> x_{t_next}); this driver owns
// the loop. Samplers with state across steps (multistep solvers, per-run churn) provide
// reset(grid), called once before the first step; samplers with options to check provide
// validate(), called once at entry.

#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/observer.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// What a sampling run did.
struct SampleStats {
  int steps = 0;         ///< sampler steps taken (grid size − 1)
  long evaluations = 0;  ///< Denoiser::predict calls (network evaluations per sample batch)
};

namespace detail {

/// Forwards to a Denoiser and counts network evaluations.
template <Denoiser D>
struct CountingDenoiser {
  using Scalar = scalar_of<D>;
  D* model;
  long count = 0;
  void predict(const Matrix<Scalar>& x, Scalar t, Prediction<Scalar>& out) {
    count += evals_per_predict<D>();
    model->predict(x, t, out);
  }
  decltype(auto) levels() const { return model->levels(); }
};

/// Fails to compile, with the fix in the message, unless D works in σ-space (SigmaLevels: α = 1,
/// t = σ), as the samplers that integrate dx/dσ = (x − D(x; σ))/σ need.
template <class D>
constexpr void require_sigma_space() {
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(std::declval<D&>().levels())>, SigmaLevels<scalar_of<D>>>,
                "this sampler works in sigma-space (x = x0 + sigma eps, t = sigma): present the model there with "
                "SigmaView(model) (diffuse/models/sigma_view.hpp) and sample on a sigma grid such as "
                "view.karras_sigmas(steps)");
}

/// Fails to compile, naming both scalar types in the message, unless a sampler's and a model's
/// scalars agree.
template <class SamplerScalar, class ModelScalar>
constexpr void require_same_scalar() {
  static_assert(!(std::is_same_v<SamplerScalar, float> && std::is_same_v<ModelScalar, double>),
                "diffuse::sample: the sampler's scalar is float but the model's is double: use the model's "
                "scalar for the sampler (e.g. Ddim<double>{}) or a float model");
  static_assert(!(std::is_same_v<SamplerScalar, double> && std::is_same_v<ModelScalar, float>),
                "diffuse::sample: the sampler's scalar is double but the model's is float: use the model's "
                "scalar for the sampler (e.g. Ddim<float>{}) or a double model");
  static_assert(std::is_same_v<SamplerScalar, ModelScalar>,
                "diffuse::sample: the sampler's and the model's scalar types differ: use one scalar type");
}

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

/// Resizes `draw` to rows x cols (a no-op at the same size) and fills it with N(0, 1) draws from
/// `noise`.
template <class S, NoiseSource<S> Noise>
void fill_noise(Noise& noise, Matrix<S>& draw, Index rows, Index cols) {
  draw.resize(rows, cols);
  noise.fill_normal(draw);
}

}  // namespace detail

/// Runs `sampler` (an lvalue, or a temporary such as Ddim<double>{}) on x (d x n, in place)
/// along grid t_0, …, t_N, drawing noise from `noise` (any NoiseSource: Rng, ReplayNoise,
/// RecordingNoise): x is taken to be at t_0 and ends at t_N. The grid must have ≥ 2 finite, strictly
/// monotone points (decreasing noise for sampling, increasing for DDIM inversion; samplers that
/// only go from noise to data declare `noise_to_data_only`), on which the model's noise levels are
/// valid: α(t_k) finite and >= 0, σ(t_k) finite and > 0 except σ(t_N) >= 0 (every step divides by
/// σ(t_k) of its start), and the model accepts every step start (Denoiser::check_step_start, e.g.
/// an ε-model needs α > 0). observer(x, t_k, k) is called for k = 0..N. The returned evaluation
/// count is network evaluations (a guided prediction costs two).
template <class Smp, Denoiser D, class Noise, class Observer = NoObserver>
SampleStats sample(Smp&& sampler, D& model, Matrix<scalar_of<D>>& x, std::span<const scalar_of<D>> grid, Noise&& noise,
                   Observer&& observer = {}) {
  using SamplerType = std::remove_cvref_t<Smp>;
  using S = scalar_of<D>;
  if constexpr (HasScalar<SamplerType>) detail::require_same_scalar<scalar_of<SamplerType>, S>();
  static_assert(NoiseSource<std::remove_cvref_t<Noise>, S>,
                "diffuse::sample: the noise argument must model NoiseSource (fill_normal(Matrix<S>&)): pass an Rng, "
                "a ReplayNoise or a RecordingNoise");
  static_assert(Sampler<SamplerType, detail::CountingDenoiser<D>, std::remove_cvref_t<Noise>>,
                "diffuse::sample: the sampler must model Sampler (step(model, x, t, t_next, noise) and evals_per_step) "
                "for this model and noise source");
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
  if constexpr (requires { SamplerType::noise_to_data_only; }) {
    DIFFUSE_REQUIRE(!SamplerType::noise_to_data_only || decreasing, api,
                    "this sampler only runs from noise to data, but the time grid increases", grid[1],
                    "a decreasing grid (t[1] < t[0] = " + detail::to_text(grid[0]) + ")");
  }
  // Levels outside their domain (a negative VP time, a step past a DiscreteSchedule) would give
  // NaN or read out of bounds inside the loop; reject them here, once.
  const auto& levels = model.levels();
  S previous_ratio = std::numeric_limits<S>::infinity();
  for (std::size_t k = 0; k < grid.size(); ++k) {
    const auto alpha = levels.alpha(grid[k]), sigma = levels.sigma(grid[k]);
    const bool last = k + 1 == grid.size();
    // σ² must neither overflow nor, where a step starts (and divides by it), underflow to 0
    const auto sigma2 = sigma * sigma;
    DIFFUSE_REQUIRE(std::isfinite(alpha) && alpha >= 0 && std::isfinite(sigma2) && (last ? sigma >= 0 : sigma2 > 0), api,
                    "noise levels are invalid at t[" + std::to_string(k) + "] = " + detail::to_text(grid[k]),
                    "alpha " + detail::to_text(alpha) + ", sigma " + detail::to_text(sigma),
                    last ? "finite alpha >= 0 and sigma >= 0 with a finite sigma^2"
                         : "finite alpha >= 0 and sigma > 0 whose square neither overflows nor underflows (a step starts here)");
    if constexpr (Process<std::remove_cvref_t<decltype(levels)>>) {
      DIFFUSE_REQUIRE(grid[k] >= 0, api, "a continuous process has no negative times (t[" + std::to_string(k) + "])",
                      grid[k], "t >= 0");
    }
    if constexpr (requires { SamplerType::noise_to_data_only; }) {
      // A step from noise to data must not gain signal-to-noise backwards: σ/α may not grow along the grid.
      const S ratio = alpha > 0 ? S(sigma / alpha) : std::numeric_limits<S>::infinity();
      DIFFUSE_REQUIRE(ratio <= previous_ratio, api,
                      "noise level sigma/alpha grows from t[" + std::to_string(k - 1) + "] to t[" + std::to_string(k) + "]",
                      ratio, "<= " + detail::to_text(previous_ratio) + " (noise decreases along a sampling grid)");
      previous_ratio = ratio;
    }
    if constexpr (requires { model.check_step_start(grid[k]); }) {
      if (!last) model.check_step_start(grid[k]);
    }
  }
  if constexpr (requires { sampler.validate(); }) sampler.validate();
  if constexpr (requires { sampler.reset(grid); }) sampler.reset(grid);
  detail::CountingDenoiser<D> counted{&model};
  observer(std::as_const(x), grid[0], 0);
  const int steps = static_cast<int>(grid.size()) - 1;
  for (int k = 0; k < steps; ++k) {
    sampler.step(counted, x, grid[static_cast<std::size_t>(k)], grid[static_cast<std::size_t>(k) + 1], noise);
    // A finite start can still overflow (|x| near the largest double, a network far off its
    // training range): say where, instead of returning NaN.
    DIFFUSE_REQUIRE(x.allFinite(), api,
                    "the sample became non-finite in step " + std::to_string(k) + " (t = " +
                        detail::to_text(grid[static_cast<std::size_t>(k)]) + " -> " +
                        detail::to_text(grid[static_cast<std::size_t>(k) + 1]) + ")",
                    "a non-finite entry", "finite samples: check the model's outputs and the scale of x");
    observer(std::as_const(x), grid[static_cast<std::size_t>(k) + 1], k + 1);
  }
  return {steps, counted.count};
}

}  // namespace diffuse
