// The C++ side of benchmarks/compare: the workloads of torch_workloads.py, named exactly as
// there with a "/threads:N" suffix that compare.py filters on. Float throughout.
//   train_step_seed000_b{384,32}   data (toy::cross), noise, objective, forward, weighted MSE,
//                                  backward, Adam: the body of one fit() step, by hand, so the
//                                  step reuses its buffers as fit() does across steps
//   train_step_seed002_b512        the same for NCSN on seed 002's ring, plus clip_grad_norm
//                                  (both on 2 threads: the batch in two DataParallel shards)
//   sample_ddpm50_seed000_n100000  DDPM, 50 steps, seed 000 network, 100,000 samples
//   sample_langevin12x100_seed002_n10000  annealed Langevin, 12 levels x 100 steps, 10,000 samples
//   scale_ddpm_seed000_steps{S}_n{N}      DDPM of S steps on N samples (benchmarks/compare/scaling.py)
// Sampling runs column chunks through for_each_chunk with a fixed chunk size, so the samples are
// bitwise the same for 1 and 2 threads; each chunk samples with its own copy of the network.
// compare.py reads the wall-clock (real_time) figures.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <diffuse/core/parallel.hpp>
#include <diffuse/distributions/toy.hpp>
#include <diffuse/models/noise_model.hpp>
#include <diffuse/nn/optimizers.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/samplers/ddpm.hpp>
#include <diffuse/samplers/langevin.hpp>
#include <diffuse/samplers/sample.hpp>
#include <diffuse/schedules/beta_schedule.hpp>
#include <diffuse/schedules/sigma_levels.hpp>
#include <diffuse/schedules/time_grid.hpp>
#include <diffuse/training/data.hpp>
#include <diffuse/training/data_parallel.hpp>
#include <diffuse/training/fit.hpp>
#include <diffuse/training/objective.hpp>

