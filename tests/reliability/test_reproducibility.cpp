// Reproducibility: the same seed gives bitwise-identical trained weights, samples and metric
// values, run after run; and a batch sampled in column chunks with for_each_chunk gives the same
// bits with 1 and with 2 threads (chunk c always draws from rng.split().stream(c)).
#include "support/catch.hpp"

#include <span>
#include <vector>

#include <diffuse/core/parallel.hpp>
#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/metrics/sliced_wasserstein.hpp>
#include <diffuse/models.hpp>
#include <diffuse/nn/optimizers.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>
#include <diffuse/training/data.hpp>
#include <diffuse/training/fit.hpp>

namespace {

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Rng;

diffuse::GaussianMixture<double> ring() { return diffuse::GaussianMixture<double>::symmetric_2d(6, 0.2, 2.0); }

// Trains seed 000's network for 30 Adam steps on fresh ring samples; returns the weights.
diffuse::Vector<double> train(std::uint64_t seed, std::vector<double>* losses = nullptr) {
  Rng rng(seed);
  auto net = diffuse::tiny_diffusion_mlp<double>(rng, {.hidden = 16, .time_dim = 8});
  const diffuse::DiscreteSchedule<double> schedule(diffuse::linear_betas(50, 1e-4, 0.035));
  diffuse::DenoisingObjective objective(
      schedule, diffuse::DenoisingOptions<double>{.model = {.train_steps = 50}, .steps = 50});
  const auto mixture = ring();
  auto data = diffuse::sampled_data<double>([&](Index n, Rng& r) { return mixture.sample(n, r).points; });
  diffuse::Adam<double> opt({.lr = 1e-3}, net.parameters().size());
  const auto result = diffuse::fit(net, objective, data, opt, diffuse::ConstantLr(1e-3),
                                   {.steps = 30, .batch_size = 64, .clip_grad_norm = 1.0}, rng);
  if (losses) *losses = result.losses;
  return net.parameters();
}

}  // namespace

TEST_CASE("fit: the same seed gives bitwise-identical weights and losses, another seed does not") {
  std::vector<double> losses_a, losses_b;
  const diffuse::Vector<double> a = train(7, &losses_a);
  const diffuse::Vector<double> b = train(7, &losses_b);
  CHECK(a.size() > 0);
  CHECK(a == b);  // exact comparison of every bit that matters (no NaNs: fit() rejects them)
  CHECK(losses_a == losses_b);
  CHECK(train(8) != a);
}

namespace {

// Samples a 2 x n batch from the prior in chunks of 37 columns on `threads` threads: each chunk
// runs `sampler` with its own oracle (workspaces are per chunk) and its own stream.
template <class Smp, class Levels>
Matrix<double> chunked(Smp sampler, const Levels& levels, const std::vector<double>& grid, int threads,
                       double prior_scale = 1.0) {
  const Index n = 200;
  Rng rng(2024);
  Matrix<double> x = prior_scale * rng.normal<double>(2, n);
  diffuse::for_each_chunk(
      n, rng,
      [&](Index begin, Index count, Rng& chunk_rng) {
        diffuse::OracleDenoiser oracle(ring(), levels);
        Smp local = sampler;
        Matrix<double> block = x.middleCols(begin, count);
        diffuse::sample(local, oracle, block, std::span<const double>(grid), chunk_rng);
        x.middleCols(begin, count) = block;
      },
      {.chunk_cols = 37, .threads = threads});
  return x;
}

template <class Smp, class Levels>
void check_threads(const char* name, Smp sampler, const Levels& levels, const std::vector<double>& grid,
                   double prior_scale = 1.0) {
  INFO(name << " (OpenMP threads available: " << diffuse::max_threads() << ")");
  const Matrix<double> one = chunked(sampler, levels, grid, 1, prior_scale);
  const Matrix<double> two = chunked(sampler, levels, grid, 2, prior_scale);
  const Matrix<double> again = chunked(sampler, levels, grid, 2, prior_scale);
  CHECK(one.allFinite());
  CHECK(one == two);
  CHECK(two == again);
}

}  // namespace

