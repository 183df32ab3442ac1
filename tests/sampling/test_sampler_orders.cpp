// Deterministic samplers converge to a fine-step reference at their order (log-log slope of the
// mean endpoint error against the number of steps), DDIM inverts, float works, bad input throws.
#include "support/catch.hpp"

#include <diffuse/models.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

#include <cmath>
#include <functional>
#include <vector>

#include "mixtures.hpp"

using namespace diffuse;

namespace {

// Least-squares slope of log(error) against log(steps).
template <class Smp, class D>
double convergence_slope(Smp sampler, D& model, const Matrix<double>& start,
                         const std::function<std::vector<double>(int)>& grid_of, const Matrix<double>& reference,
                         const std::vector<int>& steps) {
  std::vector<double> lx, ly;
  for (int n : steps) {
    Matrix<double> x = start;
    Rng rng(1);
    sample(sampler, model, x, grid_of(n), rng);
    lx.push_back(std::log(double(n)));
    ly.push_back(std::log((x - reference).colwise().norm().mean()));
  }
  const double n = double(lx.size());
  double mx = 0, my = 0, sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < lx.size(); ++i) mx += lx[i] / n, my += ly[i] / n;
  for (std::size_t i = 0; i < lx.size(); ++i) sxy += (lx[i] - mx) * (ly[i] - my), sxx += (lx[i] - mx) * (lx[i] - mx);
  return -sxy / sxx;
}

}  // namespace

TEST_CASE("probability-flow Euler, Heun, RK4, DDIM and DPM-Solver++ converge at their order on VP") {
  OracleDenoiser model(sampling_test::cross_mixture(), VpProcess<double>());
  Rng rng(3);
  const Matrix<double> start = rng.normal<double>(2, 100);
  auto grid = [](int n) { return uniform_grid(1.0, 1e-3, n); };
  Matrix<double> reference = start;
  ProbabilityFlow<> rk4{.method = OdeMethod::rk4};
  sample(rk4, model, reference, grid(4000), rng);  // RK4 error ≈ 1e-12 here
  const double euler = convergence_slope(ProbabilityFlow<>{.method = OdeMethod::euler}, model, start, grid, reference, {160, 320, 640});
  const double heun = convergence_slope(ProbabilityFlow<>{}, model, start, grid, reference, {40, 80, 160, 320});
  const double rk = convergence_slope(ProbabilityFlow<>{.method = OdeMethod::rk4}, model, start, grid, reference, {20, 40, 80, 160});
  const double ddim = convergence_slope(Ddim<>{}, model, start, grid, reference, {160, 320, 640});
  const double dpm = convergence_slope(DpmSolverPP2M<>{}, model, start, grid, reference, {160, 320, 640});
  INFO("slopes: Euler " << euler << ", Heun " << heun << ", RK4 " << rk << ", DDIM " << ddim << ", DPM++2M " << dpm);
  CHECK(std::abs(euler - 1) < 0.2);
  CHECK(std::abs(heun - 2) < 0.2);
  CHECK(std::abs(rk - 4) < 0.3);
  CHECK(std::abs(ddim - 1) < 0.2);
  CHECK(std::abs(dpm - 2) < 0.2);
}

TEST_CASE("EDM Heun and DPM-Solver++ are second order and DDIM first order on the Karras grid") {
  OracleDenoiser<SigmaLevels<double>> model(sampling_test::cross_mixture(), {});
  Rng rng(4);
  const Matrix<double> start = 80 * rng.normal<double>(2, 100);
  auto grid = [](int n) { return karras_sigmas(n + 1, {.sigma_min = 0.01, .sigma_max = 80, .append_zero = false}); };
  Matrix<double> reference = start;
  EdmHeun<> fine{};
  sample(fine, model, reference, grid(4000), rng);
  const double heun = convergence_slope(EdmHeun<>{}, model, start, grid, reference, {20, 40, 80, 160});
  const double dpm = convergence_slope(DpmSolverPP2M<>{}, model, start, grid, reference, {20, 40, 80, 160});
  const double ddim = convergence_slope(Ddim<>{}, model, start, grid, reference, {160, 320, 640});
  INFO("slopes: EDM Heun " << heun << ", DPM++2M " << dpm << ", DDIM " << ddim);
  CHECK(std::abs(heun - 2) < 0.2);
  CHECK(std::abs(dpm - 2) < 0.2);
  CHECK(std::abs(ddim - 1) < 0.2);
}

