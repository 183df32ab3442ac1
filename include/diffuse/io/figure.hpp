#pragma once
// diffuse/io/figure.hpp — SVG figures without dependencies: a grid of panels, each with a title,
// axis labels, ticks and layers (scatter, 'x' markers, quiver, trajectories, line series with a
// legend, histograms, viridis heat maps with a colour bar). Reference: W3C SVG 1.1.
//
//   diffuse::Figure fig(1, 2);
//   fig.panel(0, 0).title("data").equal_aspect().scatter(data, labels).markers(centres);
//   fig.panel(0, 1).title("loss").xlabel("step").log_y().line(losses, {.label = "DSM"});
//   fig.save("out/figure.svg");
//
// Output is deterministic (fixed number formatting, no timestamps) and valid XML.

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/io/panel.hpp"
#include "diffuse/io/panel_render.hpp"
#include "diffuse/io/svg_writer.hpp"

namespace diffuse {

/// Size and font of a figure.
struct FigureStyle {
  double panel_width = 360;   ///< pixels per panel, including its margins
  double panel_height = 320;
  std::string font_family = "sans-serif";
};

/// A rows x cols grid of panels written as one SVG document.
class Figure {
 public:
  /// A grid of rows x cols empty panels (rows, cols >= 1; panel sizes > 0).
  Figure(Index rows, Index cols, FigureStyle style = {}) : m_rows(rows), m_cols(cols), m_style(std::move(style)) {
    check_count<Index>("Figure", "cols", cols, 1);
    check_count<Index>("Figure", "rows", rows, 1, std::max<Index>(cols, 1) * 1024);
    check_positive("Figure", "panel_width", m_style.panel_width);
    check_positive("Figure", "panel_height", m_style.panel_height);
    m_panels.resize(static_cast<std::size_t>(rows * cols));
  }

  /// The panel in row r, column c (0-based).
  Panel& panel(Index r, Index c) {
    DIFFUSE_REQUIRE(r >= 0 && r < m_rows && c >= 0 && c < m_cols, "Figure::panel", "panel index out of range",
                    "(" + std::to_string(r) + ", " + std::to_string(c) + ")",
                    "row < " + std::to_string(m_rows) + ", col < " + std::to_string(m_cols));
    return m_panels[static_cast<std::size_t>(r * m_cols + c)];
  }

  /// A title above all panels.
  Figure& title(std::string text) {
    m_title = std::move(text);
    return *this;
  }

  Index rows() const { return m_rows; }
  Index cols() const { return m_cols; }

  /// The SVG document.
  std::string to_string() const {
    const double band = m_title.empty() ? 0 : 30;
    const double width = m_style.panel_width * static_cast<double>(m_cols);
    const double height = m_style.panel_height * static_cast<double>(m_rows) + band;
    SvgWriter svg(width, height, m_style.font_family);
    if (!m_title.empty())
      svg.text(width / 2, 21, m_title, {{"text-anchor", "middle"}, {"font-size", "16"}, {"font-weight", "bold"}});
    for (Index r = 0; r < m_rows; ++r) {
      for (Index c = 0; c < m_cols; ++c) {
        std::string id = "p";
        id.append(std::to_string(r)).append("-").append(std::to_string(c));
        m_panels[static_cast<std::size_t>(r * m_cols + c)].render(
            svg, m_style.panel_width * static_cast<double>(c), band + m_style.panel_height * static_cast<double>(r),
            m_style.panel_width, m_style.panel_height, id);
      }
    }
    return svg.finish();
  }

  /// Writes the SVG document to `path`, creating missing parent folders; throws diffuse::Error
  /// when the folder or file cannot be written.
  void save(const std::filesystem::path& path) const {
    const std::string text = to_string();
    if (path.has_parent_path()) {
      std::error_code error;
      std::filesystem::create_directories(path.parent_path(), error);
      DIFFUSE_REQUIRE(!error, "Figure::save", "cannot create folder " + path.parent_path().string(),
                      error.message(), "a writable folder");
    }
    std::ofstream file(path, std::ios::binary);
    DIFFUSE_REQUIRE(file.good(), "Figure::save", "cannot open file for writing", path.string(), "a writable path");
    file << text;
    file.close();
    DIFFUSE_REQUIRE(file.good(), "Figure::save", "writing failed", path.string(), "a complete write");
  }

 private:
  Index m_rows;
  Index m_cols;
  FigureStyle m_style;
  std::string m_title;
  std::vector<Panel> m_panels;
};

}  // namespace diffuse
