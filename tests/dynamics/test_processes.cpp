// Processes: Brownian and Ornstein–Uhlenbeck moments, OU = Langevin of its Gaussian, the
// Gaussian forward processes' α(t), σ(t) against their moment ODEs, exact transitions, bad input.
#include "support/catch.hpp"

#include <diffuse/distributions/gaussian.hpp>
#include <diffuse/integrators.hpp>
#include <diffuse/processes.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Rng;
using diffuse::TimeGrid;
using diffuse::Vector;

namespace {

// Sample mean and (unbiased) variance of all entries of a batch.
struct Moments {
  double mean, variance;
};
Moments moments(const Matrix<double>& x) {
  const double m = x.mean();
  return {m, (x.array() - m).square().sum() / double(x.size() - 1)};
}

// The mean scale m(t) = α(t)/α(t0) and variance v(t) of a linear SDE dx = f(t) x dt + g(t) dW
// obey dm/dt = f m and dv/dt = 2 f v + g². Row 0 is m, row 1 is v.
template <class P>
struct MomentOde {
  using Scalar = double;
  P process;
  void drift(const Matrix<double>& y, double t, Matrix<double>& out) const {
    const double f = process.drift_coef(t), g = process.diffusion(t);
    out.resize(2, y.cols());
    out.row(0) = f * y.row(0);
    out.row(1) = 2 * f * y.row(1).array() + g * g;
  }
};

// Integrates the moment ODE from t0 with RK4 and compares with the closed forms at t.
template <class P>
void check_moments(const P& process, double t0, const std::vector<double>& ts) {
  Rng rng(0);
  diffuse::Rk4<double> rk4;
  for (double t : ts) {
    Matrix<double> y(2, 1);
    y << 1.0, process.sigma(t0) * process.sigma(t0);
    diffuse::integrate(rk4, MomentOde<P>{process}, y, TimeGrid<double>::uniform(t0, t, 4000), rng);
    const double alpha_ratio = process.alpha(t) / process.alpha(t0);
    CHECK(y(0, 0) == Approx(alpha_ratio).epsilon(1e-9));
    CHECK(y(1, 0) == Approx(process.sigma(t) * process.sigma(t)).epsilon(1e-8));
  }
}

}  // namespace

TEST_CASE("Brownian motion has variance sigma^2 t") {
  const diffuse::BrownianMotion<double> bm(1.5);
  Rng rng(11);
  const Index n = 20000;
  Matrix<double> x = Matrix<double>::Zero(1, n);
  diffuse::EulerMaruyama<double> em;
  diffuse::integrate(em, bm, x, TimeGrid<double>::uniform(0.0, 2.0, 50), rng);
  const auto m = moments(x);
  const double var = bm.variance(2.0);  // 4.5
  CHECK(var == Approx(4.5));
  // Standard errors: mean sqrt(var/n) = 0.015, variance var sqrt(2/n) = 0.045.
  CHECK(std::abs(m.mean) < 4 * std::sqrt(var / n));
  CHECK(std::abs(m.variance - var) < 4 * var * std::sqrt(2.0 / n));
  // The exact step gives the same law in one step.
  Matrix<double> y = Matrix<double>::Zero(1, n);
  diffuse::ExactOuStep<double> exact;
  diffuse::integrate(exact, bm, y, TimeGrid<double>({0.0, 2.0}), rng);
  CHECK(std::abs(moments(y).variance - var) < 4 * var * std::sqrt(2.0 / n));
}

TEST_CASE("Ornstein-Uhlenbeck mean and variance at t and at stationarity") {
  const diffuse::OrnsteinUhlenbeck<double> ou(0.8, 1.0, 0.6);
  CHECK(ou.stationary_variance() == Approx(0.36 / 1.6));
  const Index n = 10000;
  Rng rng(12);
  const double t = 1.5, x0 = 3.0;
  const double mean_t = 1.0 + 2.0 * std::exp(-0.8 * t);
  const double var_t = ou.transition_std(t) * ou.transition_std(t);
  CHECK(var_t == Approx(0.225 * (1 - std::exp(-1.6 * t))));
  CHECK(ou.transition_mean(Matrix<double>::Constant(1, 1, x0), t)(0, 0) == Approx(mean_t));

  // Euler–Maruyama with h = 0.005 (bias O(h) ≈ 0.3% of the variance).
  Matrix<double> x = Matrix<double>::Constant(1, n, x0);
  diffuse::EulerMaruyama<double> em;
  diffuse::integrate(em, ou, x, TimeGrid<double>::uniform(0.0, t, 300), rng);
  auto m = moments(x);
  CHECK(std::abs(m.mean - mean_t) < 4 * std::sqrt(var_t / n));
  CHECK(std::abs(m.variance - var_t) < 4 * var_t * std::sqrt(2.0 / n) + 0.01 * var_t);

  // The exact step reaches the same law in one step, with no bias.
  Matrix<double> y = Matrix<double>::Constant(1, n, x0);
  diffuse::ExactOuStep<double> exact;
  diffuse::integrate(exact, ou, y, TimeGrid<double>({0.0, t}), rng);
  m = moments(y);
  CHECK(std::abs(m.mean - mean_t) < 4 * std::sqrt(var_t / n));
  CHECK(std::abs(m.variance - var_t) < 4 * var_t * std::sqrt(2.0 / n));

  // Stationary variance σ²/(2θ) after θ t = 8 (EM bias θh/2 = 0.4%).
  Matrix<double> z = Matrix<double>::Constant(1, n, x0);
  diffuse::integrate(em, ou, z, TimeGrid<double>::uniform(0.0, 10.0, 1000), rng);
  m = moments(z);
  const double d = ou.stationary_variance();
  CHECK(std::abs(m.mean - 1.0) < 4 * std::sqrt(d / n));
  CHECK(std::abs(m.variance - d) < 4 * d * std::sqrt(2.0 / n) + 0.005 * d);
}

