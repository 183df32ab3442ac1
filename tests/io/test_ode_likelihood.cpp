// Log-likelihood through the probability-flow ODE against closed forms: a Gaussian pushed through
// the VP process keeps a Gaussian marginal, so log p_{t0} is exact; a two-component mixture has
// an exact noised log-density; Rademacher probes are exact for an isotropic Jacobian; RK4 and
// Heun converge at their orders; a network's backward() divergence matches finite differences.
#include "support/catch.hpp"

#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/metrics/ode_likelihood.hpp>
#include <diffuse/models/noise_model.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/processes/vp.hpp>

#include <cmath>
#include <string>

using namespace diffuse;

namespace {

// One isotropic Gaussian N(μ, s² I) in 2D with μ = (1, −0.5), s = 0.5.
GaussianMixture<double> one_gaussian() {
  Matrix<double> mean(2, 1);
  mean << 1.0, -0.5;
  return GaussianMixture<double>(mean, Vector<double>::Constant(1, 0.5), Vector<double>::Ones(1));
}

// Max |estimate − exact log p_{t0}| for the oracle of `data` with the exact prior at T = 1.
double oracle_error(const GaussianMixture<double>& data, OdeLikelihoodOptions options, Index n = 200) {
  const VpProcess<double> vp;
  OracleDenoiser oracle(data, vp);
  DenoiserFlow flow(oracle);
  Rng rng(3);
  const Matrix<double> x = data.sample(n, rng).points;
  const double t0 = options.t_start.value_or(vp.t_min());
  const GaussianMixture<double> prior = data.noised(vp.alpha(1.0), vp.sigma(1.0));
  const auto result = ode_log_likelihood(flow, x, rng, options, [&](const Matrix<double>& x_end) {
    return RowVector<double>(prior.log_density(x_end));
  });
  const RowVector<double> exact = data.noised(vp.alpha(t0), vp.sigma(t0)).log_density(x);
  return (result.log_p - exact).cwiseAbs().maxCoeff();
}

}  // namespace

TEST_CASE("the oracle's ODE log-likelihood of a Gaussian is exact to 1e-6 with RK4") {
  const double error = oracle_error(one_gaussian(), {.steps = 100});
  CHECK(error < 1e-6);  // measured 2.1e-7
}

TEST_CASE("the divergence integral enters with a plus sign") {
  // Flipping the sign of delta misses the exact value by 2 |delta| (at least 2.8 nats here).
  const VpProcess<double> vp;
  const GaussianMixture<double> data = one_gaussian();
  OracleDenoiser oracle(data, vp);
  DenoiserFlow flow(oracle);
  Rng rng(1);
  const Matrix<double> x = data.sample(50, rng).points;
  const auto result = ode_log_likelihood(flow, x, rng, {.steps = 50});
  const RowVector<double> exact = data.noised(vp.alpha(vp.t_min()), vp.sigma(vp.t_min())).log_density(x);
  const RowVector<double> flipped = result.log_prior - result.delta;
  CHECK((result.log_p - exact).cwiseAbs().maxCoeff() < 0.05);  // the N(0, I) prior's mismatch: 0.016
  CHECK((flipped - exact).cwiseAbs().minCoeff() > 2.0);
}

TEST_CASE("RK4 and Heun converge at orders 4 and 2") {
  const GaussianMixture<double> data = one_gaussian();
  const double rk4_ratio = oracle_error(data, {.steps = 10}) / oracle_error(data, {.steps = 20});
  const double heun_ratio = oracle_error(data, {.steps = 20, .method = OdeMethod::heun}) /
                            oracle_error(data, {.steps = 40, .method = OdeMethod::heun});
  CHECK(std::log2(rk4_ratio) == Approx(4).margin(0.6));  // measured 4.01 and 2.06
  CHECK(std::log2(heun_ratio) == Approx(2).margin(0.4));
}

TEST_CASE("a two-component mixture's log-density is recovered to 1e-5") {
  Matrix<double> means(2, 2);
  means << -2.0, 1.5, 0.5, -1.0;
  Vector<double> stds(2), weights(2);
  stds << 0.4, 0.7;
  weights << 0.3, 0.7;
  const GaussianMixture<double> data(means, stds, weights);
  CHECK(oracle_error(data, {.steps = 200}) < 1e-5);  // measured 5.6e-7
}

