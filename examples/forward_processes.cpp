// Gaussian forward processes: VE vs VP endpoints from off-centre data and the VP vs sub-VP
// variance table (seed 002, SDE framework); seed 003's OU forward simulation of the two-arcs set
// with the exact transition, and its density p_t on a grid over time.
#include <diffuse/distributions.hpp>
#include <diffuse/integrators.hpp>
#include <diffuse/io/figure.hpp>
#include <diffuse/io/json.hpp>
#include <diffuse/processes.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/cli.hpp"

using diffuse::Index;
using diffuse::Matrix;

int main(int argc, char** argv) {
  CLI::App app{"VE, VP, sub-VP and OU forward processes (seeds 002 and 003)"};
  examples::Options opt;
  examples::add_common_flags(app, opt, "out/forward_processes");
  examples::parse_or_exit(app, argc, argv);
  return examples::run_guarded([&] {
    diffuse::Rng rng(opt.seed);
    diffuse::JsonObject metrics;

    // 1. Endpoints at t = 1 of off-centre data x0 ~ N((4, 4), I) under VE(0.01, 50) and VP(0.1, 20).
    const Index n = opt.quick ? 500 : 2000;
    const Matrix<double> x0 = (rng.normal(2, n).array() + 4.0).matrix();
    const diffuse::VeProcess<double> ve(0.01, 50.0);
    const diffuse::VpProcess<double> vp(0.1, 20.0);
    const Matrix<double> x_ve = ve.alpha(1.0) * x0 + ve.sigma(1.0) * rng.normal(2, n);
    const Matrix<double> x_vp = vp.alpha(1.0) * x0 + vp.sigma(1.0) * rng.normal(2, n);
    auto stats = [](const char* name, const Matrix<double>& x) {
      const Eigen::Vector2d mean = x.rowwise().mean();
      const Eigen::Vector2d std = ((x.colwise() - mean).array().square().rowwise().sum() / double(x.cols() - 1)).sqrt();
      std::printf("%-8s mean (%6.3f, %6.3f)  std (%7.3f, %7.3f)\n", name, mean(0), mean(1), std(0), std(1));
      return std::pair{mean, std};
    };
    std::printf("endpoints at t = 1 from N((4,4), I):\n");
    const auto [ve_mean, ve_std] = stats("VE-SDE", x_ve);
    const auto [vp_mean, vp_std] = stats("VP-SDE", x_vp);
    metrics.set("ve_endpoint", diffuse::JsonObject().set("mean_x", ve_mean(0)).set("mean_y", ve_mean(1)).set("std_x", ve_std(0)).set("std_y", ve_std(1)));
    metrics.set("vp_endpoint", diffuse::JsonObject().set("mean_x", vp_mean(0)).set("mean_y", vp_mean(1)).set("std_x", vp_std(0)).set("std_y", vp_std(1)));

    // 2. VP vs sub-VP variance table, σ(t)² = 1 − ᾱ versus (1 − ᾱ)².
    const diffuse::SubVpProcess<double> sub(0.1, 20.0);
    std::vector<double> ts, var_vp, var_sub;
    std::printf("\n%5s | %12s | %14s | %8s\n", "t", "VP variance", "sub-VP variance", "ratio");
    for (int i = 0; i <= 10; ++i) {
      const double t = i / 10.0;
      ts.push_back(t);
      var_vp.push_back(vp.sigma(t) * vp.sigma(t));
      var_sub.push_back(sub.sigma(t) * sub.sigma(t));
      const double ratio = var_vp.back() > 0 ? var_sub.back() / var_vp.back() : 0.0;
      std::printf("%5.2f | %12.4f | %14.4f | %8.4f\n", t, var_vp.back(), var_sub.back(), ratio);
      metrics.set("variance_table_" + std::to_string(i), diffuse::JsonObject().set("t", t).set("vp", var_vp.back()).set("sub_vp", var_sub.back()));
    }
    diffuse::Figure sde_fig(1, 3);
    sde_fig.panel(0, 0).title("VE-SDE at t = 1").equal_aspect().scatter(x_ve, diffuse::ScatterStyle{.size = 1.5}).markers(Matrix<double>::Constant(2, 1, 4.0));
    sde_fig.panel(0, 1).title("VP-SDE at t = 1").equal_aspect().scatter(x_vp, diffuse::ScatterStyle{.size = 1.5}).markers(Matrix<double>::Constant(2, 1, 4.0));
    sde_fig.panel(0, 2).title("marginal variance").xlabel("t").line(ts, var_vp, {.label = "VP: 1 - abar"}).line(ts, var_sub, {.label = "sub-VP: (1 - abar)^2"});
    sde_fig.save(opt.out / "ve_vp_subvp.svg");

    // 3. Seed 003: OU(θ = 0.5, σ = 0.5) on the two arcs, simulated with the exact transition.
    const Index n_arcs = opt.quick ? 512 : 2048;
    const auto arcs = diffuse::toy::two_arcs<double>(n_arcs, rng, 0.02);
    const diffuse::OuProcess<double> ou(0.5, 0.5);
    const auto grid = diffuse::TimeGrid<double>::uniform(0.0, 1.0, 100);
    diffuse::TrajectoryRecorder<double> rec(grid, 25);
    Matrix<double> x = arcs.points;
    diffuse::ExactOuStep<double> exact;
    diffuse::integrate(exact, ou, x, grid, rng, rec);
    // Density p_t(x) = mean over data of N(x; α(t) x0, σ(t)² I): the data pushed through the process.
    const Index bins = opt.quick ? 40 : 100;
    Matrix<double> cells(2, bins * bins);
    for (Index r = 0; r < bins; ++r)
      for (Index c = 0; c < bins; ++c) cells.col(r * bins + c) << -3 + 6.0 * (c + 0.5) / bins, -3 + 6.0 * (r + 0.5) / bins;
    const std::vector<double> density_times = {0.1, 0.4, 0.7, 1.0};
    diffuse::Figure ou_fig(2, 4);
    ou_fig.title("OU forward process (theta = 0.5, sigma = 0.5) on two arcs");
    for (std::size_t i = 0; i < 4; ++i) {
      const Matrix<double>& xt = rec.states()[i + 1];
      char title[64];
      std::snprintf(title, sizeof title, "X_t at t = %.2f", rec.times()[i + 1]);
      ou_fig.panel(0, Index(i)).title(title).equal_aspect().xlim(-2, 2).ylim(-2, 2).scatter(xt, arcs.labels, {.size = 1.2});
      const double t = density_times[i];
      const diffuse::GaussianMixture<double> pt(ou.alpha(t) * arcs.points, Eigen::VectorXd::Constant(n_arcs, ou.sigma(t)),
                                                Eigen::VectorXd::Ones(n_arcs));
      const Eigen::RowVectorXd density = pt.log_density(cells).array().exp();
      const Matrix<double> image = Eigen::Map<const Matrix<double>>(density.data(), bins, bins).transpose();
      std::snprintf(title, sizeof title, "density p_t at t = %.1f", t);
      ou_fig.panel(1, Index(i)).title(title).equal_aspect().heatmap(image, -3, 3, -3, 3, {.colorbar = i == 3, .label = "p_t"});
      // Sample moments against the exact marginal moments: Var X_t = α² Var x0 + σ².
      const double var0 = (arcs.points.colwise() - arcs.points.rowwise().mean()).array().square().sum() / double(2 * n_arcs - 2);
      const double t_rec = rec.times()[i + 1];
      const double var_exact = ou.alpha(t_rec) * ou.alpha(t_rec) * var0 + ou.sigma(t_rec) * ou.sigma(t_rec);
      const double var_meas = (xt.colwise() - xt.rowwise().mean()).array().square().sum() / double(2 * n_arcs - 2);
      std::printf("OU t = %.2f: per-coordinate variance measured %.4f, exact %.4f\n", t_rec, var_meas, var_exact);
      metrics.set("ou_two_arcs_" + std::to_string(i),
                  diffuse::JsonObject().set("t", t_rec).set("variance_measured", var_meas).set("variance_exact", var_exact));
    }
    metrics.save(opt.out / "metrics.json");
    ou_fig.save(opt.out / "ou_two_arcs.svg");
    return 0;
  });
}
