#pragma once
// diffuse/training/loss_curve.hpp — the loss history of fit() as an SVG figure: every step's
// loss on a log axis, with its trailing moving average on top.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/io/figure.hpp"

namespace diffuse {

/// Trailing moving average m_k = (1/w_k) Σ_{j=k−w_k+1}^{k} l_j with w_k = min(window, k + 1).
inline std::vector<double> moving_average(const std::vector<double>& values, long window) {
  check_at_least("moving_average", "window", window, 1L);
  std::vector<double> out(values.size());
  double sum = 0;
  for (std::size_t k = 0; k < values.size(); ++k) {
    sum += values[k];
    if (k >= static_cast<std::size_t>(window)) sum -= values[k - static_cast<std::size_t>(window)];
    out[k] = sum / static_cast<double>(std::min<std::size_t>(k + 1, static_cast<std::size_t>(window)));
  }
  return out;
}

/// Saves `losses` (one per step, finite and > 0) to an SVG at `path`: the raw curve, faint, and
/// its moving average over `window` steps.
inline void save_loss_curve(const std::filesystem::path& path, const std::vector<double>& losses,
                            const std::string& title = "training loss", long window = 50) {
  constexpr const char* api = "save_loss_curve";
  DIFFUSE_REQUIRE(!losses.empty(), api, "needs at least one loss", losses.size(), ">= 1 value");
  for (std::size_t k = 0; k < losses.size(); ++k)
    DIFFUSE_REQUIRE(std::isfinite(losses[k]) && losses[k] > 0, api,
                    "loss at step " + std::to_string(k) + " cannot go on a log axis", losses[k], "finite and > 0");
  Figure figure(1, 1, FigureStyle{.panel_width = 520, .panel_height = 340});
  figure.panel(0, 0).title(title).xlabel("step").log_y()
      .line(losses, {.width = 0.6, .alpha = 0.35, .color = "#1f77b4", .label = "loss"})
      .line(moving_average(losses, window), {.width = 1.8, .color = "#d62728",
                                             .label = "mean of the last " + std::to_string(window)});
  figure.save(path);
}

}  // namespace diffuse
