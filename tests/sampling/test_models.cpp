// Parameterisations round-trip; the oracle denoiser equals Tweedie's formula on the exact noised
// mixture under every kind of noise levels; NoiseModel stacks its input and converts its output.
#include "support/catch.hpp"

#include <diffuse/models.hpp>
#include <diffuse/processes/ve.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/schedules.hpp>

#include "mixtures.hpp"

using diffuse::Matrix;
using diffuse::Parameterisation;
using diffuse::Prediction;

TEST_CASE("parameterisation conversions round-trip for any alpha and sigma") {
  diffuse::Rng rng(3);
  const Matrix<double> x0 = rng.normal<double>(3, 7), eps = rng.normal<double>(3, 7);
  for (auto [alpha, sigma] : {std::pair{0.8, 0.6}, std::pair{1.0, 3.0}, std::pair{0.3, 0.05}}) {
    const Matrix<double> x = alpha * x0 + sigma * eps;
    Matrix<double> a, b, score, v;
    diffuse::x0_from_eps(x, eps, alpha, sigma, a);
    CHECK((a - x0).norm() < 1e-12);
    diffuse::eps_from_x0(x, x0, alpha, sigma, b);
    CHECK((b - eps).norm() < 1e-12);
    diffuse::score_from_eps(eps, sigma, score);
    CHECK((score + eps / sigma).norm() < 1e-12);
    diffuse::score_from_x0(x, x0, alpha, sigma, a);
    CHECK((a - score).norm() < 1e-10);
    diffuse::eps_from_score(score, sigma, b);
    CHECK((b - eps).norm() < 1e-12);
    diffuse::v_from_x0_eps(x0, eps, alpha, sigma, v);
    CHECK((v - (alpha * eps - sigma * x0)).norm() < 1e-12);
    diffuse::x0_from_v(x, v, alpha, sigma, a);
    CHECK((a - x0).norm() < 1e-12);
    diffuse::eps_from_v(x, v, alpha, sigma, b);
    CHECK((b - eps).norm() < 1e-12);
    // every parameterisation of the true output gives back (x0, ε)
    const diffuse::EdmPrecond edm{.sigma_data = 0.7};
    const double s = sigma / alpha;
    const Matrix<double> f_edm = (x0 - edm.c_skip(s) * x / alpha) / edm.c_out(s);
    for (auto [p, out] : {std::pair{Parameterisation::eps, eps}, std::pair{Parameterisation::score, score},
                          std::pair{Parameterisation::x0, x0}, std::pair{Parameterisation::v, v},
                          std::pair{Parameterisation::edm, f_edm}}) {
      Prediction<double> pred;
      diffuse::prediction_from_output(p, x, out, alpha, sigma, pred, edm);
      CHECK((pred.x0 - x0).norm() < 1e-10);
      CHECK((pred.eps - eps).norm() < 1e-10);
    }
  }
}

TEST_CASE("EDM preconditioning has unit-variance input and training target") {
  const diffuse::EdmPrecond edm{.sigma_data = 0.5};
  for (double sigma : {0.002, 0.3, 5.0, 80.0}) {
    const double sd = 0.5;
    // Var(c_in x) = c_in² (σ_data² + σ²) = 1 and c_skip² σ_data² + c_out² ... EDM eq. (114)-(117)
    CHECK(edm.c_in(sigma) * edm.c_in(sigma) * (sd * sd + sigma * sigma) == Approx(1));
    const double target_var = ((1 - edm.c_skip(sigma)) * (1 - edm.c_skip(sigma)) * sd * sd +
                               edm.c_skip(sigma) * edm.c_skip(sigma) * sigma * sigma) /
                              (edm.c_out(sigma) * edm.c_out(sigma));
    CHECK(target_var == Approx(1));
    CHECK(edm.c_noise(sigma) == Approx(0.25 * std::log(sigma)));
  }
}

namespace {
// E[x0 | x] = (x + σ² ∇log p_t(x)) / α with p_t the exact noised mixture (Tweedie).
template <class Mixture>
Matrix<double> tweedie(const Mixture& m, const Matrix<double>& x, double alpha, double sigma) {
  return (x + sigma * sigma * m.noised(alpha, sigma).score(x)) / alpha;
}
}  // namespace