TEST_CASE("Exact transitions compose: two steps equal one") {
  const diffuse::OrnsteinUhlenbeck<double> ou(0.7, -0.5, 1.3);
  const auto a = ou.transition(0.2, 0.9), b = ou.transition(0.9, 1.6), ab = ou.transition(0.2, 1.6);
  CHECK(b.scale * a.scale == Approx(ab.scale).epsilon(1e-14));
  CHECK(b.scale * a.offset + b.offset == Approx(ab.offset).epsilon(1e-14));
  CHECK(b.scale * b.scale * a.std * a.std + b.std * b.std == Approx(ab.std * ab.std).epsilon(1e-13));
  const diffuse::VpProcess<double> vp;
  const auto p = vp.transition(0.1, 0.4), q = vp.transition(0.4, 0.8), pq = vp.transition(0.1, 0.8);
  CHECK(q.scale * p.scale == Approx(pq.scale).epsilon(1e-13));
  CHECK(q.scale * q.scale * p.std * p.std + q.std * q.std == Approx(pq.std * pq.std).epsilon(1e-12));
  // From t_min the transition reproduces the marginal: σ(t)² = a² σ(t_min)² + s².
  const diffuse::SubVpProcess<double> sub;
  const auto r = sub.transition(sub.t_min(), 0.5);
  CHECK(r.scale == Approx(sub.alpha(0.5) / sub.alpha(sub.t_min())));
  CHECK(r.scale * r.scale * sub.sigma(sub.t_min()) * sub.sigma(sub.t_min()) + r.std * r.std ==
        Approx(sub.sigma(0.5) * sub.sigma(0.5)).epsilon(1e-12));
}

