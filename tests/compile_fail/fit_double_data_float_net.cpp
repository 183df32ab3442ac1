// Double data into a float network: fit()'s static_assert names the mismatch.
// expect: diffuse::fit: the data's scalar type differs from the network's
#include <diffuse/nn/optimizers.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/schedules/beta_schedule.hpp>
#include <diffuse/training/data.hpp>
#include <diffuse/training/fit.hpp>
#include <diffuse/training/objective.hpp>

int main() {
  diffuse::Rng rng(1);
  auto net = diffuse::tiny_diffusion_mlp<float>(rng);
  diffuse::DenoisingObjective objective(diffuse::DiscreteSchedule<float>(diffuse::linear_betas(50, 1e-4, 0.035)),
                                        diffuse::DenoisingOptions<float>{.steps = 50});
  diffuse::Dataset<double> data(diffuse::Matrix<double>::Zero(2, 8));
  diffuse::Adam<float> adam({}, net.parameters().size());
  diffuse::fit(net, objective, data, adam, diffuse::ConstantLr(1e-3), diffuse::FitOptions{.steps = 1, .batch_size = 4}, rng);
}
