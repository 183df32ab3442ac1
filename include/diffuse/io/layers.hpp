#pragma once
// diffuse/io/layers.hpp — what a figure panel can draw (scatter, 'x' markers, quiver, lines,
// histogram bars, heat map), their style options, and how each draws itself into SVG.
// Layers keep their data in double precision; non-finite values were dropped on entry.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "diffuse/core/types.hpp"
#include "diffuse/io/axis.hpp"
#include "diffuse/io/colormap.hpp"
#include "diffuse/io/svg_writer.hpp"

namespace diffuse {

/// Points as filled circles. An empty colour takes the panel's next palette colour.
struct ScatterStyle {
  double size = 2;        ///< circle radius in pixels
  double alpha = 0.5;     ///< fill opacity in [0, 1]
  std::string color = ""; ///< any SVG colour ("#1f77b4", "black"); "" = next palette colour
  std::string label = ""; ///< legend entry; "" = none
};

/// 'x' markers, e.g. for the centres of a mixture.
struct MarkerStyle {
  double size = 5;               ///< half-width of the cross in pixels
  double width = 2;              ///< stroke width in pixels
  std::string color = "#000000";
  std::string label = "";
};

/// Arrows at positions. scale = 0 picks one so that the longest arrow is ~0.9 grid spacings.
struct QuiverStyle {
  bool color_by_magnitude = false; ///< colour arrows by |v| with viridis
  double scale = 0;                ///< data units per unit of vector; 0 = automatic
  std::string color = "#333333";   ///< used when not coloured by magnitude
  double width = 1;                ///< shaft width in pixels
  double alpha = 0.9;
};

/// Polylines: a series (line) or many trajectories (lines).
struct LineStyle {
  double width = 1.5;     ///< stroke width in pixels
  double alpha = 1;       ///< stroke opacity; each trajectory is stroked on its own, so
                          ///< overlapping trajectories accumulate
  std::string color = ""; ///< "" = next palette colour
  std::string label = ""; ///< legend entry; "" = none
  bool dashed = false;
};

/// Histogram bars. horizontal = true puts the values on the y axis and counts on x (a terminal
/// distribution beside trajectories).
struct HistogramStyle {
  bool horizontal = false;
  bool density = false;   ///< normalise to unit area instead of counts
  double alpha = 0.7;
  std::string color = "";
  std::string label = "";
  double range_min = std::numeric_limits<double>::quiet_NaN(); ///< NaN = smallest value
  double range_max = std::numeric_limits<double>::quiet_NaN(); ///< NaN = largest value
};

/// A grid of values coloured with viridis.
struct HeatmapStyle {
  bool colorbar = true;
  double vmin = std::numeric_limits<double>::quiet_NaN(); ///< NaN = smallest finite value
  double vmax = std::numeric_limits<double>::quiet_NaN(); ///< NaN = largest finite value
  std::string label = ""; ///< colour bar label
};

namespace detail {

/// Data bounds in axis coordinates, and limits that must not be padded (image edges, bar bases).
struct Bounds {
  double x0 = HUGE_VAL, x1 = -HUGE_VAL, y0 = HUGE_VAL, y1 = -HUGE_VAL;
  std::vector<double> sticky_x, sticky_y;

  void add(double x, double y) {
    if (!std::isfinite(x) || !std::isfinite(y)) return;
    x0 = std::min(x0, x); x1 = std::max(x1, x); y0 = std::min(y0, y); y1 = std::max(y1, y);
  }
};

/// Pixel mapping of a panel's plot area.
struct PlotMap {
  AxisMap x, y;
};

struct ScatterLayer {
  std::vector<double> x, y;
  std::vector<int> group;          ///< colour group of each point
  std::vector<std::string> colors; ///< colour of each group
  ScatterStyle style;

  void extend(Bounds& b, const AxisMap& ymap) const {
    for (std::size_t i = 0; i < x.size(); ++i) b.add(x[i], ymap.coordinate(y[i]));
  }
  void draw(SvgWriter& w, const PlotMap& m) const {
    for (std::size_t g = 0; g < colors.size(); ++g) {
      w.open("g", {{"fill", colors[g]}, {"fill-opacity", format_fixed(style.alpha, 3)}});
      const std::string r = SvgWriter::num(style.size);
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (group[i] != static_cast<int>(g) || !std::isfinite(m.y.coordinate(y[i]))) continue;
        w.element("circle", {{"cx", SvgWriter::num(m.x(x[i]))}, {"cy", SvgWriter::num(m.y(y[i]))}, {"r", r}});
      }
      w.close("g");
    }
  }
};

struct MarkerLayer {
  std::vector<double> x, y;
  MarkerStyle style;

