// SVG figures: well-formed XML, deterministic output matching a committed golden file, non-finite
// points skipped, text escaped, bad arguments rejected.
#include "support/catch.hpp"

#include <diffuse/core/rng.hpp>
#include <diffuse/io/figure.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "xml_check.hpp"

namespace {

using diffuse::Matrix;

long count_of(const std::string& text, const std::string& what) {
  long n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

/// A small figure with every kind of layer and fixed data: the golden-file figure.
diffuse::Figure small_figure() {
  diffuse::Figure fig(1, 3, {.panel_width = 300, .panel_height = 260});
  fig.title("golden <figure> & co");
  Matrix<double> points(2, 6);
  points << -1.0, -0.5, 0.25, 0.5, 1.0, 1.5,  //
      0.5, -1.0, 0.0, 1.25, -0.75, 0.25;
  const std::vector<int> labels = {0, 1, 2, 0, 1, 2};
  Matrix<double> centres(2, 2);
  centres << -1, 1, 0, 0;
  Matrix<double> arrows(2, 6);
  arrows << 0.5, 0.0, -0.5, 0.25, 0.0, -0.25,  //
      0.0, 0.5, 0.25, -0.5, 0.5, 0.0;
  fig.panel(0, 0).title("points").xlabel("x").ylabel("y").equal_aspect().scatter(points, labels, {.size = 3})
      .markers(centres, {.label = "centres"}).quiver(points, arrows, {.color_by_magnitude = true});
  std::vector<Matrix<double>> paths(2, Matrix<double>(2, 3));
  paths[0] << 0, 1, 2, 0.5, 1, 0.5;
  paths[1] << 0, 1, 2, 1, 2, 1.5;
  const std::vector<double> loss = {4, 2, 1, 0.5, 0.3};
  fig.panel(0, 1).title("loss").log_y().line(loss, {.label = "train"}).lines(paths, {.alpha = 0.5});
  Matrix<double> grid(2, 3);
  grid << 0, 1, 2, 3, 4, 5;
  const std::vector<double> values = {-1, -0.5, -0.25, 0, 0, 0.1, 0.5, 0.9};
  fig.panel(0, 2).title("map").heatmap(grid, 0, 3, -1, 1, {.label = "value"})
      .histogram(values, 4, {.horizontal = true, .alpha = 0.5, .color = "#ff0000"});
  return fig;
}

}  // namespace

TEST_CASE("a figure with every layer type is well-formed XML and deterministic") {
  const diffuse::Figure fig = small_figure();
  const std::string svg = fig.to_string();
  CHECK(test_io::xml_problem(svg).empty());
  CHECK(svg == small_figure().to_string());
  CHECK(svg.find("golden &lt;figure&gt; &amp; co") != std::string::npos);
  CHECK(count_of(svg, "<circle") == 6);                 // one per point; legends use no circles
  CHECK(count_of(svg, "fill=\"#ff0000\"") == 1);         // the histogram group
  CHECK(count_of(svg, "clip-path=\"url(#clip-p0-") == 3); // data of each panel is clipped
  CHECK(count_of(svg, "<linearGradient") == 1);          // one colour bar
#ifdef DIFFUSE_SYSTEM_PYTHON
  const std::filesystem::path path = std::filesystem::path(DIFFUSE_TEST_SCRATCH_DIR) / "io" / "small_figure.svg";
  fig.save(path);
  const std::string command = std::string(DIFFUSE_SYSTEM_PYTHON) +
                              " -c \"import sys, xml.dom.minidom as m; m.parse(sys.argv[1])\" " + path.string();
  CHECK(std::system(command.c_str()) == 0);
#endif
}

TEST_CASE("the small figure matches its committed golden file") {
  // Regenerate deliberately with DIFFUSE_UPDATE_GOLDEN=1 after a reviewed change to the drawing.
  const std::filesystem::path golden = std::filesystem::path(DIFFUSE_TEST_DATA_DIR) / "io" / "small_figure.svg";
  const std::string svg = small_figure().to_string();
  if (std::getenv("DIFFUSE_UPDATE_GOLDEN") != nullptr) small_figure().save(golden);
  REQUIRE(std::filesystem::exists(golden));
  CHECK(read_text(golden) == svg);
}

TEST_CASE("non-finite points are skipped, never written") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  Matrix<double> points(2, 5);
  points << 0, nan, 1, 2, inf,  //
      0, 1, nan, 2, 3;
  diffuse::Figure fig(1, 1);
  std::vector<Matrix<double>> paths(1, points);
  const std::vector<double> hist = {1, nan, 2, -inf};
  Matrix<double> grid(2, 2);
  grid << 1, nan, 2, 3;
  fig.panel(0, 0).scatter(points).markers(points).quiver(points, points).lines(paths).histogram(hist, 2)
      .heatmap(grid, 0, 1, 0, 1);
  const std::string svg = fig.to_string();
  CHECK(test_io::xml_problem(svg).empty());
  CHECK(count_of(svg, "<circle") == 2);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  // The trajectory is broken into two pieces (0,0) and (2,2): two "M" moves, no "L" across NaN.
  const auto at = svg.find("stroke-dasharray=\"none\">");
  REQUIRE(at != std::string::npos);
  const std::string group = svg.substr(at, svg.find("</g>", at) - at);
  CHECK(count_of(group, "<path d=") == 1);
  CHECK(count_of(group, "M") == 2);
  CHECK(count_of(group, "L") == 0);
}

