// Seed 002: a noise-conditional score network (NCSN) on 8 Gaussians sampled by annealed Langevin
// dynamics; VE vs VP endpoints from off-centre data; the VP vs sub-VP variance table.
//
// Seed hyperparameters (all kept): 60,000 points of 8 Gaussians on a circle of radius 5 (first at
// angle 0), std 0.4; σ geometric from 10 to 0.01 in 12 levels; ScoreNetwork (σ-MLP 1→32→32 on
// log σ, then [x; emb] 34→256→256→256→2, SiLU); loss 0.5 σ² ||s − (−ε/σ)||² averaged over all
// entries, σ uniform over the levels per sample; Adam lr 1e-3, betas (0.9, 0.999), grad-norm clip
// 1, cosine LR T_max = 600 epochs, eta_min 1e-5, stepped once per epoch; batch 512, shuffled,
// drop_last (117 steps per epoch, 70,200 steps). Annealed Langevin: x ~ N(0, 10² I), 100 steps per
// level, x ← x + (α/2) s + √α z with α = 2e-5 (σ/0.01)².
// Choices: the network's log-σ input omits the seed's +1e-8 (σ ≥ 0.01, a relative change below
// 1e-6); 2,000 samples instead of the seed's 200 (the metrics need 2,000); the same sampler run
// with the weights after 5,000 steps (what the reference table quotes) and with the exact score of
// the mixture (the best annealed Langevin can do with these settings).
#include <diffuse/distributions/toy.hpp>
#include <diffuse/io/figure.hpp>
#include <diffuse/io/json.hpp>
#include <diffuse/io/npy.hpp>
#include <diffuse/metrics/mmd.hpp>
#include <diffuse/metrics/modes.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/processes/sub_vp.hpp>
#include <diffuse/processes/ve.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers/langevin.hpp>
#include <diffuse/schedules/sigma_levels.hpp>
#include <diffuse/schedules/time_grid.hpp>
#include <diffuse/training/callbacks.hpp>
#include <diffuse/training/data.hpp>

#include <chrono>
#include <cstdio>

#include "common/cli.hpp"

using namespace diffuse;
using M = Matrix<float>;