TEST_CASE("Rademacher probes are exact for an isotropic Jacobian and Gaussian probes are unbiased") {
  const VpProcess<double> vp;
  const GaussianMixture<double> data = one_gaussian();
  OracleDenoiser oracle(data, vp);
  DenoiserFlow flow(oracle);
  Rng rng(5);
  const Matrix<double> x = data.sample(400, rng).points;
  const auto exact = ode_log_likelihood(flow, x, rng, {.steps = 40});
  const auto rademacher = ode_log_likelihood(flow, x, rng, {.steps = 40, .divergence = DivergenceMethod::rademacher});
  CHECK((rademacher.log_p - exact.log_p).cwiseAbs().maxCoeff() < 1e-8);
  const auto gauss = ode_log_likelihood(flow, x, rng, {.steps = 40, .divergence = DivergenceMethod::gaussian});
  const RowVector<double> diff = gauss.log_p - exact.log_p;
  const double mean = diff.mean();
  const double se = std::sqrt((diff.array() - mean).square().sum() / double(diff.size() - 1) / double(diff.size()));
  CHECK(se > 0.01);  // the estimator does vary
  CHECK(std::abs(mean) < 4 * se);
  // More probes shrink the spread as 1/√K.
  const auto gauss16 = ode_log_likelihood(flow, x, rng, {.steps = 40, .divergence = DivergenceMethod::gaussian, .probes = 16});
  const RowVector<double> diff16 = gauss16.log_p - exact.log_p;
  CHECK(diff16.norm() / diff.norm() == Approx(0.25).margin(0.06));
}

TEST_CASE("a network's backward divergence equals finite differences of its velocity") {
  Rng rng(11);
  auto net = score_network<double>(rng, {.hidden = 32, .sigma_dim = 8});
  const VpProcess<double> vp;
  for (const Parameterisation kind : {Parameterisation::score, Parameterisation::eps}) {
    const NoiseModelOptions<double> options{.parameterisation = kind, .input = NoiseInput::log_sigma};
    NetworkFlow exact_flow(net, vp, options);
    NoiseModel model(net, vp, options);
    DenoiserFlow fd_flow(model, 1e-5);
    const Matrix<double> x = 2 * rng.normal<double>(2, 30);
    const Matrix<double> p = rng.normal<double>(2, 30);
    Matrix<double> v_exact, v_fd;
    RowVector<double> q_exact, q_fd;
    for (const double t : {0.01, 0.3, 0.9}) {
      fd_flow.evaluate(x, t, std::span<const Matrix<double>>(&p, 1), v_fd, q_fd);
      exact_flow.evaluate(x, t, std::span<const Matrix<double>>(&p, 1), v_exact, q_exact);
      CHECK((v_exact - v_fd).norm() < 1e-12 * v_fd.norm());
      CHECK((q_exact - q_fd).norm() < 1e-6 * q_fd.norm());
    }
  }
}

TEST_CASE("ode_log_likelihood and NetworkFlow reject bad input") {
  const VpProcess<double> vp;
  const GaussianMixture<double> data = one_gaussian();
  OracleDenoiser oracle(data, vp);
  DenoiserFlow flow(oracle);
  Rng rng(1);
  const Matrix<double> x = data.sample(4, rng).points;
  auto message = [&](const OdeLikelihoodOptions& o) {
    try {
      ode_log_likelihood(flow, x, rng, o);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message({.steps = 0}).find("diffuse::ode_log_likelihood: steps") == 0);
  CHECK(message({.t_start = 0.5, .t_end = 0.2}).find("t_start must be below t_end") != std::string::npos);
  CHECK(message({.prior_std = 0}).find("prior_std") != std::string::npos);
  CHECK_THROWS_AS(ode_log_likelihood(flow, Matrix<double>(2, 0), rng), Error);
  CHECK_THROWS_AS(DenoiserFlow(oracle, 0.0), Error);
  auto net = score_network<double>(rng, {.hidden = 8, .sigma_dim = 4});
  CHECK_THROWS_AS(NetworkFlow(net, vp, NoiseModelOptions<double>{.parameterisation = Parameterisation::x0,
                                                                 .input = NoiseInput::log_sigma}),
                  Error);
}