TEST_CASE("a log y axis drops non-positive points and labels decades") {
  diffuse::Figure fig(1, 1);
  const std::vector<double> xs = {0, 1, 2, 3}, ys = {100, 10, 0, 0.1};
  Matrix<double> points(2, 4);
  points << 0, 1, 2, 3, 100, 10, -1, 0.1;
  fig.panel(0, 0).log_y().line(xs, ys).scatter(points);
  const std::string svg = fig.to_string();
  CHECK(count_of(svg, "<circle") == 3);
  for (const char* label : {">0.1<", ">1<", ">10<", ">100<"}) CHECK(svg.find(label) != std::string::npos);
}

TEST_CASE("ticks are round numbers inside the range") {
  const diffuse::Ticks t = diffuse::linear_ticks(-3.2, 3.2, 5);
  CHECK(t.labels == std::vector<std::string>{"-3", "-2", "-1", "0", "1", "2", "3"});
  const diffuse::Ticks s = diffuse::linear_ticks(0, 0.45, 4);
  CHECK(s.labels == std::vector<std::string>{"0", "0.1", "0.2", "0.3", "0.4"});
  const diffuse::Ticks q = diffuse::linear_ticks(-10, 1000, 5);
  CHECK(q.labels == std::vector<std::string>{"0", "200", "400", "600", "800", "1000"});
  const diffuse::Ticks d = diffuse::log_ticks(-2.5, 1.2);
  CHECK(d.labels == std::vector<std::string>{"0.01", "0.1", "1", "10"});
  CHECK(diffuse::log_ticks(-7, 0).labels.front() == "1e-7");
  CHECK(diffuse::detail::format_fixed(-0.001, 2) == "0");
  CHECK(diffuse::detail::format_fixed(2.5, 2) == "2.5");
  CHECK(diffuse::detail::format_fixed(1234.5678, 2) == "1234.57");
  CHECK(diffuse::detail::format_general(4e6) == "4e6");
  CHECK(diffuse::detail::format_general(-1.5e-5) == "-1.5e-5");
  CHECK(diffuse::detail::format_general(1e100) == "1e100");
  CHECK(diffuse::detail::format_general(0.125) == "0.125");
}

TEST_CASE("viridis runs from dark purple to yellow through the table entries") {
  CHECK(diffuse::viridis(0).hex() == "#440154");
  CHECK(diffuse::viridis(1).hex() == "#fde725");
  CHECK(diffuse::viridis(128.0 / 255).hex() == "#21918c");
  CHECK(diffuse::viridis(std::numeric_limits<double>::quiet_NaN()).hex() == "#440154");
  CHECK(diffuse::palette_color(0) == "#1f77b4");
  CHECK(diffuse::palette_color(11) == "#ff7f0e");
}

