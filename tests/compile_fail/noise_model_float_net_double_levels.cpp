// A float network on double noise levels: NoiseModel's static_assert names the mismatch.
// expect: diffuse::NoiseModel: the noise levels' scalar type differs from the network's
#include <diffuse/models/noise_model.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/schedules/beta_schedule.hpp>

int main() {
  diffuse::Rng rng(1);
  auto net = diffuse::tiny_diffusion_mlp<float>(rng);
  diffuse::NoiseModel model(net, diffuse::DiscreteSchedule<double>(diffuse::linear_betas(50, 1e-4, 0.035)),
                            {.input = diffuse::NoiseInput::normalised_step, .train_steps = 50});
}
