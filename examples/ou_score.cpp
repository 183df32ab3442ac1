// ou_score — seed 003: an Ornstein–Uhlenbeck forward process on two arcs, its exact density flow,
// a time-conditioned score MLP, the learned score field over time, and reverse-time samples.
//
// Seed settings: two arcs (upper radius 1.4 at (0.6, 0.2), lower radius 0.5 at (−0.5, −1)),
// N = 2048, jitter 0.02. OU dX = −θ X dt + σ dW, θ = 0.5, σ = 0.5, t ∈ [0, 1], simulated with
// the exact transition X' = e^{−θh} X + √(σ²/2θ (1 − e^{−2θh})) ξ on 101 grid points. Density
// p_t(x) = (1/N) Σ_i N(x; e^{−θt} x0_i, σ_t² I) on a 100 x 100 grid over [−3, 3]² at the seed's
// times linspace(0.1, 1, 25) (7 of them shown). SimpleScoreNet: [x; sin t; cos t] → 512 → 512 → 2,
// ReLU. Training as the seed's package: 20 epochs of 64 batches of 32, x0 drawn with replacement,
// t ~ U(0, 1), loss mean |s_θ(x_t, t) − (−ε/σ_t)|² with no weighting, Adam(W) lr 1e-3, no decay.
// Sampling as the seed's package: x ~ N(0, I) at t = 0.99, 99 steps of 0.01 down to t = 0, each a
// reverse Euler–Maruyama step dx = [−θ x − σ² s(x, t)] dt + σ dW̄ (dt < 0) and one Langevin
// corrector step.
// Choices where the seed is silent or off:
//   - t is drawn from [1e-5, 1): t = 0 would make the target −ε/σ_t infinite. The seed prints
//     epoch losses of 5–9, below what this loss can reach (E_t[1/σ_t²] grows as 4 ln(1/t_min));
//     here they are 20–90, so the seed's package version likely drew or weighted t differently.
//   - PyTorch's Xavier initialisation is replaced by PyTorch's default Linear initialisation.
//   - The corrector uses Song et al.'s target signal-to-noise rule ε = 2 (r |z| / |s|)² with the
//     seed's r = 0.15, before the predictor (the seed's package takes a fixed ε = (r σ)²).
//   - The seed writes the reverse SDE with −θY − σ² s; with time running backwards (dt < 0) the
//     drift is f − g² s = −θ x − σ² s, which is what is integrated here.
//   - Corrected runs: p_1 is far from N(0, I) (α(1) = 0.61, σ(1)² = 0.16, data std ≈ 0.8), so a
//     third run starts from the Gaussian with p_1's mean and covariance instead. The unweighted
//     loss is dominated by small t, where |ε/σ_t|² is huge and unlearnable, and 1,280 steps of
//     batch 32 are few: a second network of the same shape trains with λ(t) = σ_t² (ε-space
//     error), t ∈ [1e-3, 1], 4,000 steps of batch 256, lr 1e-3 cosine to 1e-5, and samples from
//     the matched start. The seed's last step, t = 0.01 → 0, adds noise of std σ √0.01 = 0.05,
//     more than the arcs' jitter (0.02): the fully corrected run stops at t = 0.01 and returns
//     Tweedie's E[x0 | x_t] = (x_t + σ_t² s(x_t, t)) / α_t instead.
//   - The arcs are no Gaussian mixture: the metrics are MMD² and energy distance to 2,000 fresh
//     points, and the share of samples within 3 jitter stds (0.06) of an arc.
#include "common/cli.hpp"

#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/distributions/toy.hpp>
#include <diffuse/io/figure.hpp>
#include <diffuse/io/json.hpp>
#include <diffuse/io/npy.hpp>
#include <diffuse/metrics/energy.hpp>
#include <diffuse/metrics/mmd.hpp>
#include <diffuse/models/noise_model.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/processes/ou_process.hpp>
#include <diffuse/samplers/predictor_corrector.hpp>
#include <diffuse/samplers/reverse_sde.hpp>
#include <diffuse/schedules/time_grid.hpp>
#include <diffuse/training/callbacks.hpp>
#include <diffuse/training/data.hpp>
#include <diffuse/training/loss_curve.hpp>

