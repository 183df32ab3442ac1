// The σ-space view: fractional steps of a DiscreteSchedule, σ → t for every kind of noise levels,
// x0 and ε passed through, the rounded-step mode for embedding tables, samplers in the view equal
// to the same update in the model's own time, and the evaluation count of wrapped models.
#include "support/catch.hpp"

#include <diffuse/models.hpp>
#include <diffuse/processes/sub_vp.hpp>
#include <diffuse/processes/ve.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "mixtures.hpp"

using namespace diffuse;

namespace {

// A stand-in ε-network: output = W input, recording the last input.
struct ProbeNet {
  using Scalar = double;
  Matrix<double> weights = {}, last_input = {}, out = {};
  Vector<double> params = {}, grads = {};
  const Matrix<double>& forward(const Matrix<double>& input) {
    last_input = input;
    out = weights * input;
    return out;
  }
  const Matrix<double>& backward(const Matrix<double>&) { return out; }
  Vector<double>& parameters() { return params; }
  Vector<double>& gradients() { return grads; }
  Index input_dim() const { return weights.cols(); }
  Index output_dim() const { return weights.rows(); }
};

double max_abs(const Matrix<double>& m) { return m.cwiseAbs().maxCoeff(); }

}  // namespace

TEST_CASE("a DiscreteSchedule's fractional steps interpolate log sigma/alpha, and time_of_sigma inverts it") {
  const Vector<double> betas = linear_betas(1000, 1e-4, 0.02);
  const DiscreteSchedule<double> schedule(betas);
  double alpha_bar = 1;
  std::vector<double> log_ratio;
  for (Index t = 0; t < 1000; ++t) {
    alpha_bar *= 1 - betas(t);
    log_ratio.push_back(0.5 * std::log((1 - alpha_bar) / alpha_bar));
  }
  // integer steps map back exactly and keep their table values
  for (int t = 0; t < 1000; ++t) {
    const double ratio = schedule.sigma(t) / schedule.alpha(t);
    CHECK(schedule.time_of_sigma(ratio) == double(t));
    CHECK(std::abs(std::log(ratio) - log_ratio[static_cast<std::size_t>(t)]) < 1e-13);
  }
  // t = 10.25: log σ̃ = 0.75 log σ̃_10 + 0.25 log σ̃_11, α = 1/√(1 + σ̃²), σ = σ̃ α
  const double ratio = std::exp(0.75 * log_ratio[10] + 0.25 * log_ratio[11]);
  CHECK(schedule.alpha(10.25) == Approx(1 / std::sqrt(1 + ratio * ratio)).epsilon(1e-14));
  CHECK(schedule.sigma(10.25) == Approx(ratio / std::sqrt(1 + ratio * ratio)).epsilon(1e-14));
  CHECK(std::abs(schedule.time_of_sigma(ratio) - 10.25) < 1e-10);
  for (double t : {0.5, 123.456, 998.999}) {
    CHECK(std::abs(schedule.time_of_sigma(schedule.sigma(t) / schedule.alpha(t)) - t) < 1e-9);
    CHECK(schedule.alpha(t) * schedule.alpha(t) + schedule.sigma(t) * schedule.sigma(t) == Approx(1).epsilon(1e-15));
  }
  // outside the chain's range the step is clamped to its ends (k-diffusion's sigma_to_t)
  CHECK(schedule.time_of_sigma(1e-9) == 0.0);
  CHECK(schedule.time_of_sigma(1e9) == 999.0);
  CHECK(schedule.sigma_ratio_min() == Approx(std::exp(log_ratio.front())).epsilon(1e-14));
  CHECK(schedule.sigma_ratio_max() == Approx(std::exp(log_ratio.back())).epsilon(1e-14));
  // fractional steps exist only inside (0, T − 1)
  CHECK_THROWS_AS(schedule.alpha(-0.5), Error);
  CHECK_THROWS_AS(schedule.alpha(999.5), Error);
  CHECK(schedule.alpha(-1.0) == 1.0);
}

