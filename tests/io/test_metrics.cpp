// Two-sample metrics against exact answers: brute-force pair sums, Gaussian closed forms for
// MMD², energy distance and sliced W2, hand-counted mode statistics, Gaussian entropies.
#include "support/catch.hpp"

#include <diffuse/core/rng.hpp>
#include <diffuse/metrics.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace {

using diffuse::Matrix;
using diffuse::Rng;

double brute_mmd2(const Matrix<double>& x, const Matrix<double>& y, const std::vector<double>& bandwidths) {
  auto k = [&](const auto& a, const auto& b) {
    double s = 0;
    for (const double h : bandwidths) s += std::exp(-(a - b).squaredNorm() / (2 * h * h));
    return s;
  };
  const double n = static_cast<double>(x.cols()), m = static_cast<double>(y.cols());
  double xx = 0, yy = 0, xy = 0;
  for (long i = 0; i < x.cols(); ++i)
    for (long j = 0; j < x.cols(); ++j) xx += i == j ? 0 : k(x.col(i), x.col(j));
  for (long i = 0; i < y.cols(); ++i)
    for (long j = 0; j < y.cols(); ++j) yy += i == j ? 0 : k(y.col(i), y.col(j));
  for (long i = 0; i < x.cols(); ++i)
    for (long j = 0; j < y.cols(); ++j) xy += k(x.col(i), y.col(j));
  return xx / (n * (n - 1)) + yy / (m * (m - 1)) - 2 * xy / (n * m);
}

double brute_energy(const Matrix<double>& x, const Matrix<double>& y) {
  const double n = static_cast<double>(x.cols()), m = static_cast<double>(y.cols());
  double xx = 0, yy = 0, xy = 0;
  for (long i = 0; i < x.cols(); ++i)
    for (long j = 0; j < x.cols(); ++j) xx += (x.col(i) - x.col(j)).norm();
  for (long i = 0; i < y.cols(); ++i)
    for (long j = 0; j < y.cols(); ++j) yy += (y.col(i) - y.col(j)).norm();
  for (long i = 0; i < x.cols(); ++i)
    for (long j = 0; j < y.cols(); ++j) xy += (x.col(i) - y.col(j)).norm();
  return 2 * xy / (n * m) - xx / (n * (n - 1)) - yy / (m * (m - 1));
}

/// Population MMD² between N(0, I_d) and N(μ, I_d) with k = Σ_b exp(-|x-y|²/(2b²)):
/// E k_b(X, X') = (b²/(b²+2))^{d/2}, E k_b(X, Y) = (b²/(b²+2))^{d/2} exp(-|μ|²/(2(b²+2))).
double gaussian_mmd2(double shift2, int d, const std::vector<double>& bandwidths) {
  double s = 0;
  for (const double b : bandwidths)
    s += std::pow(b * b / (b * b + 2), d / 2.0) * (2 - 2 * std::exp(-shift2 / (2 * (b * b + 2))));
  return s;
}

/// E|Z| for Z ~ N(μ, σ²): σ √(2/π) exp(-μ²/(2σ²)) + μ (1 - 2 Φ(-μ/σ)).
double mean_abs_normal(double mu, double sigma) {
  const double phi = 0.5 * std::erfc(mu / sigma / std::numbers::sqrt2);
  return sigma * std::sqrt(2 / std::numbers::pi) * std::exp(-mu * mu / (2 * sigma * sigma)) +
         mu * (1 - 2 * phi);
}

struct Spread {
  double mean = 0, sd = 0;
};
Spread spread(const std::vector<double>& v) {
  Spread s;
  for (const double a : v) s.mean += a;
  s.mean /= static_cast<double>(v.size());
  for (const double a : v) s.sd += (a - s.mean) * (a - s.mean);
  s.sd = std::sqrt(s.sd / static_cast<double>(v.size() - 1));
  return s;
}

}  // namespace