#include <Eigen/Cholesky>
#include <chrono>
#include <cstdio>
#include <numbers>
#include <span>

using namespace diffuse;
using S = float;

namespace {
// Distance from each column of x to the nearer of the two arcs (half circles incl. end points).
RowVector<double> arc_distance(const Matrix<double>& x) {
  auto half_circle = [](double px, double py, double cx, double cy, double r, bool upper) {
    const double dx = px - cx, dy = py - cy;
    if ((dy >= 0) == upper) return std::abs(std::hypot(dx, dy) - r);
    return std::min(std::hypot(dx - r, dy), std::hypot(dx + r, dy));  // nearest end point
  };
  RowVector<double> d(x.cols());
  for (Index j = 0; j < x.cols(); ++j)
    d(j) = std::min(half_circle(x(0, j), x(1, j), 0.6, 0.2, 1.4, true), half_circle(x(0, j), x(1, j), -0.5, -1.0, 0.5, false));
  return d;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Seed 003: OU forward process, learned score and reverse sampling on two arcs"};
  examples::Options opt;
  examples::add_common_flags(app, opt, "out/ou_score");
  examples::parse_or_exit(app, argc, argv);
  return examples::run_guarded([&] {
    const auto start = std::chrono::steady_clock::now();
    Rng rng(opt.seed);
    const Index n_data = opt.quick ? 512 : 2048, n_gen = opt.quick ? 300 : 2000, bins = opt.quick ? 40 : 100;
    const long epochs = opt.quick ? 2 : 20;

    // 1. Data and the OU forward process, simulated with the exact transition.
    const auto arcs = toy::two_arcs<double>(n_data, rng, 0.02);
    const OuProcess<double> ou(0.5, 0.5);
    std::vector<Matrix<double>> forward_states = {arcs.points};  // X at t = k/100, k = 0..100
    for (int k = 0; k < 100; ++k) {
      const GaussianTransition<double> step = ou.transition(k / 100.0, (k + 1) / 100.0);
      // X' = e^{−θh} X + √(σ²/2θ (1 − e^{−2θh})) ξ
      forward_states.push_back(step.scale * forward_states.back() + step.std * rng.normal<double>(2, n_data));
    }

    // 2. Exact density p_t = mixture over the data of the Gaussian transition kernel, at 7 times.
    Matrix<double> cells(2, bins * bins);
    for (Index r = 0; r < bins; ++r)
      for (Index c = 0; c < bins; ++c) cells.col(r * bins + c) << -3 + 6.0 * c / (bins - 1), -3 + 6.0 * r / (bins - 1);
    const std::vector<double> shown = {0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0};  // every 4th of linspace(0.1, 1, 25)
    auto marginal = [&](double t) {
      return GaussianMixture<double>(ou.alpha(t) * arcs.points, Vector<double>::Constant(n_data, ou.sigma(t)), Vector<double>::Ones(n_data));
    };
    Figure fwd_fig(2, 7, FigureStyle{.panel_width = 300, .panel_height = 300});
    fwd_fig.title("OU forward process on two arcs (theta = 0.5, sigma = 0.5): samples X_t and exact density p_t");
    double worst_mass_error = 0;
    for (std::size_t i = 0; i < shown.size(); ++i) {
      const double t = shown[i];
      char title[64];
      std::snprintf(title, sizeof title, "X_t at t = %.2f", t);
      const auto k = static_cast<std::size_t>(std::lround(t * 100));
      fwd_fig.panel(0, Index(i)).title(title).equal_aspect().xlim(-2, 2).ylim(-2, 2)
          .scatter(forward_states[k], arcs.labels, {.size = 1.0});
      const RowVector<double> density = marginal(t).log_density(cells).array().exp();
      const double cell = 6.0 / (bins - 1);
      worst_mass_error = std::max(worst_mass_error, std::abs(density.sum() * cell * cell - 1));
      const Matrix<double> image = Eigen::Map<const Matrix<double>>(density.data(), bins, bins).transpose();
      std::snprintf(title, sizeof title, "p_t at t = %.2f", t);
      fwd_fig.panel(1, Index(i)).title(title).equal_aspect().heatmap(image, -3, 3, -3, 3, {.colorbar = i + 1 == shown.size(), .label = "p_t"});
    }
    fwd_fig.save(opt.out / "forward_density.svg");

    // 3. Score network trained as the seed: unweighted |s_θ + ε/σ_t|², t ~ U(0, 1).
    const OuProcess<S> process(0.5f, 0.5f);
    const NoiseModelOptions<S> model_options{.parameterisation = Parameterisation::score, .input = NoiseInput::time};
    auto net = simple_score_net<S>(rng);
    DenoisingObjective objective(process, DenoisingOptions<S>{.model = model_options, .draw = NoiseDraw::uniform_time, .t_min = 1e-5f, .t_max = 1.0f});
    const Matrix<S> pool = arcs.points.cast<S>();
    auto data = sampled_data<S>([&](Index n, Rng& r) {
      Matrix<S> x0(2, n);
      for (Index j = 0; j < n; ++j) x0.col(j) = pool.col(r.integer(pool.cols()));
      return x0;
    });
    Adam<S> adam(AdamOptions{.lr = 1e-3}, net.parameters().size());
    const long steps = epochs * (n_data / 32);
    const FitResult fitted = fit(net, objective, data, adam, ConstantLr(1e-3), FitOptions{.steps = steps, .batch_size = 32}, rng, ShowProgress("score net"));
    write_loss_history(opt.out / "loss.csv", fitted.losses);
    save_loss_curve(opt.out / "loss.svg", fitted.losses, "seed's unweighted score-matching loss");
    NoiseModel model(net, process, model_options);
    auto weighted_net = simple_score_net<S>(rng);
    const long weighted_steps = opt.quick ? 40 : 4000;
    DenoisingObjective weighted_objective(process, DenoisingOptions<S>{.model = model_options, .draw = NoiseDraw::uniform_time, .t_min = 1e-3f,
                                                                       .t_max = 1.0f, .weight = LossWeight::sigma_squared});
    Adam<S> weighted_adam(AdamOptions{.lr = 1e-3}, weighted_net.parameters().size());
    const FitResult weighted_fit = fit(weighted_net, weighted_objective, data, weighted_adam,
                                       CosineAnnealingLr({.lr = 1e-3, .t_max = weighted_steps, .eta_min = 1e-5}),
                                       FitOptions{.steps = weighted_steps, .batch_size = 256}, rng, ShowProgress("sigma^2-weighted"));
    NoiseModel weighted_model(weighted_net, process, model_options);

    // 4. Learned score against the exact score of p_t (unit arrows over the density).
    const std::vector<double> score_times = {0.02, 0.1, 0.4, 1.0};
    Matrix<double> arrows_at(2, 20 * 20);
    for (Index r = 0; r < 20; ++r)
      for (Index c = 0; c < 20; ++c) arrows_at.col(r * 20 + c) << -2 + 4.0 * (c + 0.5) / 20, -2 + 4.0 * (r + 0.5) / 20;
    Figure score_fig(2, 4, FigureStyle{.panel_width = 340, .panel_height = 340});
    score_fig.title("Score directions: learned s_theta(x, t) (top) and exact grad log p_t (bottom), over p_t");
    JsonObject score_error;
    Prediction<S> pred;
    for (std::size_t i = 0; i < score_times.size(); ++i) {
      const double t = score_times[i];
      const GaussianMixture<double> pt = marginal(t);
      model.predict(arrows_at.cast<S>(), S(t), pred);
      const Matrix<double> learned = -pred.eps.cast<double>() / double(process.sigma(S(t)));
      const Matrix<double> exact = pt.score(arrows_at);
      const RowVector<double> density = pt.log_density(cells).array().exp();
      const Matrix<double> image = Eigen::Map<const Matrix<double>>(density.data(), bins, bins).transpose();
      char title[64];
      std::snprintf(title, sizeof title, "learned score, t = %.2f", t);
      score_fig.panel(0, Index(i)).title(title).equal_aspect().xlim(-2, 2).ylim(-2, 2).heatmap(image, -3, 3, -3, 3, {.colorbar = false})
          .quiver(arrows_at, learned.colwise().normalized(), {.color = "white"});
      std::snprintf(title, sizeof title, "exact score, t = %.2f", t);
      score_fig.panel(1, Index(i)).title(title).equal_aspect().xlim(-2, 2).ylim(-2, 2).heatmap(image, -3, 3, -3, 3, {.colorbar = false})
          .quiver(arrows_at, exact.colwise().normalized(), {.color = "white"});
      // Relative error E_{p_t} |s_θ − s|² / E_{p_t} |s|² on points drawn from p_t.
      const Matrix<double> xt = ou.alpha(t) * toy::two_arcs<double>(n_gen, rng, 0.02).points + ou.sigma(t) * rng.normal<double>(2, n_gen);
      model.predict(xt.cast<S>(), S(t), pred);
      const Matrix<double> s_true = pt.score(xt);
      const double rel = (-pred.eps.cast<double>() / double(process.sigma(S(t))) - s_true).squaredNorm() / s_true.squaredNorm();
      score_error.set("t=" + std::to_string(t).substr(0, 4), rel);
      std::printf("score relative error at t = %.2f: %.4f\n", t, rel);
    }
    score_fig.save(opt.out / "score_field.svg");

    // 5. Reverse-time sampling on the seed's grid 0.99, 0.98, ..., 0.
    const std::vector<S> sample_grid = uniform_grid<S>(0.99, 0.0, 99);
    const Matrix<double> ref = toy::two_arcs<double>(n_gen, rng, 0.02).points;
    // p_1's mean and covariance: α m and α² C + σ² I for data mean m and covariance C.
    const Eigen::Vector2d mean = arcs.points.rowwise().mean();
    const Matrix<double> centred = arcs.points.colwise() - mean;
    const double a1 = ou.alpha(0.99), s1 = ou.sigma(0.99);
    const Matrix<double> cov = a1 * a1 * centred * centred.transpose() / double(n_data - 1) + s1 * s1 * Matrix<double>::Identity(2, 2);
    const Matrix<double> chol = Eigen::LLT<Matrix<double>>(cov).matrixL();
    JsonObject metrics;
    std::vector<double> epoch_ids, epoch_loss;
    for (long e = 0; e < epochs; ++e) {
      double sum = 0;
      for (long k = e * (steps / epochs); k < (e + 1) * (steps / epochs); ++k) sum += fitted.losses[static_cast<std::size_t>(k)];
      epoch_ids.push_back(double(e + 1));
      epoch_loss.push_back(sum / double(steps / epochs));
    }
    metrics.set("density_mass_error", worst_mass_error).set("last_epoch_loss", epoch_loss.back()).set("score_relative_error", score_error);
    std::vector<std::pair<std::string, Matrix<double>>> runs;
    auto report = [&](const std::string& name, const Matrix<double>& x, long nfe) {
      const double mmd = mmd2(x, ref), energy = energy_distance(x, ref);
      const double near = (arc_distance(x).array() <= 0.06).cast<double>().mean();
      std::printf("%-18s %10.5f %10.5f %10.3f %6ld\n", name.c_str(), mmd, energy, near, nfe);
      metrics.set(name, JsonObject().set("mmd2", mmd).set("energy_distance", energy).set("within_3_std_of_arc", near).set("nfe", nfe));
      if (name != "true_vs_true") write_npy(opt.out / ("samples_" + name + ".npy"), x);
      runs.emplace_back(name, x);
    };
    std::printf("\n%-18s %10s %10s %10s %6s\n", "run", "MMD^2", "energy", "near arc", "NFE");
    report("true_vs_true", toy::two_arcs<double>(n_gen, rng, 0.02).points, 0);
    Matrix<S> x = rng.normal<S>(2, n_gen);
    PredictorCorrector<S> pc{.predictor = Predictor::euler_maruyama, .corrector_steps = 1, .snr = 0.15f};
    SampleStats stats = sample(pc, model, x, std::span<const S>(sample_grid), rng);
    report("pc_seed", x.cast<double>(), stats.evaluations);
    x = rng.normal<S>(2, n_gen);
    ReverseEulerMaruyama<S> em;
    stats = sample(em, model, x, std::span<const S>(sample_grid), rng);
    report("reverse_sde", x.cast<double>(), stats.evaluations);
    x = ((chol * rng.normal<double>(2, n_gen)).colwise() + a1 * mean).cast<S>();
    stats = sample(pc, model, x, std::span<const S>(sample_grid), rng);
    report("pc_matched_prior", x.cast<double>(), stats.evaluations);
    x = ((chol * rng.normal<double>(2, n_gen)).colwise() + a1 * mean).cast<S>();
    stats = sample(pc, weighted_model, x, std::span<const S>(sample_grid), rng);
    report("pc_weighted_matched", x.cast<double>(), stats.evaluations);
    const std::vector<S> to_t_end(sample_grid.begin(), sample_grid.end() - 1);  // 0.99 … 0.01
    x = ((chol * rng.normal<double>(2, n_gen)).colwise() + a1 * mean).cast<S>();
    stats = sample(pc, weighted_model, x, std::span<const S>(to_t_end), rng);
    weighted_model.predict(x, to_t_end.back(), pred);  // x0 = E[x0 | x_t] (Tweedie)
    report("pc_corrected", pred.x0.cast<double>(), stats.evaluations + 1);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics.set("wall_seconds", seconds);
    metrics.save(opt.out / "metrics.json");

    // 6. Samples against the data, and the loss per epoch.
    Figure sample_fig(2, 4, FigureStyle{.panel_width = 330, .panel_height = 330});
    sample_fig.title("Seed 003: reverse-time samples of the learned score (2,000 each)");
    sample_fig.panel(0, 0).title("data (two arcs)").equal_aspect().xlim(-2.5, 2.5).ylim(-2.5, 2.5).scatter(arcs.points, arcs.labels, {.size = 1.0});
    const char* titles[] = {"PC, N(0, I) start (seed)", "reverse SDE only, N(0, I)", "PC, start matched to p_1",
                            "sigma^2-weighted net, matched", "+ Tweedie at t = 0.01 (corrected)"};
    for (Index i = 0; i < 5; ++i)
      sample_fig.panel((i + 1) / 4, (i + 1) % 4).title(titles[i]).equal_aspect().xlim(-2.5, 2.5).ylim(-2.5, 2.5)
          .scatter(ref, ScatterStyle{.size = 1.0, .alpha = 0.3, .color = "#bbbbbb"})
          .scatter(runs[static_cast<std::size_t>(i + 1)].second, ScatterStyle{.size = 1.2, .alpha = 0.6, .color = "#1f77b4"});
    sample_fig.panel(1, 2).title("seed's training loss per epoch").xlabel("epoch").log_y().line(epoch_ids, epoch_loss, {.label = "mean |s + eps/sigma|^2"});
    sample_fig.panel(1, 3).title("sigma^2-weighted loss").xlabel("step").log_y().line(weighted_fit.losses, {.width = 0.6});
    sample_fig.save(opt.out / "samples.svg");
    std::printf("wall time %.1f s\n", seconds);
    return 0;
  });
}
