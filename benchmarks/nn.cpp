// Speed of the seed networks (float, one thread): forward, forward + backward, and a full
// training step (zero_grad, forward, MSE gradient, backward, clipping for seed 002, Adam).
// FLOP counts: 2·in·out per sample per Linear for the forward pass, twice that for backward.
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <diffuse/nn/gemm.hpp>
#include <diffuse/nn/optimizers.hpp>
#include <diffuse/nn/seed_networks.hpp>

namespace {

using diffuse::Index;
using diffuse::Matrix;

// Forward FLOPs per sample: 2·in·out summed over every Linear of the body and the embeddings.
template <class Net>
double forward_flops_per_sample(const Net& net) {
  double flops = 0;
  for (const auto& t : net.tensors())
    if (t.shape.size() == 2 && t.name.find("weight") != std::string::npos && t.name.find("time_embed") == std::string::npos)
      flops += 2.0 * static_cast<double>(t.shape[0]) * static_cast<double>(t.shape[1]);
  return flops;
}

struct Seed000 {
  static auto make(diffuse::Rng& rng) { return diffuse::tiny_diffusion_mlp<float>(rng); }
  static constexpr bool clip = false;
};
struct Seed002 {
  static auto make(diffuse::Rng& rng) { return diffuse::score_network<float>(rng); }
  static constexpr bool clip = true;
};

Matrix<float> input_for(Index rows, Index n, diffuse::Rng& rng) {
  Matrix<float> x = rng.normal<float>(rows, n);
  x.row(2).setConstant(0.25f);  // noise-level row
  return x;
}

void report(benchmark::State& state, double flops_per_sample, Index n) {
  const double items = static_cast<double>(state.iterations()) * static_cast<double>(n);
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.counters["GFLOP/s"] = benchmark::Counter(items * flops_per_sample * 1e-9, benchmark::Counter::kIsRate);
}

template <class Seed>
void BM_Forward(benchmark::State& state) {
  diffuse::Rng rng(1);
  auto net = Seed::make(rng);
  const Index n = state.range(0);
  const Matrix<float> x = input_for(net.input_dim(), n, rng);
  for (auto _ : state) benchmark::DoNotOptimize(net.forward(x).data());
  report(state, forward_flops_per_sample(net), n);
}

template <class Seed>
void BM_ForwardBackward(benchmark::State& state) {
  diffuse::Rng rng(1);
  auto net = Seed::make(rng);
  const Index n = state.range(0);
  const Matrix<float> x = input_for(net.input_dim(), n, rng);
  const Matrix<float> g = rng.normal<float>(net.output_dim(), n);
  for (auto _ : state) {
    net.forward(x);
    net.backward_parameters(g);
    benchmark::DoNotOptimize(net.gradients().data());
  }
  report(state, 3 * forward_flops_per_sample(net), n);
}

template <class Seed>
void BM_TrainStep(benchmark::State& state) {
  diffuse::Rng rng(1);
  auto net = Seed::make(rng);
  const Index n = state.range(0);
  const Matrix<float> x = input_for(net.input_dim(), n, rng);
  const Matrix<float> target = rng.normal<float>(net.output_dim(), n);
  Matrix<float> grad(net.output_dim(), n);
  diffuse::Adam<float> adam({.lr = 1e-3}, net.parameters().size());
  for (auto _ : state) {
    net.zero_grad();
    // L = mean ‖y − target‖², dL/dy = 2 (y − target) / (n d)
    grad = (net.forward(x) - target) * (2.0f / static_cast<float>(grad.size()));
    net.backward_parameters(grad);
    if constexpr (Seed::clip) diffuse::clip_grad_norm(net.gradients(), 1.0);
    adam.step(net.parameters(), net.gradients());
    benchmark::DoNotOptimize(net.parameters().data());
  }
  report(state, 3 * forward_flops_per_sample(net), n);
}

// The three products of a hidden layer, out x in weights at batch n, alone: the ceiling the
// layers above can reach. Arg 3 picks the product: 0 forward z = W x, 1 weight gradient
// dW += gz xᵀ (row-major dW), 2 input gradient gx = Wᵀ gz.
void BM_Gemm(benchmark::State& state) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Index out = state.range(0), in = state.range(1), n = state.range(2);
  diffuse::Rng rng(1);
  RowMajor w = rng.normal<float>(out, in), dw = RowMajor::Zero(out, in);
  const Matrix<float> x = rng.normal<float>(in, n), gz = rng.normal<float>(out, n);
  Matrix<float> z(out, n), gx(in, n);
  diffuse::detail::GemmWorkspace<float> gemm;
  for (auto _ : state) {
    switch (state.range(3)) {
      case 0: gemm.assign(z, w, x); break;
      case 1: gemm.accumulate(dw, gz, x.transpose()); break;
      default: gemm.assign(gx, w.transpose(), gz); break;
    }
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(out * in * n) * static_cast<double>(state.iterations()) * 1e-9,
                                                 benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Gemm)->ArgsProduct({{96}, {96}, {384}, {0, 1, 2}})->ArgsProduct({{256}, {256}, {512}, {0, 1, 2}})->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_Forward, Seed000)->Arg(384)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_ForwardBackward, Seed000)->Arg(384)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_TrainStep, Seed000)->Arg(384)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_Forward, Seed002)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_ForwardBackward, Seed002)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_TrainStep, Seed002)->Arg(512)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);  // single-thread figures; parallelism is by column chunks elsewhere
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