TEST_CASE("oracle denoiser equals Tweedie's formula for every kind of noise levels") {
  diffuse::Rng rng(5);
  const Matrix<double> x = 3 * rng.normal<double>(2, 50);
  for (const auto& mixture : {sampling_test::cross_mixture(), sampling_test::skewed_mixture()}) {
    Prediction<double> pred;
    diffuse::OracleDenoiser vp(mixture, diffuse::VpProcess<double>());
    for (double t : {0.001, 0.1, 0.5, 1.0}) {
      vp.predict(x, t, pred);
      const double a = vp.levels().alpha(t), s = vp.levels().sigma(t);
      CHECK((pred.x0 - tweedie(mixture, x, a, s)).cwiseAbs().maxCoeff() < 1e-9);
      CHECK((pred.eps - (x - a * pred.x0) / s).norm() < 1e-9);
    }
    diffuse::OracleDenoiser ddpm(mixture, diffuse::DiscreteSchedule<double>(diffuse::linear_betas(50, 1e-4, 0.035)));
    for (double t : {0.0, 10.0, 49.0}) {
      ddpm.predict(x, t, pred);
      const double a = ddpm.levels().alpha(t), s = ddpm.levels().sigma(t);
      CHECK((pred.x0 - tweedie(mixture, x, a, s)).cwiseAbs().maxCoeff() < 1e-9);
    }
    diffuse::OracleDenoiser edm(mixture, diffuse::SigmaLevels<double>());
    for (double sigma : {0.07, 1.0, 80.0}) {
      edm.predict(x, sigma, pred);
      CHECK((pred.x0 - tweedie(mixture, x, 1.0, sigma)).cwiseAbs().maxCoeff() < 1e-9);
    }
  }
}

TEST_CASE("oracle denoiser stays finite and correct for small sigma and far points in float") {
  diffuse::OracleDenoiser<diffuse::SigmaLevels<float>> oracle(sampling_test::cross_mixture(), {});
  Matrix<float> x(2, 3);
  x << 1e4f, -3e3f, 1.25f,  //
      -2e4f, 5.0f, 0.0f;
  Prediction<float> pred;
  oracle.predict(x, 1e-3f, pred);
  REQUIRE(pred.x0.allFinite());
  REQUIRE(pred.eps.allFinite());
  // with σ ≪ 0.25 the posterior mean is x itself up to O(σ²/0.25²) shrinkage toward the nearest mode
  CHECK(pred.x0(0, 2) == Approx(1.25f).epsilon(1e-4));
  // at huge σ the posterior mean is the mixture mean (0, 0)
  oracle.predict(x.leftCols(1) * 0, 1e4f, pred);
  CHECK(std::abs(pred.x0(0, 0)) < 1e-3f);
}

namespace {
// A stand-in network: returns output = A * input (d x (d + 1 + c)) and records the last input.
struct LinearNet {
  using Scalar = double;
  Matrix<double> weights = {}, last_input = {}, out = {};
  diffuse::Vector<double> params = {}, grads = {};
  const Matrix<double>& forward(const Matrix<double>& input) {
    last_input = input;
    out = weights * input;
    return out;
  }
  const Matrix<double>& backward(const Matrix<double>&) { return out; }
  diffuse::Vector<double>& parameters() { return params; }
  diffuse::Vector<double>& gradients() { return grads; }
  diffuse::Index input_dim() const { return weights.cols(); }
  diffuse::Index output_dim() const { return weights.rows(); }
};
}  // namespace

static_assert(diffuse::Network<LinearNet>);
static_assert(diffuse::Denoiser<diffuse::NoiseModel<LinearNet, diffuse::DiscreteSchedule<double>>>);

