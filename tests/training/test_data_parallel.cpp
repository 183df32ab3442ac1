// DataParallel: the gradient summed over column shards equals the one-pass gradient of the batch,
// for even and uneven shards, and shards at least as wide as the batch are the one-pass code.
#include "support/catch.hpp"

#include <cmath>

#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/training/data_parallel.hpp>

using namespace diffuse;

namespace {
// Input rows [x; t] of seed 000's network; shared_t gives every column the same t, the case in
// which the network folds the time embedding into the first layer's bias.
TrainingBatch<double> random_batch(Index n, Rng& rng, bool shared_t = false) {
  TrainingBatch<double> batch;
  batch.input = rng.normal<double>(3, n);
  if (shared_t) batch.input.row(2).setConstant(0.3);
  batch.target = rng.normal<double>(2, n);
  batch.weight.resize(n);
  rng.fill_uniform(batch.weight);
  batch.weight.array() += 0.5;
  return batch;
}

struct LossAndGradient {
  double loss;
  Vector<double> gradient;
};

LossAndGradient run(DataParallelOptions options, const TrainingBatch<double>& batch) {
  Rng init(3);
  auto net = tiny_diffusion_mlp<double>(init);
  net.gradients().setConstant(7.0);  // stale gradients must not leak into the result
  DataParallel<decltype(net)> gradient(options);
  gradient.loss_and_gradient(net, batch);  // the second call reuses the shards' copies
  const double loss = gradient.loss_and_gradient(net, batch);
  return {loss, net.gradients()};
}
}  // namespace

TEST_CASE("DataParallel's shard sum equals the one-pass loss and gradient") {
  Rng rng(11);
  const bool shared_t = GENERATE(false, true);
  INFO("shared t " << shared_t);
  const TrainingBatch<double> batch = random_batch(100, rng, shared_t);
  const LossAndGradient whole = run({}, batch);
  REQUIRE(whole.gradient.norm() > 1e-3);
  for (const Index shard_cols : {Index{50}, Index{32}, Index{1}}) {  // even, uneven (32+32+32+4), one column each
    INFO("shard_cols " << shard_cols);
    const LossAndGradient sharded = run({.shard_cols = shard_cols, .threads = 2}, batch);
    CHECK(std::abs(sharded.loss - whole.loss) <= 1e-13 * whole.loss);
    CHECK((sharded.gradient - whole.gradient).norm() <= 1e-12 * whole.gradient.norm());
  }
}

TEST_CASE("DataParallel with shards as wide as the batch is bitwise the one-pass gradient") {
  Rng rng(12);
  const TrainingBatch<double> batch = random_batch(64, rng);
  const LossAndGradient whole = run({}, batch);
  const LossAndGradient wide = run({.shard_cols = 64, .threads = 2}, batch);
  CHECK(wide.loss == whole.loss);
  CHECK(wide.gradient == whole.gradient);
}
