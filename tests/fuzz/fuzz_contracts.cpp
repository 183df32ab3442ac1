// libFuzzer target for the API's contracts between components: the fuzz bytes decode into small
// random shapes, sizes and scalars, with extreme values (0, ±tiny, ±huge, NaN, Inf) mixed in, and
// compose distributions, processes and schedules, grids, networks with optimizers and
// checkpoints, fit() of one or two steps, sample() with every sampler, and the metrics.
// Property: every call throws diffuse::Error, or returns finite values of the right shape.
// Anything else (another exception, a NaN, a wrong shape, a sanitizer report) aborts, so that
// libFuzzer reports the input. Sizes are capped (a few columns, widths <= 6, <= 8 grid points)
// so that a run does thousands of inputs a second.
// clang's header-only FuzzedDataProvider; other compilers (the CTest replay) name its full path.
#ifdef DIFFUSE_FUZZED_DATA_PROVIDER_HEADER
#include DIFFUSE_FUZZED_DATA_PROVIDER_HEADER
#else
#include <fuzzer/FuzzedDataProvider.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include <diffuse/diffuse.hpp>

namespace {

using diffuse::Index;
using M = diffuse::Matrix<double>;
using V = diffuse::Vector<double>;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "contract violated: %s\n", what);
  std::abort();
}

// The property on a result: finite entries and the expected shape.
template <class Mat>
void expect_finite(const Mat& m, Index rows, Index cols, const char* what) {
  if (m.rows() != rows || m.cols() != cols) violated(what);
  if (!m.allFinite()) violated(what);
}
void expect_finite(double v, const char* what) {
  if (!std::isfinite(v)) violated(what);
}

// Decodes the fuzz bytes into sizes and scalars.
struct Input {
  FuzzedDataProvider fdp;
  Input(const std::uint8_t* data, std::size_t size) : fdp(data, size) {}

  int small(int lo, int hi) { return fdp.ConsumeIntegralInRange<int>(lo, hi); }
  bool flag() { return fdp.ConsumeBool(); }

  // A scalar: ordinary values most of the time, extreme ones often enough.
  double scalar() {
    static constexpr double extremes[] = {0.0,     1e-300, -1e-300, 1e-30, -1e-30, 1e-8,  -1e-8, 1e-3,
                                          0.5,     1.0,    -1.0,    2.0,   20.0,   1e8,   -1e8,  1e30,
                                          -1e30,   1e300,  -1e300,  std::numeric_limits<double>::quiet_NaN(),
                                          INFINITY, -INFINITY, 4.9e-324, 1.7e308};
    switch (small(0, 3)) {
      case 0: return fdp.PickValueInArray(extremes);
      case 1: return fdp.ConsumeFloatingPointInRange<double>(-10, 10);
      case 2: return fdp.ConsumeFloatingPointInRange<double>(0, 1);
      default: return fdp.ConsumeFloatingPoint<double>();
    }
  }
  // A positive parameter in a sensible range, or sometimes any scalar.
  double positive(double lo, double hi) { return small(0, 7) == 0 ? scalar() : fdp.ConsumeFloatingPointInRange<double>(lo, hi); }

  // Entries in [-range, range], and extreme scalars among them when `extremes`.
  M matrix(Index rows, Index cols, double range = 10, bool extremes = true) {
    M m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
      m.data()[i] = extremes && small(0, 15) == 0 ? scalar() : fdp.ConsumeFloatingPointInRange<double>(-range, range);
    return m;
  }
  std::vector<double> values(int count) {
    std::vector<double> v;
    for (int i = 0; i < count; ++i) v.push_back(scalar());
    return v;
  }
};

