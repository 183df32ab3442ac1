// Every sampler with the exact OracleDenoiser: its samples match exact mixture samples (MMD²,
// mode balance) on the seed 000 cross mixture and on a skewed full-covariance mixture.
//
// Threshold: with n = 1500 points per side and the Gaussian kernel of width 0.5, the unbiased
// MMD² between two independent exact samples has mean ≈ 0 and standard deviation 5.3e-4 (60
// replicates per mixture; largest 1.8e-3). kMmd = 3e-3 is 5.6 null standard deviations, and the
// last test checks that a 40 % too wide mixture exceeds it, so the check has power.
// Mode fractions (nearest centre) must match those of the exact sample within 0.05: the
// difference of two binomial fractions at p = 0.5, n = 1500 has standard deviation 0.018.
#include "support/catch.hpp"

#include <diffuse/models.hpp>
#include <diffuse/models/sigma_view.hpp>
#include <diffuse/processes/ve.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

#include <string>
#include <vector>

#include "mixtures.hpp"

using namespace diffuse;

namespace {

constexpr Index kPoints = 1500;
constexpr double kMmd = 3e-3;
constexpr double kModeTolerance = 0.05;

struct Case {
  GaussianMixture<double> mixture;
  Matrix<double> exact;      // exact mixture samples
  Matrix<double> noise;      // shared N(0, I) start noise
  std::string name;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  Rng rng(2024);
  for (auto [mixture, name] : {std::pair{sampling_test::cross_mixture(), "cross"},
                               std::pair{sampling_test::skewed_mixture(), "skewed"}}) {
    Matrix<double> exact = mixture.sample(kPoints, rng).points;
    Matrix<double> noise = rng.normal<double>(2, kPoints);
    out.push_back({mixture, exact, noise, name});
  }
  return out;
}

// Samples from x (in place), then checks MMD² and mode balance against the exact sample.
template <class Smp, class D>
Matrix<double> check_matches(const Case& c, Smp sampler, D& model, Matrix<double> x, const std::vector<double>& grid,
                             const std::string& what) {
  Rng rng(77);
  const SampleStats stats = sample(sampler, model, x, grid, rng);
  const double mmd = sampling_test::mmd2(x, c.exact);
  const Vector<double> got = sampling_test::mode_fractions(x, c.mixture.means());
  const Vector<double> want = sampling_test::mode_fractions(c.exact, c.mixture.means());
  INFO(what << " on " << c.name << ": MMD² = " << mmd << ", evaluations = " << stats.evaluations);
  CHECK(mmd < kMmd);
  CHECK((got - want).cwiseAbs().maxCoeff() < kModeTolerance);
  return x;
}

}  // namespace

TEST_CASE("DDPM ancestral with T = 1000 reproduces the mixture with both variances") {
  const DiscreteSchedule<double> schedule(linear_betas(1000, 1e-4, 0.02));
  const auto grid = ddim_timesteps(1000, 1000);
  for (const Case& c : cases()) {
    OracleDenoiser model(c.mixture, schedule);
    const Matrix<double> ddpm = check_matches(c, Ddpm<>{}, model, c.noise, grid, "DDPM fixed_small");
    // DDIM with η = 1 on a 100-step sub-sequence and DDPM on the full chain agree in distribution
    const Matrix<double> ddim = check_matches(c, Ddim<>{.eta = 1}, model, c.noise, ddim_timesteps(1000, 100, Spacing::linspace),
                                              "DDIM eta=1, 100 steps");
    CHECK(sampling_test::mmd2(ddpm, ddim) < kMmd);
    if (c.name == "cross") check_matches(c, Ddpm<>{.variance = DdpmVariance::fixed_large}, model, c.noise, grid, "DDPM fixed_large");
  }
}

TEST_CASE("DDIM, DPM-Solver++ and reverse-diffusion PC on a DDPM schedule match the mixture") {
  const DiscreteSchedule<double> schedule(linear_betas(1000, 1e-4, 0.02));
  for (const Case& c : cases()) {
    OracleDenoiser model(c.mixture, schedule);
    check_matches(c, Ddim<>{}, model, c.noise, ddim_timesteps(1000, 100), "DDIM eta=0, 100 steps");
    check_matches(c, Ddim<>{.clip_x0 = 4.0}, model, c.noise, ddim_timesteps(1000, 100, Spacing::leading), "DDIM clipped");
    check_matches(c, DpmSolverPP2M<>{}, model, c.noise, ddim_timesteps(1000, 30), "DPM-Solver++(2M), 30 steps");
    check_matches(c, PredictorCorrector<>{}, model, c.noise, ddim_timesteps(1000, 100), "PC reverse diffusion + Langevin");
  }
}

