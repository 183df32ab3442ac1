// A float sampler on a double model: sample()'s static_assert names both scalar types.
// expect: the sampler's scalar is float but the model's is double
#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/samplers/ddim.hpp>

int main() {
  diffuse::GaussianMixture<double> mixture(diffuse::Matrix<double>::Zero(2, 1), diffuse::Vector<double>::Ones(1),
                                           diffuse::Vector<double>::Ones(1));
  diffuse::OracleDenoiser<diffuse::SigmaLevels<double>> model(mixture, {});
  diffuse::Matrix<double> x = diffuse::Matrix<double>::Zero(2, 3);
  diffuse::Rng rng(1);
  const std::vector<double> grid = {1.0, 0.5};
  diffuse::sample(diffuse::Ddim<float>{}, model, x, grid, rng);
}