TEST_CASE("NoiseModel stacks x, the noise-level input and the condition, then converts the output") {
  diffuse::Rng rng(11);
  LinearNet net{.weights = rng.normal<double>(2, 4)};
  const diffuse::DiscreteSchedule<double> sch(diffuse::linear_betas(50, 1e-4, 0.035));
  diffuse::NoiseModel model(net, sch, {.parameterisation = Parameterisation::eps, .input = diffuse::NoiseInput::normalised_step, .train_steps = 50});
  const Matrix<double> x = rng.normal<double>(2, 5);
  model.set_condition(Matrix<double>::Constant(1, 5, 7.0));
  Prediction<double> pred;
  model.predict(x, 20.0, pred);
  REQUIRE(net.last_input.rows() == 4);
  CHECK(net.last_input.topRows(2) == x);
  CHECK(net.last_input(2, 3) == Approx(20.0 / 49));
  CHECK(net.last_input(3, 0) == 7.0);
  CHECK((pred.eps - net.out).norm() < 1e-12);
  CHECK((pred.x0 - (x - sch.sigma(20.0) * net.out) / sch.alpha(20.0)).norm() < 1e-12);

  // NCSN level index (seed 000): σ = 0.35 is level 2 of 6, largest first
  LinearNet net3{.weights = rng.normal<double>(2, 3)};
  diffuse::NoiseModel ncsn(net3, diffuse::SigmaLevels<double>(),
                           {.parameterisation = Parameterisation::score, .input = diffuse::NoiseInput::level_index,
                            .sigma_levels = {1.0, 0.6, 0.35, 0.2, 0.12, 0.07}});
  ncsn.predict(x, 0.35, pred);
  CHECK(net3.last_input(2, 0) == Approx(2.0 / 5));
  CHECK((pred.eps + 0.35 * net3.out).norm() < 1e-12);

  // EDM: the network sees c_in x and c_noise
  diffuse::NoiseModel edm(net3, diffuse::SigmaLevels<double>(),
                          {.parameterisation = Parameterisation::edm, .input = diffuse::NoiseInput::c_noise});
  edm.predict(x, 2.0, pred);
  const diffuse::EdmPrecond pre{};
  CHECK((net3.last_input.topRows(2) - pre.c_in(2.0) * x).norm() < 1e-12);
  CHECK(net3.last_input(2, 1) == Approx(0.25 * std::log(2.0)));
  CHECK((pred.x0 - (pre.c_skip(2.0) * x + pre.c_out(2.0) * net3.out)).norm() < 1e-12);

  CHECK_THROWS_AS(diffuse::NoiseModel(net, sch, {.input = diffuse::NoiseInput::normalised_step}), diffuse::Error);
  CHECK_THROWS_AS(diffuse::NoiseModel(net, sch, {.input = diffuse::NoiseInput::level_index}), diffuse::Error);
}

TEST_CASE("classifier-free guidance with a linear network: eps = eps(x, null) + w W_c (c - null)") {
  // With ε = W [x; t_in; c], ε(x, c) − ε(x, ∅) = W_c (c − ∅) exactly, so the guided prediction has
  // a closed form for every scale w, and x0 follows from it through the same parameterisation.
  diffuse::Rng rng(12);
  LinearNet net{.weights = rng.normal<double>(2, 4)};
  const diffuse::DiscreteSchedule<double> sch(diffuse::linear_betas(50, 1e-4, 0.035));
  diffuse::NoiseModel model(net, sch, {.parameterisation = Parameterisation::eps, .input = diffuse::NoiseInput::normalised_step, .train_steps = 50});
  const Matrix<double> x = rng.normal<double>(2, 6), condition = rng.normal<double>(1, 6);
  const double null_value = -1.5, t = 30.0;
  const Matrix<double> base = net.weights.leftCols(2) * x + net.weights.col(2) * Matrix<double>::Constant(1, 6, t / 49) +
                              net.weights.col(3) * Matrix<double>::Constant(1, 6, null_value);
  for (double w : {0.0, 1.0, 3.0, -0.5}) {
    INFO("w = " << w);
    diffuse::ClassifierFreeGuidance guided(model, condition, w, null_value);
    Prediction<double> pred;
    guided.predict(x, t, pred);
    const Matrix<double> expected = base + w * net.weights.col(3) * (condition.array() - null_value).matrix();
    CHECK((pred.eps - expected).norm() < 1e-12);
    CHECK((pred.x0 - (x - sch.sigma(t) * expected) / sch.alpha(t)).norm() < 1e-12);
  }
  CHECK_THROWS_AS(diffuse::ClassifierFreeGuidance(model, condition, std::nan("")), diffuse::Error);
  CHECK_THROWS_AS(diffuse::ClassifierFreeGuidance(model, Matrix<double>(), 2.0), diffuse::Error);
  diffuse::ClassifierFreeGuidance wrong_batch(model, condition, 2.0);
  Prediction<double> pred;
  CHECK_THROWS_AS(wrong_batch.predict(rng.normal<double>(2, 5), t, pred), diffuse::Error);
}
