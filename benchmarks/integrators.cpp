// Euler–Maruyama and RK4 steps on 2 x 100,000 float batches (items = samples advanced per second).
#include <benchmark/benchmark.h>

#include <diffuse/integrators.hpp>
#include <diffuse/processes/ornstein_uhlenbeck.hpp>

namespace {

constexpr diffuse::Index kBatch = 100000;

void BM_EulerMaruyamaOu(benchmark::State& state) {
  const diffuse::OrnsteinUhlenbeck<float> ou(0.5f, 0.0f, 0.5f);
  diffuse::Rng rng(0);
  diffuse::Matrix<float> x = rng.normal<float>(2, kBatch);
  diffuse::EulerMaruyama<float> em;
  float t = 0;
  for (auto _ : state) {
    em.step(ou, x, t, t + 0.01f, rng);
    t += 0.01f;
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_EulerMaruyamaOu)->Unit(benchmark::kMillisecond);

void BM_Rk4Ou(benchmark::State& state) {
  const diffuse::OrnsteinUhlenbeck<float> ou(0.5f, 0.0f, 0.5f);
  diffuse::Rng rng(0);
  diffuse::Matrix<float> x = rng.normal<float>(2, kBatch);
  diffuse::Rk4<float> rk4;
  float t = 0;
  for (auto _ : state) {
    rk4.step(ou, x, t, t + 0.01f, rng);
    t += 0.01f;
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_Rk4Ou)->Unit(benchmark::kMillisecond);

}  // namespace
BENCHMARK_MAIN();
