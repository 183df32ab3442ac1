// Two-sample metrics at the size the examples report: 2 x 10,000 generated against 2 x 10,000
// reference samples (float). Counters: pairs/s and samples/s (items = pairs evaluated).
#include <benchmark/benchmark.h>

#include <diffuse/core/rng.hpp>
#include <diffuse/metrics.hpp>

namespace {

diffuse::Matrix<float> batch(std::uint64_t seed, diffuse::Index n) {
  diffuse::Rng rng(seed);
  return rng.normal<float>(2, n);
}

// Pairs evaluated by one call: n(n-1)/2 within x, the same within y, n² across.
double pairs(double n) { return n * (n - 1) + n * n; }

void mmd2(benchmark::State& state) {
  const auto n = static_cast<diffuse::Index>(state.range(0));
  const diffuse::Matrix<float> x = batch(1, n), y = batch(2, n);
  for (auto _ : state) benchmark::DoNotOptimize(diffuse::mmd2(x, y));
  state.counters["pairs/s"] = benchmark::Counter(pairs(static_cast<double>(n)), benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(state.iterations() * 2 * n);
}

void energy_distance(benchmark::State& state) {
  const auto n = static_cast<diffuse::Index>(state.range(0));
  const diffuse::Matrix<float> x = batch(1, n), y = batch(2, n);
  for (auto _ : state) benchmark::DoNotOptimize(diffuse::energy_distance(x, y));
  state.counters["pairs/s"] = benchmark::Counter(pairs(static_cast<double>(n)), benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(state.iterations() * 2 * n);
}

void sliced_wasserstein(benchmark::State& state) {
  const auto n = static_cast<diffuse::Index>(state.range(0));
  const diffuse::Matrix<float> x = batch(1, n), y = batch(2, n);
  diffuse::Rng rng(3);
  for (auto _ : state) benchmark::DoNotOptimize(diffuse::sliced_wasserstein(x, y, 64, rng));
  state.SetItemsProcessed(state.iterations() * 2 * n);
}

}  // namespace

BENCHMARK(mmd2)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(energy_distance)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(sliced_wasserstein)->Arg(10000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
