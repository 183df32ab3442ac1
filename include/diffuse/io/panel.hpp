#pragma once
// diffuse/io/panel.hpp — one panel of a figure: title, axis labels, limits, ticks, legend, colour
// bar, and a stack of layers (scatter, markers, quiver, lines, histogram, heat map).
//
// Setters return Panel& so that calls chain:
//   fig.panel(0, 1).title("DDPM").equal_aspect().scatter(samples).markers(centres);
// Points with NaN or Inf are skipped with a one-line warning on stderr; they never reach the file.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/io/axis.hpp"
#include "diffuse/io/colormap.hpp"
#include "diffuse/io/layers.hpp"
#include "diffuse/io/svg_writer.hpp"

namespace diffuse {

namespace detail {

/// One line on stderr when an input had values a figure cannot show.
inline void warn_skipped(std::string_view api, long skipped, long total, std::string_view what) {
  if (skipped == 0) return;
  std::cerr << "diffuse::" << api << ": warning: skipped " << skipped << " of " << total << " "
            << what << " with NaN or Inf\n";
}

/// All entries of an Eigen expression or std::vector as doubles.
template <class D>
std::vector<double> to_doubles(const Eigen::DenseBase<D>& values) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(values.size()));
  for (Index j = 0; j < values.cols(); ++j)
    for (Index i = 0; i < values.rows(); ++i) out.push_back(static_cast<double>(values(i, j)));
  return out;
}
template <class T>
std::vector<double> to_doubles(const std::vector<T>& values) {
  return std::vector<double>(values.begin(), values.end());
}

template <class T>
struct is_number_vector : std::false_type {};
template <class T, class A>
struct is_number_vector<std::vector<T, A>> : std::bool_constant<std::is_arithmetic_v<T>> {};

/// A sequence of numbers a panel accepts: a std::vector of numbers or any Eigen dense object.
template <class T>
concept Series = is_number_vector<T>::value || std::is_base_of_v<Eigen::DenseBase<T>, T>;

struct LegendEntry {
  enum class Kind { line, dot, patch, cross };
  std::string label;
  std::string color;
  Kind kind;
};

}  // namespace detail

/// A panel: axes with a title, labels, ticks and layers. Obtain one with Figure::panel(r, c).
class Panel {
 public:
  Panel& title(std::string text) { m_title = std::move(text); return *this; }
  Panel& xlabel(std::string text) { m_xlabel = std::move(text); return *this; }
  Panel& ylabel(std::string text) { m_ylabel = std::move(text); return *this; }
  /// One data unit is as long on x as on y; the shorter range is widened to fill the panel.
  Panel& equal_aspect(bool on = true) { m_equal = on; return *this; }
  /// Fixed x limits (otherwise the data range plus 5%). Requires lo < hi, both finite.
  Panel& xlim(double lo, double hi) { m_xlim = checked_limits("xlim", lo, hi); return *this; }
  /// Fixed y limits; on a log axis both must be positive.
  Panel& ylim(double lo, double hi) { m_ylim = checked_limits("ylim", lo, hi); return *this; }
  /// Logarithmic y axis (decade ticks); non-positive y values are not drawn.
  Panel& log_y(bool on = true) { m_log_y = on; return *this; }

  /// Scatter of a 2 x n batch of points (any scalar type).
  template <class D>
  Panel& scatter(const Eigen::MatrixBase<D>& points, ScatterStyle style = {}) {
    return scatter_groups("Panel::scatter", points, std::vector<long>(static_cast<std::size_t>(points.cols()), -2),
                          std::move(style));
  }
  /// Scatter coloured by integer label (qualitative palette; label < 0 is grey).
  template <class D, std::integral L>
  Panel& scatter(const Eigen::MatrixBase<D>& points, const std::vector<L>& labels, ScatterStyle style = {}) {
    return scatter_groups("Panel::scatter", points, std::vector<long>(labels.begin(), labels.end()), std::move(style));
  }
  /// Scatter coloured by integer label given as an Eigen vector.
  template <class D, class L>
  Panel& scatter(const Eigen::MatrixBase<D>& points, const Eigen::MatrixBase<L>& labels, ScatterStyle style = {}) {
    static_assert(std::is_integral_v<typename L::Scalar>, "labels must be an integer vector (e.g. Eigen::RowVectorXi)");
    std::vector<long> l;
    for (Index i = 0; i < labels.size(); ++i) l.push_back(static_cast<long>(labels(i)));
    return scatter_groups("Panel::scatter", points, std::move(l), std::move(style));
  }

