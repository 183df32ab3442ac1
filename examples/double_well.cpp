// Overdamped Langevin dynamics in seed 000's double well U = ¼(x² − 1.5)² + 0.7 y²: trajectories
// over the energy landscape at T = 0.10, a temperature sweep, and barrier crossings per temperature.
// The Langevin SDE of p ∝ exp(−U/T) with σ = √(2T) has drift −∇U: the seed's update rule.
#include <diffuse/distributions.hpp>
#include <diffuse/integrators.hpp>
#include <diffuse/io/figure.hpp>
#include <diffuse/io/json.hpp>
#include <diffuse/processes.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/cli.hpp"

using diffuse::Index;
using diffuse::Matrix;

int main(int argc, char** argv) {
  CLI::App app{"Double-well Langevin dynamics and barrier crossing (seed 000, Part 1B)"};
  examples::Options opt;
  examples::add_common_flags(app, opt, "out/double_well");
  examples::parse_or_exit(app, argc, argv);
  return examples::run_guarded([&] {
    diffuse::Rng rng(opt.seed);
    std::filesystem::create_directories(opt.out);
    const Index particles = 24, steps = 180;
    const double dt = 0.03;
    const auto grid = diffuse::TimeGrid<double>::uniform(0.0, steps * dt, steps);

    // Energy landscape on [−2.2, 2.2] x [−1.8, 1.8].
    const Index bins = opt.quick ? 50 : 150;
    Matrix<double> cells(2, bins * bins);
    for (Index r = 0; r < bins; ++r)
      for (Index c = 0; c < bins; ++c) cells.col(r * bins + c) << -2.2 + 4.4 * (c + 0.5) / bins, -1.8 + 3.6 * (r + 0.5) / bins;
    const Eigen::RowVectorXd energy = diffuse::DoubleWell<double>().potential(cells);
    const Matrix<double> image = Eigen::Map<const Matrix<double>>(energy.data(), bins, bins).transpose();

    // Particles start near the left well: N((−1.1, 0), 0.18² I).
    auto simulate = [&](double temperature, Index n, const diffuse::TimeGrid<double>& g, Index every) {
      Matrix<double> x = 0.18 * rng.normal(2, n);
      x.row(0).array() -= 1.1;
      diffuse::TrajectoryRecorder<double> rec(g, every);
      diffuse::EulerMaruyama<double> em;
      diffuse::integrate(em, diffuse::LangevinSde(std::sqrt(2 * temperature), diffuse::DoubleWell<double>(temperature)), x, g, rng, rec);
      return rec;
    };
    auto paths_of = [](const diffuse::TrajectoryRecorder<double>& rec, Index n) {
      std::vector<Matrix<double>> paths;
      for (Index j = 0; j < n; ++j) paths.push_back(rec.path(j));
      return paths;
    };

    // 1. T = 0.10: paths over the landscape, and x(t) for 8 particles.
    const auto demo = simulate(0.10, particles, grid, 1);
    diffuse::Figure fig(1, 2);
    fig.panel(0, 0).title("double-well trajectories at T = 0.10").xlabel("x").ylabel("y")
        .heatmap(image, -2.2, 2.2, -1.8, 1.8, {.label = "U"}).lines(paths_of(demo, particles), {.width = 1.0, .alpha = 0.6})
        .scatter(demo.states().back(), diffuse::ScatterStyle{.size = 3, .alpha = 0.9, .color = "#d62728", .label = "end"});
    for (Index j = 0; j < 8; ++j) {
      std::vector<double> xs;
      for (const auto& s : demo.states()) xs.push_back(s(0, j));
      fig.panel(0, 1).line(demo.times(), xs, {.width = 1.1});
    }
    fig.panel(0, 1).title("the x coordinate shows barrier hopping").xlabel("time").ylabel("x_t");
    fig.save(opt.out / "double_well.svg");

    // 2. Temperature sweep, and 3. barrier crossings: a crossing is a move from one well
    // (|x| > 0.5 on one side) to the other, counted over many particles and a longer run.
    const std::vector<double> temperatures = {0.03, 0.12, 0.30};
    const Index n_count = opt.quick ? 200 : 2000, long_steps = opt.quick ? 500 : 3000;
    const auto long_grid = diffuse::TimeGrid<double>::uniform(0.0, long_steps * dt, long_steps);
    diffuse::Figure sweep(1, 3);
    sweep.title("as temperature rises, trajectories explore both basins");
    diffuse::JsonObject metrics;
    std::printf("%6s %14s %22s\n", "T", "crossings/run", "per particle per time");
    for (std::size_t i = 0; i < temperatures.size(); ++i) {
      const double temperature = temperatures[i];
      const auto rec = simulate(temperature, particles, grid, 1);
      char title[32];
      std::snprintf(title, sizeof title, "T = %.2f", temperature);
      sweep.panel(0, Index(i)).title(title).heatmap(image, -2.2, 2.2, -1.8, 1.8, {.colorbar = false})
          .lines(paths_of(rec, particles), {.width = 0.9, .alpha = 0.5})
          .scatter(rec.states().back(), diffuse::ScatterStyle{.size = 2.5, .alpha = 0.8, .color = "#d62728"});
      const auto many = simulate(temperature, n_count, long_grid, 1);
      long crossings = 0;
      for (Index j = 0; j < n_count; ++j) {
        int side = -1;
        for (const auto& s : many.states()) {
          const int now = s(0, j) > 0.5 ? 1 : s(0, j) < -0.5 ? -1 : side;
          crossings += now != side;
          side = now;
        }
      }
      const double rate = double(crossings) / double(n_count) / (long_steps * dt);
      std::printf("%6.2f %14ld %22.5f\n", temperature, crossings, rate);
      metrics.set(std::string("crossings ") + title, diffuse::JsonObject().set("temperature", temperature)
                                                        .set("crossings", crossings).set("rate", rate));
    }
    metrics.save(opt.out / "metrics.json");
    sweep.save(opt.out / "temperature_sweep.svg");
    return 0;
  });
}