TEST_CASE("reverse SDE, probability flow and PC on continuous processes match the mixture") {
  const VpProcess<double> vp;
  const VeProcess<double> ve(0.01, 50);
  for (const Case& c : cases()) {
    OracleDenoiser model(c.mixture, vp);
    check_matches(c, ReverseEulerMaruyama<>{}, model, c.noise, uniform_grid(1.0, 1e-3, 200), "reverse SDE (VP)");
    check_matches(c, ProbabilityFlow<>{}, model, c.noise, uniform_grid(1.0, 1e-3, 40), "PF-ODE Heun (VP)");
    check_matches(c, ProbabilityFlow<>{.method = OdeMethod::rk4}, model, c.noise, uniform_grid(1.0, 1e-3, 15), "PF-ODE RK4 (VP)");
    check_matches(c, PredictorCorrector<>{.predictor = Predictor::euler_maruyama}, model, c.noise,
                  uniform_grid(1.0, 1e-3, 150), "PC Euler-Maruyama + Langevin (VP)");
    OracleDenoiser ve_model(c.mixture, ve);
    check_matches(c, PredictorCorrector<>{}, ve_model, Matrix<double>(50 * c.noise), uniform_grid(1.0, 1e-5, 200),
                  "PC reverse diffusion + Langevin (VE)");
  }
}

TEST_CASE("EDM Heun, DPM-Solver++ and annealed Langevin on sigma levels match the mixture") {
  const auto karras = karras_sigmas(40, {.sigma_min = 0.002, .sigma_max = 80});
  for (const Case& c : cases()) {
    OracleDenoiser<SigmaLevels<double>> model(c.mixture, {});
    const Matrix<double> start = 80 * c.noise;
    check_matches(c, EdmHeun<>{}, model, start, karras, "EDM Heun deterministic");
    check_matches(c, EdmHeun<>{.s_churn = 40, .s_min = 0.05, .s_max = 50, .s_noise = 1.003}, model, start, karras,
                  "EDM Heun stochastic");
    check_matches(c, DpmSolverPP2M<>{}, model, start, karras_sigmas(20, {.sigma_min = 0.002, .sigma_max = 80}),
                  "DPM-Solver++(2M), Karras 20");
    check_matches(c, AnnealedLangevin<>{.steps_per_level = 40, .step_size = 5e-5, .sigma_ref = 0.01}, model,
                  Matrix<double>(5 * c.noise), geometric_sigmas(5.0, 0.01, 8), "annealed Langevin");
  }
}

TEST_CASE("EDM Heun, Euler and DPM-Solver++ through the sigma-space view of DDPM and VP models match the mixture") {
  // the samplers run on x̃ = x/α at σ̃ = σ/α; the view's clean end (σ̃ = 0) is x0 itself
  const DiscreteSchedule<double> schedule(linear_betas(1000, 1e-4, 0.02));
  const VpProcess<double> vp;
  for (const Case& c : cases()) {
    OracleDenoiser ddpm_model(c.mixture, schedule);
    SigmaView ddpm_view(ddpm_model);
    const Matrix<double> ddpm_start = ddpm_view.sigma_max() * c.noise;
    check_matches(c, EdmHeun<>{}, ddpm_view, ddpm_start, ddpm_view.karras_sigmas(18), "EDM Heun 18, DDPM view");
    check_matches(c, EdmHeun<>{.s_churn = 40, .s_min = 0.05, .s_max = 50, .s_noise = 1.003}, ddpm_view, ddpm_start,
                  ddpm_view.karras_sigmas(40), "EDM Heun 40 with churn, DDPM view");
    check_matches(c, DpmSolverPP2M<>{}, ddpm_view, ddpm_start, ddpm_view.karras_sigmas(20), "DPM-Solver++ 20, DDPM view");
    check_matches(c, EdmEuler<>{}, ddpm_view, ddpm_start, ddpm_view.karras_sigmas(100), "Euler 100, DDPM view");
    OracleDenoiser vp_model(c.mixture, vp);
    SigmaView vp_view(vp_model);
    check_matches(c, EdmHeun<>{}, vp_view, Matrix<double>(vp_view.sigma_max() * c.noise), vp_view.karras_sigmas(18),
                  "EDM Heun 18, VP view");
  }
}