  /// 'x' markers at the columns of a 2 x k matrix (e.g. mixture centres).
  template <class D>
  Panel& markers(const Eigen::MatrixBase<D>& centres, MarkerStyle style = {}) {
    check_shape("Panel::markers", "centres", centres, 2, -1);
    detail::MarkerLayer layer;
    layer.style = std::move(style);
    long skipped = 0;
    for (Index j = 0; j < centres.cols(); ++j) {
      const double x = static_cast<double>(centres(0, j)), y = static_cast<double>(centres(1, j));
      if (!std::isfinite(x) || !std::isfinite(y)) { ++skipped; continue; }
      layer.x.push_back(x);
      layer.y.push_back(y);
    }
    detail::warn_skipped("Panel::markers", skipped, static_cast<long>(centres.cols()), "markers");
    if (!layer.style.label.empty()) m_legend.push_back({layer.style.label, layer.style.color, detail::LegendEntry::Kind::cross});
    m_layers.emplace_back(std::move(layer));
    return *this;
  }

  /// Arrows: vectors (2 x n) drawn at positions (2 x n), e.g. a score field on a grid.
  template <class DP, class DV>
  Panel& quiver(const Eigen::MatrixBase<DP>& positions, const Eigen::MatrixBase<DV>& vectors, QuiverStyle style = {}) {
    check_shape("Panel::quiver", "positions", positions, 2, -1);
    check_shape("Panel::quiver", "vectors", vectors, 2, positions.cols());
    DIFFUSE_REQUIRE(std::isfinite(style.scale) && style.scale >= 0, "Panel::quiver", "scale must be >= 0",
                    style.scale, "a finite number >= 0 (0 = automatic)");
    detail::QuiverLayer layer;
    layer.style = std::move(style);
    long skipped = 0;
    for (Index j = 0; j < positions.cols(); ++j) {
      const double v[4] = {static_cast<double>(positions(0, j)), static_cast<double>(positions(1, j)),
                           static_cast<double>(vectors(0, j)), static_cast<double>(vectors(1, j))};
      if (!std::all_of(v, v + 4, [](double a) { return std::isfinite(a); })) { ++skipped; continue; }
      layer.x.push_back(v[0]); layer.y.push_back(v[1]); layer.u.push_back(v[2]); layer.v.push_back(v[3]);
    }
    detail::warn_skipped("Panel::quiver", skipped, static_cast<long>(positions.cols()), "arrows");
    layer.scale = layer.style.scale > 0 ? layer.style.scale : auto_quiver_scale(layer);
    m_layers.emplace_back(std::move(layer));
    return *this;
  }

  /// Many 2D trajectories, each a 2 x T matrix; all share one colour. Non-finite points break a
  /// trajectory into pieces.
  template <class S>
  Panel& lines(const std::vector<Matrix<S>>& paths, LineStyle style = {}) {
    detail::PathLayer layer;
    long skipped = 0, total = 0;
    for (std::size_t k = 0; k < paths.size(); ++k) {
      check_shape("Panel::lines", "paths[" + std::to_string(k) + "]", paths[k], 2, -1);
      std::vector<double> x, y;
      for (Index t = 0; t < paths[k].cols(); ++t) {
        x.push_back(static_cast<double>(paths[k](0, t)));
        y.push_back(static_cast<double>(paths[k](1, t)));
        if (!std::isfinite(x.back()) || !std::isfinite(y.back())) ++skipped;
        ++total;
      }
      layer.x.push_back(std::move(x));
      layer.y.push_back(std::move(y));
    }
    detail::warn_skipped("Panel::lines", skipped, total, "points");
    return add_path(std::move(layer), std::move(style));
  }

  /// A series y(x) (a loss curve, a schedule); xs and ys are std::vectors of numbers or Eigen
  /// vectors, in any combination. Labelled series appear in a legend.
  template <detail::Series X, detail::Series Y>
  Panel& line(const X& xs, const Y& ys, LineStyle style = {}) {
    return line_doubles(detail::to_doubles(xs), detail::to_doubles(ys), std::move(style));
  }
  /// A series against its index 0, 1, ..., n-1 (e.g. loss per step).
  template <detail::Series Y>
  Panel& line(const Y& ys, LineStyle style = {}) {
    std::vector<double> values = detail::to_doubles(ys);
    std::vector<double> xs(values.size());
    for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<double>(i);
    return line_doubles(std::move(xs), std::move(values), std::move(style));
  }

