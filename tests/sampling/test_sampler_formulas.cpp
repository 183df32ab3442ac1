// The closed forms under the k-diffusion family, each against a value derived by hand: the
// ancestral split, the LMS Lagrange-basis integrals, DPM-Solver-fast's orders, torch.linspace's
// rounding, and the exponential, polyexponential and VP σ grids.
#include "support/catch.hpp"

#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

#include <cmath>
#include <vector>

using namespace diffuse;

TEST_CASE("the ancestral split keeps sigma_down^2 + sigma_up^2 = sigma_next^2") {
  // σ = 2, σ_next = 1, η = 1: σ_up = √(1 · (4 − 1)/4) = √3/2, σ_down = ½
  const AncestralStep<double> full = ancestral_step(2.0, 1.0);
  CHECK(full.sigma_up == Approx(std::sqrt(3.0) / 2).epsilon(1e-15));
  CHECK(full.sigma_down == Approx(0.5).epsilon(1e-15));
  const AncestralStep<double> half = ancestral_step(2.0, 1.0, 0.5);
  CHECK(half.sigma_up == Approx(std::sqrt(3.0) / 4).epsilon(1e-15));
  CHECK(half.sigma_down * half.sigma_down + half.sigma_up * half.sigma_up == Approx(1.0).epsilon(1e-15));
  // η = 0 is deterministic; a large η is capped at σ_up = σ_next (σ_down = 0)
  CHECK(ancestral_step(2.0, 1.0, 0.0).sigma_down == 1.0);
  CHECK(ancestral_step(2.0, 1.0, 0.0).sigma_up == 0.0);
  CHECK(ancestral_step(2.0, 1.0, 5.0).sigma_up == 1.0);
  CHECK(ancestral_step(2.0, 1.0, 5.0).sigma_down == 0.0);
  CHECK(ancestral_step(2.0, 0.0).sigma_up == 0.0);
}

TEST_CASE("LMS coefficients are the exact integrals of the Lagrange basis") {
  // nodes 3, 2, 1 (newest first), step from 3 to 2.5:
  // ℓ_0 = (τ−2)(τ−1)/2, ℓ_1 = −(τ−3)(τ−1), ℓ_2 = (τ−3)(τ−2)/2; integrals by hand
  const std::array<double, 4> nodes = {3, 2, 1, 0};
  auto integral = [](auto f, double a, double b) {  // Simpson on a cubic is exact
    return (b - a) / 6 * (f(a) + 4 * f((a + b) / 2) + f(b));
  };
  const double c0 = integral([](double t) { return (t - 2) * (t - 1) / 2; }, 3, 2.5);
  const double c1 = integral([](double t) { return -(t - 3) * (t - 1); }, 3, 2.5);
  const double c2 = integral([](double t) { return (t - 3) * (t - 2) / 2; }, 3, 2.5);
  CHECK(detail::lagrange_integral(nodes, 3, 0, 3.0, 2.5) == Approx(c0).epsilon(1e-14));
  CHECK(detail::lagrange_integral(nodes, 3, 1, 3.0, 2.5) == Approx(c1).epsilon(1e-14));
  CHECK(detail::lagrange_integral(nodes, 3, 2, 3.0, 2.5) == Approx(c2).epsilon(1e-14));
  // the basis sums to 1, so the coefficients sum to the step length, for every order
  for (int q = 1; q <= 4; ++q) {
    double sum = 0;
    for (int j = 0; j < q; ++j) sum += detail::lagrange_integral(nodes, q, j, 3.0, 2.5);
    CHECK(sum == Approx(-0.5).epsilon(1e-14));
  }
  // order 1 is Euler: c_0 = b − a
  CHECK(detail::lagrange_integral(nodes, 1, 0, 3.0, 2.5) == -0.5);
}

TEST_CASE("DPM-Solver-fast spends exactly its budget: orders 3, ..., 3, then 2, 1 or nfe mod 3") {
  CHECK(dpm_solver_fast_orders(10) == std::vector<int>{3, 3, 3, 1});
  CHECK(dpm_solver_fast_orders(9) == std::vector<int>{3, 3, 2, 1});
  CHECK(dpm_solver_fast_orders(11) == std::vector<int>{3, 3, 3, 2});
  CHECK(dpm_solver_fast_orders(3) == std::vector<int>{2, 1});
  CHECK(dpm_solver_fast_orders(1) == std::vector<int>{1});
  for (int nfe = 1; nfe <= 40; ++nfe) {
    int total = 0;
    for (int order : dpm_solver_fast_orders(nfe)) total += order;
    CHECK(total == nfe);
  }
}

