#pragma once
// diffuse/training/fit.hpp — the training loop: batches, objective, forward, weighted MSE,
// backward, clipping, learning-rate schedule, optimizer step, callbacks.
//
// The loop owns the order of operations so every user gets the same, PyTorch-equivalent step:
//   zero_grad; loss = mean λ (net(input) − target)²; backward; clip_grad_norm_; lr = schedule(step);
//   optimizer.step(lr)
// A non-finite loss or gradient stops training with diffuse::Error naming the step, before the
// optimizer can write it into the weights. Same seed ⇒ bitwise the same weights, for any number of
// threads (FitOptions::data_parallel shards the gradient by columns, see data_parallel.hpp).

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/nn/lr_schedules.hpp"
#include "diffuse/nn/optimizers.hpp"
#include "diffuse/training/data_parallel.hpp"
#include "diffuse/training/objective.hpp"

namespace diffuse {

/// Options of fit(): how long, how big, how clipped.
struct FitOptions {
  long steps = 0;          ///< optimizer steps; if 0, epochs × batches_per_epoch
  long epochs = 0;         ///< passes over a Dataset (ignored when steps > 0)
  Index batch_size = 128;  ///< samples per step
  double clip_grad_norm = 0;  ///< max global gradient norm; 0 disables clipping
  DataParallelOptions data_parallel = {};  ///< column shards and threads for the gradient
};

/// What callbacks see after every step.
struct StepInfo {
  long step = 0;         ///< 0-based step just taken
  long total_steps = 0;  ///< steps fit() will take
  double loss = 0;       ///< the step's loss (before the update)
  double lr = 0;         ///< learning rate used
  double grad_norm = 0;  ///< global gradient norm before clipping
};

/// What fit() returns.
struct FitResult {
  std::vector<double> losses;  ///< loss of every step
  long steps = 0;              ///< steps taken
};

/// Trains `net` (Network) on `objective` (make_batch(x0, condition, rng, batch)) with batches from
/// `data` (Dataset or SampledData), `optimizer` (step(params, grads, lr)) and `schedule`
/// (LrSchedule). Each callback is invoked as callback(const StepInfo&) after every step.
template <Network Net, class Objective, class Data, class Optimizer, LrSchedule Schedule, class... Callbacks>
FitResult fit(Net& net, Objective& objective, Data& data, Optimizer& optimizer, const Schedule& schedule,
              const FitOptions& options, Rng& rng, Callbacks&&... callbacks) {
  using S = scalar_of<Net>;
  static_assert(std::is_same_v<S, scalar_of<Data>>,
                "diffuse::fit: the data's scalar type differs from the network's (the note below names "
                "<network, data>); build the Dataset from points.cast<S>() with the network's S");
  static_assert(std::is_same_v<S, scalar_of<Objective>>,
                "diffuse::fit: the objective's scalar type differs from the network's (the note below names "
                "<network, objective>); build the process or schedule with the network's scalar");
  constexpr const char* api = "fit";
  check_at_least(api, "batch_size", options.batch_size, Index{1});
  DIFFUSE_REQUIRE(options.steps >= 0 && options.epochs >= 0, api, "steps and epochs must be non-negative",
                  std::to_string(options.steps) + " steps, " + std::to_string(options.epochs) + " epochs", ">= 0");
  const long batches = static_cast<long>(data.batches_per_epoch(options.batch_size));
  DIFFUSE_REQUIRE(batches > 0, api, "the data set gives no batch: it is smaller than one batch and drops the last",
                  options.batch_size, "batch_size <= the data set's size, or drop_last = false");
  DIFFUSE_REQUIRE(options.steps > 0 || options.epochs <= std::numeric_limits<long>::max() / batches, api,
                  "epochs x batches per epoch overflows a step count",
                  std::to_string(options.epochs) + " epochs x " + std::to_string(batches) + " batches",
                  "at most " + std::to_string(std::numeric_limits<long>::max()) + " steps");
  const long total = options.steps > 0 ? options.steps : options.epochs * batches;
  DIFFUSE_REQUIRE(total > 0, api, "nothing to train: set steps, or epochs with a non-empty data set", total,
                  "at least one step");
  if (options.clip_grad_norm != 0) check_positive(api, "clip_grad_norm", options.clip_grad_norm);

  FitResult result;
  // The loss history grows as steps are taken: a huge step count fails on the steps, not on an
  // up-front allocation.
  result.losses.reserve(static_cast<std::size_t>(std::min(total, long{1} << 16)));
  Matrix<S> x0, condition;
  TrainingBatch<S> batch;
  DataParallel<Net> gradient(options.data_parallel);
  for (long step = 0; step < total; ++step) {
    data.next_batch(options.batch_size, rng, x0, condition);
    objective.make_batch(x0, condition, rng, batch);
    DIFFUSE_REQUIRE(batch.input.rows() == net.input_dim(), api, "objective input rows do not match the network",
                    batch.input.rows(), "input_dim() = " + std::to_string(net.input_dim()));
    check_batch_rows(api, "network outputs", net.output_dim(), batch.target);
    // The batch is finite when the objective's noise levels are; a non-finite one is not the
    // learning rate's fault.
    DIFFUSE_REQUIRE(batch.input.allFinite() && batch.target.allFinite() && batch.weight.allFinite(), api,
                    "the objective made a non-finite training batch at step " + std::to_string(step), "NaN or Inf",
                    "noise levels with finite alpha, sigma and weight (check p_mean, p_std, choices, t_min, t_max)");
    const S loss = gradient.loss_and_gradient(net, batch);
    const S grad_norm = net.gradients().norm();
    DIFFUSE_REQUIRE(std::isfinite(loss) && std::isfinite(grad_norm), api,
                    "non-finite loss or gradient at step " + std::to_string(step) + " (loss " +
                        detail::to_text(loss) + ")",
                    grad_norm,
                    step == 0 ? "finite values; the weights are not finite or overflow on this batch"
                              : "finite values; lower the learning rate or clip gradients");
    if (options.clip_grad_norm > 0) clip_grad_norm(net.gradients(), options.clip_grad_norm);
    const double lr = schedule(step);
    optimizer.step(net.parameters(), net.gradients(), lr);
    // Finite gradients times a huge learning rate can still overflow the weights; stop before a
    // callback (a checkpoint) sees them.
    DIFFUSE_REQUIRE(net.parameters().allFinite(), api,
                    "non-finite parameters after the optimizer step at step " + std::to_string(step), lr,
                    "a learning rate that keeps the weights finite");
    result.losses.push_back(static_cast<double>(loss));
    [[maybe_unused]] const StepInfo info{step, total, static_cast<double>(loss), lr, static_cast<double>(grad_norm)};
    (callbacks(info), ...);
  }
  result.steps = total;
  return result;
}

}  // namespace diffuse
