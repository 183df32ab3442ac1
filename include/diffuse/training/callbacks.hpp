#pragma once
// diffuse/training/callbacks.hpp — callbacks for fit(): each is a callable taking the StepInfo of
// the step just taken (mlpack/ensmallen's callback idea). The NaN/Inf guard is not a callback:
// fit() always has it.

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/io/csv.hpp"
#include "diffuse/io/progress.hpp"
#include "diffuse/nn/checkpoint.hpp"
#include "diffuse/training/fit.hpp"

namespace diffuse {

/// Shows a progress bar on stderr (animated on a terminal, one summary line otherwise) with the
/// step, rate, ETA and last loss.
class ShowProgress {
 public:
  explicit ShowProgress(std::string label = "training") : m_label(std::move(label)) {}
  void operator()(const StepInfo& info) {
    if (!m_bar) m_bar = std::make_unique<ProgressBar>(info.total_steps, ProgressOptions{.label = m_label});
    m_bar->update(info.step + 1, info.loss);
    if (info.step + 1 == info.total_steps) m_bar->finish();
  }

 private:
  std::string m_label;
  std::unique_ptr<ProgressBar> m_bar;
};

/// Writes the network's weights to `path` (safetensors, atomically; its folder is created) every
/// `every` steps and after the last step. fit() has already rejected non-finite losses and gradients by then, so a
/// checkpoint never holds NaN weights.
template <Checkpointable Net>
class SaveCheckpoint {
 public:
  SaveCheckpoint(Net& net, std::filesystem::path path, long every) : m_net(&net), m_path(std::move(path)), m_every(every) {
    check_at_least("SaveCheckpoint", "every", every, 1L);
    if (m_path.has_parent_path()) {
      std::error_code error;
      std::filesystem::create_directories(m_path.parent_path(), error);
      DIFFUSE_REQUIRE(!error, "SaveCheckpoint", "cannot create folder " + m_path.parent_path().string(),
                      error.message(), "a writable folder");
    }
  }
  void operator()(const StepInfo& info) {
    if ((info.step + 1) % m_every == 0 || info.step + 1 == info.total_steps) save_checkpoint(m_path, *m_net);
  }

 private:
  Net* m_net;
  std::filesystem::path m_path;
  long m_every;
};

/// Writes a loss history as CSV with columns step, loss (one row per step).
inline void write_loss_history(const std::filesystem::path& path, const std::vector<double>& losses) {
  Matrix<double> rows(2, static_cast<Index>(losses.size()));
  for (Index k = 0; k < rows.cols(); ++k) {
    rows(0, k) = static_cast<double>(k);
    rows(1, k) = losses[static_cast<std::size_t>(k)];
  }
  write_csv(path, rows, {"step", "loss"});
}

}  // namespace diffuse
