#pragma once
// diffuse/io/colormap.hpp — the viridis perceptual colour map and a qualitative palette.
// References: van der Walt & Smith, "viridis" (matplotlib 1.5, 2015; data CC0), sampled at
// every 16th of its 256 entries and interpolated linearly; the qualitative palette is
// matplotlib/Vega "category10" ("tab10").

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

namespace diffuse {

/// An sRGB colour with channels in [0, 1].
struct Rgb {
  double r = 0;
  double g = 0;
  double b = 0;

  /// "#rrggbb", each channel rounded to 8 bits.
  std::string hex() const {
    auto byte = [](double c) { return static_cast<int>(std::lround(std::clamp(c, 0.0, 1.0) * 255)); };
    char buffer[8];
    std::snprintf(buffer, sizeof(buffer), "#%02x%02x%02x", byte(r), byte(g), byte(b));
    return buffer;
  }
};

namespace detail {

/// Viridis entries 0, 16, 32, ..., 240 and 255 of the 256-entry table, at t = index / 255.
inline constexpr std::array<int, 17> viridis_index = {0,   16,  32,  48,  64,  80,  96,  112, 128,
                                                      144, 160, 176, 192, 208, 224, 240, 255};
inline constexpr std::array<std::array<double, 3>, 17> viridis_rgb = {{
    {0.267004, 0.004874, 0.329415}, {0.282327, 0.094955, 0.417331}, {0.278826, 0.175490, 0.483397},
    {0.258965, 0.251537, 0.524736}, {0.229739, 0.322361, 0.545706}, {0.199430, 0.387607, 0.554642},
    {0.172719, 0.448791, 0.557885}, {0.149039, 0.508051, 0.557250}, {0.127568, 0.566949, 0.550556},
    {0.120638, 0.625828, 0.533488}, {0.157851, 0.683765, 0.501686}, {0.246070, 0.738910, 0.452024},
    {0.369214, 0.788888, 0.382914}, {0.515992, 0.831158, 0.294279}, {0.678489, 0.863742, 0.189503},
    {0.845561, 0.887322, 0.099702}, {0.993248, 0.906157, 0.143936},
}};

inline constexpr std::array<const char*, 10> category10 = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

}  // namespace detail

/// Number of stops viridis_stop() offers (for gradients such as colour bars).
inline constexpr int viridis_stop_count = static_cast<int>(detail::viridis_index.size());

/// Stop i of the viridis table: its position t in [0, 1] and its colour.
inline std::pair<double, Rgb> viridis_stop(int i) {
  const auto& c = detail::viridis_rgb[static_cast<std::size_t>(i)];
  return {detail::viridis_index[static_cast<std::size_t>(i)] / 255.0, Rgb{c[0], c[1], c[2]}};
}

/// Viridis at t in [0, 1] (clamped; NaN maps to 0): dark purple at 0, yellow at 1.
inline Rgb viridis(double t) {
  if (!(t > 0)) t = 0;
  if (t > 1) t = 1;
  const double position = t * 255.0;
  std::size_t k = 0;
  while (k + 2 < detail::viridis_index.size() && detail::viridis_index[k + 1] <= position) ++k;
  const double lo = detail::viridis_index[k];
  const double hi = detail::viridis_index[k + 1];
  const double w = std::clamp((position - lo) / (hi - lo), 0.0, 1.0);
  const auto& a = detail::viridis_rgb[k];
  const auto& b = detail::viridis_rgb[k + 1];
  return {a[0] + w * (b[0] - a[0]), a[1] + w * (b[1] - a[1]), a[2] + w * (b[2] - a[2])};
}

/// Qualitative colour for category i (cycles through ten colours); negative i gives grey.
inline std::string palette_color(long i) {
  if (i < 0) return "#999999";
  return detail::category10[static_cast<std::size_t>(i % 10)];
}

}  // namespace diffuse
