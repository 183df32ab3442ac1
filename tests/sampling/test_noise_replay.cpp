// Every stochastic sampler and SDE stepper replays its draws: a run with RecordingNoise(Rng) and
// a run with ReplayNoise of the recorded draws are bitwise the plain Rng run, and the number and
// shapes of the draws per step are the ones documented in each sampler's header.
#include "support/catch.hpp"

#include <diffuse/core/noise.hpp>
#include <diffuse/integrators/integrate.hpp>
#include <diffuse/integrators/sde_steppers.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/processes/ornstein_uhlenbeck.hpp>
#include <diffuse/processes/ve.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

#include <string>
#include <vector>

#include "mixtures.hpp"

using namespace diffuse;

namespace {

constexpr Index kDim = 2, kBatch = 7;

// Runs `sampler` three ways from the same start and checks bitwise equality, the draw count and
// every draw's shape.
template <class Smp, class D>
void check_replays(const Smp& sampler, D& model, const Matrix<double>& start, const std::vector<double>& grid,
                   std::size_t expected_draws, const std::string& what) {
  INFO(what);
  Matrix<double> plain = start, recorded = start, replayed = start;
  Rng rng(11), recorded_rng(11);
  Smp a = sampler, b = sampler, c = sampler;
  sample(a, model, plain, grid, rng);
  RecordingNoise recording(recorded_rng);
  sample(b, model, recorded, grid, recording);
  ReplayNoise replay(recording.draws());
  sample(c, model, replayed, grid, replay);
  CHECK(recording.size() == expected_draws);
  for (const Matrix<double>& draw : recording.draws()) CHECK((draw.rows() == kDim && draw.cols() == kBatch));
  CHECK(replay.remaining() == 0);
  CHECK(plain == recorded);
  CHECK(plain == replayed);
  // the draws are what the plain run drew: the next draw of both generators is the same
  CHECK(rng.normal<double>() == recorded_rng.normal<double>());
}

// The message of the diffuse::Error that f throws ("" when it throws none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("DDPM and DDIM replay their draws, with the documented count per step") {
  const DiscreteSchedule<double> schedule(linear_betas(20, 1e-4, 0.2));
  OracleDenoiser model(sampling_test::cross_mixture(), schedule);
  Rng rng(1);
  const Matrix<double> start = rng.normal<double>(kDim, kBatch);
  const auto full = ddim_timesteps(20, 20), sub = ddim_timesteps(20, 5);
  // one draw per step except the last (variance 0 at σ = 0)
  check_replays(Ddpm<>{}, model, start, full, 19, "DDPM fixed_small");
  check_replays(Ddpm<>{.variance = DdpmVariance::fixed_large}, model, start, full, 19, "DDPM fixed_large");
  // η > 0: one draw where σ_η > 0 (not the last step); every_step: one at every step
  check_replays(Ddim<>{.eta = 1}, model, start, sub, 4, "DDIM eta = 1");
  check_replays(Ddim<>{.eta = 0.5, .draws = NoiseDraws::every_step}, model, start, sub, 5, "DDIM every_step");
  check_replays(Ddim<>{.draws = NoiseDraws::every_step}, model, start, sub, 0, "DDIM eta = 0 never draws");
}

TEST_CASE("EDM Heun and Euler with churn replay their draws, drawing only where churn applies or at every step") {
  OracleDenoiser<SigmaLevels<double>> model(sampling_test::cross_mixture(), {});
  Rng rng(2);
  const Matrix<double> start = 80 * rng.normal<double>(kDim, kBatch);
  const auto grid = karras_sigmas(10, {.sigma_min = 0.002, .sigma_max = 80});
  std::size_t in_range = 0;  // steps that start at σ ∈ [0.05, 50]
  for (std::size_t k = 0; k + 1 < grid.size(); ++k) in_range += grid[k] >= 0.05 && grid[k] <= 50;
  REQUIRE((in_range > 2 && in_range < 9));
  check_replays(EdmHeun<>{.s_churn = 20, .s_min = 0.05, .s_max = 50}, model, start, grid, in_range, "EDM Heun churn");
  check_replays(EdmHeun<>{.s_churn = 20, .s_min = 0.05, .s_max = 50, .draws = NoiseDraws::every_step}, model, start,
                grid, 10, "EDM Heun churn, every_step");
  check_replays(EdmHeun<>{.draws = NoiseDraws::every_step}, model, start, grid, 10, "EDM Heun without churn, every_step");
  check_replays(EdmEuler<>{.s_churn = 20, .s_min = 0.05, .s_max = 50}, model, start, grid, in_range, "Euler churn");
  check_replays(EdmEuler<>{.draws = NoiseDraws::every_step}, model, start, grid, 10, "Euler every_step");
  // without churn the every_step draws are multiplied by zero: the deterministic result
  Matrix<double> deterministic = start, every = start;
  EdmHeun<> plain{}, drawing{.draws = NoiseDraws::every_step};
  sample(plain, model, deterministic, grid, rng);
  sample(drawing, model, every, grid, rng);
  CHECK(deterministic == every);
}

