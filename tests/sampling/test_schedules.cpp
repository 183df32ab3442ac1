// Schedules: β tables against their defining formulas, committed cosine values, DDIM timestep
// spacings against diffusers' numpy recipes, σ grids, and bad input.
#include "support/catch.hpp"

#include <diffuse/schedules.hpp>

#include <cmath>
#include <vector>

using diffuse::Index;
using diffuse::Vector;

TEST_CASE("linear schedule of seed 000 gives the documented alpha bar and consistent tables") {
  const diffuse::DiscreteSchedule<double> sch(diffuse::linear_betas(50, 1e-4, 0.035));
  CHECK(sch.steps() == 50);
  CHECK(sch.betas()(0) == Approx(1e-4));
  CHECK(sch.betas()(49) == Approx(0.035));
  // numpy: np.cumprod(1 - np.linspace(1e-4, 0.035, 50)) at 24 and 49
  CHECK(sch.alpha_bars()(24) == Approx(0.8045686067838024).epsilon(1e-13));
  CHECK(sch.alpha_bars()(49) == Approx(0.4114663979618455).epsilon(1e-13));
  double running = 1;
  for (Index t = 0; t < 50; ++t) {
    const double b = sch.betas()(t), ab = sch.alpha_bars()(t), ab_prev = sch.alpha_bars_prev()(t);
    CHECK(ab_prev == Approx(running).epsilon(1e-14));
    running *= 1 - b;
    CHECK(ab == Approx(running).epsilon(1e-14));
    CHECK(sch.alphas()(t) == Approx(1 - b));
    if (t > 0) CHECK(ab < sch.alpha_bars()(t - 1));
    CHECK(sch.sqrt_alpha_bars()(t) == Approx(std::sqrt(ab)));
    CHECK(sch.sqrt_one_minus_alpha_bars()(t) == Approx(std::sqrt(1 - ab)));
    CHECK(sch.alpha(double(t)) == Approx(std::sqrt(ab)));
    CHECK(sch.sigma(double(t)) == Approx(std::sqrt(1 - ab)));
    // posterior variance and mean coefficients from the general two-level posterior
    // q(x_s | x_t, x0) with s = t − 1: α_{t|s} = √α_t, σ²_{t|s} = β_t
    const double var_ts = (1 - ab) - (1 - b) * (1 - ab_prev);
    CHECK(var_ts == Approx(b).epsilon(1e-10));
    CHECK(sch.posterior_variances()(t) == Approx(var_ts * (1 - ab_prev) / (1 - ab)).margin(1e-15));
    CHECK(sch.posterior_mean_coef_xt()(t) == Approx(std::sqrt(1 - b) * (1 - ab_prev) / (1 - ab)));
    CHECK(sch.posterior_mean_coef_x0()(t) == Approx(std::sqrt(ab_prev) * var_ts / (1 - ab)));
    // the mean coefficients reproduce x0 when x_t is noiseless: c0 + ct √ᾱ_t = √ᾱ_{t−1}
    CHECK(sch.posterior_mean_coef_x0()(t) + sch.posterior_mean_coef_xt()(t) * std::sqrt(ab) ==
          Approx(std::sqrt(ab_prev)));
  }
  CHECK(sch.posterior_variances()(0) == 0.0);
  CHECK(sch.posterior_log_variances_clipped()(0) == Approx(std::log(sch.posterior_variances()(1))));
  CHECK(sch.posterior_log_variances_clipped()(7) == Approx(std::log(sch.posterior_variances()(7))));
  // t = −1 is the clean data
  CHECK(sch.alpha(-1.0) == 1.0);
  CHECK(sch.sigma(-1.0) == 0.0);
}