namespace {

using namespace diffuse;

constexpr int ddpm_steps = 50;
constexpr Index sample_chunk = 1024;  // columns per chunk: a chunk's activations stay in L2

DiscreteSchedule<float> seed000_schedule() { return DiscreteSchedule<float>(linear_betas(ddpm_steps, 1e-4, 0.035)); }
NoiseModelOptions<float> seed000_model() { return {.input = NoiseInput::normalised_step, .train_steps = ddpm_steps}; }
std::vector<float> seed002_sigmas() { return geometric_sigmas<float>(10.0, 0.01, 12, false); }
NoiseModelOptions<float> seed002_model() {
  return {.parameterisation = Parameterisation::score, .input = NoiseInput::log_sigma};
}

// One training step exactly as fit() orders it: batch, objective, loss and gradient (on column
// shards when `parallel` asks for them), gradient norm, optional clipping, Adam.
template <class Net, class Objective, class Data>
void train(benchmark::State& state, Net& net, Objective& objective, Data& data, double lr, double clip, Index batch,
           DataParallelOptions parallel) {
  Rng rng(1);
  Adam<float> adam({.lr = lr}, net.parameters().size());
  DataParallel<Net> gradient(parallel);
  Matrix<float> x0, condition;
  TrainingBatch<float> tb;
  for (auto _ : state) {
    data.next_batch(batch, rng, x0, condition);
    objective.make_batch(x0, condition, rng, tb);
    const float loss = gradient.loss_and_gradient(net, tb);
    const float norm = net.gradients().norm();
    if (clip > 0) clip_grad_norm(net.gradients(), clip);
    adam.step(net.parameters(), net.gradients());
    benchmark::DoNotOptimize(loss + norm);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

// On 2 threads a batch is split into two column shards; on 1 thread it is one pass.
DataParallelOptions training_threads(Index batch, int threads) {
  return threads == 1 ? DataParallelOptions{} : DataParallelOptions{.shard_cols = batch / 2, .threads = threads};
}

void train_step_seed000(benchmark::State& state, Index batch, int threads) {
  Rng init(0);
  auto net = tiny_diffusion_mlp<float>(init);
  DenoisingObjective objective(seed000_schedule(), DenoisingOptions<float>{
      .model = seed000_model(), .draw = NoiseDraw::uniform_step, .steps = ddpm_steps});
  auto data = sampled_data<float>([](Index n, Rng& r) { return toy::cross<float>(n, r).points; });
  train(state, net, objective, data, 1.5e-3, 0, batch, training_threads(batch, threads));
}

void train_step_seed002(benchmark::State& state, Index batch, int threads) {
  Rng init(0);
  auto net = score_network<float>(init);
  DenoisingObjective objective(SigmaLevels<float>{}, DenoisingOptions<float>{
      .model = seed002_model(), .draw = NoiseDraw::uniform_choice, .choices = seed002_sigmas(),
      .weight = LossWeight::sigma_squared, .weight_scale = 0.5f});
  Dataset<float> data(toy::ring<float>(60000, init, {.modes = 8, .radius = 5.0, .std = 0.4}).points);
  train(state, net, objective, data, 1e-3, 1.0, batch, training_threads(batch, threads));
}

// Runs sample_chunk-column chunks of n samples on `threads` threads; chunk(net, x, rng) samples
// x (2 x count) in place with its own network copy.
template <class Net, class Chunk>
void sample_chunks(benchmark::State& state, const Net& net, Index n, int threads, Chunk chunk) {
  Rng rng(2);
  Matrix<float> out(2, n);
  for (auto _ : state) {
    for_each_chunk(n, rng, [&](Index begin, Index count, Rng& chunk_rng) {
      Net local = net;
      Matrix<float> x = chunk_rng.normal<float>(2, count);
      chunk(local, x, chunk_rng);
      out.middleCols(begin, count) = x;
    }, Parallel{.chunk_cols = sample_chunk, .threads = threads});
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// DDPM over a linear β schedule of `steps` steps (seed 000's β range) with seed 000's network.
void sample_ddpm_seed000(benchmark::State& state, Index n, int steps, int threads) {
  Rng init(0);
  const auto net = tiny_diffusion_mlp<float>(init);
  const DiscreteSchedule<float> schedule(linear_betas(steps, 1e-4, 0.035));
  const NoiseModelOptions<float> options{.input = NoiseInput::normalised_step, .train_steps = steps};
  const std::vector<float> grid = ddim_timesteps<float>(steps, steps);
  sample_chunks(state, net, n, threads, [&](auto& local, Matrix<float>& x, Rng& rng) {
    NoiseModel model(local, schedule, options);
    Ddpm<float> sampler;
    sample(sampler, model, x, std::span<const float>(grid), rng);
  });
}

void sample_langevin_seed002(benchmark::State& state, Index n, int threads) {
  Rng init(0);
  const auto net = score_network<float>(init);
  std::vector<float> grid = seed002_sigmas();
  grid.push_back(0.0f);
  sample_chunks(state, net, n, threads, [&](auto& local, Matrix<float>& x, Rng& rng) {
    NoiseModel model(local, SigmaLevels<float>{}, seed002_model());
    AnnealedLangevin<float> sampler{.steps_per_level = 100, .step_size = 2e-5f, .sigma_ref = 0.01f};
    x *= grid.front();
    sample(sampler, model, x, std::span<const float>(grid), rng);
  });
}

void register_all() {
  auto add = [](const std::string& name, auto fn) {
    benchmark::RegisterBenchmark(name.c_str(), fn)->Unit(benchmark::kMillisecond);
  };
  add("train_step_seed000_b32/threads:1", [](benchmark::State& s) { train_step_seed000(s, 32, 1); });
  for (int threads : {1, 2}) {
    const std::string suffix = "/threads:" + std::to_string(threads);
    add("train_step_seed000_b384" + suffix, [threads](benchmark::State& s) { train_step_seed000(s, 384, threads); });
    add("train_step_seed002_b512" + suffix, [threads](benchmark::State& s) { train_step_seed002(s, 512, threads); });
    add("sample_ddpm50_seed000_n100000" + suffix,
        [threads](benchmark::State& s) { sample_ddpm_seed000(s, 100000, ddpm_steps, threads); });
    add("sample_langevin12x100_seed002_n10000" + suffix,
        [threads](benchmark::State& s) { sample_langevin_seed002(s, 10000, threads); });
  }
  // Scaling: time against the number of samples at 50 steps, and against steps at 10,000 samples.
  for (Index n : {1000, 3000, 10000, 30000, 100000, 300000, 1000000})
    add("scale_ddpm_seed000_steps50_n" + std::to_string(n) + "/threads:1",
        [n](benchmark::State& s) { sample_ddpm_seed000(s, n, ddpm_steps, 1); });
  for (int steps : {10, 25, 100, 250, 1000})
    add("scale_ddpm_seed000_steps" + std::to_string(steps) + "_n10000/threads:1",
        [steps](benchmark::State& s) { sample_ddpm_seed000(s, 10000, steps, 1); });
}

}  // namespace

int main(int argc, char** argv) {
  // Keep freed memory in the process: glibc's default returns large blocks to the OS, and every
  // re-allocation then page-faults (the chunk copies and data sampling allocate per call).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  Eigen::setNbThreads(1);
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