// ---- distributions ----------------------------------------------------------------------------
void distributions(Input& in) {
  const Index d = in.small(1, 3), k = in.small(1, 3), n = in.small(0, 6);
  diffuse::Rng rng(in.fdp.ConsumeIntegral<std::uint64_t>());
  M means = in.matrix(d, k, 5);
  V stds(k), weights(k);
  for (Index j = 0; j < k; ++j) stds(j) = in.positive(0.05, 3);
  for (Index j = 0; j < k; ++j) weights(j) = in.positive(0, 10);
  const diffuse::GaussianMixture<double> mixture(means, stds, weights);
  const auto samples = mixture.sample(n, rng);
  expect_finite(samples.points, d, n, "GaussianMixture::sample");
  // Points within the README's range (|x| <= 1e4): log-densities and scores stay finite there.
  const M x = in.matrix(d, in.small(1, 4), in.flag() ? 10 : 1e4);
  if (x.allFinite()) {
    expect_finite(mixture.log_density(x), 1, x.cols(), "GaussianMixture::log_density");
    expect_finite(mixture.score(x), d, x.cols(), "GaussianMixture::score");
    expect_finite(mixture.responsibilities(x), k, x.cols(), "GaussianMixture::responsibilities");
  }
  const auto noised = mixture.noised(in.scalar(), in.scalar());
  expect_finite(noised.sample(2, rng).points, d, 2, "GaussianMixture::noised().sample");
  const auto g = diffuse::Gaussian<double>::isotropic(V::Constant(d, in.scalar()), in.scalar());
  expect_finite(g.sample(n, rng), d, n, "Gaussian::sample");
}

// ---- processes, schedules and grids ---------------------------------------------------------
template <class S>
void expect_grid(const std::vector<S>& grid, const char* what) {
  if (grid.size() < 2) violated(what);
  const bool decreasing = grid[1] < grid[0];
  for (std::size_t i = 0; i < grid.size(); ++i) {
    if (!std::isfinite(grid[i])) violated(what);
    if (i > 0 && !(decreasing ? grid[i] < grid[i - 1] : grid[i] > grid[i - 1])) violated(what);
  }
}

template <class S>
void grids(Input& in) {
  const int levels = in.small(0, 8);
  switch (in.small(0, 4)) {
    case 0: expect_grid(diffuse::uniform_grid<S>(in.scalar(), in.scalar(), levels), "uniform_grid"); break;
    case 1:
      expect_grid(diffuse::karras_sigmas<S>(levels, {.sigma_min = in.scalar(), .sigma_max = in.scalar(), .rho = in.scalar(),
                                                   .append_zero = in.flag()}),
                  "karras_sigmas");
      break;
    case 2: expect_grid(diffuse::geometric_sigmas<S>(in.scalar(), in.scalar(), levels, in.flag()), "geometric_sigmas"); break;
    case 3: expect_grid(diffuse::ddim_timesteps<S>(in.small(-1, 50), levels), "ddim_timesteps"); break;
    default: {
      const V betas = diffuse::linear_betas(in.small(0, 20), in.scalar(), in.scalar());
      const diffuse::DiscreteSchedule<S> schedule(betas);
      for (Index t = 0; t < betas.size(); ++t) {
        expect_finite(static_cast<double>(schedule.alpha(S(t))), "DiscreteSchedule::alpha");
        expect_finite(static_cast<double>(schedule.sigma(S(t))), "DiscreteSchedule::sigma");
      }
    }
  }
}

// ---- networks, optimizers, checkpoints ------------------------------------------------------
const std::string& scratch() {
  static const std::string path = "/tmp/diffuse_fuzz_contracts_" + std::to_string(::getpid()) + ".safetensors";
  return path;
}

std::vector<Index> widths(Input& in) {
  std::vector<Index> w;
  const int layers = in.small(1, 3);
  for (int i = 0; i <= layers; ++i) w.push_back(in.small(i == 0 || i == layers ? 1 : 0, 6));
  return w;
}