TEST_CASE("annealed Langevin, predictor-corrector and the reverse SDE replay their draws") {
  OracleDenoiser<SigmaLevels<double>> sigma_model(sampling_test::cross_mixture(), {});
  Rng rng(3);
  const Matrix<double> start = rng.normal<double>(kDim, kBatch);
  // K draws per level
  check_replays(AnnealedLangevin<>{.steps_per_level = 4, .step_size = 1e-4, .sigma_ref = 0.01}, sigma_model,
                Matrix<double>(5 * start), geometric_sigmas(5.0, 0.01, 6), 6 * 4, "annealed Langevin");
  const VpProcess<double> vp;
  OracleDenoiser vp_model(sampling_test::cross_mixture(), vp);
  const auto grid = uniform_grid(1.0, 1e-3, 12);
  // corrector_steps + 1 per step: corrector draws first, then the predictor's
  check_replays(PredictorCorrector<>{.corrector_steps = 2}, vp_model, start, grid, 12 * 3, "PC reverse diffusion");
  check_replays(PredictorCorrector<>{.predictor = Predictor::euler_maruyama}, vp_model, start, grid, 12 * 2, "PC EM");
  check_replays(ReverseEulerMaruyama<>{}, vp_model, start, grid, 12, "reverse SDE");
  // deterministic samplers draw nothing
  check_replays(ProbabilityFlow<>{}, vp_model, start, grid, 0, "probability flow");
  check_replays(DpmSolverPP2M<>{}, vp_model, start, grid, 0, "DPM-Solver++(2M)");
}

