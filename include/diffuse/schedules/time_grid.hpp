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

/// How DDIM picks `steps` of the T training steps.
enum class Spacing {
  leading,   ///< t = k ⌊T/N⌋, k = N−1..0 (DDIM paper, diffusers "leading"; never visits T−1)
  trailing,  ///< t = round(T − k T/N) − 1, k = 0..N−1 (starts at T−1; Lin et al. 2023)
  linspace,  ///< t = round(linspace(0, T−1, N)) reversed (starts at T−1, ends at 0)
};

/// The DDIM sub-sequence of N = steps training indices, descending, followed by −1 (the clean
/// data of a DiscreteSchedule): N + 1 grid points for N sampler steps. Rounding is to nearest
/// even, as numpy's. With steps = train_steps every spacing gives T−1, …, 0, −1 (full DDPM).
template <class S = double>
std::vector<S> ddim_timesteps(int train_steps, int steps, Spacing spacing = Spacing::trailing) {
  check_count("ddim_timesteps", "train_steps", train_steps, 1);
  check_at_least("ddim_timesteps", "steps", steps, 1);
  DIFFUSE_REQUIRE(steps <= train_steps, "ddim_timesteps", "more sampling steps than training steps", steps,
                  "<= train_steps = " + std::to_string(train_steps));
  std::vector<S> grid;
  grid.reserve(static_cast<std::size_t>(steps) + 1);
  for (int k = 0; k < steps; ++k) {
    double t = 0;
    switch (spacing) {
      case Spacing::leading: t = double(steps - 1 - k) * (train_steps / steps); break;
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

}  // namespace diffuse