TEST_CASE("cosine schedule matches committed values of the Nichol and Dhariwal formula") {
  const Vector<double> betas = diffuse::cosine_betas(1000);
  // from β_t = min(1 − f(t+1)/f(t), 0.999), f(τ) = cos²((τ/T + 0.008)/1.008 · π/2), in Python
  CHECK(betas(0) == Approx(4.128422482196914e-05).epsilon(1e-10));
  CHECK(betas(499) == Approx(0.0031458862304780677).epsilon(1e-10));
  CHECK(betas(998) == Approx(0.7499993929011166).epsilon(1e-10));
  CHECK(betas(999) == 0.999);  // clipped
  const diffuse::DiscreteSchedule<double> sch(betas);
  CHECK(sch.alpha_bars()(0) == Approx(0.999958715775178).epsilon(1e-12));
  CHECK(sch.alpha_bars()(499) == Approx(0.4938435904406382).epsilon(1e-12));
  CHECK(sch.alpha_bars()(998) == Approx(2.4287669070348544e-06).epsilon(1e-9));
  for (Index t = 1; t < 1000; ++t) CHECK(sch.alpha_bars()(t) < sch.alpha_bars()(t - 1));
}

TEST_CASE("scaled linear and seed 001 linear schedules decrease strictly") {
  for (const auto& betas : {diffuse::scaled_linear_betas(1000, 0.00085, 0.012), diffuse::linear_betas(200, 1e-4, 0.02),
                            diffuse::linear_betas(1000, 1e-4, 0.02)}) {
    const diffuse::DiscreteSchedule<float> sch(betas);
    for (Index t = 1; t < betas.size(); ++t) CHECK(sch.alpha_bars()(t) < sch.alpha_bars()(t - 1));
  }
  const Vector<double> b = diffuse::scaled_linear_betas(3, 0.01, 0.04);
  CHECK(b(1) == Approx(0.0225));  // ((0.1 + 0.2)/2)²
}

TEST_CASE("zero terminal SNR rescaling keeps the first alpha bar and zeroes the last") {
  const Vector<double> betas = diffuse::rescale_zero_terminal_snr(diffuse::linear_betas(1000, 0.00085, 0.012));
  const diffuse::DiscreteSchedule<double> sch(betas);
  const diffuse::DiscreteSchedule<double> original(diffuse::linear_betas(1000, 0.00085, 0.012));
  CHECK(sch.alpha_bars()(0) == Approx(original.alpha_bars()(0)).epsilon(1e-12));
  CHECK(sch.alpha_bars()(999) == 0.0);
  CHECK(sch.alpha(999.0) == 0.0);
  CHECK(sch.sigma(999.0) == 1.0);
  // √ᾱ is an affine map of the original √ᾱ
  const double a0 = original.sqrt_alpha_bars()(0), aT = original.sqrt_alpha_bars()(999);
  CHECK(sch.sqrt_alpha_bars()(500) == Approx((original.sqrt_alpha_bars()(500) - aT) * a0 / (a0 - aT)));
}

TEST_CASE("DDIM timesteps follow the leading, trailing and linspace spacings") {
  using diffuse::Spacing;
  using V = std::vector<double>;
  // numpy: (arange(N) * (T // N))[::-1]; round(arange(T, 0, -T/N)) - 1; round(linspace(0, T-1, N))[::-1]
  CHECK(diffuse::ddim_timesteps(1000, 7, Spacing::leading) == V{852, 710, 568, 426, 284, 142, 0, -1});
  CHECK(diffuse::ddim_timesteps(1000, 7, Spacing::trailing) == V{999, 856, 713, 570, 428, 285, 142, -1});
  CHECK(diffuse::ddim_timesteps(1000, 7, Spacing::linspace) == V{999, 832, 666, 500, 333, 166, 0, -1});
  CHECK(diffuse::ddim_timesteps(10, 4, Spacing::leading) == V{6, 4, 2, 0, -1});
  CHECK(diffuse::ddim_timesteps(10, 4, Spacing::trailing) == V{9, 7, 4, 1, -1});  // 7.5 and 2.5 round to even
  CHECK(diffuse::ddim_timesteps(10, 4, Spacing::linspace) == V{9, 6, 3, 0, -1});
  for (auto spacing : {Spacing::leading, Spacing::trailing, Spacing::linspace}) {
    const V full = diffuse::ddim_timesteps(50, 50, spacing);
    REQUIRE(full.size() == 51);
    for (int k = 0; k <= 50; ++k) CHECK(full[static_cast<std::size_t>(k)] == 49 - k);
  }
}