void networks(Input& in) {
  diffuse::Rng rng(in.fdp.ConsumeIntegral<std::uint64_t>());
  diffuse::Mlp<double, diffuse::Silu> net({.widths = widths(in)}, rng);
  // A bare network may overflow on inputs near 1e300 (NoiseModel::predict catches that); on
  // moderate inputs its output is finite.
  const M x = in.matrix(in.small(0, 6), in.small(0, 4), 1e4, false);
  expect_finite(net.forward(x), net.output_dim(), x.cols(), "Mlp::forward");
  const Index size = in.flag() ? net.parameters().size() : in.small(0, 60);
  V grads = in.matrix(in.small(0, 60), 1, 1e3);
  if (in.flag()) {
    diffuse::Adam<double> opt({.lr = in.scalar(), .beta1 = in.scalar(), .beta2 = in.scalar(), .eps = in.scalar(),
                               .weight_decay = in.scalar()},
                              size);
    opt.step(net.parameters(), grads, in.scalar());
    if (in.flag()) {
      diffuse::save_optimizer_state(scratch(), opt, net.tensors());
      diffuse::load_optimizer_state(scratch(), opt, net.tensors());
      expect_finite(opt.state().exp_avg, size, 1, "load_optimizer_state");
    }
  } else {
    diffuse::Sgd<double> opt({.lr = in.scalar(), .momentum = in.scalar(), .weight_decay = in.scalar()}, size);
    opt.step(net.parameters(), grads, in.scalar());
    if (in.flag()) {
      diffuse::save_optimizer_state(scratch(), opt, net.tensors());
      diffuse::load_optimizer_state(scratch(), opt, net.tensors());
    }
  }
  // A step with finite inputs either throws or leaves finite weights (checked before saving).
  if (in.flag()) {
    diffuse::save_checkpoint(scratch(), net, in.flag() ? diffuse::Dtype::F32 : diffuse::Dtype::F64);
    diffuse::Mlp<float, diffuse::Silu> other({.widths = widths(in)}, rng);
    diffuse::load_checkpoint(scratch(), other);
    expect_finite(other.parameters(), other.parameters().size(), 1, "load_checkpoint");
  }
}

// ---- training -------------------------------------------------------------------------------
diffuse::DenoisingOptions<double> denoising_options(Input& in) {
  diffuse::DenoisingOptions<double> o;
  o.model.parameterisation = static_cast<diffuse::Parameterisation>(in.small(0, 4));
  o.model.input = static_cast<diffuse::NoiseInput>(in.small(0, 5));
  o.model.train_steps = in.small(0, 20);
  if (in.flag()) o.model.sigma_levels = in.values(in.small(0, 3));
  o.draw = static_cast<diffuse::NoiseDraw>(in.small(0, 3));
  o.steps = in.small(0, 20);
  if (in.flag()) o.choices = in.values(in.small(0, 3));
  else o.choices = {in.fdp.ConsumeFloatingPointInRange<double>(0.01, 1)};
  if (in.flag()) {
    o.t_min = in.scalar();
    o.t_max = in.scalar();
  }
  if (in.flag()) {
    o.p_mean = in.scalar();
    o.p_std = in.scalar();
  }
  o.weight = static_cast<diffuse::LossWeight>(in.small(0, 2));
  if (in.flag()) o.weight_scale = in.scalar();
  return o;
}

template <class L>
void train(Input& in, L levels) {
  diffuse::Rng rng(in.fdp.ConsumeIntegral<std::uint64_t>());
  const Index d = in.small(1, 3);
  std::vector<Index> w = widths(in);
  if (in.flag()) {  // usually the right input width: d + 1 noise row
    w.front() = d + 1;
    w.back() = d;
  }
  diffuse::Mlp<double, diffuse::Silu> net({.widths = w}, rng);
  diffuse::DenoisingObjective objective(std::move(levels), denoising_options(in));
  diffuse::Dataset<double> data(in.matrix(d, in.small(1, 8), 3), M(), in.flag());
  diffuse::Adam<double> opt({.eps = in.flag() ? 1e-8 : in.scalar()}, net.parameters().size());
  const diffuse::FitOptions options{.steps = in.small(0, 2), .epochs = in.small(0, 2), .batch_size = in.small(0, 10),
                                    .clip_grad_norm = in.flag() ? 0 : in.scalar()};
  const auto result = diffuse::fit(net, objective, data, opt, diffuse::ConstantLr(in.scalar()), options, rng);
  for (double loss : result.losses) expect_finite(loss, "fit loss");
  expect_finite(net.parameters(), net.parameters().size(), 1, "fit weights");
}