TEST_CASE("chunked sampling gives the same bits for 1 and 2 threads: DDPM, DDIM, Langevin, EDM, PC, reverse SDE") {
  const diffuse::DiscreteSchedule<double> schedule(diffuse::linear_betas(100, 1e-4, 0.05));
  check_threads("DDPM", diffuse::Ddpm<double>{}, schedule, diffuse::ddim_timesteps(100, 100));
  check_threads("DDIM eta = 1", diffuse::Ddim<double>{.eta = 1}, schedule, diffuse::ddim_timesteps(100, 20));
  check_threads("DDIM eta = 0", diffuse::Ddim<double>{}, schedule, diffuse::ddim_timesteps(100, 20));
  check_threads("annealed Langevin", diffuse::AnnealedLangevin<double>{.steps_per_level = 5, .step_size = 1e-4, .sigma_ref = 0.05},
                diffuse::SigmaLevels<double>{}, diffuse::geometric_sigmas(5.0, 0.05, 8), 5.0);
  check_threads("EDM Heun with churn", diffuse::EdmHeun<double>{.s_churn = 10}, diffuse::SigmaLevels<double>{},
                diffuse::karras_sigmas(12, {.sigma_max = 10}), 10.0);
  const diffuse::VpProcess<double> vp;
  check_threads("predictor-corrector", diffuse::PredictorCorrector<double>{}, vp, diffuse::uniform_grid(1.0, 1e-3, 20));
  check_threads("reverse SDE", diffuse::ReverseEulerMaruyama<double>{}, vp, diffuse::uniform_grid(1.0, 1e-3, 20));
}

TEST_CASE("chunked sampling with a small network gives the same bits for 1 and 2 threads") {
  Rng init(3);
  const auto net = diffuse::tiny_diffusion_mlp<float>(init, {.hidden = 16, .time_dim = 8});
  const diffuse::DiscreteSchedule<float> schedule(diffuse::linear_betas(50, 1e-4, 0.035));
  const std::vector<float> grid = diffuse::ddim_timesteps<float>(50, 10);
  auto run = [&](int threads) {
    const Index n = 150;
    Rng rng(99);
    Matrix<float> x = rng.normal<float>(2, n);
    diffuse::for_each_chunk(
        n, rng,
        [&](Index begin, Index count, Rng& chunk_rng) {
          auto local_net = net;  // forward() keeps workspaces: one network copy per chunk
          diffuse::NoiseModel model(local_net, schedule, {.train_steps = 50});
          diffuse::Ddim<float> ddim{.eta = 1};
          Matrix<float> block = x.middleCols(begin, count);
          diffuse::sample(ddim, model, block, std::span<const float>(grid), chunk_rng);
          x.middleCols(begin, count) = block;
        },
        {.chunk_cols = 40, .threads = threads});
    return x;
  };
  const Matrix<float> one = run(1);
  CHECK(one.allFinite());
  CHECK(one == run(2));
}

TEST_CASE("sliced Wasserstein draws its projections from the Rng: same seed, same value") {
  Rng data(4);
  const Matrix<double> x = data.normal<double>(3, 300);
  const Matrix<double> y = data.normal<double>(3, 250).array() + 0.5;
  Rng a(17), b(17), c(18);
  const double first = diffuse::sliced_wasserstein(x, y, 64, a);
  CHECK(first == diffuse::sliced_wasserstein(x, y, 64, b));
  CHECK(first != diffuse::sliced_wasserstein(x, y, 64, c));
  // The generator advanced: a second call from the same Rng uses new directions.
  CHECK(diffuse::sliced_wasserstein(x, y, 64, a) != first);
}

TEST_CASE("mixture sampling and toy data are bitwise reproducible from the seed") {
  Rng a(5), b(5);
  const auto sa = ring().sample(500, a);
  const auto sb = ring().sample(500, b);
  CHECK(sa.points == sb.points);
  CHECK(sa.labels == sb.labels);
}
