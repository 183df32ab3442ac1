// Optimizers, learning-rate schedules and gradient clipping: values computed by hand for a few
// steps, and the trajectories torch.optim produced for fixed parameters and gradients.
#include "support/catch.hpp"
#include "support/simd_levels.hpp"

#include <cmath>

#include <diffuse/core/rng.hpp>
#include <diffuse/nn/lr_schedules.hpp>
#include <diffuse/nn/optimizers.hpp>
#include <diffuse/nn/safetensors.hpp>

#include "fixtures.hpp"

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Vector;

TEST_CASE("SGD with momentum follows b = mu b + g, theta -= lr b, by hand") {
  diffuse::Sgd<double> opt({.lr = 0.1, .momentum = 0.9}, 2);
  Vector<double> p(2), g(2);
  p << 1.0, -2.0;
  g << 0.5, 1.0;
  opt.step(p, g);  // b = g
  CHECK(p(0) == Approx(1.0 - 0.1 * 0.5).epsilon(1e-15));
  CHECK(p(1) == Approx(-2.0 - 0.1 * 1.0).epsilon(1e-15));
  g << -1.0, 2.0;
  opt.step(p, g);  // b = 0.9 * (0.5, 1) + (-1, 2) = (-0.55, 2.9)
  CHECK(p(0) == Approx(0.95 + 0.1 * 0.55).epsilon(1e-15));
  CHECK(p(1) == Approx(-2.1 - 0.1 * 2.9).epsilon(1e-15));
  CHECK(opt.state().steps == 2);
}

TEST_CASE("Adam's first steps equal the bias-corrected update by hand") {
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  diffuse::Adam<double> opt({.lr = lr}, 1);
  Vector<double> p(1), g(1);
  p << 0.3;
  g << -2.0;
  opt.step(p, g);
  // m̂ = g, v̂ = g², so θ₁ = θ₀ − lr g / (|g| + ε).
  const double p1 = 0.3 - lr * -2.0 / (2.0 + eps);
  CHECK(p(0) == Approx(p1).epsilon(1e-14));
  g << 0.5;
  opt.step(p, g);
  const double m = b1 * (1 - b1) * -2.0 + (1 - b1) * 0.5;
  const double v = b2 * (1 - b2) * 4.0 + (1 - b2) * 0.25;
  const double p2 = p1 - lr / (1 - b1 * b1) * m / (std::sqrt(v) / std::sqrt(1 - b2 * b2) + eps);
  CHECK(p(0) == Approx(p2).epsilon(1e-14));
}

TEST_CASE("AdamW decays the weights before the Adam update, by hand") {
  diffuse::Adam<double> opt(diffuse::adamw_options(0.1, 0.5), 1);
  Vector<double> p(1), g(1);
  p << 2.0;
  g << 3.0;
  opt.step(p, g);
  CHECK(p(0) == Approx(2.0 * (1 - 0.1 * 0.5) - 0.1 * 3.0 / (3.0 + 1e-8)).epsilon(1e-14));
}

namespace {

template <class Opt>
double max_trajectory_error(Opt opt, const diffuse::SafetensorsFile& file, const std::string& name,
                            double clip = 0, const diffuse::CosineAnnealingLr* schedule = nullptr) {
  const Matrix<double> grads = fixtures::tensor<double>(file, "grads");
  const Matrix<double> expected = fixtures::tensor<double>(file, name);
  Vector<double> p = fixtures::tensor<double>(file, "init");
  double worst = 0;
  for (Index k = 0; k < grads.rows(); ++k) {
    Vector<double> g = grads.row(k).transpose();
    if (clip > 0) diffuse::clip_grad_norm(g, clip);
    if (schedule)
      opt.step(p, g, (*schedule)(k));
    else
      opt.step(p, g);
    worst = std::max(worst, ((p - expected.row(k).transpose()).array().abs() /
                             (1e-300 + expected.row(k).transpose().array().abs())).maxCoeff());
  }
  return worst;
}

}  // namespace