  /// Histogram of all values (a std::vector or any Eigen matrix/vector) in `bins` equal bins
  /// over [min, max] (or the style's range).
  template <detail::Series V>
  Panel& histogram(const V& values, int bins, HistogramStyle style = {}) {
    return histogram_doubles(detail::to_doubles(values), bins, std::move(style));
  }

  /// Heat map of an ny x nx grid over [x_min, x_max] x [y_min, y_max]; row 0 is at y_min, column
  /// 0 at x_min. Colours: viridis over [vmin, vmax]; non-finite cells stay blank.
  template <class D>
  Panel& heatmap(const Eigen::MatrixBase<D>& grid, double x_min, double x_max, double y_min, double y_max,
                 HeatmapStyle style = {}) {
    check_nonempty("Panel::heatmap", "grid", grid);
    checked_limits("heatmap x range", x_min, x_max);
    checked_limits("heatmap y range", y_min, y_max);
    detail::HeatLayer layer{.grid = grid.template cast<double>(), .x_min = x_min, .x_max = x_max,
                            .y_min = y_min, .y_max = y_max, .style = std::move(style)};
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    long skipped = 0;
    for (Index j = 0; j < layer.grid.cols(); ++j)
      for (Index i = 0; i < layer.grid.rows(); ++i) {
        const double v = layer.grid(i, j);
        if (!std::isfinite(v)) { ++skipped; continue; }
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    detail::warn_skipped("Panel::heatmap", skipped, static_cast<long>(layer.grid.size()), "cells");
    layer.vmin = std::isnan(layer.style.vmin) ? (std::isfinite(lo) ? lo : 0.0) : layer.style.vmin;
    layer.vmax = std::isnan(layer.style.vmax) ? (std::isfinite(hi) ? hi : 1.0) : layer.style.vmax;
    m_layers.emplace_back(std::move(layer));
    return *this;
  }

  /// Draws the panel into the box [left, left + width] x [top, top + height] of `svg`; `id` makes
  /// clip-path and gradient ids unique within the document. Called by Figure; defined in
  /// panel_render.hpp.
  void render(SvgWriter& svg, double left, double top, double width, double height, const std::string& id) const;

 private:
  using Layer = std::variant<detail::ScatterLayer, detail::MarkerLayer, detail::QuiverLayer, detail::PathLayer,
                             detail::BarLayer, detail::HeatLayer>;

  static std::pair<double, double> checked_limits(std::string_view what, double lo, double hi) {
    DIFFUSE_REQUIRE(std::isfinite(lo) && std::isfinite(hi) && lo < hi, "Panel",
                    std::string(what) + " must be an increasing finite pair",
                    detail::to_text(lo) + ", " + detail::to_text(hi), "lo < hi, both finite");
    return {lo, hi};
  }

  std::string next_color(const std::string& requested) {
    return requested.empty() ? palette_color(m_next_color++) : requested;
  }

  template <class D>
  Panel& scatter_groups(std::string_view api, const Eigen::MatrixBase<D>& points, std::vector<long> labels,
                        ScatterStyle style) {
    check_shape(api, "points", points, 2, -1);
    DIFFUSE_REQUIRE(static_cast<Index>(labels.size()) == points.cols(), api, "labels must have one entry per point",
                    labels.size(), std::to_string(points.cols()) + " labels");
    detail::ScatterLayer layer;
    layer.style = std::move(style);
    // Label -2 marks "no labels": one group in the style's colour (or the next palette colour).
    std::vector<long> group_labels;
    long skipped = 0;
    for (Index j = 0; j < points.cols(); ++j) {
      const double x = static_cast<double>(points(0, j)), y = static_cast<double>(points(1, j));
      if (!std::isfinite(x) || !std::isfinite(y)) { ++skipped; continue; }
      const long label = labels[static_cast<std::size_t>(j)];
      auto found = std::find(group_labels.begin(), group_labels.end(), label);
      if (found == group_labels.end()) {
        group_labels.push_back(label);
        found = group_labels.end() - 1;
      }
      layer.x.push_back(x);
      layer.y.push_back(y);
      layer.group.push_back(static_cast<int>(found - group_labels.begin()));
    }
    detail::warn_skipped(api, skipped, static_cast<long>(points.cols()), "points");
    const bool labelled = !labels.empty() && labels.front() != -2;
    const std::string single = labelled ? "" : next_color(layer.style.color);
    for (const long label : group_labels) layer.colors.push_back(labelled ? palette_color(label) : single);
    if (!layer.style.label.empty())
      m_legend.push_back({layer.style.label, labelled ? "#555555" : single, detail::LegendEntry::Kind::dot});
    m_layers.emplace_back(std::move(layer));
    return *this;
  }

  static double auto_quiver_scale(const detail::QuiverLayer& layer) {
    if (layer.x.empty()) return 1;
    const auto [x0, x1] = std::minmax_element(layer.x.begin(), layer.x.end());
    const auto [y0, y1] = std::minmax_element(layer.y.begin(), layer.y.end());
    const double sx = *x1 - *x0, sy = *y1 - *y0, n = static_cast<double>(layer.x.size());
    double spacing = sx > 0 && sy > 0 ? std::sqrt(sx * sy / n) : std::max(sx, sy) / std::max(n - 1, 1.0);
    if (!(spacing > 0)) spacing = 1;
    double longest = 0;
    for (std::size_t i = 0; i < layer.u.size(); ++i) longest = std::max(longest, std::hypot(layer.u[i], layer.v[i]));
    return longest > 0 ? 0.9 * spacing / longest : 1.0;
  }

  Panel& add_path(detail::PathLayer layer, LineStyle style) {
    style.color = next_color(style.color);
    if (!style.label.empty()) m_legend.push_back({style.label, style.color, detail::LegendEntry::Kind::line});
    layer.style = std::move(style);
    m_layers.emplace_back(std::move(layer));
    return *this;
  }

  Panel& line_doubles(std::vector<double> xs, std::vector<double> ys, LineStyle style) {
    DIFFUSE_REQUIRE(xs.size() == ys.size(), "Panel::line", "xs and ys must have the same length",
                    std::to_string(xs.size()) + " vs " + std::to_string(ys.size()), "equal lengths");
    long skipped = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) skipped += !std::isfinite(xs[i]) || !std::isfinite(ys[i]);
    detail::warn_skipped("Panel::line", skipped, static_cast<long>(xs.size()), "points");
    detail::PathLayer layer;
    layer.x.push_back(std::move(xs));
    layer.y.push_back(std::move(ys));
    return add_path(std::move(layer), std::move(style));
  }