// ---- sampling -------------------------------------------------------------------------------
template <class Smp, class D>
void run_sampler(Input& in, Smp sampler, D& model, const std::vector<double>& grid, diffuse::Rng& rng, Index d) {
  M x = in.matrix(d, in.small(1, 4), 3);
  diffuse::sample(sampler, model, x, std::span<const double>(grid), rng);
  if (x.rows() != d || !x.allFinite()) {
    std::fprintf(stderr, "%s\ngrid:", __PRETTY_FUNCTION__);
    for (double t : grid) std::fprintf(stderr, " %g", t);
    std::fprintf(stderr, "\n");
    violated("sample");
  }
}

template <class D>
void sample_with(Input& in, D& model, Index d) {
  using L = std::remove_cvref_t<decltype(model.levels())>;
  diffuse::Rng rng(in.fdp.ConsumeIntegral<std::uint64_t>());
  std::vector<double> grid;
  switch (in.small(0, 2)) {
    case 0: grid = diffuse::uniform_grid(in.scalar(), in.scalar(), in.small(1, 6)); break;
    case 1: grid = diffuse::karras_sigmas(in.small(2, 6), {.sigma_min = in.positive(1e-3, 0.1), .sigma_max = in.positive(1, 80)}); break;
    default: grid = in.values(in.small(0, 6));
  }
  switch (in.small(0, 7)) {
    case 0: run_sampler(in, diffuse::Ddpm<double>{}, model, grid, rng, d); break;
    case 1: run_sampler(in, diffuse::Ddim<double>{.eta = in.scalar()}, model, grid, rng, d); break;
    case 2: run_sampler(in, diffuse::DpmSolverPP2M<double>{}, model, grid, rng, d); break;
    case 3: run_sampler(in, diffuse::AnnealedLangevin<double>{.steps_per_level = in.small(0, 3)}, model, grid, rng, d); break;
    case 4:
      if constexpr (std::is_same_v<L, diffuse::SigmaLevels<double>>) {
        switch (in.small(0, 3)) {
          case 0: run_sampler(in, diffuse::EdmHeun<double>{.s_churn = in.scalar()}, model, grid, rng, d); break;
          case 1: run_sampler(in, diffuse::EulerAncestral<double>{.eta = in.scalar()}, model, grid, rng, d); break;
          case 2: run_sampler(in, diffuse::DpmSolverPPSde<double>{.eta = in.scalar()}, model, grid, rng, d); break;
          default: run_sampler(in, diffuse::DpmSolverPP3MSde<double>{.eta = in.scalar()}, model, grid, rng, d);
        }
      }
      break;
    case 5:
      if constexpr (diffuse::Process<L>) run_sampler(in, diffuse::ProbabilityFlow<double>{}, model, grid, rng, d);
      break;
    case 6:
      if constexpr (diffuse::Process<L>) run_sampler(in, diffuse::ReverseEulerMaruyama<double>{}, model, grid, rng, d);
      break;
    default:
      if constexpr (diffuse::Process<L>)
        run_sampler(in, diffuse::PredictorCorrector<double>{.corrector_steps = in.small(0, 2), .snr = in.scalar()}, model, grid,
                    rng, d);
  }
}

