// Brownian motion and Ornstein–Uhlenbeck processes (seed 000, Part 1B): trajectories with their
// terminal histograms, OU for the seed's (θ, σ) pairs, and the sweep over D = σ²/(2θ) with the
// measured against the exact terminal variance.
#include <diffuse/distributions.hpp>
#include <diffuse/integrators.hpp>
#include <diffuse/io/figure.hpp>
#include <diffuse/io/json.hpp>
#include <diffuse/processes.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "common/cli.hpp"

using diffuse::Index;
using diffuse::Matrix;
using Grid = diffuse::TimeGrid<double>;

// Paths of a 1 x n batch as (t, x) polylines, every `stride`-th of at most `max_paths` samples.
std::vector<Matrix<double>> time_paths(const diffuse::TrajectoryRecorder<double>& rec, Index max_paths) {
  std::vector<Matrix<double>> paths;
  const Index n = rec.states().front().cols(), stride = std::max<Index>(1, n / max_paths);
  for (Index j = 0; j < n; j += stride) {
    Matrix<double> p(2, static_cast<Index>(rec.times().size()));
    for (std::size_t i = 0; i < rec.times().size(); ++i) p.col(static_cast<Index>(i)) << rec.times()[i], rec.states()[i](0, j);
    paths.push_back(p);
  }
  return paths;
}

// Simulates dX = f dt + g dW from x0 on a uniform grid with Euler–Maruyama, recording ~100 states.
template <class Sde>
diffuse::TrajectoryRecorder<double> simulate(const Sde& sde, Matrix<double> x, double t_end, Index steps, diffuse::Rng& rng) {
  const Grid grid = Grid::uniform(0.0, t_end, steps);
  diffuse::TrajectoryRecorder<double> rec(grid, std::max<Index>(1, steps / 100));
  diffuse::EulerMaruyama<double> em;
  diffuse::integrate(em, sde, x, grid, rng, rec);
  return rec;
}