TEST_CASE("Karras and geometric sigma grids hit their end points and formulas") {
  const auto k = diffuse::karras_sigmas(18, {.sigma_min = 0.002, .sigma_max = 80, .rho = 7});
  REQUIRE(k.size() == 19);
  CHECK(k.front() == Approx(80));
  CHECK(k[17] == Approx(0.002));
  CHECK(k.back() == 0.0);
  const double mid = std::pow((std::pow(80.0, 1 / 7.0) + std::pow(0.002, 1 / 7.0)) / 2, 7.0);
  const auto k3 = diffuse::karras_sigmas(3, {.sigma_min = 0.002, .sigma_max = 80, .append_zero = false});
  REQUIRE(k3.size() == 3);
  CHECK(k3[1] == Approx(mid));
  const auto g = diffuse::geometric_sigmas(10.0, 0.01, 12);
  REQUIRE(g.size() == 13);
  CHECK(g[0] == Approx(10));
  CHECK(g[11] == Approx(0.01));
  for (std::size_t i = 1; i < 12; ++i) CHECK(g[i] / g[i - 1] == Approx(std::pow(1e-3, 1 / 11.0)));
  const auto u = diffuse::uniform_grid<float>(1.0, 1e-3, 4);
  REQUIRE(u.size() == 5);
  CHECK(u[2] == Approx(0.5005f));
  const diffuse::SigmaLevels<double> levels;
  CHECK(diffuse::log_snr(levels, 0.5) == Approx(std::log(2.0)));
}

TEST_CASE("bad schedule and grid input throws diffuse::Error") {
  using diffuse::Error;
  CHECK_THROWS_AS(diffuse::linear_betas(0, 1e-4, 0.02), Error);
  CHECK_THROWS_AS(diffuse::linear_betas(10, 0.0, 0.02), Error);
  CHECK_THROWS_AS(diffuse::linear_betas(10, 1e-4, 1.0), Error);
  CHECK_THROWS_AS(diffuse::cosine_betas(-3), Error);
  Vector<double> bad = diffuse::linear_betas(10, 1e-4, 0.02);
  bad(3) = 1.2;
  CHECK_THROWS_AS(diffuse::DiscreteSchedule<double>(bad), Error);
  bad(3) = 1.0;  // 1 only allowed for the last step
  CHECK_THROWS_AS(diffuse::DiscreteSchedule<double>(bad), Error);
  bad(3) = -0.1;
  CHECK_THROWS_AS(diffuse::DiscreteSchedule<double>(bad), Error);
  CHECK_THROWS_AS(diffuse::ddim_timesteps(50, 0), Error);
  CHECK_THROWS_AS(diffuse::ddim_timesteps(50, 51), Error);
  CHECK_THROWS_AS(diffuse::karras_sigmas(10, {.sigma_min = 1, .sigma_max = 1}), Error);
  CHECK_THROWS_AS(diffuse::karras_sigmas(10, {.sigma_min = 2, .sigma_max = 1}), Error);
  CHECK_THROWS_AS(diffuse::karras_sigmas(10, {.rho = 0}), Error);
  CHECK_THROWS_AS(diffuse::karras_sigmas(10, {.rho = -7}), Error);
  CHECK_THROWS_AS(diffuse::karras_sigmas(0), Error);
  CHECK_THROWS_AS(diffuse::geometric_sigmas(0.01, 10.0, 12), Error);
  CHECK_THROWS_AS(diffuse::uniform_grid(1.0, 0.0, 0), Error);
}