TEST_CASE("figures reject bad arguments with diffuse::Error") {
  diffuse::Figure fig(2, 2);
  CHECK_THROWS_AS(fig.panel(2, 0), diffuse::Error);
  CHECK_THROWS_AS(diffuse::Figure(0, 1), diffuse::Error);
  const Matrix<double> three(3, 4);
  CHECK_THROWS_AS(fig.panel(0, 0).scatter(three), diffuse::Error);
  const Matrix<double> two = Matrix<double>::Zero(2, 4);
  CHECK_THROWS_AS(fig.panel(0, 0).scatter(two, std::vector<int>{1, 2}), diffuse::Error);
  CHECK_THROWS_AS(fig.panel(0, 0).quiver(two, Matrix<double>::Zero(2, 3)), diffuse::Error);
  CHECK_THROWS_AS(fig.panel(0, 0).xlim(1, 1), diffuse::Error);
  CHECK_THROWS_AS(fig.panel(0, 0).histogram(std::vector<double>{1.0}, 0), diffuse::Error);
  CHECK_THROWS_AS(fig.panel(0, 0).line(std::vector<double>{1, 2}, std::vector<double>{1}), diffuse::Error);
  CHECK_THROWS_AS(fig.panel(0, 0).heatmap(Matrix<double>(0, 0), 0, 1, 0, 1), diffuse::Error);
  const std::filesystem::path blocked = std::filesystem::path(DIFFUSE_TEST_SCRATCH_DIR) / "io" / "blocked";
  std::filesystem::create_directories(blocked.parent_path());
  std::ofstream(blocked) << "a file, not a folder";
  CHECK_THROWS_AS(fig.save(blocked / "x.svg"), diffuse::Error);
}

TEST_CASE("save creates missing parent folders") {
  const std::filesystem::path folder = std::filesystem::path(DIFFUSE_TEST_SCRATCH_DIR) / "io" / "new" / "deeper";
  std::filesystem::remove_all(folder.parent_path());
  small_figure().save(folder / "f.svg");
  CHECK(read_text(folder / "f.svg") == small_figure().to_string());
}

TEST_CASE("a figure with all layer types over float data is written for inspection") {
  // Written to the scratch folder so that a person can render it (rsvg-convert) and look.
  diffuse::Rng rng(7);
  const long n = 600;
  Matrix<double> centres(2, 5);
  centres << 0, 3, -3, 0, 0,  //
      0, 0, 0, 3, -3;
  Matrix<float> samples = 0.4f * rng.normal<float>(2, n);
  Eigen::RowVectorXi labels(n);
  for (long i = 0; i < n; ++i) {
    labels(i) = static_cast<int>(i % 5);
    samples.col(i) += centres.col(i % 5).cast<float>();
  }
  Matrix<double> grid(40, 40), positions(2, 15 * 15), scores(2, 15 * 15);
  for (int r = 0; r < 40; ++r)
    for (int c = 0; c < 40; ++c) {
      const double x = -5 + 10 * (c + 0.5) / 40, y = -5 + 10 * (r + 0.5) / 40;
      grid(r, c) = 0;
      for (int k = 0; k < 5; ++k)
        grid(r, c) += std::exp(-((x - centres(0, k)) * (x - centres(0, k)) + (y - centres(1, k)) * (y - centres(1, k))) / 0.5);
    }
  for (int i = 0; i < 15; ++i)
    for (int j = 0; j < 15; ++j) {
      const double x = -4.5 + 9.0 * i / 14, y = -4.5 + 9.0 * j / 14;
      positions.col(i * 15 + j) << x, y;
      scores.col(i * 15 + j) << -x / (1 + 0.1 * x * x), -y / (1 + 0.1 * y * y);
    }
  std::vector<Matrix<double>> paths;
  for (int k = 0; k < 30; ++k) {
    Matrix<double> p(2, 60);
    Eigen::VectorXd z = 4 * rng.normal<double>(2, 1);
    for (int t = 0; t < 60; ++t) {
      const Eigen::VectorXd target = centres.col(k % 5);
      z += 0.08 * (target - z) + 0.15 * rng.normal<double>(2, 1);
      p(0, t) = z(0);
      p(1, t) = z(1);
    }
    paths.push_back(p);
  }
  Eigen::VectorXd steps = Eigen::VectorXd::LinSpaced(300, 1, 300), loss(300), ema(300);
  for (int i = 0; i < 300; ++i) {
    loss(i) = 2 * std::exp(-i / 60.0) + 0.05 + 0.05 * rng.uniform<double>();
    ema(i) = 2 * std::exp(-i / 60.0) + 0.075;
  }
  diffuse::Figure fig(2, 3);
  fig.title("every layer");
  fig.panel(0, 0).title("samples by mode").xlabel("x").ylabel("y").equal_aspect()
      .scatter(samples, labels, {.size = 2, .alpha = 0.5}).markers(centres, {.label = "centres"});
  fig.panel(0, 1).title("score field").equal_aspect().xlim(-5, 5).ylim(-5, 5)
      .quiver(positions, scores, {.color_by_magnitude = true});
  fig.panel(0, 2).title("reverse paths").equal_aspect().lines(paths, {.width = 1, .alpha = 0.4})
      .scatter(samples, {.size = 1.5, .alpha = 0.4, .color = "#d62728"});
  fig.panel(1, 0).title("loss").xlabel("step").ylabel("loss").log_y()
      .line(steps, loss, {.width = 1, .label = "loss"}).line(steps, ema, {.label = "EMA", .dashed = true});
  fig.panel(1, 1).title("terminal x").xlabel("density")
      .histogram(samples.row(0), 40, {.horizontal = true, .density = true, .label = "x"});
  fig.panel(1, 2).title("mixture density").equal_aspect().heatmap(grid, -5, 5, -5, 5, {.label = "p(x)"})
      .markers(centres, {.color = "#ffffff"});
  const auto path = std::filesystem::path(DIFFUSE_TEST_SCRATCH_DIR) / "io" / "all_layers.svg";
  fig.save(path);
  const std::string svg = read_text(path);
  CHECK(test_io::xml_problem(svg).empty());
  CHECK(count_of(svg, "<circle") == 2 * n);
  CHECK(count_of(svg, "<linearGradient") == 1);
}

