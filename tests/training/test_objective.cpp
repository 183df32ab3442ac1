// Denoising objectives: every target satisfies its defining relation with x_t, x0 and the noise
// levels exactly; draws follow their distributions; the weighted MSE gradient is exact.
#include "support/catch.hpp"

#include <diffuse/processes/vp.hpp>
#include <diffuse/schedules/beta_schedule.hpp>
#include <diffuse/schedules/sigma_levels.hpp>
#include <diffuse/training/objective.hpp>

#include <cmath>

using namespace diffuse;

namespace {
Matrix<double> cross_points(Index n, Rng& rng) {
  Matrix<double> x = rng.normal<double>(2, n);
  return x * 1.5;
}
}  // namespace

TEST_CASE("DDPM objective: x_t = sqrt(abar) x0 + sqrt(1 - abar) eps with target eps") {
  const DiscreteSchedule<double> schedule(linear_betas(50, 1e-4, 0.035));
  DenoisingObjective objective(schedule, DenoisingOptions<double>{
      .model = {.parameterisation = Parameterisation::eps, .input = NoiseInput::normalised_step, .train_steps = 50},
      .draw = NoiseDraw::uniform_step, .steps = 50});
  Rng rng(1);
  const Matrix<double> x0 = cross_points(4000, rng);
  TrainingBatch<double> batch;
  objective.make_batch(x0, Matrix<double>(0, x0.cols()), rng, batch);
  REQUIRE(batch.input.rows() == 3);
  std::vector<int> seen(50, 0);
  for (Index j = 0; j < x0.cols(); ++j) {
    const double step = batch.input(2, j) * 49;
    const int k = static_cast<int>(std::lround(step));
    REQUIRE(std::abs(step - k) < 1e-9);
    ++seen[k];
    const double a = schedule.alpha(k), s = schedule.sigma(k);
    REQUIRE((batch.input.col(j).head(2) - (a * x0.col(j) + s * batch.target.col(j))).norm() < 1e-12);
    REQUIRE(batch.weight(j) == 1.0);
  }
  // Every step drawn, none more than 2x its expected share (4000/50 = 80).
  for (int c : seen) CHECK((c > 30 && c < 160));
  // Targets are standard normal noise.
  CHECK(std::abs(batch.target.mean()) < 0.05);
  CHECK(std::abs(batch.target.array().square().mean() - 1) < 0.05);
}

TEST_CASE("NCSN objective: target -eps/sigma with weight scale * sigma^2 on the level index row") {
  const std::vector<double> sigmas = {1.0, 0.6, 0.35, 0.2, 0.12, 0.07};
  DenoisingObjective objective(SigmaLevels<double>{}, DenoisingOptions<double>{
      .model = {.parameterisation = Parameterisation::score, .input = NoiseInput::level_index, .sigma_levels = sigmas},
      .draw = NoiseDraw::uniform_choice, .choices = sigmas, .weight = LossWeight::sigma_squared, .weight_scale = 0.5});
  Rng rng(2);
  const Matrix<double> x0 = cross_points(600, rng);
  TrainingBatch<double> batch;
  objective.make_batch(x0, Matrix<double>(0, x0.cols()), rng, batch);
  for (Index j = 0; j < x0.cols(); ++j) {
    const int level = static_cast<int>(std::lround(batch.input(2, j) * 5));
    const double sigma = sigmas[level];
    // x = x0 + σ ε and target = −ε/σ, so x − x0 = −σ² target.
    REQUIRE((batch.input.col(j).head(2) - x0.col(j) + sigma * sigma * batch.target.col(j)).norm() < 1e-12);
    REQUIRE(batch.weight(j) == Approx(0.5 * sigma * sigma).epsilon(1e-15));
  }
}

TEST_CASE("v and x0 objectives on a VP process satisfy x0 = alpha x_t - sigma v") {
  const VpProcess<double> vp(0.1, 20.0);
  Rng rng(3);
  const Matrix<double> x0 = cross_points(300, rng);
  for (auto p : {Parameterisation::v, Parameterisation::x0}) {
    DenoisingObjective objective(vp, DenoisingOptions<double>{
        .model = {.parameterisation = p, .input = NoiseInput::time},
        .draw = NoiseDraw::uniform_time, .t_min = 1e-3, .t_max = 1.0, .weight = LossWeight::g_squared});
    TrainingBatch<double> batch;
    objective.make_batch(x0, Matrix<double>(0, x0.cols()), rng, batch);
    for (Index j = 0; j < x0.cols(); ++j) {
      const double t = batch.input(2, j);
      REQUIRE((t >= 1e-3 && t <= 1.0));
      const double a = vp.alpha(t), s = vp.sigma(t);
      const Vector<double> x = batch.input.col(j).head(2);
      const Vector<double> recovered = p == Parameterisation::v ? Vector<double>(a * x - s * batch.target.col(j))
                                                                : Vector<double>(batch.target.col(j));
      // α² + σ² = 1 on VP, so x0 = α x_t − σ v exactly.
      REQUIRE((recovered - x0.col(j)).norm() < 1e-9);
      REQUIRE(batch.weight(j) == Approx(vp.diffusion(t) * vp.diffusion(t)).epsilon(1e-14));
    }
  }
}

