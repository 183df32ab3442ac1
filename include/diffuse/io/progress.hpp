#pragma once
// diffuse/io/progress.hpp — a progress bar for long loops (training, sampling) on stderr.
//
// When the stream is a terminal the bar redraws in place (carriage return) at most ten times a
// second: step/total, percentage, rate, ETA and the last loss. Otherwise (CI logs, files, pipes)
// nothing is printed until finish(), which writes one summary line, so logs stay readable.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <string>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/io/svg_writer.hpp"

#if defined(_WIN32)
#include <io.h>
#else
#include <unistd.h>
#endif

namespace diffuse {

/// How a ProgressBar shows itself.
enum class ProgressMode {
  automatic,  ///< animated when stderr is a terminal, summary otherwise
  animated,   ///< redraw a bar in place
  summary     ///< one line at the end
};

/// Options of a ProgressBar.
struct ProgressOptions {
  std::string label = "";           ///< printed before the bar
  ProgressMode mode = ProgressMode::automatic;
  std::ostream* stream = &std::cerr; ///< where to write (tests pass a string stream)
  int width = 30;                    ///< bar width in characters
};

/// True when stderr is an interactive terminal.
inline bool stderr_is_terminal() {
#if defined(_WIN32)
  return _isatty(_fileno(stderr)) != 0;
#else
  return isatty(fileno(stderr)) != 0;
#endif
}

namespace detail {

/// "m:ss" or "h:mm:ss" for a duration in seconds (rounded).
inline std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  char buffer[32];
  if (total >= 3600)
    std::snprintf(buffer, sizeof(buffer), "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(buffer, sizeof(buffer), "%lld:%02lld", total / 60, total % 60);
  return buffer;
}

/// The bar text for `step` of `total` after `elapsed` seconds, e.g.
/// "[#######-------] 50/200 25% 5.00 it/s ETA 0:30 loss 0.125"; loss NaN omits the loss.
inline std::string progress_line(Index step, Index total, double elapsed, double loss, int width) {
  const double fraction = total > 0 ? std::clamp(static_cast<double>(step) / static_cast<double>(total), 0.0, 1.0) : 1.0;
  const auto filled = static_cast<int>(std::floor(fraction * width));
  std::string line = "[";
  line.append(static_cast<std::size_t>(filled), '#').append(static_cast<std::size_t>(width - filled), '-');
  line.append("] ").append(std::to_string(step)).append("/").append(std::to_string(total)).append(" ");
  line.append(std::to_string(static_cast<int>(std::floor(100 * fraction)))).append("%");
  const double rate = elapsed > 0 ? static_cast<double>(step) / elapsed : 0.0;
  line.append(" ").append(format_fixed_decimals(rate)).append(" it/s");
  if (step < total)
    line.append(" ETA ").append(clock_text(rate > 0 ? static_cast<double>(total - step) / rate : HUGE_VAL));
  if (!std::isnan(loss)) line.append(" loss ").append(format_general(loss, 4));
  return line;
}

}  // namespace detail

/// A progress bar over `total` steps. Call update(step, loss) as work completes and finish() at
/// the end (the destructor finishes too).
class ProgressBar {
 public:
  explicit ProgressBar(Index total, ProgressOptions options = {})
      : m_total(total), m_options(std::move(options)), m_start(std::chrono::steady_clock::now()) {
    check_at_least<Index>("ProgressBar", "total", total, 0);
    check_at_least("ProgressBar", "width", m_options.width, 1);
    DIFFUSE_REQUIRE(m_options.stream != nullptr, "ProgressBar", "stream is null", "nullptr", "an output stream");
    m_animated = m_options.mode == ProgressMode::animated ||
                 (m_options.mode == ProgressMode::automatic && stderr_is_terminal());
  }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() { finish(); }

  /// Records that `step` steps are done (and the latest loss; NaN = none) and redraws the bar
  /// when animated and at least 0.1 s passed since the last redraw.
  void update(Index step, double loss = std::numeric_limits<double>::quiet_NaN()) {
    m_step = step;
    if (!std::isnan(loss)) m_loss = loss;
    if (!m_animated) return;
    const double now = elapsed();
    if (now - m_last_draw < 0.1 && step < m_total) return;
    m_last_draw = now;
    draw(now);
  }

  /// Prints the final state: the finished bar and a newline when animated, one summary line
  /// otherwise. Later calls do nothing.
  void finish() {
    if (m_finished) return;
    m_finished = true;
    const double now = elapsed();
    if (m_animated) {
      draw(now);
      *m_options.stream << '\n';
    } else {
      *m_options.stream << prefix() << std::to_string(m_step) << "/" << std::to_string(m_total) << " steps in "
                        << detail::format_fixed(now, 1) << " s ("
                        << detail::format_fixed_decimals(now > 0 ? static_cast<double>(m_step) / now : 0.0)
                        << " it/s)";
      if (!std::isnan(m_loss)) *m_options.stream << ", last loss " << detail::format_general(m_loss, 4);
      *m_options.stream << '\n';
    }
    m_options.stream->flush();
  }

 private:
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  }
  std::string prefix() const { return m_options.label.empty() ? "" : m_options.label + ": "; }
  void draw(double now) {
    *m_options.stream << '\r' << prefix() << detail::progress_line(m_step, m_total, now, m_loss, m_options.width)
                      << "\x1b[K";  // erase the rest of the previous, longer line
    m_options.stream->flush();
  }

  Index m_total;
  ProgressOptions m_options;
  std::chrono::steady_clock::time_point m_start;
  bool m_animated = false;
  bool m_finished = false;
  Index m_step = 0;
  double m_loss = std::numeric_limits<double>::quiet_NaN();
  double m_last_draw = -1;
};

}  // namespace diffuse
