// End-to-end training: an Mlp fitted to sin on [−π, π] with Adam reaches a low loss.
#include "support/catch.hpp"

#include <cmath>
#include <numbers>

#include <diffuse/nn/lr_schedules.hpp>
#include <diffuse/nn/mlp.hpp>
#include <diffuse/nn/optimizers.hpp>

TEST_CASE("an Mlp learns sin on -pi to pi with Adam") {
  using diffuse::Matrix;
  diffuse::Rng rng(11);
  diffuse::Mlp<float, diffuse::Silu> net({{1, 32, 32, 1}, false}, rng);
  const Eigen::Index n = 256;
  Matrix<float> x(1, n);
  x.row(0) = Eigen::RowVectorXf::LinSpaced(n, -std::numbers::pi_v<float>, std::numbers::pi_v<float>);
  const Matrix<float> target = x.array().sin().matrix();
  diffuse::Adam<float> adam({.lr = 1e-2}, net.parameters().size());
  const diffuse::CosineAnnealingLr lr({.lr = 1e-2, .t_max = 1500, .eta_min = 1e-4});
  Matrix<float> grad(1, n);
  auto loss = [&] { return (net.forward(x) - target).squaredNorm() / static_cast<float>(n); };
  const float initial = loss();
  for (long step = 0; step < 1500; ++step) {
    net.zero_grad();
    // L = mean (y − sin x)², dL/dy = 2 (y − sin x) / n
    grad = (net.forward(x) - target) * (2.0f / static_cast<float>(n));
    net.backward_parameters(grad);
    adam.step(net.parameters(), net.gradients(), lr(step));
  }
  const float final_loss = loss();
  INFO("initial MSE " << initial << ", final MSE " << final_loss);
  CHECK(initial > 0.1f);
  CHECK(final_loss < 1e-4f);
}