TEST_CASE("mmd2 equals the brute-force U-statistic for every tile size") {
  Rng rng(11);
  const Matrix<double> x = rng.normal<double>(3, 7);
  const Matrix<double> y = rng.normal<double>(3, 5).array() + 0.3;
  const std::vector<double> bandwidths = {0.3, 1.0, 2.5};
  const double exact = brute_mmd2(x, y, bandwidths);
  for (const long block : {1L, 2L, 3L, 4L, 1024L})
    CHECK(diffuse::mmd2(x, y, {.bandwidths = bandwidths, .block = block}) == Approx(exact).epsilon(1e-12));
  // The default bandwidths take the one-exp power path: still exact to rounding.
  const std::vector<double> defaults = {0.1, 0.2, 0.5, 1, 2};
  CHECK(diffuse::mmd2(x, y, {.block = 3}) == Approx(brute_mmd2(x, y, defaults)).epsilon(1e-12));
  // Float batches use float tiles (distances and exp) with double accumulation.
  const Matrix<float> xf = x.cast<float>(), yf = y.cast<float>();
  for (const auto& b : {bandwidths, defaults}) {
    const double reference = brute_mmd2(xf.cast<double>(), yf.cast<double>(), b);
    CHECK(diffuse::mmd2(xf, yf, {.bandwidths = b}) == Approx(reference).margin(1e-6));
  }
  CHECK(diffuse::energy_distance(xf, yf) == Approx(brute_energy(xf.cast<double>(), yf.cast<double>())).margin(1e-6));
}

TEST_CASE("energy distance equals the brute-force U-statistic for every tile size") {
  Rng rng(12);
  const Matrix<double> x = rng.normal<double>(2, 6);
  const Matrix<double> y = rng.normal<double>(2, 9).array() * 1.5;
  const double exact = brute_energy(x, y);
  for (const long block : {1L, 2L, 5L, 1024L}) CHECK(diffuse::energy_distance(x, y, block) == Approx(exact).epsilon(1e-12));
}

TEST_CASE("mmd2 of two samples of one distribution is zero within its standard error") {
  // Unbiased: the mean over independent draws is 0 within a few standard errors. The biased
  // V-statistic would sit near 2(Σ_b 1 - E k)/n ≈ 1e-2 here, far outside.
  Rng rng(13);
  const int draws = 12;
  const long n = 300;
  std::vector<double> same, shifted;
  for (int r = 0; r < draws; ++r) {
    const Matrix<double> x = rng.normal<double>(2, n);
    const Matrix<double> y = rng.normal<double>(2, n);
    same.push_back(diffuse::mmd2(x, y));
    shifted.push_back(diffuse::mmd2(x, (y.array() + 0.5).matrix()));
  }
  const Spread s = spread(same), t = spread(shifted);
  CHECK(std::abs(s.mean) < 3 * s.sd / std::sqrt(draws));
  // The test has the power to see the V-statistic's bias 2 (Σ_b 1 - E k(X, X')) / n, with
  // E k_b(X, X') = b² / (b² + 2) in 2D.
  double expected_kernel = 0;
  for (const double b : {0.1, 0.2, 0.5, 1.0, 2.0}) expected_kernel += b * b / (b * b + 2);
  const double v_bias = 2 * (5 - expected_kernel) / static_cast<double>(n);
  CHECK(3 * s.sd / std::sqrt(draws) < 0.25 * v_bias);
  // Shifted by (0.5, 0.5): the mean matches the population value within three standard errors.
  const std::vector<double> bandwidths = {0.1, 0.2, 0.5, 1, 2};
  const double population = gaussian_mmd2(0.5, 2, bandwidths);
  CHECK(std::abs(t.mean - population) < 3 * t.sd / std::sqrt(draws));
  CHECK(t.mean > 20 * s.sd);
}

