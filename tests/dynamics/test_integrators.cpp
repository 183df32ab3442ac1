// Integrators: measured convergence orders on problems with known solutions (Euler 1, Heun 2,
// RK4 4, Euler–Maruyama strong ½ and weak 1), forward and backward in time; time grids;
// observers; no allocation after the first step.
#include "support/catch.hpp"

#include <diffuse/integrators.hpp>
#include <diffuse/processes/brownian.hpp>
#include <diffuse/processes/ornstein_uhlenbeck.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <sstream>
#include <vector>

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Rng;
using diffuse::TimeGrid;

// Global allocation counter: this test executable replaces operator new so that a test can
// prove that steppers allocate nothing after their first step.
namespace {
std::atomic<long> g_allocations{0};
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// Every unaligned form is replaced, so that memory from any of them is released by the matching
// one (a partial set mixes the runtime's new with this free, which AddressSanitizer rejects).
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

// dx/dt = x cos t, x(t) = x(t0) exp(sin t − sin t0): non-autonomous, so stage times matter.
struct SinExp {
  using Scalar = double;
  void drift(const Matrix<double>& x, double t, Matrix<double>& out) const { out = std::cos(t) * x; }
  static double solution(double x0, double t0, double t) { return x0 * std::exp(std::sin(t) - std::sin(t0)); }
};

// Geometric Brownian motion dX = μ X dt + σ X dW (diagonal, multiplicative noise):
// X_T = X_0 exp((μ − σ²/2) T + σ W_T).
struct Gbm {
  using Scalar = double;
  double mu = 1.0, sigma = 0.5;
  void drift(const Matrix<double>& x, double, Matrix<double>& out) const { out = mu * x; }
  void diffusion(const Matrix<double>& x, double, Matrix<double>& out) const { out = sigma * x; }
};
static_assert(diffuse::DiagonalNoiseSde<Gbm>);
static_assert(!diffuse::AdditiveNoiseSde<Gbm>);

// Least-squares slope of log(error) against log(h).
double slope(const std::vector<double>& h, const std::vector<double>& err) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < h.size(); ++i) mx += std::log(h[i]), my += std::log(err[i]);
  mx /= double(h.size());
  my /= double(h.size());
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    sxy += (std::log(h[i]) - mx) * (std::log(err[i]) - my);
    sxx += (std::log(h[i]) - mx) * (std::log(h[i]) - mx);
  }
  return sxy / sxx;
}

// Measured order of an ODE stepper on SinExp between t0 and t1 (either direction).
template <class Stepper>
double ode_order(double t0, double t1, const std::vector<Index>& steps) {
  Matrix<double> x0(1, 3);
  x0 << 1.0, -0.5, 2.0;
  std::vector<double> hs, errs;
  Rng rng(0);
  for (Index n : steps) {
    Stepper stepper;
    Matrix<double> x = x0;
    diffuse::integrate(stepper, SinExp{}, x, TimeGrid<double>::uniform(t0, t1, n), rng);
    double err = 0;
    for (Index j = 0; j < 3; ++j) err = std::max(err, std::abs(x(0, j) - SinExp::solution(x0(0, j), t0, t1)));
    hs.push_back(std::abs(t1 - t0) / double(n));
    errs.push_back(err);
  }
  return slope(hs, errs);
}

}  // namespace

TEST_CASE("ODE steppers converge at their orders, forward and backward") {
  const std::vector<Index> steps = {10, 20, 40, 80, 160};
  const double euler = ode_order<diffuse::Euler<double>>(0.0, 2.0, steps);
  const double heun = ode_order<diffuse::Heun<double>>(0.0, 2.0, steps);
  const double rk4 = ode_order<diffuse::Rk4<double>>(0.0, 2.0, steps);
  INFO("measured orders: Euler " << euler << ", Heun " << heun << ", RK4 " << rk4);
  CHECK(euler == Approx(1.0).margin(0.15));
  CHECK(heun == Approx(2.0).margin(0.2));
  CHECK(rk4 == Approx(4.0).margin(0.3));
  const double euler_back = ode_order<diffuse::Euler<double>>(2.0, 0.0, steps);
  const double heun_back = ode_order<diffuse::Heun<double>>(2.0, 0.0, steps);
  const double rk4_back = ode_order<diffuse::Rk4<double>>(2.0, 0.0, steps);
  INFO("backward: Euler " << euler_back << ", Heun " << heun_back << ", RK4 " << rk4_back);
  CHECK(euler_back == Approx(1.0).margin(0.15));
  CHECK(heun_back == Approx(2.0).margin(0.2));
  CHECK(rk4_back == Approx(4.0).margin(0.3));
  // The declared orders are the measured ones.
  CHECK(diffuse::Euler<double>::order == 1.0);
  CHECK(diffuse::Heun<double>::order == 2.0);
  CHECK(diffuse::Rk4<double>::order == 4.0);
}