template <class L>
void sampling(Input& in, L levels) {
  const Index d = in.small(1, 3);
  if (in.flag()) {
    diffuse::Rng rng(in.fdp.ConsumeIntegral<std::uint64_t>());
    std::vector<Index> w = widths(in);
    if (in.flag()) {
      w.front() = d + 1;
      w.back() = d;
    }
    diffuse::Mlp<double, diffuse::Silu> net({.widths = w}, rng);
    // Scaled weights, up to the extremes: a prediction that overflows must be an error.
    if (in.flag()) net.parameters() *= in.scalar();
    diffuse::NoiseModelOptions<double> o{.parameterisation = static_cast<diffuse::Parameterisation>(in.small(0, 4)),
                                         .input = static_cast<diffuse::NoiseInput>(in.small(0, 5)),
                                         .train_steps = in.small(0, 20)};
    if (o.input == diffuse::NoiseInput::level_index) o.sigma_levels = in.values(in.small(0, 3));
    diffuse::NoiseModel model(net, std::move(levels), o);
    sample_with(in, model, d);
  } else {
    const diffuse::GaussianMixture<double> mixture(in.matrix(d, 2, 3), V::Constant(2, in.positive(0.05, 1)), V::Ones(2));
    diffuse::OracleDenoiser oracle(mixture, std::move(levels));
    sample_with(in, oracle, d);
  }
}

// ---- metrics --------------------------------------------------------------------------------
template <class S>
void metrics(Input& in) {
  const Index d = in.small(1, 10);
  const double scale = in.flag() ? 1.0 : in.scalar();
  const diffuse::Matrix<S> x = (in.matrix(d, in.small(0, 5)) * scale).template cast<S>();
  const diffuse::Matrix<S> y = (in.matrix(in.flag() ? d : in.small(1, 3), in.small(0, 5)) * scale).template cast<S>();
  diffuse::Rng rng(in.fdp.ConsumeIntegral<std::uint64_t>());
  switch (in.small(0, 4)) {
    case 0: expect_finite(diffuse::mmd2(x, y, {.bandwidths = {in.positive(0.1, 3)}}), "mmd2"); break;
    case 1: expect_finite(diffuse::energy_distance(x, y), "energy_distance"); break;
    case 2: expect_finite(diffuse::sliced_wasserstein(x, y, in.small(0, 4), rng), "sliced_wasserstein"); break;
    case 3: expect_finite(diffuse::mixture_nll(x, y, in.scalar(), in.values(static_cast<int>(y.cols()))), "mixture_nll"); break;
    default: {
      const auto stats = diffuse::mode_stats(x, y, in.scalar(), in.scalar(), in.values(static_cast<int>(y.cols())));
      expect_finite(stats.fraction_within, "mode_stats");
    }
  }
}

void run(Input& in) {
  switch (in.small(0, 11)) {
    case 0: distributions(in); break;
    case 1: grids<double>(in); break;
    case 2: grids<float>(in); break;
    case 3: networks(in); break;
    case 4: train(in, diffuse::VpProcess<double>(in.positive(0.01, 1), in.positive(1, 30))); break;
    case 5: train(in, diffuse::SigmaLevels<double>()); break;
    case 6: train(in, diffuse::DiscreteSchedule<double>(diffuse::linear_betas(in.small(1, 20), 1e-4, in.positive(0.01, 0.5)))); break;
    case 7: sampling(in, diffuse::VpProcess<double>(in.positive(0.01, 1), in.positive(1, 30))); break;
    case 8: sampling(in, diffuse::SigmaLevels<double>()); break;
    case 9: sampling(in, diffuse::DiscreteSchedule<double>(diffuse::linear_betas(in.small(1, 20), 1e-4, in.positive(0.01, 0.5)))); break;
    case 10: metrics<double>(in); break;
    default: metrics<float>(in);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  try {
    run(in);
  } catch (const diffuse::Error&) {
    // a clear rejection: the contract holds
  } catch (const std::exception& e) {
    std::fprintf(stderr, "not a diffuse::Error: %s\n", e.what());
    std::abort();
  }
  return 0;
}