TEST_CASE("SGD, Adam and AdamW reproduce torch.optim trajectories") {
  const auto file = diffuse::SafetensorsFile::read(fixtures::path("optimizers.safetensors"));
  const Index n = 7;
  using diffuse::Adam;
  using diffuse::Sgd;
  CHECK(max_trajectory_error(Sgd<double>({.lr = 0.1}, n), file, "sgd") < 1e-13);
  CHECK(max_trajectory_error(Sgd<double>({.lr = 0.1, .momentum = 0.9}, n), file, "sgd_momentum") < 1e-13);
  CHECK(max_trajectory_error(Sgd<double>({.lr = 0.05, .momentum = 0.5, .weight_decay = 0.1}, n), file,
                             "sgd_momentum_wd") < 1e-13);
  CHECK(max_trajectory_error(Adam<double>({.lr = 0.01}, n), file, "adam") < 1e-13);
  CHECK(max_trajectory_error(Adam<double>({.lr = 0.02, .beta1 = 0.5, .beta2 = 0.9, .eps = 1e-3}, n), file,
                             "adam_betas") < 1e-13);
  CHECK(max_trajectory_error(Adam<double>({.lr = 0.01, .weight_decay = 0.1}, n), file, "adam_wd") < 1e-13);
  CHECK(max_trajectory_error(Adam<double>(diffuse::adamw_options(0.01), n), file, "adamw") < 1e-13);
  CHECK(max_trajectory_error(Adam<double>(diffuse::adamw_options(0.01, 0.3), n), file, "adamw_wd") < 1e-13);
  const diffuse::CosineAnnealingLr cosine({.lr = 0.01, .t_max = 4, .eta_min = 1e-3});
  CHECK(max_trajectory_error(Adam<double>({.lr = 0.01}, n), file, "adam_cosine_clip", 1.0, &cosine) < 1e-13);
}

TEST_CASE("learning-rate schedules equal torch.optim.lr_scheduler") {
  const auto file = diffuse::SafetensorsFile::read(fixtures::path("optimizers.safetensors"));
  const Matrix<double> cosine = fixtures::tensor<double>(file, "cosine_lr");
  const Matrix<double> warmup = fixtures::tensor<double>(file, "warmup_lr");
  const diffuse::CosineAnnealingLr c({.lr = 0.1, .t_max = 8, .eta_min = 1e-3});
  const diffuse::LinearWarmup w(diffuse::ConstantLr(0.1), {.warmup_steps = 4, .start_factor = 0.25});
  for (long k = 0; k < 10; ++k) {
    CHECK(c(k) == Approx(cosine(k)).epsilon(1e-12));
    CHECK(w(k) == Approx(warmup(k)).epsilon(1e-12));
  }
  CHECK(c(8) == Approx(1e-3).epsilon(1e-15));
  CHECK_THROWS_AS(diffuse::CosineAnnealingLr({.lr = 0.1, .t_max = 0}), diffuse::Error);
}

TEST_CASE("clip_grad_norm matches torch.nn.utils.clip_grad_norm_") {
  const auto file = diffuse::SafetensorsFile::read(fixtures::path("optimizers.safetensors"));
  const Matrix<double> grads = fixtures::tensor<double>(file, "grads");
  const Matrix<double> clipped = fixtures::tensor<double>(file, "clipped");
  const Matrix<double> norms = fixtures::tensor<double>(file, "norms");
  for (Index k = 0; k < grads.rows(); ++k) {
    Vector<double> g = grads.row(k).transpose();
    CHECK(diffuse::clip_grad_norm(g, 1.0) == Approx(norms(k)).epsilon(1e-14));
    CHECK((g - clipped.row(k).transpose()).cwiseAbs().maxCoeff() < 1e-15);
  }
  Vector<double> small(2);
  small << 0.3, 0.4;
  CHECK(diffuse::clip_grad_norm(small, 1.0) == Approx(0.5));
  CHECK(small(0) == 0.3);  // below max_norm: untouched
}

TEST_CASE("optimizers reject mismatched vectors and bad hyper-parameters") {
  diffuse::Adam<double> opt({}, 3);
  Vector<double> p(2), g(2);
  CHECK_THROWS_AS(opt.step(p, g), diffuse::Error);
  CHECK_THROWS_AS(diffuse::Adam<double>({.beta1 = 1.0}, 3), diffuse::Error);
  CHECK_THROWS_AS(diffuse::Sgd<double>({.lr = -1}, 3), diffuse::Error);
}

// Adam's dispatched update: AVX2 and AVX-512 bitwise equal; every level within 4 ulps of the
// parameters' scale of the baseline after 20 steps (the baseline rounds its products apart),
// with and without L2 decay, at lengths that end in a partial vector.
TEST_CASE("Adam steps agree across SIMD levels") {
  for (double decay : {0.0, 0.01})
    for (Index size : {Index(1), Index(15), Index(17), Index(1000)}) {
      std::vector<Vector<float>> results;
      for (diffuse::SimdLevel level : diffuse::test::supported_levels())
        diffuse::test::at_level(level, [&] {
          diffuse::Rng rng(11);
          Vector<float> theta = rng.normal<float>(size, 1);
          diffuse::Adam<float> adam({.lr = 1e-2, .weight_decay = decay}, size);
          for (int step = 0; step < 20; ++step) adam.step(theta, Vector<float>(rng.normal<float>(size, 1)));
          results.push_back(theta);
        });
      INFO("decay " << decay << " size " << size);
      for (const Vector<float>& r : results)
        CHECK((r - results.front()).cwiseAbs().maxCoeff() <= 4 * 1.2e-7 * results.front().cwiseAbs().maxCoeff());
      if (results.size() == 3) CHECK(results[1] == results[2]);
    }
}