namespace {

// Strong error E|X^h_T − X_T| and weak errors |E φ(X^h_T) − E φ(X_T)| (φ = x, x²) of
// Euler–Maruyama on GBM, at steps n; every resolution is driven by the same Brownian paths.
struct EmErrors {
  std::vector<double> h, strong, weak_mean, weak_square;
};
EmErrors em_errors(const Gbm& gbm, const std::vector<Index>& steps, Index paths, Rng& rng) {
  const double x0 = 1.0, T = 1.0;
  const Index finest = 256;
  const Matrix<double> dw_fine = std::sqrt(T / double(finest)) * rng.normal(finest, paths);
  const Matrix<double> w_T = dw_fine.colwise().sum();
  const Matrix<double> exact =
      (x0 * ((gbm.mu - 0.5 * gbm.sigma * gbm.sigma) * T + gbm.sigma * w_T.array()).exp()).matrix();
  EmErrors e;
  for (Index n : steps) {
    const Index ratio = finest / n;
    const double h = T / double(n);
    diffuse::EulerMaruyama<double> em;
    Matrix<double> x = Matrix<double>::Constant(1, paths, x0), dw(1, paths);
    for (Index k = 0; k < n; ++k) {
      dw = dw_fine.middleRows(k * ratio, ratio).colwise().sum();
      em.step_with_increment(gbm, x, k * h, (k + 1) * h, dw);
    }
    e.h.push_back(h);
    e.strong.push_back((x - exact).cwiseAbs().mean());
    // Estimated on the same paths: the difference has a small variance.
    e.weak_mean.push_back(std::abs((x - exact).mean()));
    e.weak_square.push_back(std::abs((x.array().square() - exact.array().square()).mean()));
  }
  return e;
}

}  // namespace

TEST_CASE("Euler-Maruyama has strong order 1/2 and weak order 1 on geometric Brownian motion") {
  Rng rng(21);
  // Strong order in the noise-dominated regime (μ = 2, σ = 1, as in Higham 2001).
  const EmErrors strong = em_errors(Gbm{2.0, 1.0}, {16, 32, 64, 128, 256}, 5000, rng);
  // Weak order on a milder GBM, whose weak error is not drowned by Monte Carlo noise.
  const EmErrors weak = em_errors(Gbm{1.0, 0.5}, {8, 16, 32, 64, 128}, 20000, rng);
  const double strong_order = slope(strong.h, strong.strong), weak_order = slope(weak.h, weak.weak_mean),
               weak_order_2 = slope(weak.h, weak.weak_square);
  INFO("strong " << strong_order << ", weak (mean) " << weak_order << ", weak (second moment) " << weak_order_2);
  CHECK(strong_order == Approx(0.5).margin(0.15));
  CHECK(weak_order == Approx(1.0).margin(0.2));
  CHECK(weak_order_2 == Approx(1.0).margin(0.2));
  // The weak error of the mean is known exactly: E X^h_T = x0 (1 + μh)^n versus x0 e^{μT}.
  CHECK(weak.weak_mean.back() == Approx(std::exp(1.0) - std::pow(1.0 + 1.0 / 128, 128)).epsilon(0.1));
}

TEST_CASE("Euler-Maruyama on additive noise uses sqrt of the step in both directions") {
  // Running Brownian motion on a decreasing grid still adds variance σ² |Δt|.
  const diffuse::BrownianMotion<double> bm(2.0);
  Rng rng(22);
  Matrix<double> x = Matrix<double>::Zero(1, 20000);
  diffuse::EulerMaruyama<double> em;
  diffuse::integrate(em, bm, x, TimeGrid<double>::uniform(1.0, 0.5, 20), rng);
  const double var = x.array().square().mean();
  CHECK(var == Approx(2.0).epsilon(4 * std::sqrt(2.0 / 20000)));
}