TEST_CASE("the k-diffusion family in sigma-space matches the mixture") {
  const auto karras = karras_sigmas(30, {.sigma_min = 0.002, .sigma_max = 80});
  const std::vector<double> ends = {80, 0.002};
  for (const Case& c : cases()) {
    OracleDenoiser<SigmaLevels<double>> model(c.mixture, {});
    const Matrix<double> start = 80 * c.noise;
    check_matches(c, EdmEuler<>{}, model, start, karras_sigmas(200, {.sigma_min = 0.002, .sigma_max = 80}), "Euler 200");
    check_matches(c, EulerAncestral<>{}, model, start, karras_sigmas(200, {.sigma_min = 0.002, .sigma_max = 80}),
                  "Euler ancestral 200");
    check_matches(c, Dpm2<>{}, model, start, karras, "DPM-2");
    check_matches(c, Dpm2<>{.s_churn = 20, .s_min = 0.05, .s_max = 50}, model, start, karras, "DPM-2 with churn");
    check_matches(c, Dpm2Ancestral<>{}, model, start, karras_sigmas(60, {.sigma_min = 0.002, .sigma_max = 80}), "DPM-2 ancestral 60");
    check_matches(c, Lms<>{}, model, start, karras, "LMS order 4");
    check_matches(c, DpmSolverPP2SAncestral<>{}, model, start, karras_sigmas(60, {.sigma_min = 0.002, .sigma_max = 80}),
                  "DPM++(2S) ancestral 60");
    check_matches(c, DpmSolverPPSde<>{}, model, start, karras, "DPM++ SDE");
    check_matches(c, DpmSolverPP2MSde<>{}, model, start, karras_sigmas(60, {.sigma_min = 0.002, .sigma_max = 80}),
                  "DPM++(2M) SDE midpoint 60");
    check_matches(c, DpmSolverPP2MSde<>{.solver = SecondOrder::heun}, model, start,
                  karras_sigmas(60, {.sigma_min = 0.002, .sigma_max = 80}), "DPM++(2M) SDE heun 60");
    check_matches(c, DpmSolverPP3MSde<>{}, model, start, karras_sigmas(60, {.sigma_min = 0.002, .sigma_max = 80}),
                  "DPM++(3M) SDE 60");
    check_matches(c, DpmSolverPP3MSde<>{.eta = 0}, model, start, karras, "DPM++(3M) ODE");
    check_matches(c, DpmSolverFast<>{.nfe = 30}, model, start, ends, "DPM-Solver-fast, 30 NFE");
    check_matches(c, DpmSolverAdaptive<>{}, model, start, ends, "DPM-Solver-23 adaptive");
  }
}

TEST_CASE("EDM's general sampler matches the mixture with every discretisation, schedule and scaling") {
  using E = EdmAblation;
  const E configurations[] = {
      {},
      {.num_steps = 40, .s_churn = 40, .s_min = 0.05, .s_max = 50, .s_noise = 1.003},
      {.num_steps = 100, .solver = E::Solver::euler},
      {.num_steps = 18, .alpha = 0.5},
      {.num_steps = 40, .discretization = E::Discretization::vp, .schedule = E::Schedule::vp, .scaling = E::Scaling::vp},
      {.num_steps = 40, .discretization = E::Discretization::ve, .schedule = E::Schedule::ve},
      {.num_steps = 40, .discretization = E::Discretization::iddpm},
  };
  for (const Case& c : cases()) {
    OracleDenoiser<SigmaLevels<double>> model(c.mixture, {});
    int k = 0;
    for (const E& o : configurations) {
      Matrix<double> x = c.noise;
      Rng rng(77);
      const SampleStats stats = edm_ablation_sample(model, x, o, rng);
      const double mmd = sampling_test::mmd2(x, c.exact);
      INFO("configuration " << k++ << " on " << c.name << ": MMD² = " << mmd << ", evaluations = " << stats.evaluations);
      CHECK(mmd < kMmd);
      CHECK(stats.evaluations == (o.solver == E::Solver::euler ? o.num_steps : 2 * o.num_steps - 1));
    }
  }
}

