#pragma once
// diffuse/io/panel_render.hpp — how a Panel becomes SVG: limits (data range + 5%, or fixed;
// widened for equal aspect), grid, clipped layers, frame, ticks, labels, legend, colour bar.

#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <type_traits>
#include <variant>

#include "diffuse/io/panel.hpp"

namespace diffuse {

namespace detail {

/// Data range [lo, hi] padded by 5% on each side that is not sticky; [0, 1] without data.
inline std::pair<double, double> padded_limits(double lo, double hi, const std::vector<double>& sticky) {
  if (!(lo <= hi)) return {0, 1};
  if (hi - lo <= 1e-12 * std::max(1.0, std::abs(lo))) {
    const double d = lo != 0 ? 0.1 * std::abs(lo) : 0.5;
    return {lo - d, hi + d};
  }
  const double pad = 0.05 * (hi - lo);
  auto is_sticky = [&](double v) { return std::find(sticky.begin(), sticky.end(), v) != sticky.end(); };
  return {is_sticky(lo) ? lo : lo - pad, is_sticky(hi) ? hi : hi + pad};
}

/// Number of y values a log axis cannot show (y <= 0) in point and line layers.
template <class L>
long non_positive_y(const L& layer) {
  long count = 0;
  if constexpr (std::is_same_v<L, ScatterLayer> || std::is_same_v<L, MarkerLayer>) {
    for (const double y : layer.y) count += y <= 0;
  } else if constexpr (std::is_same_v<L, PathLayer>) {
    for (const auto& path : layer.y)
      for (const double y : path) count += y <= 0;
  }
  return count;
}

}  // namespace detail

inline void Panel::render(SvgWriter& svg, double left, double top, double width, double height,
                          const std::string& id) const {
  const detail::HeatLayer* bar_heat = nullptr;
  for (const Layer& layer : m_layers)
    if (const auto* heat = std::get_if<detail::HeatLayer>(&layer); heat && heat->style.colorbar && !bar_heat)
      bar_heat = heat;
  const double plot_left = left + 62;
  const double plot_right = left + width - 16 - (bar_heat ? 72 : 0);
  const double plot_top = top + (m_title.empty() ? 14 : 30);
  const double plot_bottom = top + height - (m_xlabel.empty() ? 30 : 46);

  detail::Bounds bounds;
  const AxisMap probe{.log = m_log_y};
  long non_positive = 0;
  for (const Layer& layer : m_layers)
    std::visit([&](const auto& l) {
      l.extend(bounds, probe);
      if (m_log_y) non_positive += detail::non_positive_y(l);
    }, layer);
  if (non_positive > 0)
    std::cerr << "diffuse::Figure: warning: panel \"" << m_title << "\" skipped " << non_positive
              << " non-positive values on its log y axis\n";

  auto [x0, x1] = m_xlim ? *m_xlim : detail::padded_limits(bounds.x0, bounds.x1, bounds.sticky_x);
  auto [y0, y1] = detail::padded_limits(bounds.y0, bounds.y1, bounds.sticky_y);
  if (m_ylim) {
    DIFFUSE_REQUIRE(!m_log_y || m_ylim->first > 0, "Panel", "ylim on a log axis must be positive",
                    m_ylim->first, "a number > 0");
    y0 = m_log_y ? std::log10(m_ylim->first) : m_ylim->first;
    y1 = m_log_y ? std::log10(m_ylim->second) : m_ylim->second;
  }
  const double pw = plot_right - plot_left, ph = plot_bottom - plot_top;
  if (m_equal && !m_log_y) {
    // Equal aspect: widen the range with fewer data units per pixel around its centre.
    const double ux = (x1 - x0) / pw, uy = (y1 - y0) / ph;
    if (ux > uy) {
      const double c = 0.5 * (y0 + y1);
      y0 = c - 0.5 * ux * ph;
      y1 = c + 0.5 * ux * ph;
    } else {
      const double c = 0.5 * (x0 + x1);
      x0 = c - 0.5 * uy * pw;
      x1 = c + 0.5 * uy * pw;
    }
  }
  const detail::PlotMap map{.x = {x0, x1, plot_left, plot_right, false},
                            .y = {y0, y1, plot_bottom, plot_top, m_log_y}};
  const Ticks xt = linear_ticks(x0, x1, std::max(3, static_cast<int>(pw / 65)));
  const Ticks yt = m_log_y ? log_ticks(y0, y1, std::max(3, static_cast<int>(ph / 50)))
                           : linear_ticks(y0, y1, std::max(3, static_cast<int>(ph / 50)));

  svg.open("g", {{"id", id}});
  draw_axes(svg, map, xt, yt, true);
  svg.open("defs");
  svg.open("clipPath", {{"id", "clip-" + id}});
  svg.element("rect", {{"x", SvgWriter::num(plot_left)}, {"y", SvgWriter::num(plot_top)},
                       {"width", SvgWriter::num(pw)}, {"height", SvgWriter::num(ph)}});
  svg.close("clipPath");
  svg.close("defs");
  svg.open("g", {{"clip-path", "url(#clip-" + id + ")"}});
  for (const Layer& layer : m_layers) std::visit([&](const auto& l) { l.draw(svg, map); }, layer);
  svg.close("g");
  draw_axes(svg, map, xt, yt, false);

  const double centre = 0.5 * (plot_left + plot_right);
  if (!m_title.empty())
    svg.text(centre, top + 20, m_title, {{"text-anchor", "middle"}, {"font-size", "13"}, {"font-weight", "bold"}});
  if (!m_xlabel.empty())
    svg.text(centre, top + height - 12, m_xlabel, {{"text-anchor", "middle"}, {"font-size", "12"}});
  if (!m_ylabel.empty()) {
    const double lx = left + 15, ly = 0.5 * (plot_top + plot_bottom);
    svg.text(lx, ly, m_ylabel, {{"text-anchor", "middle"}, {"font-size", "12"},
                                {"transform", "rotate(-90 " + SvgWriter::num(lx) + " " + SvgWriter::num(ly) + ")"}});
  }
  draw_legend(svg, map);
  if (bar_heat) draw_colorbar(svg, *bar_heat, plot_right + 14, plot_top, plot_bottom, id);
  svg.close("g");
}

inline void Panel::draw_axes(SvgWriter& svg, const detail::PlotMap& map, const Ticks& xt, const Ticks& yt,
                             bool grid_only) const {
  const double l = map.x.pixel_lo, r = map.x.pixel_hi, b = map.y.pixel_lo, t = map.y.pixel_hi;
  if (grid_only) {
    svg.open("g", {{"stroke", "#e8e8e8"}, {"stroke-width", "1"}});
    for (const double v : xt.at) {
      const std::string x = SvgWriter::num(map.x.at_coordinate(v));
      svg.element("line", {{"x1", x}, {"y1", SvgWriter::num(b)}, {"x2", x}, {"y2", SvgWriter::num(t)}});
    }
    for (const double v : yt.at) {
      const std::string y = SvgWriter::num(map.y.at_coordinate(v));
      svg.element("line", {{"x1", SvgWriter::num(l)}, {"y1", y}, {"x2", SvgWriter::num(r)}, {"y2", y}});
    }
    svg.close("g");
    return;
  }
  svg.element("rect", {{"x", SvgWriter::num(l)}, {"y", SvgWriter::num(t)}, {"width", SvgWriter::num(r - l)},
                       {"height", SvgWriter::num(b - t)}, {"fill", "none"}, {"stroke", "#444444"}});
  svg.open("g", {{"stroke", "#444444"}});
  for (const double v : xt.at) {
    const std::string x = SvgWriter::num(map.x.at_coordinate(v));
    svg.element("line", {{"x1", x}, {"y1", SvgWriter::num(b)}, {"x2", x}, {"y2", SvgWriter::num(b + 4)}});
  }
  for (const double v : yt.at) {
    const std::string y = SvgWriter::num(map.y.at_coordinate(v));
    svg.element("line", {{"x1", SvgWriter::num(l - 4)}, {"y1", y}, {"x2", SvgWriter::num(l)}, {"y2", y}});
  }
  svg.close("g");
  svg.open("g", {{"font-size", "11"}, {"fill", "#333333"}});
  for (std::size_t i = 0; i < xt.at.size(); ++i)
    svg.text(map.x.at_coordinate(xt.at[i]), b + 16, xt.labels[i], {{"text-anchor", "middle"}});
  for (std::size_t i = 0; i < yt.at.size(); ++i)
    svg.text(l - 7, map.y.at_coordinate(yt.at[i]) + 4, yt.labels[i], {{"text-anchor", "end"}});
  svg.close("g");
}

inline void Panel::draw_legend(SvgWriter& svg, const detail::PlotMap& map) const {
  if (m_legend.empty()) return;
  std::size_t longest = 0;
  for (const auto& entry : m_legend) longest = std::max(longest, entry.label.size());
  const double w = 34 + 6.2 * static_cast<double>(longest), h = 8 + 16 * static_cast<double>(m_legend.size());
  const double x = map.x.pixel_hi - w - 6, y = map.y.pixel_hi + 6;
  svg.element("rect", {{"x", SvgWriter::num(x)}, {"y", SvgWriter::num(y)}, {"width", SvgWriter::num(w)},
                       {"height", SvgWriter::num(h)}, {"fill", "white"}, {"fill-opacity", "0.85"},
                       {"stroke", "#cccccc"}});
  for (std::size_t i = 0; i < m_legend.size(); ++i) {
    const auto& e = m_legend[i];
    const double cy = y + 12 + 16 * static_cast<double>(i), sx = x + 6;
    using Kind = detail::LegendEntry::Kind;
    if (e.kind == Kind::line) {
      svg.element("line", {{"x1", SvgWriter::num(sx)}, {"y1", SvgWriter::num(cy)}, {"x2", SvgWriter::num(sx + 18)},
                           {"y2", SvgWriter::num(cy)}, {"stroke", e.color}, {"stroke-width", "2"}});
    } else if (e.kind == Kind::dot) {
      svg.element("circle", {{"cx", SvgWriter::num(sx + 9)}, {"cy", SvgWriter::num(cy)}, {"r", "4"}, {"fill", e.color}});
    } else if (e.kind == Kind::patch) {
      svg.element("rect", {{"x", SvgWriter::num(sx + 3)}, {"y", SvgWriter::num(cy - 5)}, {"width", "12"},
                           {"height", "10"}, {"fill", e.color}});
    } else {
      std::string d;
      SvgWriter::path_point(d, 'M', sx + 5, cy - 4);
      SvgWriter::path_point(d, 'L', sx + 13, cy + 4);
      SvgWriter::path_point(d, 'M', sx + 5, cy + 4);
      SvgWriter::path_point(d, 'L', sx + 13, cy - 4);
      svg.element("path", {{"d", d}, {"stroke", e.color}, {"stroke-width", "2"}});
    }
    svg.text(sx + 24, cy + 4, e.label, {{"font-size", "11"}});
  }
}

inline void Panel::draw_colorbar(SvgWriter& svg, const detail::HeatLayer& heat, double left, double top,
                                 double bottom, const std::string& id) const {
  const std::string gradient = "cbar-" + id;
  svg.open("defs");
  svg.open("linearGradient", {{"id", gradient}, {"x1", "0"}, {"y1", "1"}, {"x2", "0"}, {"y2", "0"}});
  for (int i = 0; i < viridis_stop_count; ++i) {
    const auto [t, rgb] = viridis_stop(i);
    svg.element("stop", {{"offset", detail::format_fixed(t, 4)}, {"stop-color", rgb.hex()}});
  }
  svg.close("linearGradient");
  svg.close("defs");
  const double width = 12;
  svg.element("rect", {{"x", SvgWriter::num(left)}, {"y", SvgWriter::num(top)}, {"width", SvgWriter::num(width)},
                       {"height", SvgWriter::num(bottom - top)}, {"fill", "url(#" + gradient + ")"},
                       {"stroke", "#444444"}});
  if (heat.vmax > heat.vmin) {
    const AxisMap bar{.lo = heat.vmin, .hi = heat.vmax, .pixel_lo = bottom, .pixel_hi = top};
    const Ticks ticks = linear_ticks(heat.vmin, heat.vmax, 5);
    svg.open("g", {{"font-size", "10"}, {"fill", "#333333"}});
    for (std::size_t i = 0; i < ticks.at.size(); ++i) {
      const double y = bar(ticks.at[i]);
      svg.element("line", {{"x1", SvgWriter::num(left + width)}, {"y1", SvgWriter::num(y)},
                           {"x2", SvgWriter::num(left + width + 3)}, {"y2", SvgWriter::num(y)}, {"stroke", "#444444"}});
      svg.text(left + width + 5, y + 3.5, ticks.labels[i]);
    }
    svg.close("g");
  }
  if (!heat.style.label.empty()) {
    const double lx = left + 64, ly = 0.5 * (top + bottom);
    svg.text(lx, ly, heat.style.label, {{"text-anchor", "middle"}, {"font-size", "11"},
                                        {"transform", "rotate(-90 " + SvgWriter::num(lx) + " " + SvgWriter::num(ly) + ")"}});
  }
}

}  // namespace diffuse