  void extend(Bounds& b, const AxisMap& ymap) const {
    for (std::size_t i = 0; i < x.size(); ++i) b.add(x[i], ymap.coordinate(y[i]));
  }
  void draw(SvgWriter& w, const PlotMap& m) const {
    std::string d;
    const double s = style.size;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(m.y.coordinate(y[i]))) continue;
      const double px = m.x(x[i]), py = m.y(y[i]);
      SvgWriter::path_point(d, 'M', px - s, py - s);
      SvgWriter::path_point(d, 'L', px + s, py + s);
      SvgWriter::path_point(d, 'M', px - s, py + s);
      SvgWriter::path_point(d, 'L', px + s, py - s);
    }
    w.element("path", {{"d", d}, {"fill", "none"}, {"stroke", style.color},
                       {"stroke-width", SvgWriter::num(style.width)}, {"stroke-linecap", "round"}});
  }
};

struct QuiverLayer {
  std::vector<double> x, y, u, v;
  double scale = 1; ///< resolved data units per vector unit
  QuiverStyle style;

  void extend(Bounds& b, const AxisMap& ymap) const {
    for (std::size_t i = 0; i < x.size(); ++i) {
      b.add(x[i], ymap.coordinate(y[i]));
      b.add(x[i] + scale * u[i], ymap.coordinate(y[i] + scale * v[i]));
    }
  }
  void draw(SvgWriter& w, const PlotMap& m) const {
    double vmax = 0;
    for (std::size_t i = 0; i < x.size(); ++i) vmax = std::max(vmax, std::hypot(u[i], v[i]));
    w.open("g", {{"stroke-width", SvgWriter::num(style.width)}, {"opacity", format_fixed(style.alpha, 3)}});
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double x0 = m.x(x[i]), y0 = m.y(y[i]);
      const double x1 = m.x(x[i] + scale * u[i]), y1 = m.y(y[i] + scale * v[i]);
      const double length = std::hypot(x1 - x0, y1 - y0);
      if (length < 1e-9) continue;
      // Head: a triangle of length h and half-width 0.5 h at the tip, h <= 35% of the arrow.
      const double h = std::min(0.35 * length, 3.0 + 2.0 * style.width);
      const double ux = (x1 - x0) / length, uy = (y1 - y0) / length;
      const double bx = x1 - h * ux, by = y1 - h * uy;
      std::string d;
      SvgWriter::path_point(d, 'M', x0, y0);
      SvgWriter::path_point(d, 'L', bx, by);
      SvgWriter::path_point(d, 'M', x1, y1);
      SvgWriter::path_point(d, 'L', bx - 0.5 * h * uy, by + 0.5 * h * ux);
      SvgWriter::path_point(d, 'L', bx + 0.5 * h * uy, by - 0.5 * h * ux);
      d += 'Z';
      const std::string color = style.color_by_magnitude && vmax > 0
                                    ? viridis(std::hypot(u[i], v[i]) / vmax).hex()
                                    : style.color;
      w.element("path", {{"d", d}, {"stroke", color}, {"fill", color}});
    }
    w.close("g");
  }
};

struct PathLayer {
  std::vector<std::vector<double>> x, y; ///< one entry per path; may hold NaN (gaps)
  LineStyle style;

  void extend(Bounds& b, const AxisMap& ymap) const {
    for (std::size_t k = 0; k < x.size(); ++k)
      for (std::size_t i = 0; i < x[k].size(); ++i) b.add(x[k][i], ymap.coordinate(y[k][i]));
  }
  void draw(SvgWriter& w, const PlotMap& m) const {
    w.open("g", {{"fill", "none"}, {"stroke", style.color}, {"stroke-opacity", format_fixed(style.alpha, 3)},
                 {"stroke-width", SvgWriter::num(style.width)}, {"stroke-linejoin", "round"},
                 {"stroke-linecap", "round"}, {"stroke-dasharray", style.dashed ? "6 4" : "none"}});
    for (std::size_t k = 0; k < x.size(); ++k) {
      std::string d;
      bool pen_down = false;
      for (std::size_t i = 0; i < x[k].size(); ++i) {
        // A non-finite point (or a non-positive one on a log axis) lifts the pen.
        if (!std::isfinite(x[k][i]) || !std::isfinite(m.y.coordinate(y[k][i]))) {
          pen_down = false;
          continue;
        }
        SvgWriter::path_point(d, pen_down ? 'L' : 'M', m.x(x[k][i]), m.y(y[k][i]));
        pen_down = true;
      }
      if (!d.empty()) w.element("path", {{"d", d}});
    }
    w.close("g");
  }
};