int main(int argc, char** argv) {
  CLI::App app{"Brownian motion and Ornstein-Uhlenbeck processes (seed 000, Part 1B)"};
  examples::Options opt;
  examples::add_common_flags(app, opt, "out/brownian_ou");
  examples::parse_or_exit(app, argc, argv);
  return examples::run_guarded([&] {
    diffuse::Rng rng(opt.seed);
    const Index n_paths = opt.quick ? 100 : 500, steps = opt.quick ? 200 : 1000;
    diffuse::JsonObject metrics;

    // 1. Brownian motion dX = σ dW from 0, σ = 1, t ∈ [0, 5]: Var X_5 = σ² t = 5.
    const diffuse::BrownianMotion<double> bm(1.0);
    const auto bm_rec = simulate(bm, Matrix<double>::Zero(1, n_paths), 5.0, opt.quick ? 100 : 500, rng);
    const Matrix<double>& bm_end = bm_rec.states().back();
    const double bm_var = bm_end.array().square().mean();
    diffuse::Figure brownian(1, 2);
    brownian.title("Brownian motion, sigma = 1");
    brownian.panel(0, 0).title("trajectories").xlabel("t").ylabel("X_t").lines(time_paths(bm_rec, 200), {.width = 0.8, .alpha = 0.3});
    brownian.panel(0, 1).title("X_5").xlabel("count").histogram(bm_end, 25, {.horizontal = true});
    brownian.save(opt.out / "brownian.svg");
    std::printf("Brownian: Var X_5 measured %.3f, exact sigma^2 t = %.3f\n", bm_var, bm.variance(5.0));

    // 2. OU dX = −θ X dt + σ dW for the seed's (θ, σ) pairs, from x0 ∈ [−10, 10], t ∈ [0, 10].
    const std::vector<std::pair<double, double>> pairs = {{0.25, 0.0}, {0.25, 0.5}, {0.25, 2.0}};
    diffuse::Figure ou_fig(2, 3);
    for (std::size_t c = 0; c < pairs.size(); ++c) {
      const auto [theta, sigma] = pairs[c];
      const diffuse::OrnsteinUhlenbeck<double> ou(theta, 0.0, sigma);
      const auto few = simulate(ou, Matrix<double>(Eigen::RowVectorXd::LinSpaced(10, -10, 10)), 10.0, steps, rng);
      const auto many = simulate(ou, Matrix<double>(Eigen::RowVectorXd::LinSpaced(n_paths, -10, 10)), 10.0, steps, rng);
      char title[96];
      std::snprintf(title, sizeof title, "OU theta = %.2f, sigma = %.1f", theta, sigma);
      ou_fig.panel(0, Index(c)).title(title).xlabel("t").ylabel("X_t").lines(time_paths(few, 10), {.width = 1.2});
      ou_fig.panel(1, Index(c)).title("X_10 over " + std::to_string(n_paths) + " paths").xlabel("count").histogram(many.states().back(), 30, {.horizontal = true});
    }
    ou_fig.save(opt.out / "ou.svg");

    // 3. Sweep D = σ²/(2θ) ∈ {0.25, 1, 4} against σ ∈ {1, 2, 10}, t ∈ [0, 15/σ²], x0 ∈ [−20, 20].
    const std::vector<double> sigmas = {1.0, 2.0, 10.0}, ds = {0.25, 1.0, 4.0};
    diffuse::Figure sweep(3, 3);
    metrics.set("brownian", diffuse::JsonObject().set("variance_measured", bm_var).set("variance_exact", bm.variance(5.0)));
    std::printf("%6s %6s %8s %8s %12s %12s %12s\n", "D", "sigma", "theta", "T", "Var measured", "Var exact(T)", "D = s^2/2th");
    for (std::size_t r = 0; r < ds.size(); ++r) {
      for (std::size_t c = 0; c < sigmas.size(); ++c) {
        const double sigma = sigmas[c], d = ds[r], theta = sigma * sigma / (2 * d), t_end = 15.0 / (sigma * sigma);
        const diffuse::OrnsteinUhlenbeck<double> ou(theta, 0.0, sigma);
        const Matrix<double> x0 = Eigen::RowVectorXd::LinSpaced(n_paths, -20, 20);
        const auto rec = simulate(ou, x0, t_end, steps, rng);
        const Matrix<double>& end = rec.states().back();
        const double measured = (end.array() - end.mean()).square().sum() / double(end.size() - 1);
        // Var X_T = e^{−2θT} Var(x0) + D (1 − e^{−2θT}), with Var(x0) over the uniform start grid.
        const double var0 = (x0.array() - x0.mean()).square().sum() / double(x0.size() - 1);
        const double decay = std::exp(-2 * theta * t_end), exact = decay * var0 + d * (1 - decay);
        std::printf("%6.2f %6.1f %8.4f %8.3f %12.4f %12.4f %12.4f\n", d, sigma, theta, t_end, measured, exact, d);
        char title[96];
        std::snprintf(title, sizeof title, "ou_sweep D=%g sigma=%g", d, sigma);
        metrics.set(title, diffuse::JsonObject().set("D", d).set("sigma", sigma).set("theta", theta).set("T", t_end)
                               .set("variance_measured", measured).set("variance_exact", exact));
        std::snprintf(title, sizeof title, "sigma = %.0f, theta = %.3g, D = %.2f", sigma, theta, d);
        sweep.panel(Index(r), Index(c)).title(title).xlabel("t").ylabel("X_t").lines(time_paths(rec, 80), {.width = 0.8, .alpha = 0.35});
      }
    }
    metrics.save(opt.out / "metrics.json");
    sweep.save(opt.out / "ou_sweep.svg");
    std::printf("wrote %s\n", (opt.out / "metrics.json").c_str());
    return 0;
  });
}
