// Learning tests on seed 001's ring (8 modes, radius 3, std 0.25) with the seed's networks at
// reduced steps: single-σ DSM approaches the exact score of the noised mixture, and the one-hot
// conditional DDPM (embedding-table time input) puts each label's samples on its own mode.
#include "support/catch.hpp"

#include <diffuse/distributions/toy.hpp>
#include <diffuse/metrics/modes.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/samplers/ddpm.hpp>
#include <diffuse/schedules/beta_schedule.hpp>
#include <diffuse/schedules/time_grid.hpp>
#include <diffuse/training/data.hpp>
#include <diffuse/training/fit.hpp>

using namespace diffuse;

namespace {
const toy::RingOptions seed001_ring{.modes = 8, .radius = 3.0, .std = 0.25};
}  // namespace

TEST_CASE("single-sigma DSM with ScoreNet2D learns the score of the noised ring") {
  // The DSM minimiser is the score of p_σ = data * N(0, σ² I), which the oracle gives exactly:
  // s(x) = (E[x0 | x] − x)/σ². Compare on fresh noised points.
  Rng rng(11);
  const float sigma = 1.0f;
  const Matrix<float> x0 = toy::ring<float>(5000, rng, seed001_ring).points;
  auto net = score_net_2d<float>(rng);
  DenoisingOptions<float> dsm;
  dsm.model = {.parameterisation = Parameterisation::score, .input = NoiseInput::none};
  dsm.draw = NoiseDraw::uniform_choice;
  dsm.choices = {sigma};
  DenoisingObjective objective(SigmaLevels<float>{}, dsm);
  Dataset<float> data(x0);
  Adam<float> adamw(adamw_options(1e-3), net.parameters().size());

  OracleDenoiser oracle(toy::ring_mixture<double>(seed001_ring), SigmaLevels<double>{});
  const Matrix<double> x = toy::ring<double>(2000, rng, seed001_ring).points + sigma * rng.normal<double>(2, 2000);
  Prediction<double> exact;
  oracle.predict(x, double(sigma), exact);
  const Matrix<double> score = (exact.x0 - x) / double(sigma * sigma);
  auto error = [&] { return (net.forward(x.cast<float>()).cast<double>() - score).squaredNorm() / score.squaredNorm(); };

  const double untrained = error();
  fit(net, objective, data, adamw, ConstantLr(1e-3), FitOptions{.steps = 500, .batch_size = 256}, rng);
  const double trained = error();
  // Measured: relative squared error 2.10 untrained, 0.075 trained.
  CHECK(untrained > 0.9);
  CHECK(trained < 0.12);
}

TEST_CASE("seed 001 one-hot DDPM at 1,000 steps puts each label's samples on its own mode") {
  Rng rng(5);
  const Samples<float> ring = toy::ring<float>(5000, rng, seed001_ring);
  Matrix<float> labels(1, 5000);
  for (Index j = 0; j < 5000; ++j) labels(0, j) = float(ring.labels[static_cast<std::size_t>(j)]);
  const DiscreteSchedule<float> schedule(linear_betas(200, 1e-4, 0.02));
  const NoiseModelOptions<float> options{.parameterisation = Parameterisation::eps, .input = NoiseInput::time};
  auto net = conditional_diffusion_model<float>(rng);
  DenoisingObjective objective(schedule, DenoisingOptions<float>{.model = options, .draw = NoiseDraw::uniform_step, .steps = 200});
  Dataset<float> data(ring.points, labels);
  Adam<float> adam(AdamOptions{.lr = 1e-3}, net.parameters().size());
  const GaussianMixture<double> mixture = toy::ring_mixture<double>(seed001_ring);
  NoiseModel model(net, schedule, options);
  Matrix<float> wanted(1, 800);
  for (Index j = 0; j < 800; ++j) wanted(0, j) = float(j % 8);
  model.set_condition(wanted);
  Ddpm<float> ddpm{.variance = DdpmVariance::fixed_small};
  // Share of samples whose nearest centre is the requested label, and share within 3 std.
  auto generate = [&] {
    Matrix<float> x = rng.normal<float>(2, 800);
    sample(ddpm, model, x, ddim_timesteps<float>(200, 200), rng);
    double hits = 0;
    for (Index j = 0; j < 800; ++j) {
      Index nearest = 0;
      (mixture.means().cast<float>().colwise() - x.col(j)).colwise().squaredNorm().minCoeff(&nearest);
      hits += nearest == j % 8 ? 1 : 0;
    }
    return std::pair{hits / 800, mode_stats(x, mixture.means(), 0.25, 3.0).fraction_within};
  };

  const auto [hits_before, within_before] = generate();
  fit(net, objective, data, adam, ConstantLr(1e-3), FitOptions{.steps = 1000, .batch_size = 128}, rng);
  const auto [hits_after, within_after] = generate();
  // Measured: label hits 0.13 -> 0.999, within 3 std 0.12 -> 0.88.
  CHECK(hits_before < 0.3);
  CHECK(hits_after > 0.95);
  CHECK(within_after > 0.8);
  CHECK(within_after > within_before + 0.5);
}