TEST_CASE("the deterministic k-diffusion samplers converge at their orders on the Karras grid") {
  OracleDenoiser<SigmaLevels<double>> model(sampling_test::cross_mixture(), {});
  Rng rng(7);
  const Matrix<double> start = 80 * rng.normal<double>(2, 100);
  auto grid = [](int n) { return karras_sigmas(n + 1, {.sigma_min = 0.01, .sigma_max = 80, .append_zero = false}); };
  Matrix<double> reference = start;
  sample(EdmHeun<>{}, model, reference, grid(4000), rng);
  const std::vector<int> coarse = {20, 40, 80, 160}, fine = {160, 320, 640};
  struct Row { const char* name; double slope, order, tolerance; };
  const Row rows[] = {
      {"Euler", convergence_slope(EdmEuler<>{}, model, start, grid, reference, fine), 1, 0.2},
      {"Euler ancestral, eta = 0", convergence_slope(EulerAncestral<>{.eta = 0}, model, start, grid, reference, fine), 1, 0.2},
      {"DPM-2", convergence_slope(Dpm2<>{}, model, start, grid, reference, coarse), 2, 0.2},
      {"LMS order 2", convergence_slope(Lms<>{.order = 2}, model, start, grid, reference, coarse), 2, 0.25},
      {"DPM++(2S), eta = 0", convergence_slope(DpmSolverPP2SAncestral<>{.eta = 0}, model, start, grid, reference, coarse), 2, 0.2},
      {"DPM++ SDE, eta = 0", convergence_slope(DpmSolverPPSde<>{.eta = 0}, model, start, grid, reference, coarse), 2, 0.2},
      {"DPM++(2M) SDE midpoint, eta = 0", convergence_slope(DpmSolverPP2MSde<>{.eta = 0}, model, start, grid, reference, coarse), 2, 0.2},
      {"DPM++(2M) SDE heun, eta = 0",
       convergence_slope(DpmSolverPP2MSde<>{.eta = 0, .solver = SecondOrder::heun}, model, start, grid, reference, coarse), 2, 0.2},
  };
  for (const Row& row : rows) {
    INFO(row.name << ": slope " << row.slope << ", expected " << row.order);
    CHECK(std::abs(row.slope - row.order) < row.tolerance);
  }
}

TEST_CASE("LMS of order 3 and 4 converge at their orders, and DPM-Solver++(3M) beats (2M), on a smooth problem") {
  // Third and fourth order need a reference far below their errors and a smooth solution: σ from
  // 80 down to 0.5 on a wide mixture, steps uniform in log σ, the reference by LMS-4 on 4,000 steps.
  // DPM-Solver++(3M) starts with a first- and a second-order step (as k-diffusion's, which it
  // matches to 1e-15), whose O(h²) local error makes it second order globally; its errors are
  // below DPM-Solver++(2M)'s at every step count.
  OracleDenoiser<SigmaLevels<double>> model(GaussianMixture<double>(sampling_test::cross_mixture().means(),
                                                                    Vector<double>::Constant(5, 0.6), Vector<double>::Ones(5)),
                                            {});
  Rng rng(8);
  const Matrix<double> start = 80 * rng.normal<double>(2, 100);
  auto grid = [](int n) { return exponential_sigmas(n + 1, 0.5, 80, false); };
  Matrix<double> reference = start;
  sample(Lms<>{}, model, reference, grid(4000), rng);
  const std::vector<int> steps = {20, 40, 80, 160};
  const double lms3 = convergence_slope(Lms<>{.order = 3}, model, start, grid, reference, steps);
  const double lms4 = convergence_slope(Lms<>{.order = 4}, model, start, grid, reference, steps);
  const double dpm3 = convergence_slope(DpmSolverPP3MSde<>{.eta = 0}, model, start, grid, reference, steps);
  INFO("slopes: LMS-3 " << lms3 << ", LMS-4 " << lms4 << ", DPM++(3M) " << dpm3);
  CHECK(std::abs(lms3 - 3) < 0.35);
  CHECK(std::abs(lms4 - 4) < 0.5);
  CHECK(dpm3 > 1.9);
  for (int n : steps) {
    Matrix<double> three = start, two = start;
    sample(DpmSolverPP3MSde<>{.eta = 0}, model, three, grid(n), rng);
    sample(DpmSolverPP2M<>{}, model, two, grid(n), rng);
    INFO(n << " steps");
    CHECK((three - reference).colwise().norm().mean() < (two - reference).colwise().norm().mean());
  }
}

TEST_CASE("EDM Heun, DPM-Solver++ and Euler keep their orders through the sigma-space view of a VP model") {
  OracleDenoiser model(sampling_test::cross_mixture(), VpProcess<double>());
  SigmaView view(model);
  Rng rng(5);
  const double sigma_max = view.sigma_max(), sigma_min = 10 * view.sigma_min();
  const Matrix<double> start = sigma_max * rng.normal<double>(2, 100);
  auto grid = [&](int n) { return karras_sigmas(n + 1, {.sigma_min = sigma_min, .sigma_max = sigma_max, .append_zero = false}); };
  Matrix<double> reference = start;
  sample(EdmHeun<>{}, view, reference, grid(4000), rng);
  const double heun = convergence_slope(EdmHeun<>{}, view, start, grid, reference, {20, 40, 80, 160});
  const double dpm = convergence_slope(DpmSolverPP2M<>{}, view, start, grid, reference, {20, 40, 80, 160});
  const double euler = convergence_slope(EdmEuler<>{}, view, start, grid, reference, {400, 800, 1600});
  INFO("slopes through the view: EDM Heun " << heun << ", DPM++2M " << dpm << ", Euler " << euler);
  CHECK(std::abs(heun - 2) < 0.2);
  CHECK(std::abs(dpm - 2) < 0.2);
  CHECK(std::abs(euler - 1) < 0.2);
}