int main(int argc, char** argv) {
  CLI::App app{"Seed 002: NCSN with annealed Langevin on 8 Gaussians; VE, VP and sub-VP"};
  examples::Options opt;
  examples::add_common_flags(app, opt, "out/ncsn_gaussians");
  examples::parse_or_exit(app, argc, argv);
  return examples::run_guarded([&] {
    const auto start = std::chrono::steady_clock::now();
    Rng rng(opt.seed);
    const long epochs = opt.quick ? 4 : 600, early_step = opt.quick ? 20 : 5000;
    const Index n_data = opt.quick ? 6000 : 60000, n_eval = opt.quick ? 400 : 2000;
    const int steps_per_level = opt.quick ? 10 : 100;

    // Data, noise levels, network.
    const toy::RingOptions ring{.modes = 8, .radius = 5.0, .std = 0.4};
    const M x0 = toy::ring<float>(n_data, rng, ring).points;
    const GaussianMixture<double> mixture = toy::ring_mixture<double>(ring);
    const std::vector<float> grid = geometric_sigmas<float>(10.0, 0.01, 12);  // σ_1..σ_12, then 0
    const std::vector<float> sigmas(grid.begin(), grid.end() - 1);
    auto net = score_network<float>(rng);
    const NoiseModelOptions<float> score_model{.parameterisation = Parameterisation::score, .input = NoiseInput::log_sigma};

    // Training: NCSN loss, per-epoch cosine LR, clipping; keep the weights after early_step steps.
    DenoisingOptions<float> ncsn;  // a named aggregate: GCC 12 warns spuriously about a braced temporary
    ncsn.model = score_model;
    ncsn.draw = NoiseDraw::uniform_choice;
    ncsn.choices = sigmas;
    ncsn.weight = LossWeight::sigma_squared;
    ncsn.weight_scale = 0.5f;
    DenoisingObjective objective(SigmaLevels<float>{}, ncsn);
    Dataset<float> dataset(x0, M(), /*drop_last=*/true);
    const long per_epoch = static_cast<long>(dataset.batches_per_epoch(512));
    const CosineAnnealingLr cosine({.lr = 1e-3, .t_max = epochs, .eta_min = 1e-5});
    auto per_epoch_cosine = [&](long step) { return cosine(step / per_epoch); };
    Adam<float> adam(AdamOptions{.lr = 1e-3}, net.parameters().size());
    Vector<float> early_weights;
    auto keep_early = [&](const StepInfo& info) { if (info.step + 1 == early_step) early_weights = net.parameters(); };
    const FitResult result = fit(net, objective, dataset, adam, per_epoch_cosine,
                                 FitOptions{.epochs = epochs, .batch_size = 512, .clip_grad_norm = 1.0}, rng, ShowProgress("NCSN"), keep_early);
    const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Annealed Langevin from N(0, σ_1² I) for the final weights, the early weights and the exact score.
    const M truth = mixture.sample(n_eval, rng).points.cast<float>();
    JsonObject metrics;
    metrics.set("true_vs_true_mmd2", mmd2(mixture.sample(n_eval, rng).points, truth.cast<double>()));
    std::printf("%-26s %10s %14s %12s\n", "run", "MMD^2", "within 3 std", "modes hit");
    auto report = [&](const std::string& run, const M& x) {
      const double m = mmd2(x, truth);
      const ModeStats modes = mode_stats(x, mixture.means(), ring.std, 3.0);
      std::printf("%-26s %10.4f %14.3f %12ld\n", run.c_str(), m, modes.fraction_within, long(modes.modes_covered));
      metrics.set(run, JsonObject().set("mmd2", m).set("within_3std", modes.fraction_within).set("balance_ratio", modes.balance_ratio));
      write_npy(opt.out / ("samples_" + run + ".npy"), x);
    };
    NoiseModel model(net, SigmaLevels<float>{}, score_model);
    AnnealedLangevin<float> langevin{.steps_per_level = steps_per_level, .step_size = 2e-5f, .sigma_ref = 0.01f, .form = LangevinForm::half_step};
    M x = 10.0f * rng.normal<float>(2, n_eval);
    std::vector<M> levels_seen;
    sample(langevin, model, x, grid, rng, [&](const M& y, float, int k) { if (k > 0) levels_seen.push_back(y); });
    report("ncsn", x);
    const Vector<float> final_weights = net.parameters();
    net.parameters() = early_weights;
    M x_early = 10.0f * rng.normal<float>(2, n_eval);
    sample(langevin, model, x_early, grid, rng);
    report("ncsn_step" + std::to_string(early_step), x_early);
    net.parameters() = final_weights;
    OracleDenoiser oracle(mixture, SigmaLevels<double>{});
    AnnealedLangevin<double> exact_langevin{.steps_per_level = steps_per_level, .step_size = 2e-5, .sigma_ref = 0.01, .form = LangevinForm::half_step};
    Matrix<double> x_exact = 10.0 * rng.normal<double>(2, n_eval);
    sample(exact_langevin, oracle, x_exact, geometric_sigmas<double>(10.0, 0.01, 12), rng);
    report("exact_score", x_exact.cast<float>());

    // Figures: loss, samples, learned score fields, Langevin snapshots per level.
    std::vector<double> epoch_loss(result.losses.size() / static_cast<std::size_t>(per_epoch));
    for (std::size_t i = 0; i < result.losses.size(); ++i)
      if (i / per_epoch < epoch_loss.size()) epoch_loss[i / per_epoch] += result.losses[i] / double(per_epoch);
    Figure loss_fig(1, 1, {.panel_width = 640, .panel_height = 320});
    loss_fig.panel(0, 0).title("NCSN loss 0.5 sigma^2 |s - target|^2 (mean per epoch)").xlabel("epoch").line(epoch_loss);
    loss_fig.save(opt.out / "loss.svg");

    const ScatterStyle grey{.size = 1, .alpha = 0.25, .color = "lightgrey"};
    Figure samples_fig(1, 3, {.panel_width = 400, .panel_height = 400});
    samples_fig.title("Annealed Langevin samples (red) over the data (grey)");
    const std::pair<std::string, M> runs[] = {{"NCSN, all " + std::to_string(result.steps) + " steps", x},
                                              {"NCSN after " + std::to_string(early_step) + " steps", x_early}, {"exact score", x_exact.cast<float>()}};
    for (int i = 0; i < 3; ++i)
      samples_fig.panel(0, i).title(runs[i].first).equal_aspect().xlim(-8, 8).ylim(-8, 8).scatter(x0.leftCols(n_eval), grey)
          .scatter(runs[i].second, ScatterStyle{.size = 1.5, .alpha = 0.5, .color = "red"}).markers(mixture.means());
    samples_fig.save(opt.out / "samples.svg");

    const Index k = 25;
    M field(3, k * k);
    for (Index i = 0; i < k * k; ++i) field.col(i) << -8 + 16 * float(i % k) / float(k - 1), -8 + 16 * float(i / k) / float(k - 1), 0;
    Figure score_fig(1, 4, {.panel_width = 380, .panel_height = 380});
    score_fig.title("Learned score s(x, sigma)");
    const int shown[] = {0, 4, 7, 11};
    for (int i = 0; i < 4; ++i) {
      const float sigma = sigmas[static_cast<std::size_t>(shown[i])];
      field.row(2).setConstant(std::log(sigma));
      char title[48];
      std::snprintf(title, sizeof title, "sigma = %.3g", sigma);
      score_fig.panel(0, i).title(title).equal_aspect().xlim(-8, 8).ylim(-8, 8).scatter(x0.leftCols(n_eval), grey)
          .quiver(field.topRows(2), net.forward(field), {.color_by_magnitude = true});
    }
    score_fig.save(opt.out / "score_fields.svg");

    Figure levels_fig(2, 6, {.panel_width = 280, .panel_height = 280});
    levels_fig.title("Annealed Langevin: samples after each noise level");
    for (int i = 0; i < 12; ++i) {
      char title[48];
      std::snprintf(title, sizeof title, "after sigma = %.3g", sigmas[static_cast<std::size_t>(i)]);
      const float lim = i < 3 ? 30.0f : 8.0f;
      levels_fig.panel(i / 6, i % 6).title(title).equal_aspect().xlim(-lim, lim).ylim(-lim, lim)
          .scatter(levels_seen[static_cast<std::size_t>(i)], ScatterStyle{.size = 1, .alpha = 0.4, .color = "red"}).markers(mixture.means());
    }
    levels_fig.save(opt.out / "langevin_levels.svg");

    // VE vs VP endpoints at t = 1 from off-centre data x0 ~ N((4, 4), I), and VP vs sub-VP variance.
    const Matrix<double> off = (rng.normal<double>(2, 2000).array() + 4.0).matrix();
    const VeProcess<double> ve(0.01, 50.0);
    const VpProcess<double> vp(0.1, 20.0);
    const SubVpProcess<double> subvp(0.1, 20.0);
    const Matrix<double> x_ve = ve.alpha(1.0) * off + ve.sigma(1.0) * rng.normal<double>(2, 2000);
    const Matrix<double> x_vp = vp.alpha(1.0) * off + vp.sigma(1.0) * rng.normal<double>(2, 2000);
    std::printf("\nendpoints at t = 1 from N((4, 4), I):\n");
    for (const auto& [name, xt] : {std::pair{"VE", &x_ve}, std::pair{"VP", &x_vp}}) {
      const Vector<double> mean = xt->rowwise().mean();
      const Vector<double> sd = ((xt->colwise() - mean).array().square().rowwise().sum() / double(xt->cols() - 1)).sqrt();
      std::printf("  %s-SDE mean (%7.3f, %7.3f)  std (%7.3f, %7.3f)\n", name, mean(0), mean(1), sd(0), sd(1));
      metrics.set(std::string(name) + "_endpoint", JsonObject().set("mean_x", mean(0)).set("mean_y", mean(1)).set("std_x", sd(0)).set("std_y", sd(1)));
    }
    std::printf("\n%5s | %12s | %15s | %8s\n", "t", "VP variance", "sub-VP variance", "ratio");
    JsonObject vp_var, subvp_var;
    std::vector<double> ts, vps, subvps;
    for (int i = 0; i <= 10; ++i) {
      const double t = i / 10.0, v = vp.sigma(t) * vp.sigma(t), s = subvp.sigma(t) * subvp.sigma(t);
      std::printf("%5.2f | %12.4f | %15.4f | %8.4f\n", t, v, s, s / (v + 1e-12));
      vp_var.set("t=" + std::to_string(t).substr(0, 3), v);
      subvp_var.set("t=" + std::to_string(t).substr(0, 3), s);
      ts.push_back(t), vps.push_back(v), subvps.push_back(s);
    }
    metrics.set("vp_variance", vp_var).set("subvp_variance", subvp_var);
    Figure sde_fig(1, 3, {.panel_width = 380, .panel_height = 360});
    sde_fig.panel(0, 0).title("VE-SDE (0.01, 50) at t = 1").equal_aspect().scatter(x_ve, ScatterStyle{.size = 1.2}).markers(Matrix<double>::Constant(2, 1, 4.0));
    sde_fig.panel(0, 1).title("VP-SDE (0.1, 20) at t = 1").equal_aspect().scatter(x_vp, ScatterStyle{.size = 1.2}).markers(Matrix<double>::Constant(2, 1, 4.0));
    sde_fig.panel(0, 2).title("marginal variance").xlabel("t").line(ts, vps, {.label = "VP: 1 - abar"}).line(ts, subvps, {.label = "sub-VP: (1 - abar)^2"});
    sde_fig.save(opt.out / "ve_vp_subvp.svg");

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics.set("train_steps", result.steps).set("train_seconds", train_seconds).set("wall_seconds", seconds);
    metrics.save(opt.out / "metrics.json");
    std::printf("\ntraining %ld steps in %.1f s, total %.1f s\n", result.steps, train_seconds, seconds);
    return 0;
  });
}