TEST_CASE("torch_linspace counts the first half up from a and the second half down from b") {
  const std::vector<double> v = detail::torch_linspace(0.0, 1.0, 5);
  CHECK(v == std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0});
  const std::vector<double> w = detail::torch_linspace(1.0, 0.1, 4);  // step −0.3
  CHECK(w[0] == 1.0);
  CHECK(w[1] == 1.0 + -0.3 * 1);
  CHECK(w[2] == 0.1 - -0.3 * 1);
  CHECK(w[3] == 0.1);
}

TEST_CASE("exponential, polyexponential and VP sigma grids follow their formulas and end at 0") {
  const auto exponential = exponential_sigmas(5, 0.01, 100);
  REQUIRE(exponential.size() == 6);
  for (int i = 0; i < 5; ++i) CHECK(exponential[static_cast<std::size_t>(i)] == Approx(100 * std::pow(1e-4, i / 4.0)).epsilon(1e-13));
  CHECK(exponential.back() == 0.0);
  // ρ = 1 is the exponential grid; ρ = 2: log σ_i = log σ_min + (1 − i/4)² log(σ_max/σ_min)
  const auto poly1 = polyexponential_sigmas(5, 0.01, 100);
  for (int i = 0; i < 5; ++i) CHECK(poly1[static_cast<std::size_t>(i)] == Approx(exponential[static_cast<std::size_t>(i)]).epsilon(1e-13));
  const auto poly2 = polyexponential_sigmas(5, 0.01, 100, 2);
  for (int i = 0; i < 5; ++i) {
    const double r = (1 - i / 4.0) * (1 - i / 4.0);
    CHECK(poly2[static_cast<std::size_t>(i)] == Approx(std::exp(std::log(0.01) + r * std::log(1e4))).epsilon(1e-13));
  }
  CHECK(poly2.back() == 0.0);
  // VP: σ(t) = √(e^{β_d t²/2 + β_min t} − 1) at t = 1, 0.5005, 1e-3
  const auto vp = vp_sigmas(3);
  REQUIRE(vp.size() == 4);
  auto sigma_vp = [](double t) { return std::sqrt(std::exp(19.9 * t * t / 2 + 0.1 * t) - 1); };
  CHECK(vp[0] == Approx(sigma_vp(1.0)).epsilon(1e-14));
  CHECK(vp[1] == Approx(sigma_vp(0.5005)).epsilon(1e-13));
  CHECK(vp[2] == Approx(sigma_vp(1e-3)).epsilon(1e-11));
  CHECK(vp[3] == 0.0);
  // Karras with another ρ: σ_i = (σ_max^{1/ρ} + i/(N−1) (σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ
  const auto karras3 = karras_sigmas(4, {.sigma_min = 0.1, .sigma_max = 10, .rho = 3});
  const double hi = std::cbrt(10.0), lo = std::cbrt(0.1);
  CHECK(karras3[1] == Approx(std::pow(hi + (lo - hi) / 3, 3)).epsilon(1e-14));
  CHECK(karras3.back() == 0.0);
}

TEST_CASE("DPM-Solver adaptive meets a tight tolerance and counts its steps") {
  // a single Gaussian N(m, s² I) has the exact σ-space flow x(σ) = m + √(s² + σ²)/√(s² + σ₀²) (x₀ − m)
  const double s = 0.7;
  struct Gaussian1 {
    using Scalar = double;
    double s;
    SigmaLevels<double> lv;
    const SigmaLevels<double>& levels() const { return lv; }
    void predict(const Matrix<double>& x, double sigma, Prediction<double>& out) {
      out.x0 = (x.array() - 1.0) * (s * s / (s * s + sigma * sigma)) + 1.0;
      out.eps = (x - out.x0) / sigma;
    }
  } model{s, {}};
  Rng rng(3);
  const Matrix<double> start = 1.0 + 20 * rng.normal<double>(2, 50).array();
  const double sigma_0 = 20, sigma_end = 0.05;
  const Matrix<double> exact = 1.0 + (start.array() - 1.0) * (std::sqrt(s * s + sigma_end * sigma_end) / std::sqrt(s * s + sigma_0 * sigma_0));
  for (int order : {2, 3}) {
    for (double tol : {1e-3, 1e-5}) {
      DpmSolverAdaptive<> solver{.order = order, .rtol = tol, .atol = tol};
      Matrix<double> x = start;
      const SampleStats stats = sample(solver, model, x, std::vector<double>{sigma_0, sigma_end}, rng);
      INFO("order " << order << ", tol " << tol << ": " << solver.work.stats.accepted << " accepted, "
                    << solver.work.stats.rejected << " rejected");
      CHECK((x - exact).cwiseAbs().maxCoeff() < 20 * tol);
      CHECK(stats.evaluations == solver.work.stats.evaluations);
      CHECK(solver.work.stats.steps == solver.work.stats.accepted + solver.work.stats.rejected);
    }
  }
}