TEST_CASE("DDIM with eta = 0 encodes data to noise and decodes it back, with first-order error") {
  const auto mixture = sampling_test::cross_mixture();
  OracleDenoiser model(mixture, DiscreteSchedule<double>(linear_betas(1000, 1e-4, 0.02)));
  Rng rng(6);
  const Matrix<double> data = mixture.sample(300, rng).points;
  auto round_trip = [&](int steps) {
    std::vector<double> down = ddim_timesteps(1000, steps, Spacing::linspace);
    down.pop_back();  // end at t = 0, the data level, not at −1
    const std::vector<double> up(down.rbegin(), down.rend());
    Matrix<double> x = data;
    Ddim<> ddim{};
    sample(ddim, model, x, up, rng);
    CHECK(x.squaredNorm() / 600 > 0.5);  // the code is noise-like (per-coordinate variance near 1)
    sample(ddim, model, x, down, rng);
    return (x - data).colwise().norm().mean();
  };
  const double coarse = round_trip(200), fine = round_trip(400);
  INFO("round-trip error " << coarse << " (200 steps), " << fine << " (400 steps)");
  CHECK(coarse < 0.03);
  CHECK(fine < 0.6 * coarse);
}

TEST_CASE("samplers run in float and allocate their workspaces once") {
  OracleDenoiser<SigmaLevels<float>> model(sampling_test::cross_mixture(), {});
  Rng rng(1);
  Matrix<float> x = 80.0f * rng.normal<float>(2, 500);
  const auto grid = karras_sigmas<float>(30, {.sigma_min = 0.002, .sigma_max = 80});
  EdmHeun<float> heun{.s_churn = 10};
  const SampleStats stats = sample(heun, model, x, grid, rng);
  CHECK(stats.steps == 30);
  CHECK(stats.evaluations == 59);  // two per step, one on the last step to σ = 0
  REQUIRE(x.allFinite());
  const Vector<double> fractions = sampling_test::mode_fractions(x.cast<double>(), sampling_test::cross_mixture().means());
  CHECK(fractions.minCoeff() > 0.12);
  // the workspace keeps its storage between runs at the same batch size
  const float* before = heun.work.d.data();
  x = 80.0f * rng.normal<float>(2, 500);
  sample(heun, model, x, grid, rng);
  CHECK(heun.work.d.data() == before);
  DpmSolverPP2M<float> dpm{};
  x = 80.0f * rng.normal<float>(2, 500);
  sample(dpm, model, x, grid, rng);
  REQUIRE(x.allFinite());
}

TEST_CASE("observers see every grid point and bad sampler input throws diffuse::Error") {
  const DiscreteSchedule<double> schedule(linear_betas(50, 1e-4, 0.035));
  OracleDenoiser model(sampling_test::cross_mixture(), schedule);
  Rng rng(2);
  Matrix<double> x = rng.normal<double>(2, 10);
  std::vector<double> seen;
  Ddim<> ddim{};
  sample(ddim, model, x, ddim_timesteps(50, 10), rng, [&](const Matrix<double>&, double t, int k) {
    CHECK(k == int(seen.size()));
    seen.push_back(t);
  });
  CHECK(seen == ddim_timesteps(50, 10));

  Ddim<> negative{.eta = -0.1};
  CHECK_THROWS_AS(sample(negative, model, x, ddim_timesteps(50, 10), rng), Error);
  CHECK_THROWS_AS(sample(ddim, model, x, std::vector<double>{49.0}, rng), Error);
  CHECK_THROWS_AS(sample(ddim, model, x, std::vector<double>{49.0, 30.0, 31.0, -1.0}, rng), Error);
  Matrix<double> bad = x;
  bad(0, 0) = std::nan("");
  CHECK_THROWS_AS(sample(ddim, model, bad, ddim_timesteps(50, 10), rng), Error);
  AnnealedLangevin<> no_steps{.steps_per_level = 0};
  CHECK_THROWS_AS(sample(no_steps, model, x, ddim_timesteps(50, 10), rng), Error);
  PredictorCorrector<> bad_snr{.snr = 0};
  CHECK_THROWS_AS(sample(bad_snr, model, x, ddim_timesteps(50, 10), rng), Error);
  PredictorCorrector<> em_on_discrete{.predictor = Predictor::euler_maruyama};
  CHECK_THROWS_AS(sample(em_on_discrete, model, x, ddim_timesteps(50, 10), rng), Error);
  EdmHeun<> bad_churn{.s_churn = -1};
  OracleDenoiser<SigmaLevels<double>> sigma_model(sampling_test::cross_mixture(), {});
  CHECK_THROWS_AS(sample(bad_churn, sigma_model, x, karras_sigmas(5), rng), Error);
  try {
    sample(ddim, model, x, std::vector<double>{49.0, 30.0, 31.0, -1.0}, rng);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("diffuse::sample: time grid must be strictly monotone") == 0);
  }
}