  Panel& histogram_doubles(std::vector<double> values, int bins, HistogramStyle style) {
    check_at_least("Panel::histogram", "bins", bins, 1);
    DIFFUSE_REQUIRE(!values.empty(), "Panel::histogram", "values is empty", 0, "at least one value");
    const auto total = static_cast<long>(values.size());
    std::erase_if(values, [](double v) { return !std::isfinite(v); });
    detail::warn_skipped("Panel::histogram", total - static_cast<long>(values.size()), total, "values");
    if (values.empty()) return *this;
    const auto [min, max] = std::minmax_element(values.begin(), values.end());
    double lo = std::isnan(style.range_min) ? *min : style.range_min;
    double hi = std::isnan(style.range_max) ? *max : style.range_max;
    if (hi <= lo) { lo -= 0.5; hi += 0.5; }
    detail::BarLayer layer;
    for (int b = 0; b <= bins; ++b) layer.edges.push_back(lo + (hi - lo) * b / bins);
    layer.heights.assign(static_cast<std::size_t>(bins), 0.0);
    double counted = 0;
    for (const double v : values) {
      if (v < lo || v > hi) continue;
      const int b = std::min(bins - 1, static_cast<int>((v - lo) / (hi - lo) * bins));
      layer.heights[static_cast<std::size_t>(b)] += 1;
      counted += 1;
    }
    // Density: count / (number counted x bin width), so the bars have unit area.
    if (style.density && counted > 0)
      for (double& h : layer.heights) h /= counted * (hi - lo) / bins;
    style.color = next_color(style.color);
    if (!style.label.empty()) m_legend.push_back({style.label, style.color, detail::LegendEntry::Kind::patch});
    layer.style = std::move(style);
    m_layers.emplace_back(std::move(layer));
    return *this;
  }

  void draw_axes(SvgWriter& svg, const detail::PlotMap& map, const Ticks& xt, const Ticks& yt, bool grid_only) const;
  void draw_legend(SvgWriter& svg, const detail::PlotMap& map) const;
  void draw_colorbar(SvgWriter& svg, const detail::HeatLayer& heat, double left, double top, double bottom,
                     const std::string& id) const;

  std::string m_title, m_xlabel, m_ylabel;
  bool m_equal = false;
  bool m_log_y = false;
  std::optional<std::pair<double, double>> m_xlim, m_ylim;
  std::vector<Layer> m_layers;
  std::vector<detail::LegendEntry> m_legend;
  long m_next_color = 0;
};

}  // namespace diffuse