TEST_CASE("EDM objective: c_skip x + c_out F_target = x0, input c_in x, log-normal sigma") {
  const EdmPrecond edm{.sigma_data = 0.5};
  DenoisingObjective objective(SigmaLevels<double>{}, DenoisingOptions<double>{
      .model = {.parameterisation = Parameterisation::edm, .input = NoiseInput::c_noise, .edm = edm},
      .draw = NoiseDraw::log_normal});
  Rng rng(4);
  const Matrix<double> x0 = cross_points(20000, rng);
  TrainingBatch<double> batch;
  objective.make_batch(x0, Matrix<double>(0, x0.cols()), rng, batch);
  double mean_log_sigma = 0;
  for (Index j = 0; j < x0.cols(); ++j) {
    const double sigma = std::exp(4 * batch.input(2, j));  // c_noise = ¼ ln σ
    mean_log_sigma += std::log(sigma);
    const Vector<double> x = batch.input.col(j).head(2) / edm.c_in(sigma);
    REQUIRE((edm.c_skip(sigma) * x + edm.c_out(sigma) * batch.target.col(j) - x0.col(j)).norm() < 1e-9);
  }
  mean_log_sigma /= double(x0.cols());
  // ln σ ~ N(−1.2, 1.2²): standard error 1.2/√20000 ≈ 0.0085.
  CHECK(std::abs(mean_log_sigma + 1.2) < 5 * 1.2 / std::sqrt(20000.0));
}

TEST_CASE("single-sigma DSM has no noise row, and conditions are stacked and dropped at the given rate") {
  DenoisingObjective dsm(SigmaLevels<double>{}, DenoisingOptions<double>{
      .model = {.parameterisation = Parameterisation::score, .input = NoiseInput::none},
      .draw = NoiseDraw::uniform_choice, .choices = {5.0}});
  Rng rng(5);
  const Matrix<double> x0 = cross_points(100, rng);
  TrainingBatch<double> batch;
  dsm.make_batch(x0, Matrix<double>(0, 100), rng, batch);
  CHECK(batch.input.rows() == 2);
  CHECK((batch.input - x0 + 25.0 * batch.target).norm() < 1e-10);

  const DiscreteSchedule<double> schedule(linear_betas(200, 1e-4, 0.02));
  DenoisingObjective conditional(schedule, DenoisingOptions<double>{
      .model = {.input = NoiseInput::time}, .draw = NoiseDraw::uniform_step, .steps = 200, .condition_dropout = 0.25});
  const Matrix<double> x = cross_points(8000, rng);
  const Matrix<double> labels = Matrix<double>::Ones(3, 8000);
  conditional.make_batch(x, labels, rng, batch);
  REQUIRE(batch.input.rows() == 2 + 1 + 3);
  const double dropped = (batch.input.bottomRows(3).colwise().sum().array() == 0).cast<double>().mean();
  const double kept = (batch.input.bottomRows(3).colwise().sum().array() == 3).cast<double>().mean();
  CHECK(dropped + kept == 1.0);
  CHECK(std::abs(dropped - 0.25) < 5 * std::sqrt(0.25 * 0.75 / 8000));
}

TEST_CASE("weighted_mse gradient matches finite differences") {
  Rng rng(6);
  TrainingBatch<double> batch;
  batch.target = rng.normal<double>(2, 7);
  batch.weight = rng.uniform<double>(1, 7).array() + 0.5;
  Matrix<double> out = rng.normal<double>(2, 7), grad, scratch;
  const double loss = weighted_mse(out, batch, grad);
  double expected = 0;
  for (Index j = 0; j < 7; ++j) expected += batch.weight(j) * (out.col(j) - batch.target.col(j)).squaredNorm();
  CHECK(loss == Approx(expected / 14).epsilon(1e-14));
  for (Index k = 0; k < out.size(); ++k) {
    const double h = 1e-6, keep = out(k);
    out(k) = keep + h;
    const double up = weighted_mse(out, batch, scratch);
    out(k) = keep - h;
    const double down = weighted_mse(out, batch, scratch);
    out(k) = keep;
    CHECK(grad(k) == Approx((up - down) / (2 * h)).epsilon(1e-7).margin(1e-9));
  }
}

TEST_CASE("DenoisingObjective rejects bad options") {
  using O = DenoisingOptions<double>;
  const SigmaLevels<double> levels{};
  CHECK_THROWS_AS(DenoisingObjective(levels, O{.draw = NoiseDraw::uniform_step, .steps = 0}), Error);
  CHECK_THROWS_AS(DenoisingObjective(levels, O{.draw = NoiseDraw::uniform_choice}), Error);
  CHECK_THROWS_AS(DenoisingObjective(levels, O{.draw = NoiseDraw::uniform_time, .t_min = 1, .t_max = 1}), Error);
  CHECK_THROWS_AS(DenoisingObjective(levels, O{.draw = NoiseDraw::log_normal, .p_std = 0}), Error);
  CHECK_THROWS_AS(DenoisingObjective(levels, O{.draw = NoiseDraw::uniform_step, .steps = 5, .weight = LossWeight::g_squared}), Error);
  CHECK_THROWS_AS(DenoisingObjective(levels, O{.draw = NoiseDraw::uniform_step, .steps = 5, .weight_scale = -1}), Error);
  CHECK_THROWS_AS(DenoisingObjective(levels, O{.draw = NoiseDraw::uniform_step, .steps = 5, .condition_dropout = 1.5}), Error);
}