TEST_CASE("SigmaView maps sigma to each model's time and passes x0 and eps through unchanged") {
  const auto mixture = sampling_test::skewed_mixture();
  Rng rng(21);
  const Matrix<double> x_tilde = rng.normal<double>(2, 9);
  auto check = [&](auto levels, std::vector<double> times, const std::string& what) {
    INFO(what);
    OracleDenoiser model(mixture, levels);
    SigmaView view(model);
    for (const double t : times) {
      const double sigma = view.sigma_of(t);
      CHECK(sigma == Approx(levels.sigma(t) / levels.alpha(t)).epsilon(1e-15));
      CHECK(std::abs(view.time_of(sigma) - t) <= 1e-9 * std::max(1.0, std::abs(t)));
      Prediction<double> in_view, own;
      const Matrix<double> x = sigma * x_tilde;
      view.predict(x, sigma, in_view);
      model.predict(Matrix<double>(levels.alpha(view.time_of(sigma)) * x), view.time_of(sigma), own);
      CHECK(in_view.x0 == own.x0);
      CHECK(in_view.eps == own.eps);
      // x̃ = x0 + σ̃ ε in the view
      CHECK(max_abs(x - (in_view.x0 + sigma * in_view.eps)) < 1e-10 * std::max(1.0, sigma));
    }
    CHECK(view.sigma_min() < view.sigma_max());
  };
  check(DiscreteSchedule<double>(linear_betas(1000, 1e-4, 0.02)), {0, 3.5, 500, 998.25, 999}, "DDPM schedule");
  check(VpProcess<double>(), {1e-3, 0.1, 0.5, 1}, "VP");
  check(SubVpProcess<double>(), {1e-3, 0.3, 1}, "sub-VP");
  check(VeProcess<double>(0.01, 50), {1e-5, 0.4, 1}, "VE");
  // SigmaLevels: the view is the identity and has no range of its own
  OracleDenoiser<SigmaLevels<double>> sigma_model(mixture, {});
  SigmaView identity(sigma_model);
  CHECK(identity.time_of(2.5) == 2.5);
  CHECK_THROWS_AS(identity.sigma_max(), Error);
}

TEST_CASE("the view's Karras and exponential grids span the model's own sigma range") {
  const DiscreteSchedule<double> schedule(linear_betas(1000, 1e-4, 0.02));
  OracleDenoiser model(sampling_test::cross_mixture(), schedule);
  SigmaView view(model);
  const auto karras = view.karras_sigmas(18);
  REQUIRE(karras.size() == 19);
  CHECK(karras.front() == Approx(schedule.sigma(999.0) / schedule.alpha(999.0)).epsilon(1e-12));
  CHECK(karras[17] == Approx(schedule.sigma(0.0) / schedule.alpha(0.0)).epsilon(1e-12));
  CHECK(karras.back() == 0.0);
  const auto exponential = view.exponential_sigmas(5);
  REQUIRE(exponential.size() == 6);
  // log-uniform: equal ratios between neighbours
  CHECK(exponential[1] / exponential[0] == Approx(exponential[4] / exponential[3]).epsilon(1e-12));
  CHECK(exponential[4] == Approx(view.sigma_min()).epsilon(1e-12));
  CHECK(exponential.back() == 0.0);
}

TEST_CASE("samplers in the view equal the same update in the model's own time to 1e-12") {
  // DDIM with η = 0 is Euler in σ̃ (x̃_s = x̃_t + (σ̃_s − σ̃_t) ε̂), and DPM-Solver++(2M) is the same
  // update in λ = −log σ̃: run on the model's times and on their σ̃ they must agree.
  const auto mixture = sampling_test::cross_mixture();
  Rng rng(22);
  const Matrix<double> start = rng.normal<double>(2, 50);
  auto compare = [&](auto levels, const std::vector<double>& times, const std::string& what) {
    INFO(what);
    OracleDenoiser model(mixture, levels);
    SigmaView view(model);
    const std::vector<double> sigmas = view.sigmas_of(times);
    const double alpha_0 = levels.alpha(times.front()), alpha_n = levels.alpha(times.back());
    Matrix<double> own = start, in_view = start / alpha_0;
    sample(Ddim<>{}, model, own, times, rng);
    sample(EdmEuler<>{}, view, in_view, sigmas, rng);
    CHECK(max_abs(own / alpha_n - in_view) < 1e-12);
    own = start, in_view = start / alpha_0;
    sample(DpmSolverPP2M<>{}, model, own, times, rng);
    sample(DpmSolverPP2M<>{}, view, in_view, sigmas, rng);
    CHECK(max_abs(own / alpha_n - in_view) < 1e-12);
  };
  compare(DiscreteSchedule<double>(linear_betas(1000, 1e-4, 0.02)), ddim_timesteps(1000, 50), "DDPM schedule, 50 steps");
  compare(VpProcess<double>(), uniform_grid(1.0, 1e-3, 40), "VP, 40 steps");
}

