// GEMM throughput of diffuse against OpenBLAS and BLIS on the seeds' layer shapes, side by side in
// one run, one thread each, float: the forward product z = W x of a layer with W m x k (row-major,
// as the layers store it) and x k x n, for m x k x n = 96 x {2, 34, 96} x {384, 4096, 100000} and
// 256 x {34, 256} x 512. Both libraries are loaded with dlopen (each exports cblas_sgemm), from
// the paths CMake found; a library that does not load is left out. OpenBLAS runs its SkylakeX
// kernels and BLIS its skx kernels unless OPENBLAS_CORETYPE / BLIS_ARCH_TYPE say otherwise. After Google Benchmark's own report the program
// prints one table: GFLOP/s per shape (medians when --benchmark_repetitions > 1) and the ratios.
#include <benchmark/benchmark.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <diffuse/core/cpu.hpp>
#include <diffuse/core/rng.hpp>
#include <diffuse/nn/gemm.hpp>

namespace {

using diffuse::Index;
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// cblas_sgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
constexpr int col_major = 102, no_trans = 111, trans = 112;

struct Peer {
  std::string name;
  Sgemm sgemm = nullptr;
  std::string kernels;  // the core type or sub-architecture the library picked
};

// The library at `path` with one thread, or a Peer without sgemm when it does not load.
Peer load(const std::string& name, const char* path, const char* set_threads, std::string (*kernels)(void*)) {
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (lib == nullptr) {
    std::fprintf(stderr, "gemm_peers: %s left out (%s)\n", name.c_str(), dlerror());
    return {name, nullptr, ""};
  }
  if (auto threads = reinterpret_cast<void (*)(int)>(dlsym(lib, set_threads))) threads(1);
  return {name, reinterpret_cast<Sgemm>(dlsym(lib, "cblas_sgemm")), kernels(lib)};
}

std::string openblas_kernels(void* lib) {
  auto corename = reinterpret_cast<const char* (*)()>(dlsym(lib, "openblas_get_corename"));
  return corename ? corename() : "?";
}

std::string blis_kernels(void* lib) {
  auto id = reinterpret_cast<int (*)()>(dlsym(lib, "bli_arch_query_id"));
  auto text = reinterpret_cast<const char* (*)(int)>(dlsym(lib, "bli_arch_string"));
  return id && text ? text(id()) : "?";
}

struct Shape {
  Index m, k, n;
  std::string text() const { return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n); }
};

void report_flops(benchmark::State& state, const Shape& s) {
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * static_cast<double>(s.m * s.k * s.n),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void bench_diffuse(benchmark::State& state, Shape s) {
  diffuse::Rng rng(1);
  const RowMajor w = rng.normal<float>(s.m, s.k);
  const diffuse::Matrix<float> x = rng.normal<float>(s.k, s.n);
  diffuse::Matrix<float> z(s.m, s.n);
  diffuse::detail::GemmWorkspace<float> gemm;
  for (auto _ : state) {
    gemm.assign(z, w, x);
    benchmark::ClobberMemory();
  }
  report_flops(state, s);
}

void bench_peer(benchmark::State& state, Sgemm sgemm, Shape s) {
  diffuse::Rng rng(1);
  const RowMajor w = rng.normal<float>(s.m, s.k);  // = the column-major Wᵀ (k x m)
  const diffuse::Matrix<float> x = rng.normal<float>(s.k, s.n);
  diffuse::Matrix<float> z(s.m, s.n);
  const int m = int(s.m), k = int(s.k), n = int(s.n);
  for (auto _ : state) {
    sgemm(col_major, trans, no_trans, m, n, k, 1.0f, w.data(), k, x.data(), k, 0.0f, z.data(), m);
    benchmark::ClobberMemory();
  }
  report_flops(state, s);
}

// Google Benchmark's console output, and GFLOP/s per "library/shape" (the median of repetitions,
// or the single run) for the closing table.
class TableReporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> gflops;
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      if ((single || run.aggregate_name == "median") && run.counters.count("GFLOP/s"))
        gflops[run.run_name.function_name] = run.counters.at("GFLOP/s");
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  // AVX-512 kernels for both peers (Debian's BLIS 0.9 detects this Xeon as haswell), set before
  // the libraries load; values preset in the environment win.
  setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
  setenv("BLIS_ARCH_TYPE", "skx", 0);
  std::vector<Peer> peers = {load("openblas", DIFFUSE_OPENBLAS_PATH, "openblas_set_num_threads", openblas_kernels),
                             load("blis", DIFFUSE_BLIS_PATH, "bli_thread_set_num_threads", blis_kernels)};
  const std::vector<Shape> shapes = {{96, 2, 384},   {96, 2, 4096},   {96, 2, 100000}, {96, 34, 384},
                                     {96, 34, 4096}, {96, 34, 100000}, {96, 96, 384},  {96, 96, 4096},
                                     {96, 96, 100000}, {256, 34, 512}, {256, 256, 512}};
  for (const Shape& s : shapes) {
    benchmark::RegisterBenchmark(("diffuse/" + s.text()).c_str(), bench_diffuse, s)->Unit(benchmark::kMicrosecond);
    for (const Peer& p : peers)
      if (p.sgemm)
        benchmark::RegisterBenchmark((p.name + "/" + s.text()).c_str(), bench_peer, p.sgemm, s)
            ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  TableReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nGFLOP/s, 1 thread, float; diffuse at SIMD level %s", diffuse::name(diffuse::simd_level()));
  for (const Peer& p : peers)
    if (p.sgemm) std::printf(", %s kernels %s", p.name.c_str(), p.kernels.c_str());
  std::printf("\n");
  std::printf("%-14s %9s %9s %9s %12s %9s\n", "m x k x n", "diffuse", "openblas", "blis", "vs openblas", "vs blis");
  for (const Shape& s : shapes) {
    auto at = [&](const std::string& lib) {
      const auto it = reporter.gflops.find(lib + "/" + s.text());
      return it == reporter.gflops.end() ? 0.0 : it->second;
    };
    const double d = at("diffuse"), o = at("openblas"), b = at("blis");
    if (d == 0 && o == 0 && b == 0) continue;
    std::printf("%-14s %9.1f %9.1f %9.1f %11.2fx %8.2fx\n", s.text().c_str(), d, o, b, o > 0 ? d / o : 0.0,
                b > 0 ? d / b : 0.0);
  }
  benchmark::Shutdown();
}
