// any_sampler — one DDPM ε-network trained on integer steps, sampled by every family: in its own
// time (DDPM and DDIM on the 50 training steps) and through its σ-space view, x̃ = x/α at
// σ̃ = σ/α (EDM Heun, Euler and DPM-Solver++(2M) on Karras grids of the model's own σ̃ range,
// evaluated at fractional steps). No second network is trained for the σ-space samplers.
//
// Model: seed 000 Part 3's DDPM — the five-mode cross, TinyDiffusionMLP, T = 50, β linear
// 1e-4..0.035, noise input t/(T−1), ε target, Adam lr 1.5e-3, batch 384, 900 steps. Every run
// starts from one shared draw x_T (x̃_T = x_T/α_T in the view), and is repeated with the exact
// denoiser of the cross on the same schedule, which separates the sampler's error from the
// network's. The seed's schedule ends at ᾱ_T = 0.41, so its N(0, I) start is far from q(x_T) and
// every deterministic sampler inherits that error (toy_families' corrected run); the main start
// is therefore the Gaussian with the moments of q(x_T), and the N(0, I) start is reported beside it.
// Figures of merit: MMD² against fresh samples of the cross, and the share of samples within
// 3 std of a mode, at each sampler's network evaluations (NFE).
#include "common/cli.hpp"

#include <diffuse/distributions/gaussian.hpp>
#include <diffuse/distributions/toy.hpp>
#include <diffuse/io/figure.hpp>
#include <diffuse/io/json.hpp>
#include <diffuse/io/npy.hpp>
#include <diffuse/metrics/mmd.hpp>
#include <diffuse/metrics/modes.hpp>
#include <diffuse/models/noise_model.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/models/sigma_view.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules/beta_schedule.hpp>
#include <diffuse/schedules/time_grid.hpp>
#include <diffuse/training/callbacks.hpp>
#include <diffuse/training/data.hpp>

#include <cstdio>
#include <functional>

using namespace diffuse;
using S = float;

