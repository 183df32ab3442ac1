#pragma once
// diffuse/io/axis.hpp — axis scales and tick placement for figures: "nice" round tick steps
// (1, 2, 2.5, 5 x 10^k; Heckbert, "Nice numbers for graph labels", Graphics Gems 1990) and
// decade ticks for logarithmic axes.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "diffuse/io/svg_writer.hpp"

namespace diffuse {

/// Tick positions (in axis coordinates: log10 of the value on log axes) and their labels.
struct Ticks {
  std::vector<double> at;
  std::vector<std::string> labels;
};

namespace detail {

/// Number of multiples of step inside [lo, hi].
inline long long tick_count(double lo, double hi, double step) {
  return static_cast<long long>(std::floor(hi / step + 1e-9)) - static_cast<long long>(std::ceil(lo / step - 1e-9)) + 1;
}

/// The step of the form {1, 2, 2.5, 5} x 10^k whose number of ticks inside [lo, hi] is closest
/// to target; ties go to the larger step.
inline double nice_step(double lo, double hi, int target) {
  const double power = std::pow(10.0, std::floor(std::log10((hi - lo) / target)));
  double best = 0;
  long long best_miss = 0;
  for (const double scale : {power * 10, power, power / 10}) {
    for (const double m : {5.0, 2.0, 2.5, 1.0}) {
      const double step = m * scale;
      // Too few ticks count double, and 2.5 steps pay one tick: they give longer labels.
      const long long count = tick_count(lo, hi, step);
      const long long miss = (count < target ? 2 * (target - count) : count - target) + (m == 2.5 ? 1 : 0);
      if (best == 0 || miss < best_miss) {
        best = step;
        best_miss = miss;
      }
    }
  }
  return best;
}

/// Label of a tick value k * step with just enough decimals for the step.
inline std::string tick_label(double value, double step, double magnitude) {
  if (magnitude >= 1e5 || step < 1e-4) return format_general(value, 4);
  const double exponent = std::floor(std::log10(step) + 1e-9);
  const double mantissa = step / std::pow(10.0, exponent);
  int decimals = std::max(0, static_cast<int>(-exponent));
  if (std::abs(mantissa - 2.5) < 1e-6) ++decimals;
  return format_fixed(value, decimals);
}

}  // namespace detail

/// About `target` ticks at round numbers inside [lo, hi] (lo < hi).
inline Ticks linear_ticks(double lo, double hi, int target = 5) {
  Ticks ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  const double step = detail::nice_step(lo, hi, std::max(target, 2));
  const double magnitude = std::max(std::abs(lo), std::abs(hi));
  const auto first = static_cast<long long>(std::ceil(lo / step - 1e-9));
  const auto last = static_cast<long long>(std::floor(hi / step + 1e-9));
  for (long long k = first; k <= last; ++k) {
    double value = static_cast<double>(k) * step;
    if (std::abs(value) < step * 1e-9) value = 0;
    ticks.at.push_back(value);
    ticks.labels.push_back(detail::tick_label(value, step, magnitude));
  }
  return ticks;
}

/// Ticks for a log10 axis spanning [log_lo, log_hi] (exponents): decades 10^k when at least three
/// fit (thinned to about `target`), else 1-2-5 x 10^k, else 1..9 x 10^k. Positions are log10 of
/// the values.
inline Ticks log_ticks(double log_lo, double log_hi, int target = 5) {
  Ticks ticks;
  if (!(log_hi > log_lo) || !std::isfinite(log_lo) || !std::isfinite(log_hi)) return ticks;
  const auto first = static_cast<long long>(std::floor(log_lo)) - 1;
  const auto last = static_cast<long long>(std::ceil(log_hi));
  const auto anchor = static_cast<long long>(std::ceil(log_lo - 1e-9));
  const long long decades = static_cast<long long>(std::floor(log_hi + 1e-9)) - anchor + 1;
  const long long stride = decades >= 2 ? std::max<long long>(1, (decades + target) / (target + 1)) : 1;
  const std::vector<std::vector<int>> mantissa_sets = {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
  for (const auto& mantissas : mantissa_sets) {
    ticks = {};
    for (long long k = first; k <= last; ++k) {
      if (mantissas.size() == 1 && (k - anchor) % stride != 0) continue;
      for (const int m : mantissas) {
        const double value = m * std::pow(10.0, static_cast<double>(k));
        const double at = std::log10(value);
        if (at < log_lo - 1e-9 || at > log_hi + 1e-9) continue;
        ticks.at.push_back(at);
        ticks.labels.push_back(k >= -3 && k <= 4 ? detail::format_fixed(value, static_cast<int>(std::max(0LL, -k)))
                                                 : std::to_string(m) + "e" + std::to_string(k));
      }
    }
    if (ticks.at.size() >= 3) break;
  }
  return ticks;
}

/// Maps axis coordinates [lo, hi] to pixels [pixel_lo, pixel_hi] (pixel_hi < pixel_lo for an
/// upward y axis). On a log axis, lo and hi are exponents and values are mapped through log10;
/// non-positive values map to pixel_lo (the bottom), so bars and cells stay drawable.
struct AxisMap {
  double lo = 0;
  double hi = 1;
  double pixel_lo = 0;
  double pixel_hi = 1;
  bool log = false;

  /// Axis coordinate of a data value (log10 on log axes; -inf for non-positive values there).
  double coordinate(double value) const {
    if (!log) return value;
    return value > 0 ? std::log10(value) : -HUGE_VAL;
  }

  /// Pixel position of a data value.
  double operator()(double value) const {
    const double c = coordinate(value);
    if (!std::isfinite(c)) return pixel_lo;
    return pixel_lo + (c - lo) / (hi - lo) * (pixel_hi - pixel_lo);
  }

  /// Pixel position of an axis coordinate (already log10 on log axes).
  double at_coordinate(double c) const { return pixel_lo + (c - lo) / (hi - lo) * (pixel_hi - pixel_lo); }
};

}  // namespace diffuse
