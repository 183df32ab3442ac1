// Per-step cost of every sampler on 100,000 2D points (items/s = points moved per second), with
// the exact oracle of the seed 000 cross mixture and with seed 000's TinyDiffusionMLP behind a
// NoiseModel. One iteration is one sampler step; float throughout.
#include <benchmark/benchmark.h>

#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/models.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

namespace {

using namespace diffuse;
constexpr Index kPoints = 100000;

GaussianMixture<float> cross() {
  Matrix<float> means(2, 5);
  means << -2.5f, 2.5f, 0.0f, 0.0f, 0.0f,  //
      0.0f, 0.0f, 2.5f, -2.5f, 0.0f;
  return {means, Vector<float>::Constant(5, 0.25f), Vector<float>::Ones(5)};
}

// Runs sampler.step(t -> t_next) once per iteration on the same batch.
template <class Smp, class D>
void run_steps(benchmark::State& state, Smp sampler, D& model, float t, float t_next) {
  Rng rng(1);
  Matrix<float> x = rng.normal<float>(2, kPoints);
  const Matrix<float> start = x;
  for (auto _ : state) {
    x = start;
    sampler.step(model, x, t, t_next, rng);
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}

const DiscreteSchedule<float>& schedule() {
  static const DiscreteSchedule<float> s(linear_betas(50, 1e-4, 0.035));
  return s;
}

void oracle_ddpm(benchmark::State& state) {
  OracleDenoiser model(cross(), schedule());
  run_steps(state, Ddpm<float>{}, model, 30.0f, 29.0f);
}
void oracle_ddim(benchmark::State& state) {
  OracleDenoiser model(cross(), schedule());
  run_steps(state, Ddim<float>{}, model, 30.0f, 29.0f);
}
void oracle_dpm_solver_2m(benchmark::State& state) {
  OracleDenoiser model(cross(), schedule());
  run_steps(state, DpmSolverPP2M<float>{}, model, 30.0f, 29.0f);
}
void oracle_langevin_1_step(benchmark::State& state) {
  OracleDenoiser<SigmaLevels<float>> model(cross(), {});
  run_steps(state, AnnealedLangevin<float>{.steps_per_level = 1}, model, 0.5f, 0.3f);
}
void oracle_reverse_sde(benchmark::State& state) {
  OracleDenoiser model(cross(), VpProcess<float>());
  run_steps(state, ReverseEulerMaruyama<float>{}, model, 0.5f, 0.49f);
}
void oracle_probability_flow_heun(benchmark::State& state) {
  OracleDenoiser model(cross(), VpProcess<float>());
  run_steps(state, ProbabilityFlow<float>{}, model, 0.5f, 0.49f);
}
void oracle_predictor_corrector(benchmark::State& state) {
  OracleDenoiser model(cross(), VpProcess<float>());
  run_steps(state, PredictorCorrector<float>{}, model, 0.5f, 0.49f);
}
void oracle_edm_heun(benchmark::State& state) {
  OracleDenoiser<SigmaLevels<float>> model(cross(), {});
  run_steps(state, EdmHeun<float>{}, model, 1.0f, 0.8f);
}

// The σ-space family, one entry each, on the oracle in σ-space (multistep samplers after a warm-up step).
template <class Smp>
void oracle_sigma_space(benchmark::State& state, Smp sampler) {
  OracleDenoiser<SigmaLevels<float>> model(cross(), {});
  run_steps(state, sampler, model, 1.0f, 0.8f);
}
void oracle_edm_euler(benchmark::State& state) { oracle_sigma_space(state, EdmEuler<float>{}); }
void oracle_euler_ancestral(benchmark::State& state) { oracle_sigma_space(state, EulerAncestral<float>{}); }
void oracle_dpm_2(benchmark::State& state) { oracle_sigma_space(state, Dpm2<float>{}); }
void oracle_dpm_2_ancestral(benchmark::State& state) { oracle_sigma_space(state, Dpm2Ancestral<float>{}); }
void oracle_lms(benchmark::State& state) { oracle_sigma_space(state, Lms<float>{}); }
void oracle_dpmpp_2s_ancestral(benchmark::State& state) { oracle_sigma_space(state, DpmSolverPP2SAncestral<float>{}); }
void oracle_dpmpp_sde(benchmark::State& state) { oracle_sigma_space(state, DpmSolverPPSde<float>{}); }
void oracle_dpmpp_2m_sde(benchmark::State& state) { oracle_sigma_space(state, DpmSolverPP2MSde<float>{}); }
void oracle_dpmpp_3m_sde(benchmark::State& state) { oracle_sigma_space(state, DpmSolverPP3MSde<float>{}); }
// One run of DPM-Solver-fast with a budget of 10 evaluations from σ = 1 to 0.8 per iteration.
void oracle_dpm_fast_10(benchmark::State& state) { oracle_sigma_space(state, DpmSolverFast<float>{.nfe = 10}); }
// A DDPM model through the σ-space view: the view's own cost on top of the oracle.
void oracle_view_edm_heun(benchmark::State& state) {
  OracleDenoiser model(cross(), schedule());
  SigmaView view(model);
  run_steps(state, EdmHeun<float>{}, view, view.sigma_of(30.0f), view.sigma_of(29.5f));
}

// Seed 000's TinyDiffusionMLP (34 -> 96 -> 96 -> 96 -> 2, SiLU) predicting ε with input t/(T−1).
void network_ddim(benchmark::State& state) {
  Rng rng(3);
  auto net = tiny_diffusion_mlp<float>(rng);
  NoiseModel model(net, schedule(), {.input = NoiseInput::normalised_step, .train_steps = 50});
  run_steps(state, Ddim<float>{}, model, 30.0f, 29.0f);
}
void network_ddpm(benchmark::State& state) {
  Rng rng(3);
  auto net = tiny_diffusion_mlp<float>(rng);
  NoiseModel model(net, schedule(), {.input = NoiseInput::normalised_step, .train_steps = 50});
  run_steps(state, Ddpm<float>{}, model, 30.0f, 29.0f);
}

}  // namespace

BENCHMARK(oracle_ddpm)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_ddim)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_dpm_solver_2m)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_langevin_1_step)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_reverse_sde)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_probability_flow_heun)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_predictor_corrector)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_edm_heun)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_edm_euler)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_euler_ancestral)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_dpm_2)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_dpm_2_ancestral)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_lms)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_dpmpp_2s_ancestral)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_dpmpp_sde)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_dpmpp_2m_sde)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_dpmpp_3m_sde)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_dpm_fast_10)->Unit(benchmark::kMillisecond);
BENCHMARK(oracle_view_edm_heun)->Unit(benchmark::kMillisecond);
BENCHMARK(network_ddim)->Unit(benchmark::kMillisecond);
BENCHMARK(network_ddpm)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
