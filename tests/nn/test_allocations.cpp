// No heap allocation after warm-up in forward + backward + clipping + optimizer step.
//
// This file replaces the global operator new/delete for the whole test_nn executable and, on
// glibc without AddressSanitizer, also interposes malloc/calloc/realloc/free (Eigen allocates
// with malloc, not new). Both only count while the thread-local flag `counting` is set, on the
// thread that set it; they otherwise behave exactly like the originals.
#include "support/catch.hpp"

#include <cstdlib>
#include <new>

#include <Eigen/Core>

#include <diffuse/core/noise.hpp>
#include <diffuse/models/noise_model.hpp>
#include <diffuse/models/sigma_view.hpp>
#include <diffuse/nn/optimizers.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/samplers.hpp>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DIFFUSE_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DIFFUSE_TEST_ASAN 1
#endif
#if defined(__GLIBC__) && !defined(DIFFUSE_TEST_ASAN)
#define DIFFUSE_TEST_COUNT_MALLOC 1
#endif

namespace {
thread_local bool counting = false;
thread_local long allocations = 0;

// operator new counts itself only when malloc (which it calls) does not.
void count_new() {
#ifndef DIFFUSE_TEST_COUNT_MALLOC
  if (counting) ++allocations;
#endif
}
}  // namespace

#ifdef DIFFUSE_TEST_COUNT_MALLOC
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t size) {
  if (counting) ++allocations;
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
  if (counting) ++allocations;
  return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) {
  if (counting) ++allocations;
  return __libc_realloc(p, size);
}
void free(void* p) { __libc_free(p); }
}
#endif

void* operator new(std::size_t size) {
  count_new();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  count_new();
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void* operator new(std::size_t size, std::align_val_t align) {
  if (counting) ++allocations;  // aligned_alloc is not interposed
  const std::size_t a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) { return operator new(size, align); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

// Allocations made by f() on this thread.
template <class F>
long count_allocations(F&& f) {
  allocations = 0;
  counting = true;
  f();
  counting = false;
  return allocations;
}

template <class Net>
long allocations_per_training_step(Net& net, const diffuse::Matrix<float>& input) {
  using diffuse::Matrix;
  diffuse::Adam<float> adam({.lr = 1e-3}, net.parameters().size());
  Matrix<float> grad_output(net.output_dim(), input.cols());
  auto step = [&] {
    net.zero_grad();
    const Matrix<float>& y = net.forward(input);
    grad_output = y;  // dL/dy for L = ½‖y‖²
    net.backward_parameters(grad_output);
    net.backward(grad_output);
    diffuse::clip_grad_norm(net.gradients(), 1.0);
    adam.step(net.parameters(), net.gradients());
  };
  step();  // warm-up: workspaces take their sizes
  return count_allocations([&] {
    for (int i = 0; i < 3; ++i) step();
  });
}

diffuse::Matrix<float> stacked(diffuse::Rng& rng, diffuse::Index n, std::initializer_list<float> rows) {
  diffuse::Matrix<float> x(2 + static_cast<diffuse::Index>(rows.size()), n);
  x.topRows(2) = rng.normal<float>(2, n);
  diffuse::Index i = 2;
  for (const float v : rows) x.row(i++).setConstant(v);
  return x;
}

}  // namespace

TEST_CASE("the counter sees allocations") {
  CHECK(count_allocations([] { delete new int(3); }) == 1);
#ifdef DIFFUSE_TEST_COUNT_MALLOC
  CHECK(count_allocations([] { Eigen::MatrixXf m(40, 40); m.setZero(); }) == 1);
#endif
}

TEST_CASE("training steps allocate nothing after warm-up") {
#ifndef DIFFUSE_TEST_COUNT_MALLOC
  WARN("malloc is not interposed here (sanitizer or non-glibc): counting operator new only");
#endif
  Eigen::setNbThreads(1);  // Eigen's own OpenMP GEMM allocates per call; layers run one per thread
  diffuse::Rng rng(1);
  SECTION("seed 000 at batch 384") {
    auto net = diffuse::tiny_diffusion_mlp<float>(rng);
    CHECK(allocations_per_training_step(net, stacked(rng, 384, {0.5f})) == 0);
  }
  SECTION("seed 001 radius variant at batch 256") {
    auto net = diffuse::conditional_diffusion_model_radius<float>(rng);
    CHECK(allocations_per_training_step(net, stacked(rng, 256, {17, 2.5f})) == 0);
  }
  SECTION("seed 002 at batch 512") {
    auto net = diffuse::score_network<float>(rng);
    CHECK(allocations_per_training_step(net, stacked(rng, 512, {-1.0f})) == 0);
  }
  SECTION("seed 003 at batch 4096") {
    auto net = diffuse::simple_score_net<float>(rng, {.hidden = 64});
    CHECK(allocations_per_training_step(net, stacked(rng, 4096, {0.3f})) == 0);
  }
}

TEST_CASE("sampler steps allocate nothing after warm-up, in the model's time and in its sigma-space view") {
  Eigen::setNbThreads(1);
  diffuse::Rng rng(2);
  auto net = diffuse::tiny_diffusion_mlp<float>(rng);
  const diffuse::DiscreteSchedule<float> schedule(diffuse::linear_betas(50, 1e-4, 0.035));
  diffuse::NoiseModel model(net, schedule, {.input = diffuse::NoiseInput::normalised_step, .train_steps = 50});
  diffuse::SigmaView view(model);
  const diffuse::Matrix<float> start = rng.normal<float>(2, 256);
  diffuse::ReplayNoise replay(std::vector<diffuse::Matrix<float>>(64, rng.normal<float>(2, 256)));
  // Two warm-up steps (multistep samplers allocate their history on the second), then three counted.
  auto steps = [&](auto sampler, auto& denoiser, float t, float t_next, auto& noise) {
    diffuse::Matrix<float> x = start;
    for (int i = 0; i < 2; ++i) sampler.step(denoiser, x, t, t_next, noise);
    return count_allocations([&] {
      for (int i = 0; i < 3; ++i) sampler.step(denoiser, x, t, t_next, noise);
    });
  };
  const float s_hi = view.sigma_of(40.0f), s_lo = view.sigma_of(38.0f);
  CHECK(steps(diffuse::Ddpm<float>{}, model, 40.0f, 39.0f, rng) == 0);
  CHECK(steps(diffuse::Ddim<float>{.eta = 1}, model, 40.0f, 30.0f, replay) == 0);
  CHECK(steps(diffuse::DpmSolverPP2M<float>{}, model, 40.0f, 30.0f, rng) == 0);
  CHECK(steps(diffuse::PredictorCorrector<float>{}, model, 40.0f, 39.0f, replay) == 0);
  CHECK(steps(diffuse::EdmHeun<float>{.s_churn = 10}, view, s_hi, s_lo, rng) == 0);
  CHECK(steps(diffuse::EdmEuler<float>{.draws = diffuse::NoiseDraws::every_step}, view, s_hi, s_lo, replay) == 0);
  CHECK(steps(diffuse::DpmSolverPP2M<float>{}, view, s_hi, s_lo, rng) == 0);
}