TEST_CASE("degenerate data still gives a valid figure") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  diffuse::Figure fig(2, 3);
  Matrix<double> one(2, 1), none(2, 2);
  one << 1e-9, 5;
  none << nan, nan, 1, nan;
  fig.panel(0, 1).title("one point").equal_aspect().scatter(one);
  fig.panel(0, 2).title("all NaN").scatter(none).lines(std::vector<Matrix<double>>{none});
  fig.panel(1, 0).title("constant map").heatmap(Matrix<double>::Constant(3, 3, 2.0), -1, 1, -1, 1);
  fig.panel(1, 1).title("constant values").histogram(std::vector<double>(10, 3.0), 5);
  const std::vector<int> xs = {1, 2, 3};
  const std::vector<float> ys = {1e6f, 2e6f, 4e6f};
  fig.panel(1, 2).title("big numbers").line(xs, ys).line(Eigen::VectorXd::LinSpaced(3, 1, 3), Eigen::RowVector3f(1e6f, 1.5e6f, 3e6f));
  // Mixed series types, labels of any integer type, float histograms: all accepted.
  const std::vector<double> ts = {0, 1, 2};
  const std::vector<long> long_labels = {0, 1};
  const Matrix<double> two = Matrix<double>::Identity(2, 2);
  diffuse::Figure mixed(1, 1);
  mixed.panel(0, 0).line(ts, Eigen::Vector3d(1, 2, 3)).line(Eigen::RowVector3f(3, 2, 1), ts).line(ts)
      .line(Eigen::Vector3d(1, 1, 1), {.label = "flat"}).histogram(std::vector<float>{1, 2, 2}, 2)
      .scatter(two, long_labels, {.label = "two"});
  CHECK(test_io::xml_problem(mixed.to_string()).empty());
  CHECK(count_of(mixed.to_string(), "<circle") == 2 + 1);  // two points, one legend dot

  const std::string svg = fig.to_string();
  CHECK(test_io::xml_problem(svg).empty());
  CHECK(count_of(svg, "<circle") == 1);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  // The one point sits in the middle of its panel: limits widen symmetrically around it.
  const auto at = svg.find("<circle cx=\"");
  const double cx = std::stod(svg.substr(at + 12));
  CHECK(cx == Approx(360 + 62 + (360 - 62 - 16) / 2.0).margin(0.01));
  // Tick labels of large values stay readable.
  CHECK(svg.find(">4e6<") != std::string::npos);
}
