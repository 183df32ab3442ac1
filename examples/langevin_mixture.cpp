// Langevin dynamics dX = ½σ² ∇log p dt + σ dW on seed 000's random 5-mode Gaussian mixture
// (Part 2, Question 3.1): 1000 particles from N(0, 20 I), σ = 0.6, t ∈ [0, 5], snapshots over the
// log-density image, and how close the cloud ends to the mixture.
#include <diffuse/distributions.hpp>
#include <diffuse/integrators.hpp>
#include <diffuse/io/figure.hpp>
#include <diffuse/io/json.hpp>
#include <diffuse/metrics/mmd.hpp>
#include <diffuse/metrics/modes.hpp>
#include <diffuse/processes.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include "common/cli.hpp"

using diffuse::Index;
using diffuse::Matrix;

int main(int argc, char** argv) {
  CLI::App app{"Langevin dynamics on a random 5-mode Gaussian mixture (seed 000, Part 2)"};
  examples::Options opt;
  examples::add_common_flags(app, opt, "out/langevin_mixture");
  double sigma = 0.6;
  app.add_option("--sigma", sigma, "Langevin noise scale")->capture_default_str();
  examples::parse_or_exit(app, argc, argv);
  return examples::run_guarded([&] {
    diffuse::Rng rng(opt.seed);
    const Index n = opt.quick ? 300 : 1000, steps = opt.quick ? 300 : 999, bins = opt.quick ? 60 : 160;
    const double scale = 15;

    // Target, source, dynamics.
    const auto target = diffuse::GaussianMixture<double>::random_2d(5, 0.75, 15.0, 3);
    Matrix<double> x = std::sqrt(20.0) * rng.normal(2, n);
    const diffuse::LangevinSde langevin(sigma, target);
    const auto grid = diffuse::TimeGrid<double>::uniform(0.0, 5.0, steps);
    diffuse::TrajectoryRecorder<double> snapshots(grid, (steps + 2) / 3);
    diffuse::EulerMaruyama<double> em;
    diffuse::ProgressObserver progress(std::cerr, steps, "langevin");
    const bool show_progress = isatty(fileno(stderr)) != 0;
    diffuse::integrate(em, langevin, x, grid, rng, [&](const Matrix<double>& y, double t, Index k) {
      snapshots(y, t, k);
      if (show_progress) progress(y, t, k);
    });

    // Log-density image on [−15, 15]², clipped below at −15 as in the seed.
    Matrix<double> cells(2, bins * bins);
    for (Index r = 0; r < bins; ++r)
      for (Index c = 0; c < bins; ++c)
        cells.col(r * bins + c) << -scale + 2 * scale * (c + 0.5) / bins, -scale + 2 * scale * (r + 0.5) / bins;
    const Eigen::RowVectorXd logp = target.log_density(cells).cwiseMax(-15.0);
    const Matrix<double> image = Eigen::Map<const Matrix<double>>(logp.data(), bins, bins).transpose();

    // Snapshots: samples over the log-density.
    const Index shots = static_cast<Index>(snapshots.states().size());
    diffuse::Figure fig(1, shots);
    fig.title("Langevin dynamics on a 5-mode mixture, sigma = " + std::to_string(sigma).substr(0, 4));
    for (Index i = 0; i < shots; ++i) {
      char title[48];
      std::snprintf(title, sizeof title, "samples at t = %.1f", snapshots.times()[static_cast<std::size_t>(i)]);
      fig.panel(0, i).title(title).equal_aspect().xlim(-scale, scale).ylim(-scale, scale)
          .heatmap(image, -scale, scale, -scale, scale, {.colorbar = i == shots - 1, .label = "log p"})
          .scatter(snapshots.states()[static_cast<std::size_t>(i)], {.size = 1.5, .alpha = 0.7, .color = "black"})
          .markers(target.means(), {.color = "#d62728"});
    }
    fig.save(opt.out / "langevin_snapshots.svg");

    // Figures of merit against exact samples of the mixture.
    const Matrix<double> reference = target.sample(n, rng).points;
    const double mmd2 = diffuse::mmd2(x, reference);
    const auto modes = diffuse::mode_stats(x, target.means(), 0.75, 3.0);
    std::printf("%-28s %10s\n", "metric", "value");
    std::printf("%-28s %10.4f\n", "MMD^2 to exact samples", mmd2);
    std::printf("%-28s %10.3f\n", "fraction within 3 std", modes.fraction_within);
    std::printf("%-28s %10.3f\n", "mode balance max/min", modes.balance_ratio);
    std::printf("mode counts:");
    for (Index c : modes.counts) std::printf(" %ld", static_cast<long>(c));
    std::printf("\n");
    // balance_ratio is +inf when a mode is empty; JsonObject writes that as null.
    diffuse::JsonObject()
        .set("sigma", sigma)
        .set("particles", n)
        .set("mmd2", mmd2)
        .set("fraction_within_3std", modes.fraction_within)
        .set("balance_ratio", modes.balance_ratio)
        .set("kl_to_weights", modes.kl_to_weights)
        .save(opt.out / "metrics.json");
    return 0;
  });
}
