// Langevin dynamics reaches Gaussian-mixture and Boltzmann targets; the reverse SDE and the
// probability-flow ODE with the exact mixture score undo the forward process.
#include "support/catch.hpp"

#include <diffuse/distributions.hpp>
#include <diffuse/integrators.hpp>
#include <diffuse/processes.hpp>

#include <cmath>
#include <vector>

using diffuse::GaussianMixture;
using diffuse::Index;
using diffuse::Matrix;
using diffuse::Rng;
using diffuse::TimeGrid;
using diffuse::Vector;

namespace {

// Index of the nearest centre for every column, and the distance to it.
struct Nearest {
  std::vector<Index> label;
  std::vector<double> distance;
};
Nearest nearest(const Matrix<double>& x, const Matrix<double>& centres) {
  Nearest out;
  for (Index j = 0; j < x.cols(); ++j) {
    Index best = 0;
    const double d = (centres.colwise() - x.col(j)).colwise().norm().minCoeff(&best);
    out.label.push_back(best);
    out.distance.push_back(d);
  }
  return out;
}

}  // namespace

TEST_CASE("Langevin on the seed's random 5-mode mixture settles into its components") {
  const auto target = GaussianMixture<double>::random_2d(5, 0.75, 15.0, 3);
  Rng rng(31);
  const Index n = 2000;
  Matrix<double> x = std::sqrt(20.0) * rng.normal(2, n);
  // σ = 1.5: the in-mode relaxation rate ½σ²/s² = 2 empties the start transient by t = 5.
  const diffuse::LangevinSde langevin(1.5, target);
  diffuse::EulerMaruyama<double> em;
  diffuse::integrate(em, langevin, x, TimeGrid<double>::uniform(0.0, 5.0, 500), rng);
  const Nearest near = nearest(x, target.means());
  // In 2D, P(|x − μ| < 3s) = 1 − e^{−4.5} = 0.989 for a Gaussian component.
  Index close = 0;
  for (double d : near.distance) close += d < 3 * 0.75;
  CHECK(double(close) / n > 0.97);
  // Within each well-populated mode the law is the component N(μ_k, s² I): variance s² per
  // coordinate (EM's stationary bias here is 1%).
  for (Index k = 0; k < 5; ++k) {
    std::vector<Index> members;
    for (Index j = 0; j < n; ++j)
      if (near.label[static_cast<std::size_t>(j)] == k) members.push_back(j);
    if (members.size() < 150) continue;
    Matrix<double> m(2, static_cast<Index>(members.size()));
    for (std::size_t i = 0; i < members.size(); ++i) m.col(static_cast<Index>(i)) = x.col(members[i]);
    const Matrix<double> centred = m.colwise() - target.means().col(k);
    const double var = centred.array().square().mean();
    INFO("mode " << k << ": " << members.size() << " points, variance " << var);
    CHECK(var == Approx(0.5625).epsilon(0.15));
  }
}

TEST_CASE("Langevin balances the modes of a symmetric mixture from a symmetric start") {
  // Five-fold symmetry: each basin receives exactly 1/5 of an isotropic start distribution.
  const auto target = GaussianMixture<double>::symmetric_2d(5, 0.75, 6.0);
  Rng rng(32);
  const Index n = 4000;
  Matrix<double> x = std::sqrt(20.0) * rng.normal(2, n);
  diffuse::EulerMaruyama<double> em;
  diffuse::integrate(em, diffuse::LangevinSde(1.5, target), x, TimeGrid<double>::uniform(0.0, 5.0, 500), rng);
  const Nearest near = nearest(x, target.means());
  std::vector<double> share(5, 0.0);
  for (Index l : near.label) share[static_cast<std::size_t>(l)] += 1.0 / n;
  // Standard error sqrt(0.2·0.8/4000) = 0.0063.
  for (double s : share) CHECK(s == Approx(0.2).margin(0.03));
}

TEST_CASE("Langevin on the double well samples its Boltzmann law") {
  // With σ = √(2T) the drift is −∇U; the y-marginal of exp(−U/T) is N(0, T/1.4).
  const double temperature = 0.5;
  const diffuse::DoubleWell<double> well(temperature);
  const diffuse::LangevinSde langevin(std::sqrt(2 * temperature), well);
  Rng rng(33);
  Matrix<double> x = 0.18 * rng.normal(2, 4000);
  x.row(0).array() -= 1.1;
  Matrix<double> drift, grad;
  langevin.drift(x, 0.0, drift);
  well.gradient(x, grad);
  CHECK((drift + grad).cwiseAbs().maxCoeff() < 1e-12);
  diffuse::EulerMaruyama<double> em;
  diffuse::integrate(em, langevin, x, TimeGrid<double>::uniform(0.0, 20.0, 1000), rng);
  const double var_y = x.row(1).array().square().mean();
  CHECK(var_y == Approx(temperature / 1.4).epsilon(0.06));
  // Kramers rate ≈ 0.34 e^{−0.5625/T} = 0.11: by t = 20 the two wells have equilibrated
  // (residual imbalance e^{−2kt} ≈ 1%; the x-marginal is symmetric).
  const double right = (x.row(0).array() > 0).cast<double>().mean();
  CHECK(right == Approx(0.5).margin(0.05));
}

