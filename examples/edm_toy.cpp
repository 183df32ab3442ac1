// edm_toy — seed 004: EDM's preconditioned denoiser, Karras σ grid and Heun sampler (with and
// without churn) against DDPM at equal network evaluations, and the score read off an ε-model.
//
// Seed settings: D(x; σ) = c_skip(σ) x + c_out(σ) F(c_in(σ) x; c_noise(σ)) with EDM's c_skip,
// c_out, c_in, c_noise = ¼ ln σ; training σ log-normal (P_mean = −1.2, P_std = 1.2) with weight
// λ(σ) = (σ² + σ_d²)/(σ σ_d)², i.e. unit weight on F's target; Karras grid ρ = 7, σ_min = 0.002,
// σ_max = 80; deterministic Heun, N = 18 (35 evaluations), and with S_churn. Score of an ε-model:
// s = −ε̂/σ_t with σ_t = √(1 − ᾱ_t).
// Choices where the seed is silent:
//   - Data: seed 000's five-mode cross (centres (±2.5, 0), (0, ±2.5), (0, 0), std 0.25), fresh
//     samples every batch.
//   - σ_data = 0.5, EDM's own default, not the cross's global std √2.5625 = 1.60. With the global
//     std, c_skip x is the best *linear* estimate of x0, so F's target is uncorrelated with any
//     linear function of x at every σ: the near-linear network at initialisation gets no signal,
//     and this small MLP stays at F ≈ 0 (loss 1.00 for 4,000 steps; the same in PyTorch). With
//     σ_data = 0.5 the target keeps a linear part and training goes through.
//   - Network for both models: seed 000's TinyDiffusionMLP (x + 32 sinusoidal features of the
//     noise input, 34 → 96 → 96 → 96 → 2, SiLU); 4,000 Adam steps of batch 512, lr 1e-3 cosine to
//     1e-5 (--quick: 150 steps).
//   - DDPM: T = 1000, β linear 1e-4..0.02 (Ho et al.; ᾱ_T = 4e-5), ε target with unit weight
//     (L_simple), noise input t/(T−1). Compared at 35 evaluations (ancestral DDPM and DDIM η = 0 on
//     35 trailing steps) and with the full 1,000-step chain.
//   - Churn: EDM's ImageNet setting S_churn = 40, S_min = 0.05, S_max = 50, S_noise = 1.003.
//   - Every sampler also runs with the OracleDenoiser (the exact E[x0 | x_t] of the cross), which
//     separates sampler error from network error.
#include "common/cli.hpp"

#include <diffuse/distributions/toy.hpp>
#include <diffuse/io/figure.hpp>
#include <diffuse/io/json.hpp>
#include <diffuse/io/npy.hpp>
#include <diffuse/metrics/mmd.hpp>
#include <diffuse/metrics/modes.hpp>
#include <diffuse/models/noise_model.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/samplers/ddim.hpp>
#include <diffuse/samplers/ddpm.hpp>
#include <diffuse/samplers/edm.hpp>
#include <diffuse/schedules/beta_schedule.hpp>
#include <diffuse/schedules/sigma_levels.hpp>
#include <diffuse/schedules/time_grid.hpp>
#include <diffuse/training/callbacks.hpp>
#include <diffuse/training/data.hpp>

#include <chrono>
#include <cstdio>
#include <span>

using namespace diffuse;
using S = float;