TEST_CASE("predictor-corrector draws corrector then predictor, as score_sde does") {
  // With one corrector step, draw 2k is the corrector's and 2k + 1 the predictor's: swapping the
  // roles of the two draws of the first step changes the result.
  const VeProcess<double> ve(0.01, 10);
  OracleDenoiser model(sampling_test::cross_mixture(), ve);
  Rng rng(4), recorded_rng(4);
  const Matrix<double> start = 10 * rng.normal<double>(kDim, kBatch);
  const auto grid = uniform_grid(1.0, 0.5, 1);
  RecordingNoise recording(recorded_rng);
  Matrix<double> x = start;
  PredictorCorrector<> pc{};
  sample(pc, model, x, grid, recording);
  REQUIRE(recording.size() == 2);
  // recompute the step by hand: corrector with draw 0, predictor with draw 1
  const Matrix<double>& z_c = recording.draws()[0];
  const Matrix<double>& z_p = recording.draws()[1];
  Prediction<double> pred;
  Matrix<double> y = start;
  const double sigma = ve.sigma(1.0), sigma_next = ve.sigma(0.5);
  model.predict(y, 1.0, pred);
  const double score_norm = pred.eps.colwise().norm().mean() / sigma, noise_norm = z_c.colwise().norm().mean();
  const double eps_l = 2 * (0.16 * noise_norm / score_norm) * (0.16 * noise_norm / score_norm);
  y += (-eps_l / sigma) * pred.eps + std::sqrt(2 * eps_l) * z_c;
  model.predict(y, 1.0, pred);
  const double b2 = sigma * sigma - sigma_next * sigma_next;
  y = y - (b2 / sigma) * pred.eps + std::sqrt(b2) * z_p;
  CHECK((x - y).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("integrate() replays the draws of Euler-Maruyama and of the exact OU step") {
  const OrnsteinUhlenbeck<double> ou(1.5, 0.3, 0.8);
  Rng rng(5);
  const Matrix<double> start = rng.normal<double>(kDim, kBatch);
  const TimeGrid<double> grid = TimeGrid<double>::uniform(0.0, 1.0, 9);
  auto run = [&](auto stepper, auto& noise) {
    Matrix<double> x = start;
    integrate(stepper, ou, x, grid, noise);
    return x;
  };
  for (int exact = 0; exact < 2; ++exact) {
    Rng plain_rng(9), recorded_rng(9);
    RecordingNoise recording(recorded_rng);
    const Matrix<double> plain = exact ? run(ExactOuStep<double>{}, plain_rng) : run(EulerMaruyama<double>{}, plain_rng);
    const Matrix<double> recorded = exact ? run(ExactOuStep<double>{}, recording) : run(EulerMaruyama<double>{}, recording);
    ReplayNoise replay(recording.draws());
    const Matrix<double> replayed = exact ? run(ExactOuStep<double>{}, replay) : run(EulerMaruyama<double>{}, replay);
    CHECK(recording.size() == 9);  // one draw per step
    CHECK(plain == recorded);
    CHECK(plain == replayed);
  }
}

TEST_CASE("float runs replay bitwise through double-held draws") {
  OracleDenoiser<SigmaLevels<float>> model(sampling_test::cross_mixture(), {});
  Rng rng(6), recorded_rng(6);
  const Matrix<float> start = 80.0f * Rng(7).normal<float>(kDim, kBatch);
  const auto grid = karras_sigmas<float>(8, {.sigma_min = 0.002, .sigma_max = 80});
  Matrix<float> plain = start, recorded = start, replayed = start;
  sample(EdmHeun<float>{.s_churn = 10}, model, plain, grid, rng);
  RecordingNoise recording(recorded_rng);
  sample(EdmHeun<float>{.s_churn = 10}, model, recorded, grid, recording);
  sample(EdmHeun<float>{.s_churn = 10}, model, replayed, grid, ReplayNoise(recording.draws()));
  CHECK(plain == recorded);
  CHECK(plain == replayed);
}

TEST_CASE("ReplayNoise names the draw that runs out or has the wrong shape") {
  OracleDenoiser<SigmaLevels<double>> model(sampling_test::cross_mixture(), {});
  Matrix<double> x = Matrix<double>::Zero(kDim, kBatch);
  const auto grid = karras_sigmas(4, {.sigma_min = 0.002, .sigma_max = 80});
  std::vector<Matrix<double>> draws(2, Matrix<double>::Zero(kDim, kBatch));
  const std::string ran_out =
      error_of([&] { sample(EdmEuler<>{.draws = NoiseDraws::every_step}, model, x, grid, ReplayNoise(draws)); });
  CHECK(ran_out.find("diffuse::ReplayNoise: ran out of draws: the sampler asks for draw 2") == 0);
  draws.push_back(Matrix<double>::Zero(kBatch, kDim));  // a transposed third draw
  draws.push_back(Matrix<double>::Zero(kDim, kBatch));
  const std::string wrong_shape =
      error_of([&] { sample(EdmEuler<>{.draws = NoiseDraws::every_step}, model, x, grid, ReplayNoise(draws)); });
  CHECK(wrong_shape.find("draw 2 has the wrong shape (got 7x2, expected 2x7") != std::string::npos);
}

TEST_CASE("the k-diffusion family replays its draws, with the documented count per step") {
  OracleDenoiser<SigmaLevels<double>> model(sampling_test::cross_mixture(), {});
  Rng rng(12);
  const Matrix<double> start = 80 * rng.normal<double>(kDim, kBatch);
  const auto grid = karras_sigmas(10, {.sigma_min = 0.002, .sigma_max = 80});  // 10 steps, the last to 0
  const std::vector<double> ends = {80, 0.002};
  const auto every = NoiseDraws::every_step;
  // ancestral samplers: one draw per step except the last; eta = 0 draws only with every_step
  check_replays(EulerAncestral<>{}, model, start, grid, 9, "Euler ancestral");
  check_replays(EulerAncestral<>{.eta = 0}, model, start, grid, 0, "Euler ancestral, eta = 0");
  check_replays(EulerAncestral<>{.eta = 0, .draws = every}, model, start, grid, 9, "Euler ancestral, eta = 0, every_step");
  check_replays(Dpm2Ancestral<>{}, model, start, grid, 9, "DPM-2 ancestral");
  check_replays(DpmSolverPP2SAncestral<>{.draws = every}, model, start, grid, 9, "DPM++(2S) ancestral");
  check_replays(Dpm2<>{.s_churn = 20, .draws = every}, model, start, grid, 10, "DPM-2 with churn, every_step");
  // two draws per step except the last
  check_replays(DpmSolverPPSde<>{}, model, start, grid, 18, "DPM++ SDE");
  check_replays(DpmSolverPPSde<>{.eta = 0}, model, start, grid, 0, "DPM++ SDE, eta = 0");
  check_replays(DpmSolverPPSde<>{.eta = 0, .draws = every}, model, start, grid, 18, "DPM++ SDE, eta = 0, every_step");
  // multistep SDEs: one per step except the last, none with eta = 0
  check_replays(DpmSolverPP2MSde<>{}, model, start, grid, 9, "DPM++(2M) SDE");
  check_replays(DpmSolverPP2MSde<>{.eta = 0}, model, start, grid, 0, "DPM++(2M) SDE, eta = 0");
  check_replays(DpmSolverPP3MSde<>{}, model, start, grid, 9, "DPM++(3M) SDE");
  // DPM-Solver-fast: one per own step (nfe = 10: orders 3, 3, 3, 1) where σ_up > 0 — not the
  // last, which ends at σ_min — or after every step with every_step
  check_replays(DpmSolverFast<>{.nfe = 10, .eta = 0.5}, model, start, ends, 3, "DPM-Solver-fast, eta = 0.5");
  check_replays(DpmSolverFast<>{.nfe = 10, .draws = every}, model, start, ends, 4, "DPM-Solver-fast, every_step");
  // adaptive: one per accepted step with every_step
  DpmSolverAdaptive<> adaptive{.eta = 0.3, .draws = every};
  Matrix<double> x = start;
  Rng same_as_check(11);  // check_replays draws from Rng(11): the accepted steps depend on the noise
  sample(adaptive, model, x, ends, same_as_check);
  check_replays(adaptive, model, start, ends, static_cast<std::size_t>(adaptive.work.stats.accepted),
                "DPM-Solver adaptive, eta = 0.3, every_step");
}