TEST_CASE("Reverse SDE with the exact score recovers the data from the prior") {
  const auto data = diffuse::toy::cross_mixture<double>();
  const diffuse::VpProcess<double> vp;
  const diffuse::MixtureScore score(data, vp);
  Rng rng(34);
  const Index n = 4000;
  Matrix<double> x = score.marginal(vp.t_max()).sample(n, rng).points;
  diffuse::EulerMaruyama<double> em;
  diffuse::integrate(em, diffuse::ReverseSde(vp, score), x, TimeGrid<double>::uniform(vp.t_max(), vp.t_min(), 500), rng);
  const Nearest near = nearest(x, data.means());
  std::vector<double> share(5, 0.0);
  Index close = 0;
  for (Index j = 0; j < n; ++j) {
    share[static_cast<std::size_t>(near.label[static_cast<std::size_t>(j)])] += 1.0 / n;
    close += near.distance[static_cast<std::size_t>(j)] < 3 * 0.25;
  }
  for (double s : share) CHECK(s == Approx(0.2).margin(0.03));
  CHECK(double(close) / n > 0.97);
}

TEST_CASE("Probability-flow ODE transports a Gaussian along its exact characteristics") {
  // Data N(m, s² I) ⇒ p_t = N(α m, c(t)² I) with c² = α² s² + σ², and the PF-ODE map is
  // x(t) = α(t) m + c(t)/c(T) (x(T) − α(T) m).
  Matrix<double> m(2, 1);
  m << 1.0, -2.0;
  const double s = 0.5;
  const GaussianMixture<double> data(m, Vector<double>::Constant(1, s), Vector<double>::Ones(1));
  auto check_process = [&](const auto& process, double tolerance) {
    const diffuse::MixtureScore score(data, process);
    const double t0 = process.t_min(), t1 = process.t_max();
    auto c = [&](double t) { return std::sqrt(process.alpha(t) * process.alpha(t) * s * s + process.sigma(t) * process.sigma(t)); };
    Rng rng(35);
    const Matrix<double> start = score.marginal(t1).sample(50, rng).points;
    Matrix<double> x = start;
    diffuse::Rk4<double> rk4;
    const diffuse::ProbabilityFlowOde ode(process, score);
    diffuse::integrate(rk4, ode, x, TimeGrid<double>::uniform(t1, t0, 400), rng);
    const Matrix<double> expected =
        ((start.colwise() - process.alpha(t1) * m.col(0)) * (c(t0) / c(t1))).colwise() + process.alpha(t0) * m.col(0);
    CHECK((x - expected).cwiseAbs().maxCoeff() < tolerance);
    // And back again: the flow is invertible.
    diffuse::integrate(rk4, ode, x, TimeGrid<double>::uniform(t0, t1, 400), rng);
    CHECK((x - start).cwiseAbs().maxCoeff() < tolerance * c(t1) / c(t0));
  };
  check_process(diffuse::VpProcess<double>(), 1e-6);
  check_process(diffuse::SubVpProcess<double>(), 1e-6);
  check_process(diffuse::OuProcess<double>(0.5, 0.5), 1e-8);
  check_process(diffuse::VeProcess<double>(0.01, 10.0), 1e-5);
}

TEST_CASE("Reverse SDE drift is f x - g^2 s and the PF-ODE drift is f x - g^2 s / 2") {
  const diffuse::VpProcess<double> vp;
  auto score = [](const Matrix<double>& x, double t, Matrix<double>& out) { out = -t * x; };
  const diffuse::ReverseSde reverse(vp, score);
  const diffuse::ProbabilityFlowOde flow(vp, score);
  Rng rng(36);
  const Matrix<double> x = rng.normal(3, 7);
  const double t = 0.4, f = vp.drift_coef(t), g = vp.diffusion(t);
  Matrix<double> a, b;
  reverse.drift(x, t, a);
  flow.drift(x, t, b);
  CHECK((a - (f * x + g * g * t * x)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((b - (f * x + 0.5 * g * g * t * x)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(reverse.diffusion(t) == g);
}