int main(int argc, char** argv) {
  CLI::App app("One DDPM network, every sampler: own time and the sigma-space view");
  examples::Options opt;
  examples::add_common_flags(app, opt, "out/any_sampler");
  examples::parse_or_exit(app, argc, argv);
  return examples::run_guarded([&] {
    const long train_steps = opt.quick ? 150 : 900;
    const Index n = opt.quick ? 500 : 2000;
    Rng rng(opt.seed);
    const Matrix<S> centres = toy::cross_centres<S>();
    const Matrix<S> reference = toy::cross<S>(n, rng).points;

    // The seed's DDPM: ε-network on integer steps.
    const DiscreteSchedule<S> schedule(linear_betas(50, 1e-4, 0.035));
    const NoiseModelOptions<S> options{.input = NoiseInput::normalised_step, .train_steps = 50};
    DenoisingObjective objective(schedule, DenoisingOptions<S>{.model = options, .draw = NoiseDraw::uniform_step, .steps = 50});
    auto net = tiny_diffusion_mlp<S>(rng);
    auto data = sampled_data<S>([](Index count, Rng& r) { return toy::cross<S>(count, r).points; });
    Adam<S> adam(AdamOptions{.lr = 1.5e-3}, net.parameters().size());
    fit(net, objective, data, adam, ConstantLr(1.5e-3), FitOptions{.steps = train_steps, .batch_size = 384}, rng,
        ShowProgress("DDPM"));
    NoiseModel model(net, schedule, options);
    OracleDenoiser oracle(toy::cross_mixture<S>(), schedule);
    SigmaView model_view(model);
    SigmaView oracle_view(oracle);
    const Matrix<S> seed_start = rng.normal<S>(2, n);
    const auto prior = Gaussian<S>::fit(toy::cross<S>(5000, rng).points).noised(schedule.alpha(49), schedule.sigma(49));
    const Matrix<S> matched_start = prior.sample(n, rng);

    // Each run: a name, and how to sample (model or oracle) from the shared start.
    const std::vector<S> steps = ddim_timesteps<S>(50, 50);  // 49, …, 0, −1
    const std::vector<S> karras18 = model_view.karras_sigmas(18), karras20 = model_view.karras_sigmas(20);
    auto own = [&](auto sampler, auto& denoiser, const Matrix<S>& start) {
      Matrix<S> x = start;
      const SampleStats stats = sample(sampler, denoiser, x, std::span<const S>(steps), rng);
      return std::pair{x, stats.evaluations};
    };
    auto viewed = [&](auto sampler, auto& view, const std::vector<S>& sigmas, const Matrix<S>& start) {
      Matrix<S> x = start / schedule.alpha(49);  // x̃_T = x_T / α_T
      const SampleStats stats = sample(sampler, view, x, std::span<const S>(sigmas), rng);
      return std::pair{x, stats.evaluations};
    };
    using Run = std::function<std::pair<Matrix<S>, long>(bool exact, const Matrix<S>& start)>;
    const std::vector<std::pair<std::string, Run>> runs = {
        {"ddpm_50", [&](bool exact, const Matrix<S>& x) { return exact ? own(Ddpm<S>{}, oracle, x) : own(Ddpm<S>{}, model, x); }},
        {"ddim_50", [&](bool exact, const Matrix<S>& x) { return exact ? own(Ddim<S>{}, oracle, x) : own(Ddim<S>{}, model, x); }},
        {"edm_heun_karras_18", [&](bool exact, const Matrix<S>& x) {
           return exact ? viewed(EdmHeun<S>{}, oracle_view, karras18, x) : viewed(EdmHeun<S>{}, model_view, karras18, x);
         }},
        {"euler_karras_18", [&](bool exact, const Matrix<S>& x) {
           return exact ? viewed(EdmEuler<S>{}, oracle_view, karras18, x) : viewed(EdmEuler<S>{}, model_view, karras18, x);
         }},
        {"dpmpp_2m_karras_20", [&](bool exact, const Matrix<S>& x) {
           return exact ? viewed(DpmSolverPP2M<S>{}, oracle_view, karras20, x)
                        : viewed(DpmSolverPP2M<S>{}, model_view, karras20, x);
         }},
    };

    JsonObject metrics;
    std::printf("%-20s %5s %10s %12s %14s %16s\n", "sampler", "NFE", "MMD^2", "within 3 std", "MMD^2 (exact)",
                "MMD^2 (N(0,I))");
    Figure figure(2, static_cast<Index>(runs.size()), FigureStyle{.panel_width = 300, .panel_height = 300});
    Index column = 0;
    for (const auto& [name, run] : runs) {
      const auto [x, nfe] = run(false, matched_start);
      const Matrix<S> x_exact = run(true, matched_start).first, x_seed = run(false, seed_start).first;
      const double mmd = mmd2(x.cast<double>(), reference.cast<double>());
      const double mmd_exact = mmd2(x_exact.cast<double>(), reference.cast<double>());
      const double mmd_seed = mmd2(x_seed.cast<double>(), reference.cast<double>());
      const double within = mode_stats(x.cast<double>(), centres.cast<double>(), 0.25, 3).fraction_within;
      std::printf("%-20s %5ld %10.4f %12.3f %14.4f %16.4f\n", name.c_str(), nfe, mmd, within, mmd_exact, mmd_seed);
      metrics.set(name, JsonObject().set("nfe", static_cast<double>(nfe)).set("mmd2", mmd).set("within_3_std", within)
                            .set("mmd2_exact_denoiser", mmd_exact).set("mmd2_from_standard_normal", mmd_seed));
      write_npy(opt.out / ("samples_" + name + ".npy"), x);
      const std::string title = name + " (" + std::to_string(nfe) + " NFE)";
      figure.panel(0, column).title(title).scatter(x, ScatterStyle{.size = 1.5, .alpha = 0.45}).markers(centres)
          .xlim(-5, 5).ylim(-5, 5).equal_aspect();
      figure.panel(1, column).title("exact denoiser").scatter(x_exact, ScatterStyle{.size = 1.5, .alpha = 0.45})
          .markers(centres).xlim(-5, 5).ylim(-5, 5).equal_aspect();
      ++column;
    }
    metrics.set("sigma_tilde_min", model_view.sigma_min()).set("sigma_tilde_max", model_view.sigma_max());
    metrics.save(opt.out / "metrics.json");
    figure.save(opt.out / "samplers.svg");
    return 0;
  });
}