TEST_CASE("OU equals the Langevin SDE of its stationary Gaussian") {
  // p = N(0, σ²/(2θ)) ⇒ ½ σ² ∇ log p(x) = −θ x (seed 000, Question 3.2).
  const double theta = 0.7, sigma = 1.2;
  const diffuse::OrnsteinUhlenbeck<double> ou(theta, 0.0, sigma);
  const auto target = diffuse::Gaussian<double>::isotropic(Vector<double>::Zero(2), std::sqrt(ou.stationary_variance()));
  const diffuse::LangevinSde langevin(sigma, target);
  static_assert(std::is_same_v<decltype(langevin)::Scalar, double>);
  Rng rng(13);
  const Matrix<double> x = 3 * rng.normal(2, 64);
  Matrix<double> f_ou, f_langevin;
  ou.drift(x, 0.0, f_ou);
  langevin.drift(x, 0.0, f_langevin);
  CHECK((f_ou - f_langevin).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(langevin.diffusion(0.0) == ou.diffusion(0.0));
  // Same noise, same paths.
  Matrix<double> a = x, b = x;
  Rng r1(5), r2(5);
  diffuse::EulerMaruyama<double> em1, em2;
  const auto grid = TimeGrid<double>::uniform(0.0, 3.0, 200);
  diffuse::integrate(em1, ou, a, grid, r1);
  diffuse::integrate(em2, langevin, b, grid, r2);
  CHECK((a - b).cwiseAbs().maxCoeff() < 1e-10);
  // A callable score source works the same way.
  const diffuse::LangevinSde<double, std::function<void(const Matrix<double>&, Matrix<double>&)>> from_callable(
      sigma, [&](const Matrix<double>& y, Matrix<double>& out) { out = -(2 * theta / (sigma * sigma)) * y; });
  Matrix<double> f_callable;
  from_callable.drift(x, 0.0, f_callable);
  CHECK((f_callable - f_ou).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("VP, VE, sub-VP and OU noise levels solve their moment ODEs") {
  const std::vector<double> ts = {0.05, 0.3, 0.6, 1.0};
  check_moments(diffuse::VpProcess<double>(0.1, 20.0), 0.0, ts);
  check_moments(diffuse::SubVpProcess<double>(0.1, 20.0), 0.0, ts);
  check_moments(diffuse::VeProcess<double>(0.01, 50.0), 0.0, ts);
  check_moments(diffuse::OuProcess<double>(0.5, 0.5), 0.0, ts);
  check_moments(diffuse::VpProcess<double>(1.0, 1.0), 0.0, ts);  // constant β
  // Closed-form spot values: VP ᾱ(1) = exp(−(0.1 + 9.95)), VE σ(1) = σ_max, OU σ(∞)² = σ²/(2θ).
  const diffuse::VpProcess<double> vp;
  CHECK(vp.alpha(1.0) == Approx(std::exp(-0.5 * 10.05)));
  CHECK(vp.alpha(0.5) * vp.alpha(0.5) + vp.sigma(0.5) * vp.sigma(0.5) == Approx(1.0));
  CHECK(diffuse::VeProcess<double>(0.01, 50.0).sigma(1.0) == Approx(50.0));
  CHECK(diffuse::OuProcess<double>(0.5, 0.5).sigma(40.0) == Approx(std::sqrt(0.25)));
}

TEST_CASE("Sub-VP variance never exceeds VP variance") {
  const diffuse::VpProcess<double> vp;
  const diffuse::SubVpProcess<double> sub;
  for (int i = 0; i <= 100; ++i) {
    const double t = vp.t_min() + (1.0 - vp.t_min()) * i / 100.0;
    const double v_vp = vp.sigma(t) * vp.sigma(t), v_sub = sub.sigma(t) * sub.sigma(t);
    CHECK(v_sub <= v_vp);
    CHECK(v_sub == Approx(v_vp * v_vp).epsilon(1e-12));  // (1 − ᾱ)² vs 1 − ᾱ
    CHECK(sub.alpha(t) == vp.alpha(t));
  }
}

TEST_CASE("Forward processes sample their priors") {
  Rng rng(14);
  const Index n = 20000;
  const auto ve = diffuse::VeProcess<double>(0.01, 50.0).sample_prior(2, n, rng);
  CHECK(std::sqrt(moments(ve).variance) == Approx(50.0).epsilon(0.02));
  const auto vp = diffuse::VpProcess<double>().sample_prior(3, n, rng);
  CHECK(vp.rows() == 3);
  CHECK(moments(vp).variance == Approx(1.0).epsilon(0.03));
  const diffuse::OuProcess<double> ou(0.5, 0.5);
  const double a = ou.alpha(1.0), s = ou.sigma(1.0);
  CHECK(moments(ou.sample_prior(2, n, rng)).variance == Approx(a * a + s * s).epsilon(0.03));
}

TEST_CASE("Processes reject bad parameters") {
  using diffuse::Error;
  CHECK_THROWS_AS(diffuse::BrownianMotion<double>(0.0), Error);
  CHECK_THROWS_AS(diffuse::BrownianMotion<double>(-1.0), Error);
  CHECK_THROWS_AS(diffuse::OrnsteinUhlenbeck<double>(0.0, 0.0, 1.0), Error);
  CHECK_THROWS_AS(diffuse::OrnsteinUhlenbeck<double>(1.0, 0.0, -1.0), Error);
  CHECK_THROWS_AS(diffuse::OrnsteinUhlenbeck<double>(-1.0, 0.0, 1.0), Error);
  CHECK(diffuse::OrnsteinUhlenbeck<double>(1.0, 0.0, 0.0).transition_std(2.0) == 0.0);  // deterministic limit
  CHECK_THROWS_AS(diffuse::OrnsteinUhlenbeck<double>(1.0, NAN, 1.0), Error);
  CHECK_THROWS_AS(diffuse::OuProcess<double>(-0.5, 0.5), Error);
  CHECK_THROWS_AS(diffuse::OuProcess<double>(0.5, 0.0), Error);
  CHECK_THROWS_AS(diffuse::VpProcess<double>(20.0, 0.1), Error);
  CHECK_THROWS_AS(diffuse::VpProcess<double>(0.0, 20.0), Error);
  CHECK_THROWS_AS(diffuse::VpProcess<double>(0.1, 20.0, 0.0), Error);
  CHECK_THROWS_AS(diffuse::VpProcess<double>(0.1, 20.0, 0.5, 0.5), Error);
  CHECK_THROWS_AS(diffuse::SubVpProcess<double>(5.0, 1.0), Error);
  CHECK_THROWS_AS(diffuse::VeProcess<double>(50.0, 0.01), Error);
  CHECK_THROWS_AS(diffuse::VeProcess<double>(-0.01, 50.0), Error);
  const auto g = diffuse::Gaussian<double>::isotropic(Vector<double>::Zero(1), 1.0);
  CHECK_THROWS_AS(diffuse::LangevinSde(0.0, g), Error);
  try {
    diffuse::VpProcess<double>(20.0, 0.1);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).rfind("diffuse::VpProcess: beta_min exceeds beta_max (got 20", 0) == 0);
  }
}