struct BarLayer {
  std::vector<double> edges;   ///< bins + 1 bin edges
  std::vector<double> heights; ///< count or density per bin
  HistogramStyle style;

  void extend(Bounds& b, const AxisMap& ymap) const {
    const double top = *std::max_element(heights.begin(), heights.end());
    if (style.horizontal) {
      b.add(0, ymap.coordinate(edges.front()));
      b.add(top, ymap.coordinate(edges.back()));
      b.sticky_x.push_back(0);
    } else {
      b.add(edges.front(), ymap.coordinate(top));
      b.add(edges.back(), ymap.log ? ymap.coordinate(top) : 0.0);
      b.sticky_y.push_back(0);
    }
  }
  void draw(SvgWriter& w, const PlotMap& m) const {
    // crispEdges: adjacent bars share an edge without an anti-aliased seam.
    w.open("g", {{"fill", style.color}, {"fill-opacity", format_fixed(style.alpha, 3)},
                 {"shape-rendering", "crispEdges"}});
    for (std::size_t i = 0; i < heights.size(); ++i) {
      if (heights[i] <= 0) continue;
      double ax, bx, ay, by;
      if (style.horizontal) {
        ax = m.x(0); bx = m.x(heights[i]); ay = m.y(edges[i]); by = m.y(edges[i + 1]);
      } else {
        ax = m.x(edges[i]); bx = m.x(edges[i + 1]); ay = m.y(0); by = m.y(heights[i]);
      }
      w.element("rect", {{"x", SvgWriter::num(std::min(ax, bx))}, {"y", SvgWriter::num(std::min(ay, by))},
                         {"width", SvgWriter::num(std::abs(bx - ax))}, {"height", SvgWriter::num(std::abs(by - ay))}});
    }
    w.close("g");
  }
};

struct HeatLayer {
  Matrix<double> grid; ///< ny x nx, row 0 at y_min; NaN cells are left blank
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  double vmin = 0, vmax = 1; ///< resolved colour range
  HeatmapStyle style;

  void extend(Bounds& b, const AxisMap& ymap) const {
    b.add(x_min, ymap.coordinate(y_min));
    b.add(x_max, ymap.coordinate(y_max));
    b.sticky_x.insert(b.sticky_x.end(), {x_min, x_max});
    b.sticky_y.insert(b.sticky_y.end(), {ymap.coordinate(y_min), ymap.coordinate(y_max)});
  }
  std::string color_of(double value) const {
    return viridis(vmax > vmin ? (value - vmin) / (vmax - vmin) : 0.5).hex();
  }
  void draw(SvgWriter& w, const PlotMap& m) const {
    const Index ny = grid.rows(), nx = grid.cols();
    const double dx = (x_max - x_min) / static_cast<double>(nx);
    const double dy = (y_max - y_min) / static_cast<double>(ny);
    w.open("g", {{"shape-rendering", "crispEdges"}});
    for (Index r = 0; r < ny; ++r) {
      const double top = m.y(y_min + static_cast<double>(r + 1) * dy);
      const double bottom = m.y(y_min + static_cast<double>(r) * dy);
      // Runs of equal colour along a row become one rectangle.
      for (Index c = 0; c < nx;) {
        if (!std::isfinite(grid(r, c))) { ++c; continue; }
        const std::string color = color_of(grid(r, c));
        Index end = c + 1;
        while (end < nx && std::isfinite(grid(r, end)) && color_of(grid(r, end)) == color) ++end;
        const double left = m.x(x_min + static_cast<double>(c) * dx);
        const double right = m.x(x_min + static_cast<double>(end) * dx);
        w.element("rect", {{"x", SvgWriter::num(left)}, {"y", SvgWriter::num(std::min(top, bottom))},
                           {"width", SvgWriter::num(right - left)}, {"height", SvgWriter::num(std::abs(bottom - top))},
                           {"fill", color}});
        c = end;
      }
    }
    w.close("g");
  }
};

}  // namespace detail

}  // namespace diffuse
