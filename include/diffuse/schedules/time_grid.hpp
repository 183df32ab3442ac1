#pragma once
// diffuse/schedules/time_grid.hpp — sampling times, kept apart from the noise levels they index.
//
// A time grid is a std::vector<S> of times t_0, t_1, …, t_N visited by a sampler, monotone in
// the direction of sampling. Karras σ: Karras et al. (EDM, 2022), eq. (5). Geometric σ: Song &
// Ermon (NCSN, 2019), Sec. 4.2. DDIM sub-sequences: Song, Meng, Ermon (DDIM, 2021), Sec. 4.2, with
// the three spacings of Lin et al. (2023), Table 2.

#include <cmath>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"

namespace diffuse {

namespace detail {
/// n points from a to b as torch.linspace computes them (the first half counted up from a, the
/// second half down from b), so that grids built from it match a PyTorch run to the last bit.
template <class S>
std::vector<S> torch_linspace(S a, S b, int n) {
  std::vector<S> v(static_cast<std::size_t>(n));
  if (n == 1) {
    v[0] = a;
    return v;
  }
  const S step = (b - a) / S(n - 1);
  const int half = n / 2;
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i < half ? a + step * S(i) : b - step * S(n - 1 - i);
  return v;
}

/// n points from a to b as numpy.linspace computes them (a + i step, the last set to b).
inline std::vector<double> numpy_linspace(double a, double b, int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  const double step = n > 1 ? (b - a) / (n - 1) : 0.0;
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = a + i * step;
  if (n > 1) v.back() = b;
  return v;
}

/// A grid builder's output, in S, must be strictly monotone and finite: levels that coincide
/// after rounding to S (a float grid whose ends differ only in double, a Karras ρ so small that
/// the levels crowd at σ_max) would give a sampler zero-length or NaN steps.
template <class S>
void check_grid(const char* api, const std::vector<S>& grid, const char* fix) {
  for (std::size_t i = 0; i < grid.size(); ++i) {
    DIFFUSE_REQUIRE(std::isfinite(grid[i]), api, "grid point " + std::to_string(i) + " is not finite", grid[i], fix);
    if (i == 0) continue;
    const bool decreasing = grid[1] < grid[0];
    DIFFUSE_REQUIRE(decreasing ? grid[i] < grid[i - 1] : grid[i] > grid[i - 1], api,
                    "grid points " + std::to_string(i - 1) + " and " + std::to_string(i) + " coincide in " +
                        (sizeof(S) == 4 ? "float" : "double"),
                    grid[i], fix);
  }
}
}  // namespace detail

/// steps + 1 equally spaced times from t_start to t_end (either direction).
template <class S = double>
std::vector<S> uniform_grid(double t_start, double t_end, int steps) {
  check_count("uniform_grid", "steps", steps, 1);
  check_finite("uniform_grid", "t_start", t_start);
  check_finite("uniform_grid", "t_end", t_end);
  DIFFUSE_REQUIRE(t_start != t_end, "uniform_grid", "t_start equals t_end", t_start, "t_start != t_end");
  std::vector<S> grid(static_cast<std::size_t>(steps) + 1);
  for (int i = 0; i <= steps; ++i) grid[static_cast<std::size_t>(i)] = static_cast<S>(t_start + (t_end - t_start) * i / steps);
  // The endpoints are exact: rounding may not leave a grid ending at 0 a hair below it.
  grid.front() = static_cast<S>(t_start);
  grid.back() = static_cast<S>(t_end);
  detail::check_grid("uniform_grid", grid, "t_start and t_end further apart, or fewer steps");
  return grid;
}

/// Options of the Karras σ grid.
struct KarrasGrid {
  double sigma_min = 0.002;  ///< smallest nonzero σ
  double sigma_max = 80;     ///< largest σ (the prior's scale)
  double rho = 7;            ///< warp; ρ = 7 spends more steps at small σ
  bool append_zero = true;   ///< end the grid at σ = 0 (clean data)
};

/// Karras σ grid (EDM eq. 5): σ_i = (σ_max^{1/ρ} + i/(N−1) (σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ for
/// i = 0..N−1 (N = levels ≥ 2), then 0 when append_zero.
template <class S = double>
std::vector<S> karras_sigmas(int levels, KarrasGrid options = {}) {
  check_count("karras_sigmas", "levels", levels, 2);
  check_positive("karras_sigmas", "sigma_min", options.sigma_min);
  check_positive("karras_sigmas", "rho", options.rho);
  DIFFUSE_REQUIRE(std::isfinite(options.sigma_max) && options.sigma_max > options.sigma_min, "karras_sigmas",
                  "sigma_max must exceed sigma_min", options.sigma_max, "> sigma_min = " + detail::to_text(options.sigma_min));
  // σ_i = σ_max (1 + f_i (r − 1))^ρ with r = (σ_min/σ_max)^{1/ρ} ∈ [0, 1), f_i = i/(N−1): the same
  // formula without σ_max^{1/ρ}, which overflows for small ρ.
  const double r = std::exp(std::log(options.sigma_min / options.sigma_max) / options.rho);
  std::vector<S> grid;
  grid.reserve(static_cast<std::size_t>(levels) + 1);
  for (int i = 0; i < levels; ++i)
    grid.push_back(static_cast<S>(options.sigma_max * std::pow(1 + double(i) / (levels - 1) * (r - 1), options.rho)));
  grid.back() = static_cast<S>(options.sigma_min);
  if (options.append_zero) grid.push_back(S(0));
  detail::check_grid("karras_sigmas", grid, "a larger rho, sigma_min and sigma_max further apart, or fewer levels");
  return grid;
}

/// Geometric σ grid (NCSN): σ_i = σ_max (σ_min/σ_max)^{i/(L−1)} for i = 0..L−1 (L = levels ≥ 2),
/// then 0 when append_zero.
template <class S = double>
std::vector<S> geometric_sigmas(double sigma_max, double sigma_min, int levels, bool append_zero = true) {
  check_count("geometric_sigmas", "levels", levels, 2);
  check_positive("geometric_sigmas", "sigma_min", sigma_min);
  DIFFUSE_REQUIRE(std::isfinite(sigma_max) && sigma_max > sigma_min, "geometric_sigmas",
                  "sigma_max must exceed sigma_min", sigma_max, "> sigma_min = " + detail::to_text(sigma_min));
  std::vector<S> grid;
  grid.reserve(static_cast<std::size_t>(levels) + 1);
  for (int i = 0; i < levels; ++i)
    grid.push_back(static_cast<S>(sigma_max * std::pow(sigma_min / sigma_max, double(i) / (levels - 1))));
  if (append_zero) grid.push_back(S(0));
  detail::check_grid("geometric_sigmas", grid, "sigma_min and sigma_max further apart, or fewer levels");
  return grid;
}

/// Exponential σ grid (k-diffusion's get_sigmas_exponential): log σ_i = log σ_max + i/(N−1)
/// (log σ_min − log σ_max) for i = 0..N−1 (N = levels ≥ 2), then 0 when append_zero.
template <class S = double>
std::vector<S> exponential_sigmas(int levels, double sigma_min, double sigma_max, bool append_zero = true) {
  check_count("exponential_sigmas", "levels", levels, 2);
  check_positive("exponential_sigmas", "sigma_min", sigma_min);
  DIFFUSE_REQUIRE(std::isfinite(sigma_max) && sigma_max > sigma_min, "exponential_sigmas",
                  "sigma_max must exceed sigma_min", sigma_max, "> sigma_min = " + detail::to_text(sigma_min));
  const double hi = std::log(sigma_max), lo = std::log(sigma_min);
  std::vector<S> grid;
  grid.reserve(static_cast<std::size_t>(levels) + 1);
  for (int i = 0; i < levels; ++i) grid.push_back(static_cast<S>(std::exp(hi + i * (lo - hi) / (levels - 1))));
  if (append_zero) grid.push_back(S(0));
  detail::check_grid("exponential_sigmas", grid, "sigma_min and sigma_max further apart, or fewer levels");
  return grid;
}

/// Polyexponential σ grid (k-diffusion's get_sigmas_polyexponential): with the ramp r_i = (1 −
/// i/(N−1))^ρ, log σ_i = log σ_min + r_i (log σ_max − log σ_min) for i = 0..N−1, then 0 when
/// append_zero. ρ = 1 is the exponential grid; larger ρ spends more steps at small σ.
template <class S = double>
std::vector<S> polyexponential_sigmas(int levels, double sigma_min, double sigma_max, double rho = 1,
                                      bool append_zero = true) {
  check_count("polyexponential_sigmas", "levels", levels, 2);
  check_positive("polyexponential_sigmas", "sigma_min", sigma_min);
  check_positive("polyexponential_sigmas", "rho", rho);
  DIFFUSE_REQUIRE(std::isfinite(sigma_max) && sigma_max > sigma_min, "polyexponential_sigmas",
                  "sigma_max must exceed sigma_min", sigma_max, "> sigma_min = " + detail::to_text(sigma_min));
  const double lo = std::log(sigma_min), hi = std::log(sigma_max);
  const std::vector<double> ramp = detail::torch_linspace(1.0, 0.0, levels);
  std::vector<S> grid;
  grid.reserve(static_cast<std::size_t>(levels) + 1);
  for (const double r : ramp) grid.push_back(static_cast<S>(std::exp(std::pow(r, rho) * (hi - lo) + lo)));
  if (append_zero) grid.push_back(S(0));
  detail::check_grid("polyexponential_sigmas", grid, "a smaller rho, sigma_min and sigma_max further apart, or fewer levels");
  return grid;
}

/// Options of the VP σ grid.
struct VpSigmaGrid {
  double beta_d = 19.9;    ///< β_d = β_max − β_min
  double beta_min = 0.1;   ///< β_min
  double eps_s = 1e-3;     ///< ε_s, the smallest time
  bool append_zero = true; ///< end the grid at σ = 0
};

/// The VP σ grid (Karras et al. 2022, Table 1; k-diffusion's get_sigmas_vp): t_i uniform from 1 to
/// ε_s (N = levels ≥ 2 points), σ_i = √(exp(½ β_d t_i² + β_min t_i) − 1), then 0 when append_zero.
template <class S = double>
std::vector<S> vp_sigmas(int levels, VpSigmaGrid options = {}) {
  check_count("vp_sigmas", "levels", levels, 2);
  check_positive("vp_sigmas", "beta_d", options.beta_d);
  check_non_negative("vp_sigmas", "beta_min", options.beta_min);
  DIFFUSE_REQUIRE(options.eps_s > 0 && options.eps_s < 1, "vp_sigmas", "eps_s must lie in (0, 1)", options.eps_s, "0 < eps_s < 1");
  std::vector<S> grid;
  grid.reserve(static_cast<std::size_t>(levels) + 1);
  for (const double t : detail::torch_linspace(1.0, options.eps_s, levels))
    grid.push_back(static_cast<S>(std::sqrt(std::expm1(options.beta_d * t * t / 2 + options.beta_min * t))));
  if (options.append_zero) grid.push_back(S(0));
  detail::check_grid("vp_sigmas", grid, "a larger beta_d or fewer levels");
  return grid;
}

/// How DDIM picks `steps` of the T training steps.
enum class Spacing {
  leading,   ///< t = k ⌊T/N⌋, k = N−1..0 (DDIM paper, diffusers "leading"; never visits T−1)
  trailing,  ///< t = round(T − k T/N) − 1, k = 0..N−1 (starts at T−1; Lin et al. 2023)
  linspace,  ///< t = round(linspace(0, T−1, N)) reversed (starts at T−1, ends at 0)
};

/// The DDIM sub-sequence of N = steps training indices, descending, followed by −1 (the clean
/// data of a DiscreteSchedule): N + 1 grid points for N sampler steps. Rounding is to nearest
/// even, as numpy's. With steps = train_steps every spacing gives T−1, …, 0, −1 (full DDPM).
/// `steps_offset` is added to the leading spacing's steps (diffusers' steps_offset, 1 in Stable
/// Diffusion's configuration; as diffusers, the other spacings ignore it).
template <class S = double>
std::vector<S> ddim_timesteps(int train_steps, int steps, Spacing spacing = Spacing::trailing, int steps_offset = 0) {
  check_count("ddim_timesteps", "train_steps", train_steps, 1);
  check_at_least("ddim_timesteps", "steps", steps, 1);
  DIFFUSE_REQUIRE(steps <= train_steps, "ddim_timesteps", "more sampling steps than training steps", steps,
                  "<= train_steps = " + std::to_string(train_steps));
  check_at_least("ddim_timesteps", "steps_offset", steps_offset, 0);
  DIFFUSE_REQUIRE(spacing != Spacing::leading || double(steps - 1) * (train_steps / steps) + steps_offset <= train_steps - 1,
                  "ddim_timesteps", "steps_offset puts the first step past the last training step", steps_offset,
                  "<= " + std::to_string(train_steps - 1 - (steps - 1) * (train_steps / steps)));
  std::vector<S> grid;
  grid.reserve(static_cast<std::size_t>(steps) + 1);
  for (int k = 0; k < steps; ++k) {
    double t = 0;
    switch (spacing) {
      case Spacing::leading: t = double(steps - 1 - k) * (train_steps / steps) + steps_offset; break;
      case Spacing::trailing: t = std::nearbyint(train_steps - k * double(train_steps) / steps) - 1; break;
      case Spacing::linspace:
        t = steps == 1 ? 0.0 : std::nearbyint(double(train_steps - 1) * (steps - 1 - k) / (steps - 1));
        break;
    }
    grid.push_back(static_cast<S>(t));
  }
  grid.push_back(S(-1));
  return grid;
}

/// diffusers' DPMSolverMultistepScheduler timesteps: round(linspace(0, T−1, N + 1)) reversed with
/// its last entry (0) dropped, then −1 (final_sigmas_type "zero": the last step goes to clean data).
template <class S = double>
std::vector<S> dpm_solver_timesteps(int train_steps, int steps) {
  check_count("dpm_solver_timesteps", "train_steps", train_steps, 2);
  check_at_least("dpm_solver_timesteps", "steps", steps, 1);
  DIFFUSE_REQUIRE(steps < train_steps, "dpm_solver_timesteps", "more sampling steps than training steps", steps,
                  "< train_steps = " + std::to_string(train_steps));
  const std::vector<double> points = detail::numpy_linspace(0.0, double(train_steps - 1), steps + 1);
  std::vector<S> grid;
  for (int k = steps; k >= 1; --k) grid.push_back(static_cast<S>(std::nearbyint(points[static_cast<std::size_t>(k)])));
  grid.push_back(S(-1));
  detail::check_grid("dpm_solver_timesteps", grid, "fewer steps");
  return grid;
}

/// Unrounded, fractional timesteps linspace(0, T−1, N) reversed, then −1: diffusers'
/// EulerDiscreteScheduler "linspace" spacing, for σ-space samplers through SigmaView (whose
/// DiscreteSchedule interpolates log σ̃ at fractional steps, as diffusers' does).
template <class S = double>
std::vector<S> linspace_timesteps(int train_steps, int steps) {
  check_count("linspace_timesteps", "train_steps", train_steps, 2);
  check_at_least("linspace_timesteps", "steps", steps, 2);
  const std::vector<double> points = detail::numpy_linspace(0.0, double(train_steps - 1), steps);
  std::vector<S> grid(points.rbegin(), points.rend());
  grid.push_back(S(-1));
  detail::check_grid("linspace_timesteps", grid, "fewer steps");
  return grid;
}

}  // namespace diffuse