TEST_CASE("Time grids are validated") {
  using diffuse::Error;
  CHECK_THROWS_AS(TimeGrid<double>(std::vector<double>{}), Error);
  CHECK_THROWS_AS(TimeGrid<double>(std::vector<double>{0.5}), Error);
  CHECK_THROWS_AS(TimeGrid<double>(std::vector<double>{0.0, 0.5, 0.5, 1.0}), Error);
  CHECK_THROWS_AS(TimeGrid<double>(std::vector<double>{0.0, 0.5, 0.3}), Error);
  CHECK_THROWS_AS(TimeGrid<double>(std::vector<double>{1.0, 0.5, 0.7}), Error);
  CHECK_THROWS_AS(TimeGrid<double>(std::vector<double>{0.0, NAN}), Error);
  CHECK_THROWS_AS(TimeGrid<double>::uniform(0.0, 1.0, 0), Error);
  CHECK_THROWS_AS(TimeGrid<double>::uniform(1.0, 1.0, 10), Error);
  try {
    TimeGrid<double>(std::vector<double>{1.0, 0.5, 0.7});
    FAIL("expected an exception");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).rfind("diffuse::TimeGrid: time grid must be strictly decreasing (got t[2]=0.7 after t[1]=0.5, expected t[2] < t[1])", 0) == 0);
  }
  const auto up = TimeGrid<double>::uniform(0.0, 1.0, 4);
  CHECK(up.size() == 5);
  CHECK(up.steps() == 4);
  CHECK(up[1] == Approx(0.25));
  CHECK(up.back() == 1.0);
  CHECK(up.increasing());
  const TimeGrid<double> down({1.0, 0.3, 0.1, 0.0});
  CHECK(!down.increasing());
  // Exact steps only run forward; integrate() refuses a decreasing grid once, at entry.
  const diffuse::OrnsteinUhlenbeck<double> ou(1.0, 0.0, 1.0);
  diffuse::ExactOuStep<double> exact;
  Rng rng(0);
  Matrix<double> x = Matrix<double>::Zero(1, 3);
  CHECK_THROWS_AS(diffuse::integrate(exact, ou, x, down, rng), Error);
  Matrix<double> empty(1, 0);
  diffuse::Euler<double> euler;
  CHECK_THROWS_AS(diffuse::integrate(euler, ou, empty, up, rng), Error);
}

TEST_CASE("Observers see every step and the recorder keeps every k-th and the last") {
  const diffuse::OrnsteinUhlenbeck<double> ou(1.0, 0.0, 1.0);
  const auto grid = TimeGrid<double>::uniform(0.0, 1.0, 10);
  diffuse::TrajectoryRecorder<double> recorder(grid, 4);
  std::vector<Index> seen;
  Rng rng(1);
  Matrix<double> x = Matrix<double>::Ones(2, 3);
  diffuse::Rk4<double> rk4;
  const Index steps = diffuse::integrate(rk4, ou, x, grid, rng, [&](const Matrix<double>& y, double t, Index k) {
    recorder(y, t, k);
    seen.push_back(k);
  });
  CHECK(steps == 10);
  CHECK(seen.size() == 11);
  CHECK(recorder.steps() == std::vector<Index>{0, 4, 8, 10});
  CHECK(recorder.times()[1] == Approx(0.4));
  CHECK(recorder.states().front() == Matrix<double>::Ones(2, 3));
  CHECK(recorder.states().back() == x);
  CHECK(recorder.states()[2](0, 0) == Approx(std::exp(-0.8)).epsilon(1e-6));  // dx/dt = −x
  const Matrix<double> path = recorder.path(1);
  CHECK(path.rows() == 2);
  CHECK(path.cols() == 4);

  std::ostringstream out;
  diffuse::ProgressObserver progress(out, grid.steps(), "ou");
  x = Matrix<double>::Ones(2, 3);
  diffuse::integrate(rk4, ou, x, grid, rng, progress);
  CHECK(out.str().find("ou 10/10 (100%)\n") != std::string::npos);
}

TEST_CASE("Steppers allocate nothing after the first step at a batch size") {
  const diffuse::OrnsteinUhlenbeck<double> ou(0.5, 1.0, 0.3);
  const Gbm gbm;
  Rng rng(3);
  Matrix<double> x = rng.normal(2, 257);
  auto run = [&](auto& stepper, const auto& system) {
    stepper.step(system, x, 0.0, 0.01, rng);  // first step sizes the workspaces
    const long before = g_allocations.load();
    for (int k = 1; k < 20; ++k) stepper.step(system, x, 0.01 * k, 0.01 * (k + 1), rng);
    return g_allocations.load() - before;
  };
  diffuse::Euler<double> euler;
  diffuse::Heun<double> heun;
  diffuse::Rk4<double> rk4;
  diffuse::EulerMaruyama<double> em_additive, em_diagonal;
  diffuse::ExactOuStep<double> exact;
  CHECK(run(euler, ou) == 0);
  CHECK(run(heun, ou) == 0);
  CHECK(run(rk4, ou) == 0);
  CHECK(run(em_additive, ou) == 0);
  CHECK(run(em_diagonal, gbm) == 0);
  CHECK(run(exact, ou) == 0);
}

TEST_CASE("Steppers work in float") {
  const diffuse::OrnsteinUhlenbeck<float> ou(1.0f, 0.0f, 0.5f);
  Rng rng(4);
  Matrix<float> x = Matrix<float>::Constant(1, 4, 2.0f);
  diffuse::Rk4<float> rk4;
  diffuse::integrate(rk4, ou, x, TimeGrid<float>::uniform(0.0f, 1.0f, 20), rng);
  CHECK(x(0, 0) == Approx(2.0 * std::exp(-1.0)).epsilon(1e-5));
  diffuse::EulerMaruyama<float> em;
  diffuse::integrate(em, ou, x, TimeGrid<float>::uniform(1.0f, 2.0f, 20), rng);
  CHECK(x.allFinite());
}