TEST_CASE("energy distance of 1D Gaussians matches its closed form") {
  // X ~ N(0,1), Y ~ N(μ,1): E|X-Y| = E|N(μ,2)|, E|X-X'| = E|Y-Y'| = E|N(0,2)| = 2/√π.
  Rng rng(14);
  const double mu = 1.0;
  const double exact = 2 * mean_abs_normal(mu, std::numbers::sqrt2) - 2 * mean_abs_normal(0, std::numbers::sqrt2);
  CHECK(mean_abs_normal(0, std::numbers::sqrt2) == Approx(2 / std::sqrt(std::numbers::pi)));
  std::vector<double> values, nulls;
  for (int r = 0; r < 8; ++r) {
    const Matrix<double> x = rng.normal<double>(1, 1000);
    const Matrix<double> y = rng.normal<double>(1, 1000);
    values.push_back(diffuse::energy_distance(x, (y.array() + mu).matrix()));
    nulls.push_back(diffuse::energy_distance(x, y));
  }
  const Spread s = spread(values), z = spread(nulls);
  CHECK(std::abs(s.mean - exact) < 4 * s.sd / std::sqrt(8.0) + 1e-3);
  CHECK(s.mean == Approx(exact).epsilon(0.05));
  CHECK(std::abs(z.mean) < 4 * z.sd / std::sqrt(8.0));
}

TEST_CASE("1D Wasserstein-2 by quantile matching is exact") {
  CHECK(diffuse::wasserstein2_squared_1d({2, 0, 1}, {3, 1, 2}) == Approx(1.0));
  // Quantiles of {0,1} and {0,1,2}: the pieces (1/3,1/2] and (2/3,1] each differ by 1.
  CHECK(diffuse::wasserstein2_squared_1d({0, 1}, {0, 1, 2}) == Approx(1.0 / 6 + 1.0 / 3));
  CHECK(diffuse::wasserstein2_squared_1d({0, 1, 2}, {0, 1}) == Approx(0.5));
  CHECK(diffuse::wasserstein2_squared_1d({5}, {1, 2, 3, 4}) == Approx((16 + 9 + 4 + 1) / 4.0));
  // In one dimension every direction is ±1, so the sliced distance is the exact one.
  Rng rng(15);
  Matrix<double> x(1, 3), y(1, 2);
  x << 0, 1, 2;
  y << 0, 1;
  CHECK(diffuse::sliced_wasserstein(x, y, 5, rng) == Approx(std::sqrt(0.5)));
}

TEST_CASE("sliced W2 of shifted Gaussians matches |m|^2/d") {
  Rng rng(16);
  const long n = 2000;
  const Matrix<double> x = rng.normal<double>(2, n);
  Matrix<double> y = rng.normal<double>(2, n);
  y.row(0).array() += 1.2;
  y.row(1).array() -= 0.9;  // |m|² = 2.25, so SW₂² → 1.125
  const double sw = diffuse::sliced_wasserstein(x, y, 400, rng);
  CHECK(sw * sw == Approx(1.125).epsilon(0.1));
  const Matrix<double> z = rng.normal<double>(2, n);
  CHECK(diffuse::sliced_wasserstein(x, z, 50, rng) < 0.1);
  // In 1D the sliced distance is W2 itself: W2²(N(0,1), N(m,1)) = m².
  const Matrix<double> u = rng.normal<double>(1, n);
  const Matrix<double> v = rng.normal<double>(1, n).array() + 0.8;
  const double w = diffuse::sliced_wasserstein(u, v, 1, rng);
  CHECK(w * w == Approx(0.64).epsilon(0.1));
  // Unequal sizes use quantile matching: still close to the same value.
  const double unequal = diffuse::sliced_wasserstein(x.leftCols(1500), y, 400, rng);
  CHECK(unequal * unequal == Approx(1.125).epsilon(0.1));
}