TEST_CASE("an eps-network is evaluated at the fractional step, or at the nearest one for embedding tables") {
  Rng rng(23);
  ProbeNet net{.weights = rng.normal<double>(2, 3)};
  const DiscreteSchedule<double> schedule(linear_betas(1000, 1e-4, 0.02));
  NoiseModel model(net, schedule, {.input = NoiseInput::normalised_step, .train_steps = 1000});
  const Matrix<double> x = rng.normal<double>(2, 4);
  const double sigma = 0.5 * (schedule.sigma(400.0) / schedule.alpha(400.0) + schedule.sigma(401.0) / schedule.alpha(401.0));
  Prediction<double> pred;

  SigmaView fractional(model);
  const double t = fractional.time_of(sigma);
  REQUIRE((t > 400 && t < 401));
  fractional.predict(x, sigma, pred);
  CHECK(net.last_input(2, 0) == Approx(t / 999).epsilon(1e-15));
  CHECK(max_abs(net.last_input.topRows(2) - schedule.alpha(t) * x) < 1e-15);
  CHECK(max_abs(pred.eps - net.out) < 1e-15);
  CHECK(max_abs(pred.x0 - (x - sigma * net.out)) < 1e-12);

  // k-diffusion's quantize = True: the nearest step, input x̃/√(1 + σ̃²), ε kept, x0 = x̃ − σ̃ ε
  SigmaView nearest(model, {.rounding = StepRounding::nearest});
  nearest.predict(x, sigma, pred);
  CHECK(net.last_input(2, 0) == std::nearbyint(t) / 999);
  CHECK(max_abs(net.last_input.topRows(2) - x / std::sqrt(1 + sigma * sigma)) < 1e-15);
  CHECK(pred.eps == net.out);
  CHECK(max_abs(pred.x0 - (x - sigma * net.out)) < 1e-15);

  // above the chain's largest σ̃ (EDM churn) the step is clamped to T − 1, as in k-diffusion
  const double above = 1.3 * fractional.sigma_max();
  fractional.predict(x, above, pred);
  CHECK(net.last_input(2, 0) == 1.0);
  CHECK(max_abs(net.last_input.topRows(2) - x / std::sqrt(1 + above * above)) < 1e-15);
  CHECK(max_abs(pred.x0 - (x - above * net.out)) < 1e-12);
}

TEST_CASE("sample() counts network evaluations of guided and viewed models") {
  Rng rng(24);
  ProbeNet net{.weights = rng.normal<double>(2, 4) * 0.1};
  const DiscreteSchedule<double> schedule(linear_betas(100, 1e-4, 0.05));
  NoiseModel model(net, schedule, {.input = NoiseInput::normalised_step, .train_steps = 100});
  ClassifierFreeGuidance guided(model, Matrix<double>::Ones(1, 6), 2.0);
  Matrix<double> x = rng.normal<double>(2, 6);
  CHECK(sample(Ddim<>{}, guided, x, ddim_timesteps(100, 5), rng).evaluations == 10);  // two per prediction
  SigmaView view(guided);
  x = view.sigma_max() * rng.normal<double>(2, 6);
  // EDM Heun: 2 predictions per step, 1 on the last; each guided prediction is 2 evaluations
  CHECK(sample(EdmHeun<>{}, view, x, view.karras_sigmas(4), rng).evaluations == 2 * (2 * 3 + 1));
  REQUIRE(x.allFinite());
}

TEST_CASE("sample() refuses a step an eps-model cannot take and a corrector runs on a zero score") {
  Rng rng(25);
  ProbeNet net{.weights = rng.normal<double>(2, 3)};
  const DiscreteSchedule<double> zero_snr(rescale_zero_terminal_snr(linear_betas(100, 1e-4, 0.02)));
  REQUIRE(zero_snr.alpha(99.0) == 0.0);
  NoiseModel eps_model(net, zero_snr, {.input = NoiseInput::normalised_step, .train_steps = 100});
  Matrix<double> x = rng.normal<double>(2, 5);
  const auto grid = ddim_timesteps(100, 10);  // starts at t = 99, where α = 0
  std::string message;
  try {
    sample(Ddim<>{}, eps_model, x, grid, rng);
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message.find("diffuse::sample: the model cannot start a step at t = 99") == 0);
  CHECK(message.find("Parameterisation::v") != std::string::npos);
  // a v-model has no such division
  NoiseModel v_model(net, zero_snr, {.parameterisation = Parameterisation::v, .input = NoiseInput::normalised_step, .train_steps = 100});
  sample(Ddim<>{}, v_model, x, grid, rng);
  CHECK(x.allFinite());

  // an all-zero network: the corrector's step size 2 (r |z| / |s|)² would be infinite
  ProbeNet zero{.weights = Matrix<double>::Zero(2, 3)};
  const DiscreteSchedule<double> schedule(linear_betas(100, 1e-4, 0.02));
  NoiseModel zero_model(zero, schedule, {.input = NoiseInput::normalised_step, .train_steps = 100});
  x = rng.normal<double>(2, 5);
  sample(PredictorCorrector<>{}, zero_model, x, ddim_timesteps(100, 10), rng);
  CHECK(x.allFinite());
  // samplers from noise to data refuse a grid that adds noise
  const auto up = std::vector<double>{0, 10, 20};
  CHECK_THROWS_AS(sample(PredictorCorrector<>{}, zero_model, x, up, rng), Error);
  CHECK_THROWS_AS(sample(Ddpm<>{}, zero_model, x, up, rng), Error);
  OracleDenoiser vp_model(sampling_test::cross_mixture(), VpProcess<double>());
  CHECK_THROWS_AS(sample(ReverseEulerMaruyama<>{}, vp_model, x, std::vector<double>{0.1, 0.5}, rng), Error);
}
