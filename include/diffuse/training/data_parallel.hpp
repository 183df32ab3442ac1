#pragma once
// diffuse/training/data_parallel.hpp — a batch's loss and parameter gradient, in one pass or as
// the sum over column shards computed on several threads.
//
// The weighted MSE is a sum over columns, so its gradient is the sum of its shards' gradients:
//   ∇θ L = Σ_s ∇θ [Σ_{j ∈ s} λ_j ‖f_θ(x_j) − y_j‖² / (d n)]
// Each shard runs forward and backward on its own copy of the network, and the shard gradients
// are added in shard order. The shards depend only on shard_cols, so the result is bitwise the
// same for any number of threads; it differs from the one-pass gradient by float rounding only.

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/parallel.hpp"
#include "diffuse/training/objective.hpp"

namespace diffuse {

/// How a batch's gradient is computed.
struct DataParallelOptions {
  Index shard_cols = 0;  ///< 0: one pass over the whole batch; else shards of this many columns
  int threads = 1;       ///< threads running the shards (0: all OpenMP offers); never changes results
};

/// Computes loss and ∇θ of the weighted MSE of a TrainingBatch into net.gradients(), keeping the
/// shards' network copies and buffers from one call to the next: one DataParallel serves one network.
template <Network Net>
class DataParallel {
 public:
  using S = scalar_of<Net>;

  explicit DataParallel(DataParallelOptions options = {}) : m_options(options) {
    DIFFUSE_REQUIRE(options.shard_cols >= 0, "DataParallel", "shard_cols must be non-negative",
                    options.shard_cols, ">= 0 (0 means one pass)");
    DIFFUSE_REQUIRE(options.threads >= 0, "DataParallel", "threads must be non-negative", options.threads,
                    ">= 0 (0 means all)");
    DIFFUSE_REQUIRE(options.shard_cols == 0 || std::is_copy_constructible_v<Net>, "DataParallel",
                    "sharding needs a copyable network", options.shard_cols, "0 for this network");
  }

  /// Sets net.gradients() to ∇θ of the batch's weighted MSE and returns the loss.
  S loss_and_gradient(Net& net, const TrainingBatch<S>& batch) {
    if constexpr (std::is_copy_constructible_v<Net>) {
      if (m_options.shard_cols > 0 && batch.input.cols() > m_options.shard_cols) return sharded(net, batch);
    }
    net.gradients().setZero();
    const S loss = weighted_mse(net.forward(batch.input), batch, m_grad);
    backward_parameters(net, m_grad);
    return loss;
  }

 private:
  struct Shard {
    Net net;
    TrainingBatch<S> batch;
    Matrix<S> grad;
    S loss;
  };

  S sharded(Net& net, const TrainingBatch<S>& batch) {
    const Index n = batch.input.cols();
    const Index shards = chunk_count(n, m_options.shard_cols);
    DIFFUSE_REQUIRE(m_shards.empty() || m_shards[0].net.parameters().size() == net.parameters().size(),
                    "DataParallel", "the network has another parameter count than the one it was first used with",
                    net.parameters().size(), std::to_string(m_shards[0].net.parameters().size()));
    while (static_cast<Index>(m_shards.size()) < shards) m_shards.push_back(Shard{net, {}, {}, 0});
    const Index mean_over = batch.target.size();
    parallel_for(shards, m_options.threads, [&](Index s) {
      Shard& shard = m_shards[static_cast<std::size_t>(s)];
      const Index begin = s * m_options.shard_cols;
      const Index count = std::min(m_options.shard_cols, n - begin);
      shard.batch.input = batch.input.middleCols(begin, count);
      shard.batch.target = batch.target.middleCols(begin, count);
      shard.batch.weight = batch.weight.segment(begin, count);
      shard.net.parameters() = net.parameters();
      shard.net.gradients().setZero();
      shard.loss = weighted_mse(shard.net.forward(shard.batch.input), shard.batch, shard.grad, mean_over);
      backward_parameters(shard.net, shard.grad);
    });
    // ∇θ L = Σ_s ∇θ L_s, in shard order
    net.gradients() = m_shards[0].net.gradients();
    S loss = m_shards[0].loss;
    for (std::size_t s = 1; s < static_cast<std::size_t>(shards); ++s) {
      net.gradients() += m_shards[s].net.gradients();
      loss += m_shards[s].loss;
    }
    return loss;
  }

  // backward_parameters() skips the input gradient that training does not need, where offered.
  static void backward_parameters(Net& net, const Matrix<S>& grad) {
    if constexpr (requires { net.backward_parameters(grad); }) net.backward_parameters(grad);
    else net.backward(grad);
  }

  DataParallelOptions m_options;
  Matrix<S> m_grad;
  std::vector<Shard> m_shards;
};

}  // namespace diffuse