int main(int argc, char** argv) {
  CLI::App app{"Seed 004: EDM preconditioning, Karras sigmas and Heun vs DDPM on the cross"};
  examples::Options opt;
  examples::add_common_flags(app, opt, "out/edm_toy");
  examples::parse_or_exit(app, argc, argv);
  return examples::run_guarded([&] {
    const auto start = std::chrono::steady_clock::now();
    Rng rng(opt.seed);
    const long steps = opt.quick ? 150 : 4000;
    const Index n = 2000;

    // 1. Data: the cross, and its σ_data.
    const GaussianMixture<S> cross = toy::cross_mixture<S>();
    const double sigma_data = 0.5;
    auto data = sampled_data<S>([](Index m, Rng& r) { return toy::cross<S>(m, r).points; });
    const CosineAnnealingLr lr({.lr = 1e-3, .t_max = steps, .eta_min = 1e-5});

    // 2. EDM: preconditioned F trained with log-normal σ and unit weight in F space.
    const NoiseModelOptions<S> edm_options{.parameterisation = Parameterisation::edm, .input = NoiseInput::c_noise,
                                           .edm = {.sigma_data = sigma_data}};
    auto edm_net = tiny_diffusion_mlp<S>(rng);
    DenoisingObjective edm_objective(SigmaLevels<S>{}, DenoisingOptions<S>{.model = edm_options, .draw = NoiseDraw::log_normal,
                                                                           .p_mean = -1.2f, .p_std = 1.2f});
    Adam<S> edm_adam(AdamOptions{.lr = 1e-3}, edm_net.parameters().size());
    const FitResult edm_fit = fit(edm_net, edm_objective, data, edm_adam, lr, FitOptions{.steps = steps, .batch_size = 512}, rng, ShowProgress("EDM"));
    NoiseModel edm_model(edm_net, SigmaLevels<S>{}, edm_options);
    OracleDenoiser edm_oracle(cross, SigmaLevels<S>{});

    // 3. DDPM ε-model on T = 1000 linear β.
    const DiscreteSchedule<S> schedule(linear_betas(1000, 1e-4, 0.02));
    const NoiseModelOptions<S> ddpm_options{.parameterisation = Parameterisation::eps, .input = NoiseInput::normalised_step, .train_steps = 1000};
    auto ddpm_net = tiny_diffusion_mlp<S>(rng);
    DenoisingObjective ddpm_objective(schedule, DenoisingOptions<S>{.model = ddpm_options, .draw = NoiseDraw::uniform_step, .steps = 1000});
    Adam<S> ddpm_adam(AdamOptions{.lr = 1e-3}, ddpm_net.parameters().size());
    const FitResult ddpm_fit = fit(ddpm_net, ddpm_objective, data, ddpm_adam, lr, FitOptions{.steps = steps, .batch_size = 512}, rng, ShowProgress("DDPM"));
    NoiseModel ddpm_model(ddpm_net, schedule, ddpm_options);
    OracleDenoiser ddpm_oracle(cross, schedule);

    // 4. Sampling: every sampler with the trained model and with the oracle, 2,000 points each.
    const std::vector<S> karras = karras_sigmas<S>(18, {.sigma_min = 0.002, .sigma_max = 80, .rho = 7});
    const std::vector<S> ddpm35 = ddim_timesteps<S>(1000, 35), ddpm_full = ddim_timesteps<S>(1000, 1000);
    const Matrix<double> reference = toy::cross<double>(n, rng).points;
    JsonObject metrics;
    metrics.set("sigma_data", sigma_data).set("edm_final_loss", edm_fit.losses.back()).set("ddpm_final_loss", ddpm_fit.losses.back());
    std::vector<std::pair<std::string, Matrix<S>>> runs;
    std::printf("\n%-22s %10s %12s %6s\n", "run", "MMD^2", "within 3 std", "NFE");
    auto report = [&](const std::string& name, const Matrix<S>& x, long nfe) {
      const double mmd = mmd2(x.cast<double>(), reference);
      const double within = mode_stats(x, cross.means(), 0.25, 3.0).fraction_within;
      std::printf("%-22s %10.5f %12.3f %6ld\n", name.c_str(), mmd, within, nfe);
      metrics.set(name, JsonObject().set("mmd2", mmd).set("within_3_std", within).set("nfe", nfe));
      if (name != "true_vs_true") write_npy(opt.out / ("samples_" + name + ".npy"), x);
      runs.emplace_back(name, x);
    };
    report("true_vs_true", toy::cross<S>(n, rng).points, 0);
    auto run = [&](const std::string& name, auto sampler, auto& model, const std::vector<S>& grid, S prior_std) {
      Matrix<S> x = prior_std * rng.normal<S>(2, n);
      const SampleStats stats = sample(sampler, model, x, std::span<const S>(grid), rng);
      report(name, x, stats.evaluations);
    };
    const EdmHeun<S> churn{.s_churn = 40, .s_min = 0.05f, .s_max = 50, .s_noise = 1.003f};
    auto all_samplers = [&](const std::string& tag, auto& edm, auto& ddpm) {
      run(tag + "edm_heun18", EdmHeun<S>{}, edm, karras, 80);
      run(tag + "edm_heun18_churn", churn, edm, karras, 80);
      run(tag + "ddpm35", Ddpm<S>{}, ddpm, ddpm35, 1);
      run(tag + "ddim35", Ddim<S>{}, ddpm, ddpm35, 1);
      run(tag + "ddpm1000", Ddpm<S>{}, ddpm, ddpm_full, 1);
    };
    all_samplers("", edm_model, ddpm_model);
    all_samplers("oracle_", edm_oracle, ddpm_oracle);

    // 5. Score from the ε-model, s = −ε̂/σ_t, against the exact score of the noised cross.
    Matrix<S> at(2, 21 * 21);
    for (Index r = 0; r < 21; ++r)
      for (Index c = 0; c < 21; ++c) at.col(r * 21 + c) << S(-4.5 + 9.0 * c / 20), S(-4.5 + 9.0 * r / 20);
    Figure score_fig(2, 2, FigureStyle{.panel_width = 380, .panel_height = 380});
    score_fig.title("Score from the DDPM eps-model, -eps/sigma_t, vs the exact score");
    JsonObject score_error;
    Prediction<S> pred;
    int row = 0;
    for (const int t : {60, 250}) {
      const S alpha = schedule.alpha(S(t)), sigma = schedule.sigma(S(t));
      const GaussianMixture<S> pt = cross.noised(alpha, sigma);
      ddpm_model.predict(at, S(t), pred);
      const Matrix<S> learned = -pred.eps / sigma;
      char title[96];
      std::snprintf(title, sizeof title, "-eps_theta/sigma_t, t = %d (sigma_t = %.2f)", t, double(sigma));
      score_fig.panel(row, 0).title(title).equal_aspect().quiver(at, learned, {.color_by_magnitude = true}).markers(alpha * cross.means());
      std::snprintf(title, sizeof title, "exact score, t = %d", t);
      score_fig.panel(row, 1).title(title).equal_aspect().quiver(at, pt.score(at), {.color_by_magnitude = true}).markers(alpha * cross.means());
      // Relative error E_{p_t} |s_θ − s|² / E_{p_t} |s|².
      const Matrix<S> xt = pt.sample(n, rng).points;
      ddpm_model.predict(xt, S(t), pred);
      const Matrix<S> truth = pt.score(xt);
      const double rel = (-pred.eps / sigma - truth).squaredNorm() / truth.squaredNorm();
      std::printf("eps-model score relative error at t = %d (sigma_t = %.3f): %.4f\n", t, double(sigma), rel);
      score_error.set("t=" + std::to_string(t), rel);
      ++row;
    }
    score_fig.save(opt.out / "score_from_eps.svg");
    metrics.set("eps_score_relative_error", score_error);
    metrics.set("wall_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    metrics.save(opt.out / "metrics.json");

    // 6. Samples (trained row, oracle row), loss curves and the Karras grid.
    const char* titles[] = {"EDM Heun 18 (35 NFE)", "EDM Heun 18 + churn", "DDPM 35 steps", "DDIM 35 steps", "DDPM 1000 steps"};
    Figure sample_fig(2, 5, FigureStyle{.panel_width = 320, .panel_height = 320});
    sample_fig.title("Seed 004 on the cross: trained models (top) and the exact oracle denoiser (bottom)");
    for (Index r = 0; r < 2; ++r)
      for (Index c = 0; c < 5; ++c)
        sample_fig.panel(r, c).title(std::string(r ? "oracle: " : "") + titles[c]).equal_aspect().xlim(-4.5, 4.5).ylim(-4.5, 4.5)
            .scatter(runs[static_cast<std::size_t>(1 + 5 * r + c)].second, ScatterStyle{.size = 1.2, .alpha = 0.5})
            .markers(cross.means(), {.color = "#d62728"});
    sample_fig.save(opt.out / "samples.svg");
    Figure train_fig(1, 3, FigureStyle{.panel_width = 380, .panel_height = 320});
    train_fig.panel(0, 0).title("EDM loss (unit weight on F)").xlabel("step").log_y().line(edm_fit.losses, {.width = 0.6});
    train_fig.panel(0, 1).title("DDPM loss (L_simple)").xlabel("step").log_y().line(ddpm_fit.losses, {.width = 0.6});
    std::vector<double> index, sigmas;
    for (std::size_t i = 0; i + 1 < karras.size(); ++i) {
      index.push_back(double(i));
      sigmas.push_back(double(karras[i]));
    }
    train_fig.panel(0, 2).title("Karras sigmas, N = 18, rho = 7").xlabel("i").log_y().line(index, sigmas, {.label = "sigma_i"});
    train_fig.save(opt.out / "training.svg");
    std::printf("wall time %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return 0;
  });
}