TEST_CASE("every two-sample metric grows monotonically with the shift") {
  Rng rng(17);
  const Matrix<double> x = rng.normal<double>(2, 400);
  const Matrix<double> base = rng.normal<double>(2, 400);
  Matrix<double> centre = Matrix<double>::Zero(2, 1);
  double last_mmd = -1, last_energy = -1, last_sw = -1, last_nll = -1e300, last_fraction = 2;
  for (const double shift : {0.0, 0.25, 0.5, 1.0, 2.0}) {
    const Matrix<double> y = base.array() + shift;
    Rng directions(99);  // the same directions for every shift
    const double mmd = diffuse::mmd2(x, y);
    const double energy = diffuse::energy_distance(x, y);
    const double sw = diffuse::sliced_wasserstein(x, y, 64, directions);
    const double nll = diffuse::mixture_nll(y, centre, 1.0);
    const double fraction = diffuse::mode_stats(y, centre, 1.0, 2.0).fraction_within;
    CHECK(mmd > last_mmd);
    CHECK(energy > last_energy);
    CHECK(sw > last_sw);
    CHECK(nll > last_nll);
    CHECK(fraction < last_fraction);
    last_mmd = mmd, last_energy = energy, last_sw = sw, last_nll = nll, last_fraction = fraction;
  }
}

TEST_CASE("mode statistics count samples near their nearest centre") {
  Matrix<double> centres(2, 3);
  centres << 0, 4, 0,  //
      0, 0, 4;
  Matrix<double> samples(2, 5);
  samples << 0.1, -0.5, 0.0, 4.9, 2.0,  //
      0.2, 0.5, -0.9, 0.0, 2.0;         // three near c0, one near c1 (distance 0.9), one far
  const diffuse::ModeStats s = diffuse::mode_stats(samples, centres, 0.5, 2.0);
  CHECK(s.counts == std::vector<diffuse::Index>{3, 1, 0});
  CHECK(s.fraction_within == Approx(0.8));
  CHECK(s.modes_covered == 2);
  CHECK(std::isinf(s.balance_ratio));
  CHECK(s.kl_to_weights == Approx(0.75 * std::log(0.75 * 3) + 0.25 * std::log(0.25 * 3)));
  const diffuse::ModeStats w = diffuse::mode_stats(samples, centres, 0.5, 2.0, {2, 1, 1});
  CHECK(w.kl_to_weights == Approx(0.75 * std::log(0.75 / 0.5)));
  // A NaN sample (a diverged sampler) is simply never near a mode.
  Matrix<double> with_nan = samples;
  with_nan(0, 0) = std::numeric_limits<double>::quiet_NaN();
  const diffuse::ModeStats n = diffuse::mode_stats(with_nan, centres, 0.5, 2.0);
  CHECK(n.counts == std::vector<diffuse::Index>{2, 1, 0});
  CHECK(n.fraction_within == Approx(0.6));
  const diffuse::ModeStats none = diffuse::mode_stats(samples, centres, 0.01, 1.0);
  CHECK(none.fraction_within == 0);
  CHECK(std::isinf(none.kl_to_weights));
}

TEST_CASE("exact mixture samples give the chi-square coverage and balanced modes") {
  // 8 modes on a circle of radius 5, std 0.1, k = 3: P(|z| <= 3) in 2D is 1 - exp(-9/2).
  Rng rng(18);
  const long n = 4000, modes = 8;
  Matrix<double> centres(2, modes);
  for (long j = 0; j < modes; ++j)
    centres.col(j) << 5 * std::cos(2 * std::numbers::pi * j / modes), 5 * std::sin(2 * std::numbers::pi * j / modes);
  Matrix<double> samples = 0.1 * rng.normal<double>(2, n);
  for (long i = 0; i < n; ++i) samples.col(i) += centres.col(i % modes);
  const diffuse::ModeStats s = diffuse::mode_stats(samples, centres, 0.1, 3.0);
  CHECK(s.fraction_within == Approx(1 - std::exp(-4.5)).margin(0.008));
  CHECK(s.modes_covered == modes);
  CHECK(s.balance_ratio < 1.1);
  CHECK(s.kl_to_weights < 1e-3);
}

