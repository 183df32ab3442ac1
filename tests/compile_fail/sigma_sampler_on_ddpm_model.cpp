// A σ-space sampler on a model in DDPM steps: the static_assert points to SigmaView.
// expect: present the model there with SigmaView(model)
#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/samplers/edm.hpp>
#include <diffuse/schedules/beta_schedule.hpp>

int main() {
  diffuse::GaussianMixture<double> mixture(diffuse::Matrix<double>::Zero(2, 1), diffuse::Vector<double>::Ones(1),
                                           diffuse::Vector<double>::Ones(1));
  diffuse::OracleDenoiser model(mixture, diffuse::DiscreteSchedule<double>(diffuse::linear_betas(10, 1e-4, 0.02)));
  diffuse::Matrix<double> x = diffuse::Matrix<double>::Zero(2, 3);
  diffuse::Rng rng(1);
  const std::vector<double> grid = {9, 5, -1};
  diffuse::sample(diffuse::EdmHeun<double>{}, model, x, grid, rng);
}