TEST_CASE("the MMD check has power: a too wide mixture fails it") {
  const Case c = cases().front();
  Matrix<double> means = c.mixture.means();
  const GaussianMixture<double> wide(means, Vector<double>::Constant(5, 0.35), Vector<double>::Ones(5));
  Rng rng(5);
  CHECK(sampling_test::mmd2(wide.sample(kPoints, rng).points, c.exact) > kMmd);
}

TEST_CASE("DDIM with eta = 1 on the full chain is DDPM with the posterior variance, step for step") {
  const DiscreteSchedule<double> schedule(linear_betas(50, 1e-4, 0.035));
  OracleDenoiser model(sampling_test::cross_mixture(), schedule);
  Rng start(1);
  Matrix<double> a = start.normal<double>(2, 300), b = a;
  Rng r1(9), r2(9);
  Ddim<> ddim{.eta = 1};
  Ddpm<> ddpm{};
  sample(ddim, model, a, ddim_timesteps(50, 50), r1);
  sample(ddpm, model, b, ddim_timesteps(50, 50), r2);
  CHECK((a - b).cwiseAbs().maxCoeff() < 1e-10);
}

TEST_CASE("DDPM steps reproduce the seed 000 and seed 001 update rules") {
  const DiscreteSchedule<double> s(linear_betas(50, 1e-4, 0.035));
  OracleDenoiser model(sampling_test::cross_mixture(), s);
  Rng start(4);
  const Matrix<double> x = start.normal<double>(2, 20);
  Prediction<double> pred;
  model.predict(x, 30.0, pred);
  // seed 001: x_{t−1} = (x_t − β_t/√(1 − ᾱ_t) ε̂)/√α_t + √β_t z, with z from the same stream
  for (auto variance : {DdpmVariance::fixed_large, DdpmVariance::fixed_small}) {
    Matrix<double> y = x;
    Rng r(3), rz(3);
    Ddpm<> ddpm{.variance = variance};
    ddpm.step(model, y, 30.0, 29.0, r);
    const Matrix<double> z = rz.normal<double>(2, 20);
    const double beta = s.betas()(30), var = variance == DdpmVariance::fixed_large ? beta : s.posterior_variances()(30);
    const Matrix<double> want = (x - beta / s.sigma(30.0) * pred.eps) / std::sqrt(s.alphas()(30)) + std::sqrt(var) * z;
    CHECK((y - want).cwiseAbs().maxCoeff() < 1e-12);
  }
  // seed 000 DDIM eta = 0: x_{t−1} = √ᾱ_{t−1} x̂0 + √(1 − ᾱ_{t−1}) ε̂; final step returns x̂0
  Matrix<double> y = x;
  Rng r(0);
  Ddim<> ddim{};
  ddim.step(model, y, 30.0, 29.0, r);
  CHECK((y - (s.alpha(29.0) * pred.x0 + s.sigma(29.0) * pred.eps)).cwiseAbs().maxCoeff() < 1e-12);
  y = x;
  ddim.step(model, y, 0.0, -1.0, r);
  model.predict(x, 0.0, pred);
  CHECK((y - pred.x0).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("annealed Langevin forms agree when the overdamped step is half the other") {
  OracleDenoiser<SigmaLevels<double>> model(sampling_test::cross_mixture(), {});
  Rng start(8);
  Matrix<double> a = start.normal<double>(2, 100), b = a;
  const std::vector<double> levels{1.0, 0.6, 0.35, 0.2, 0.12, 0.07, 0.0};  // seed 000
  AnnealedLangevin<> seed000{.steps_per_level = 10, .step_size = 1.6e-4, .sigma_ref = 0.07, .form = LangevinForm::overdamped};
  AnnealedLangevin<> seed002{.steps_per_level = 10, .step_size = 3.2e-4, .sigma_ref = 0.07, .form = LangevinForm::half_step};
  Rng r1(2), r2(2);
  const SampleStats stats = sample(seed000, model, a, levels, r1);
  sample(seed002, model, b, levels, r2);
  CHECK(stats.evaluations == 60);
  CHECK(seed000.evals_per_step == 10);
  CHECK((a - b).cwiseAbs().maxCoeff() < 1e-12);
}