TEST_CASE("mixture NLL matches the Gaussian density and entropy") {
  // One component: -log N(x; μ, σ² I) = d/2 log(2πσ²) + |x-μ|²/(2σ²).
  Matrix<double> x(2, 2), mu(2, 1);
  x << 1, 0, 2, -1;
  mu << 0.5, 0.5;
  const double s = 0.7;
  const double nll1 = std::log(2 * std::numbers::pi * s * s) + (0.25 + 2.25) / (2 * s * s);
  const double nll2 = std::log(2 * std::numbers::pi * s * s) + (0.25 + 2.25) / (2 * s * s);
  CHECK(diffuse::mixture_nll(x, mu, s) == Approx((nll1 + nll2) / 2));
  // Two components with weights 0.25/0.75 and their own σ, brute force.
  Matrix<double> means(2, 2);
  means << 0, 1, 0, 1;
  auto density = [](const Matrix<double>& p, const Matrix<double>& m, double sd) {
    return std::exp(-(p - m).squaredNorm() / (2 * sd * sd)) / (2 * std::numbers::pi * sd * sd);
  };
  double expected = 0;
  for (long i = 0; i < 2; ++i)
    expected -= std::log(0.25 * density(x.col(i), means.col(0), 0.5) + 0.75 * density(x.col(i), means.col(1), 2.0));
  CHECK(diffuse::mixture_nll(x, means, std::vector<double>{0.5, 2.0}, {1, 3}) == Approx(expected / 2).epsilon(1e-12));
  // Far from every mean the log-sum-exp stays finite.
  Matrix<double> far(2, 1);
  far << 1e3, 0;
  CHECK(std::isfinite(diffuse::mixture_nll(far, means, 0.01)));
  // Samples of N(0, σ² I) in d = 2: the mean NLL estimates the entropy log(2πeσ²).
  Rng rng(19);
  const Matrix<float> z = (0.5 * rng.normal<double>(2, 20000)).cast<float>();
  CHECK(diffuse::mixture_nll(z, Matrix<double>::Zero(2, 1), 0.5) ==
        Approx(std::log(2 * std::numbers::pi * std::numbers::e * 0.25)).margin(0.03));
}

TEST_CASE("metrics reject bad input with diffuse::Error") {
  const Matrix<double> a = Matrix<double>::Zero(2, 5), b3 = Matrix<double>::Zero(3, 5), empty(2, 0), one(2, 1);
  Rng rng(20);
  CHECK_THROWS_AS(diffuse::mmd2(a, b3), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mmd2(a, empty), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mmd2(a, one), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mmd2(a, a, {.bandwidths = {}}), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mmd2(a, a, {.bandwidths = {1.0, -0.5}}), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mmd2(a, a, {.block = 0}), diffuse::Error);
  Matrix<double> bad = a;
  bad(1, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(diffuse::mmd2(a, bad), diffuse::Error);
  CHECK_THROWS_AS(diffuse::energy_distance(a, b3), diffuse::Error);
  CHECK_THROWS_AS(diffuse::energy_distance(empty, a), diffuse::Error);
  CHECK_THROWS_AS(diffuse::sliced_wasserstein(a, b3, 10, rng), diffuse::Error);
  CHECK_THROWS_AS(diffuse::sliced_wasserstein(a, empty, 10, rng), diffuse::Error);
  CHECK_THROWS_AS(diffuse::sliced_wasserstein(a, a, 0, rng), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mode_stats(a, b3, 1.0, 2.0), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mode_stats(empty, a, 1.0, 2.0), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mode_stats(a, a, 1.0, 0.0), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mode_stats(a, a, 1.0, -1.0), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mode_stats(a, a, 0.0, 2.0), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mode_stats(a, a, 1.0, 2.0, {1.0, 2.0}), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mixture_nll(a, b3, 1.0), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mixture_nll(a, a, std::vector<double>{1.0, 1.0}), diffuse::Error);
  CHECK_THROWS_AS(diffuse::mixture_nll(a, a, -1.0), diffuse::Error);
  CHECK_THROWS_AS(diffuse::wasserstein2_squared_1d({}, {1.0}), diffuse::Error);
}
