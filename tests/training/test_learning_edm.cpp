// EDM training on seed 000's cross at 1,500 steps: the preconditioned TinyDiffusionMLP,
// trained with log-normal σ and sampled with Heun on the Karras grid, puts its samples on the
// modes and beats the untrained network by a wide margin on MMD.
#include "support/catch.hpp"

#include <diffuse/distributions/toy.hpp>
#include <diffuse/metrics/mmd.hpp>
#include <diffuse/metrics/modes.hpp>
#include <diffuse/models/noise_model.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/samplers/edm.hpp>
#include <diffuse/schedules/sigma_levels.hpp>
#include <diffuse/schedules/time_grid.hpp>
#include <diffuse/training/data.hpp>
#include <diffuse/training/fit.hpp>

#include <span>

using namespace diffuse;

TEST_CASE("EDM with sigma_data 0.5 learns the cross in 1,500 steps and Heun 18 samples it") {
  Rng rng(3);
  const GaussianMixture<float> cross = toy::cross_mixture<float>();
  const NoiseModelOptions<float> options{.parameterisation = Parameterisation::edm, .input = NoiseInput::c_noise,
                                         .edm = {.sigma_data = 0.5}};
  auto net = tiny_diffusion_mlp<float>(rng);
  DenoisingObjective objective(SigmaLevels<float>{}, DenoisingOptions<float>{.model = options, .draw = NoiseDraw::log_normal,
                                                                              .p_mean = -1.2f, .p_std = 1.2f});
  auto data = sampled_data<float>([](Index m, Rng& r) { return toy::cross<float>(m, r).points; });
  const std::vector<float> karras = karras_sigmas<float>(18, {.sigma_min = 0.002, .sigma_max = 80, .rho = 7});
  const Matrix<double> reference = toy::cross<double>(1000, rng).points;
  Rng sampling_rng(4);
  const Matrix<float> start = 80.0f * sampling_rng.normal<float>(2, 1000);
  auto generate = [&] {
    NoiseModel model(net, SigmaLevels<float>{}, options);
    Matrix<float> x = start;
    EdmHeun<float> heun;
    sample(heun, model, x, std::span<const float>(karras), sampling_rng);
    return x;
  };

  const Matrix<float> untrained = generate();
  Adam<float> adam(AdamOptions{.lr = 1e-3}, net.parameters().size());
  fit(net, objective, data, adam, ConstantLr(1e-3), FitOptions{.steps = 1500, .batch_size = 256}, rng);
  const Matrix<float> trained = generate();

  const double mmd_untrained = mmd2(untrained.cast<double>(), reference);
  const double mmd_trained = mmd2(trained.cast<double>(), reference);
  const double within = mode_stats(trained, cross.means(), 0.25, 3.0).fraction_within;
  INFO("MMD^2 untrained " << mmd_untrained << ", trained " << mmd_trained << ", within 3 std " << within);
  // Measured: MMD² 0.948 untrained, 0.0128 trained; 0.896 within 3 std.
  CHECK(mmd_trained < 0.1 * mmd_untrained);
  CHECK(mmd_trained < 0.03);
  CHECK(within > 0.8);
}
