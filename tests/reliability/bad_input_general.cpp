// Rows of the bad-input table for core, distributions, processes, integrators, schedules, nn,
// training, metrics and io. Add a row under the header that declares the entry point.
#include "bad_input.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include <diffuse/core.hpp>
#include <diffuse/distributions.hpp>
#include <diffuse/integrators.hpp>
#include <diffuse/io.hpp>
#include <diffuse/metrics.hpp>
#include <diffuse/nn.hpp>
#include <diffuse/processes.hpp>
#include <diffuse/schedules.hpp>
#include <diffuse/training.hpp>

namespace reliability {

namespace {

using diffuse::Index;
using diffuse::Rng;
using M = diffuse::Matrix<double>;
using V = diffuse::Vector<double>;

constexpr double inf = std::numeric_limits<double>::infinity();

diffuse::GaussianMixture<double> mixture2d() {
  return diffuse::GaussianMixture<double>(mat(2, 2, 1), V::Constant(2, 0.5), V::Ones(2));
}

diffuse::ScoreNet2D<double> tiny_net() {
  Rng rng(1);
  return diffuse::score_net_2d<double>(rng, 4);
}

// fit() of a small MLP on VP denoising with plain SGD at learning rate lr.
void fit_tiny(const diffuse::FitOptions& options, double lr = 1e-3) {
  Rng rng(3);
  diffuse::Mlp<double, diffuse::Silu> net({.widths = {3, 16, 2}}, rng);
  diffuse::DenoisingObjective objective(diffuse::VpProcess<double>(),
                                        diffuse::DenoisingOptions<double>{.model = {.input = diffuse::NoiseInput::time},
                                                                          .draw = diffuse::NoiseDraw::uniform_time});
  diffuse::Dataset<double> data(rng.normal<double>(2, 64));
  diffuse::Sgd<double> opt({}, net.parameters().size());
  diffuse::fit(net, objective, data, opt, diffuse::ConstantLr(lr), options, rng);
}

// fit() of `net` on VP denoising of `points` with Adam, for component-relationship rows.
template <class Net>
void fit_net(Net& net, M points, diffuse::FitOptions options = {.steps = 1}, bool drop_last = false) {
  Rng rng(3);
  diffuse::DenoisingObjective objective(diffuse::VpProcess<double>(),
                                        diffuse::DenoisingOptions<double>{.model = {.input = diffuse::NoiseInput::time},
                                                                          .draw = diffuse::NoiseDraw::uniform_time});
  diffuse::Dataset<double> data(std::move(points), M(), drop_last);
  diffuse::Adam<double> opt({}, net.parameters().size());
  diffuse::fit(net, objective, data, opt, diffuse::ConstantLr(1e-3), options, rng);
}

diffuse::Mlp<double, diffuse::Silu> mlp(std::vector<Index> widths) {
  Rng rng(1);
  return diffuse::Mlp<double, diffuse::Silu>({.widths = std::move(widths)}, rng);
}

// A saved checkpoint of tiny_net() (F64) at `name`, with the value `back` bytes before the end
// replaced.
template <class T>
std::string corrupted_checkpoint(const std::string& name, long back, T value) {
  const std::string path = scratch(name);
  auto net = tiny_net();
  diffuse::save_checkpoint(path, net, diffuse::Dtype::F64);
  patch_from_end(path, back, value);
  return path;
}

}  // namespace

std::vector<BadInput> bad_inputs_general() {
  return {
      // ---- core -------------------------------------------------------------------------------
      {"core/cpu.hpp", "force_simd_level", "a level past avx512",
       [] { diffuse::force_simd_level(static_cast<diffuse::SimdLevel>(3)); }},
      {"core/rng.hpp", "Rng::integer", "k = 0", [] { Rng(1).integer(0); }},
      {"core/rng.hpp", "Rng::categorical", "a negative weight", [] { Rng(1).categorical(std::vector<double>{1, -1}); }},
      {"core/rng.hpp", "Rng::categorical", "a NaN weight", [] { Rng(1).categorical(std::vector<double>{nan}); }},
      {"core/rng.hpp", "Rng::categorical", "all weights zero", [] { Rng(1).categorical(std::vector<double>{0, 0}); }},
      {"core/rng.hpp", "Rng::permutation", "n = -1", [] { Rng(1).permutation(-1); }},
      {"core/rng.hpp", "Rng::normal", "rows = -1", [] { Rng(1).normal<double>(-1, 2); }},
      {"core/rng.hpp", "Rng::uniform", "cols = -1", [] { Rng(1).uniform<float>(2, -1); }},
      {"core/parallel.hpp", "for_each_chunk", "n = -1", [] { Rng r(1); diffuse::for_each_chunk(-1, r, [](Index, Index, Rng&) {}); }},
      {"core/parallel.hpp", "for_each_chunk", "chunk_cols = 0",
       [] { Rng r(1); diffuse::for_each_chunk(4, r, [](Index, Index, Rng&) {}, {.chunk_cols = 0}); }},
      {"core/parallel.hpp", "for_each_chunk", "threads = -1",
       [] { Rng r(1); diffuse::for_each_chunk(4, r, [](Index, Index, Rng&) {}, {.threads = -1}); }},
      {"core/parallel.hpp", "parallel_for", "threads = -1", [] { diffuse::parallel_for(4, -1, [](Index) {}); }},

      // ---- distributions ----------------------------------------------------------------------
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "no components",
       [] { diffuse::GaussianMixture<double>(M(2, 0), V(0), V(0)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "a NaN mean",
       [] { diffuse::GaussianMixture<double>(mat(2, 1, nan), V::Ones(1), V::Ones(1)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "stds of the wrong size",
       [] { diffuse::GaussianMixture<double>(mat(2, 2), V::Ones(3), V::Ones(2)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "std = 0",
       [] { diffuse::GaussianMixture<double>(mat(2, 1), V::Zero(1), V::Ones(1)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "std = NaN",
       [] { diffuse::GaussianMixture<double>(mat(2, 1), V::Constant(1, nan), V::Ones(1)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "a negative weight",
       [] { diffuse::GaussianMixture<double>(mat(2, 2), V::Ones(2), V::Constant(2, -1)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "weights summing to zero",
       [] { diffuse::GaussianMixture<double>(mat(2, 2), V::Ones(2), V::Zero(2)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "a covariance that is not positive definite",
       [] { diffuse::GaussianMixture<double>(mat(2, 1), std::vector<M>{-M::Identity(2, 2)}, V::Ones(1)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "a covariance of the wrong size",
       [] { diffuse::GaussianMixture<double>(mat(2, 1), std::vector<M>{M::Identity(3, 3)}, V::Ones(1)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "fewer covariances than components",
       [] { diffuse::GaussianMixture<double>(mat(2, 2), std::vector<M>{M::Identity(2, 2)}, V::Ones(2)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::symmetric_2d", "n = 0",
       [] { diffuse::GaussianMixture<double>::symmetric_2d(0, 0.1); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::random_2d", "n = 0",
       [] { diffuse::GaussianMixture<double>::random_2d(0, 0.1); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::score", "x with 3 rows for a 2D mixture",
       [] { mixture2d().score(mat(3, 4)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::log_density", "x with 1 row",
       [] { mixture2d().log_density(mat(1, 4)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::responsibilities", "x with 1 row",
       [] { mixture2d().responsibilities(mat(1, 4)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::sample", "n = -1",
       [] { Rng r(1); mixture2d().sample(-1, r); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::covariance", "k = 2 of 2 components",
       [] { mixture2d().covariance(2); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::stds", "stds() of a full-covariance mixture",
       [] { diffuse::GaussianMixture<double>(mat(2, 1), std::vector<M>{M::Identity(2, 2)}, V::Ones(1)).stds(); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::noised", "alpha = NaN", [] { mixture2d().noised(nan, 1); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::noised", "sigma = -1", [] { mixture2d().noised(1, -1); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::noised", "alpha = sigma = 0", [] { mixture2d().noised(0, 0); }},
      {"distributions/gaussian.hpp", "Gaussian", "an empty mean", [] { diffuse::Gaussian<double>(V(0), M(0, 0)); }},
      {"distributions/gaussian.hpp", "Gaussian", "a 3x3 covariance for a 2D mean",
       [] { diffuse::Gaussian<double>(V::Zero(2), M::Identity(3, 3)); }},
      {"distributions/gaussian.hpp", "Gaussian", "an asymmetric covariance",
       [] { M c = M::Identity(2, 2); c(0, 1) = 0.5; diffuse::Gaussian<double>(V::Zero(2), c); }},
      {"distributions/gaussian.hpp", "Gaussian", "a covariance with a zero eigenvalue",
       [] { diffuse::Gaussian<double>(V::Zero(2), mat(2, 2, 1)); }},
      {"distributions/gaussian.hpp", "Gaussian", "a NaN covariance",
       [] { diffuse::Gaussian<double>(V::Zero(2), mat(2, 2, nan)); }},
      {"distributions/gaussian.hpp", "Gaussian::isotropic", "std = 0", [] { diffuse::Gaussian<double>::isotropic(V::Zero(2), 0); }},
      {"distributions/gaussian.hpp", "Gaussian::log_density", "x with 3 rows",
       [] { diffuse::Gaussian<double>::isotropic(V::Zero(2), 1).log_density(mat(3, 1)); }},
      {"distributions/gaussian.hpp", "Gaussian::score", "x with 1 row",
       [] { diffuse::Gaussian<double>::isotropic(V::Zero(2), 1).score(mat(1, 1)); }},
      {"distributions/gaussian.hpp", "Gaussian::sample", "n = -2",
       [] { Rng r(1); diffuse::Gaussian<double>::isotropic(V::Zero(2), 1).sample(-2, r); }},
      {"distributions/double_well.hpp", "DoubleWell", "temperature = 0", [] { diffuse::DoubleWell<double>(0.0); }},
      {"distributions/double_well.hpp", "DoubleWell", "temperature = NaN", [] { diffuse::DoubleWell<float>(float(nan)); }},
      {"distributions/double_well.hpp", "DoubleWell::potential", "x with 3 rows", [] { diffuse::DoubleWell<double>().potential(mat(3, 2)); }},
      {"distributions/double_well.hpp", "DoubleWell::gradient", "x with 1 row", [] { diffuse::DoubleWell<double>().gradient(mat(1, 2)); }},
      {"distributions/toy.hpp", "toy::ring", "modes = 0", [] { diffuse::toy::ring_mixture<double>({.modes = 0}); }},
      {"distributions/toy.hpp", "toy::ring", "radius = -1", [] { diffuse::toy::ring_mixture<double>({.radius = -1}); }},
      {"distributions/toy.hpp", "GaussianMixture", "ring std = 0", [] { diffuse::toy::ring_mixture<double>({.std = 0}); }},
      {"distributions/toy.hpp", "toy::two_arcs", "n = 1", [] { Rng r(1); diffuse::toy::two_arcs<double>(1, r); }},
      {"distributions/toy.hpp", "toy::two_arcs", "noise = -1", [] { Rng r(1); diffuse::toy::two_arcs<double>(8, r, -1.0); }},
      {"distributions/toy.hpp", "toy::moons", "n = -1", [] { Rng r(1); diffuse::toy::moons<double>(-1, r); }},
      {"distributions/toy.hpp", "toy::swiss_roll", "noise = NaN", [] { Rng r(1); diffuse::toy::swiss_roll<double>(4, r, nan); }},
      {"distributions/toy.hpp", "toy::checkerboard", "n = -1", [] { Rng r(1); diffuse::toy::checkerboard<double>(-1, r); }},
      {"distributions/toy.hpp", "toy::spirals", "noise = -Inf", [] { Rng r(1); diffuse::toy::spirals<double>(4, r, -inf); }},

      // ---- processes --------------------------------------------------------------------------
      {"processes/brownian.hpp", "BrownianMotion", "sigma = 0", [] { diffuse::BrownianMotion<double>(0.0); }},
      {"processes/brownian.hpp", "BrownianMotion", "sigma = Inf", [] { (void)diffuse::BrownianMotion<double>(inf); }},
      {"processes/ornstein_uhlenbeck.hpp", "OrnsteinUhlenbeck", "theta = 0", [] { diffuse::OrnsteinUhlenbeck<double>(0, 0, 1); }},
      {"processes/ornstein_uhlenbeck.hpp", "OrnsteinUhlenbeck", "mu = NaN", [] { diffuse::OrnsteinUhlenbeck<double>(1, nan, 1); }},
      {"processes/ornstein_uhlenbeck.hpp", "OrnsteinUhlenbeck", "sigma = -1", [] { diffuse::OrnsteinUhlenbeck<double>(1, 0, -1); }},
      {"processes/ou_process.hpp", "OuProcess", "theta = -1", [] { diffuse::OuProcess<double>(-1); }},
      {"processes/ou_process.hpp", "OuProcess", "sigma = 0", [] { diffuse::OuProcess<double>(0.5, 0); }},
      {"processes/ou_process.hpp", "OuProcess", "t_min = 0", [] { diffuse::OuProcess<double>(0.5, 0.5, 0); }},
      {"processes/ou_process.hpp", "OuProcess", "t_max < t_min", [] { diffuse::OuProcess<double>(0.5, 0.5, 0.5, 0.1); }},
      {"processes/vp.hpp", "VpProcess", "beta_min = 0", [] { diffuse::VpProcess<double>(0.0); }},
      {"processes/vp.hpp", "VpProcess", "beta_min > beta_max", [] { diffuse::VpProcess<double>(20, 0.1); }},
      {"processes/vp.hpp", "VpProcess", "beta_max = Inf", [] { diffuse::VpProcess<double>(0.1, inf); }},
      {"processes/vp.hpp", "VpProcess", "t_min = -1e-3", [] { diffuse::VpProcess<float>(0.1f, 20.f, -1e-3f); }},
      {"processes/vp.hpp", "VpProcess", "t_max = NaN", [] { diffuse::VpProcess<double>(0.1, 20, 1e-3, nan); }},
      {"processes/sub_vp.hpp", "SubVpProcess", "beta_max = -1", [] { diffuse::SubVpProcess<double>(0.1, -1); }},
      {"processes/sub_vp.hpp", "SubVpProcess", "t_max = t_min", [] { diffuse::SubVpProcess<double>(0.1, 20, 0.5, 0.5); }},
      {"processes/ve.hpp", "VeProcess", "sigma_min = sigma_max", [] { diffuse::VeProcess<double>(1, 1); }},
      {"processes/ve.hpp", "VeProcess", "sigma_min = 0", [] { diffuse::VeProcess<double>(0, 1); }},
      {"processes/ve.hpp", "VeProcess", "t_min = NaN", [] { diffuse::VeProcess<double>(0.01, 50, nan); }},
      {"processes/langevin.hpp", "LangevinSde", "sigma = 0", [] { diffuse::LangevinSde(0.0, mixture2d()); }},
      {"processes/mixture_score.hpp", "GaussianMixture::score", "x with 3 rows for a 2D mixture",
       [] { M out; diffuse::MixtureScore(mixture2d(), diffuse::VpProcess<double>())(mat(3, 2), 0.5, out); }},
      {"processes/reverse.hpp", "GaussianMixture::score", "reverse SDE drift at x with 1 row",
       [] {
         const diffuse::VpProcess<double> vp;
         const diffuse::ReverseSde sde(vp, diffuse::MixtureScore(mixture2d(), vp));
         M out;
         sde.drift(mat(1, 2), 0.5, out);
       }},

      // ---- schedules --------------------------------------------------------------------------
      {"schedules/beta_schedule.hpp", "linear_betas", "steps = 0", [] { diffuse::linear_betas(0, 1e-4, 0.02); }},
      {"schedules/beta_schedule.hpp", "linear_betas", "beta_start = 0", [] { diffuse::linear_betas(10, 0, 0.02); }},
      {"schedules/beta_schedule.hpp", "linear_betas", "beta_end = 1", [] { diffuse::linear_betas(10, 1e-4, 1); }},
      {"schedules/beta_schedule.hpp", "scaled_linear_betas", "beta_end = NaN", [] { diffuse::scaled_linear_betas(10, 1e-4, nan); }},
      {"schedules/beta_schedule.hpp", "cosine_betas", "steps = 0", [] { diffuse::cosine_betas(0); }},
      {"schedules/beta_schedule.hpp", "cosine_betas", "offset = -1", [] { diffuse::cosine_betas(10, -1); }},
      {"schedules/beta_schedule.hpp", "cosine_betas", "max_beta = 1", [] { diffuse::cosine_betas(10, 0.008, 1); }},
      {"schedules/beta_schedule.hpp", "rescale_zero_terminal_snr", "one step",
       [] { diffuse::rescale_zero_terminal_snr(V::Constant(1, 0.1)); }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "empty betas", [] { diffuse::DiscreteSchedule<double>(V(0)); }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "beta = 0", [] { diffuse::DiscreteSchedule<double>(V::Zero(3)); }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "beta = NaN", [] { diffuse::DiscreteSchedule<float>(V::Constant(3, nan)); }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "beta = 1 before the last step",
       [] { V b = V::Constant(3, 0.1); b(0) = 1; diffuse::DiscreteSchedule<double>{b}; }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "step t = T (out of range)",
       [] { diffuse::DiscreteSchedule<double>(diffuse::linear_betas(10, 1e-4, 0.02)).alpha(10); }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "step t = -2 (out of range)",
       [] { diffuse::DiscreteSchedule<double>(diffuse::linear_betas(10, 1e-4, 0.02)).sigma(-2); }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "step t = -0.5 (fractional steps lie in (0, T-1))",
       [] { diffuse::DiscreteSchedule<double>(diffuse::linear_betas(10, 1e-4, 0.02)).alpha(-0.5); }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "step t = 9.5 (fractional past the last step)",
       [] { diffuse::DiscreteSchedule<double>(diffuse::linear_betas(10, 1e-4, 0.02)).sigma(9.5); }},
      {"schedules/beta_schedule.hpp", "DiscreteSchedule", "step t = NaN",
       [] { diffuse::DiscreteSchedule<float>(diffuse::linear_betas(10, 1e-4, 0.02)).sigma(float(nan)); }},
      {"schedules/time_grid.hpp", "uniform_grid", "steps = 0", [] { diffuse::uniform_grid(1.0, 0.0, 0); }},
      {"schedules/time_grid.hpp", "uniform_grid", "t_start = t_end", [] { diffuse::uniform_grid(1.0, 1.0, 4); }},
      {"schedules/time_grid.hpp", "uniform_grid", "t_end = Inf", [] { diffuse::uniform_grid(1.0, inf, 4); }},
      {"schedules/time_grid.hpp", "karras_sigmas", "levels = 1", [] { diffuse::karras_sigmas(1); }},
      {"schedules/time_grid.hpp", "karras_sigmas", "sigma_min = 0", [] { diffuse::karras_sigmas(10, {.sigma_min = 0}); }},
      {"schedules/time_grid.hpp", "karras_sigmas", "sigma_max < sigma_min",
       [] { diffuse::karras_sigmas(10, {.sigma_min = 1, .sigma_max = 0.5}); }},
      {"schedules/time_grid.hpp", "karras_sigmas", "rho = 0", [] { diffuse::karras_sigmas(10, {.rho = 0}); }},
      {"schedules/time_grid.hpp", "geometric_sigmas", "levels = 0", [] { diffuse::geometric_sigmas(1.0, 0.01, 0); }},
      {"schedules/time_grid.hpp", "geometric_sigmas", "sigma_max < sigma_min", [] { diffuse::geometric_sigmas(0.01, 1.0, 10); }},
      {"schedules/time_grid.hpp", "ddim_timesteps", "train_steps = 0", [] { diffuse::ddim_timesteps(0, 1); }},
      {"schedules/time_grid.hpp", "ddim_timesteps", "steps = 0", [] { diffuse::ddim_timesteps(100, 0); }},
      {"schedules/time_grid.hpp", "ddim_timesteps", "more steps than training steps", [] { diffuse::ddim_timesteps(10, 11); }},

      // ---- integrators ------------------------------------------------------------------------
      {"integrators/time_grid.hpp", "TimeGrid", "one time", [] { diffuse::TimeGrid<double>({0.0}); }},
      {"integrators/time_grid.hpp", "TimeGrid", "a NaN time", [] { diffuse::TimeGrid<double>({0.0, nan, 1.0}); }},
      {"integrators/time_grid.hpp", "TimeGrid", "a non-monotone grid", [] { diffuse::TimeGrid<double>({0.0, 0.5, 0.4}); }},
      {"integrators/time_grid.hpp", "TimeGrid", "a repeated time", [] { diffuse::TimeGrid<float>({1.f, 0.5f, 0.5f}); }},
      {"integrators/time_grid.hpp", "TimeGrid::uniform", "steps = 0", [] { diffuse::TimeGrid<double>::uniform(0, 1, 0); }},
      {"integrators/time_grid.hpp", "TimeGrid::uniform", "t0 = t1", [] { diffuse::TimeGrid<double>::uniform(1, 1, 4); }},
      {"integrators/time_grid.hpp", "TimeGrid::uniform", "t1 = -Inf", [] { diffuse::TimeGrid<double>::uniform(1, -inf, 4); }},
      {"integrators/integrate.hpp", "integrate", "an empty batch",
       [] {
         diffuse::Euler<double> euler;
         M x(2, 0);
         Rng r(1);
         diffuse::integrate(euler, diffuse::OrnsteinUhlenbeck<double>(1, 0, 1), x, diffuse::TimeGrid<double>::uniform(0, 1, 4), r);
       }},
      {"integrators/integrate.hpp", "integrate", "an exact forward-only step on a decreasing grid",
       [] {
         diffuse::ExactOuStep<double> exact;
         M x = mat(2, 3);
         Rng r(1);
         diffuse::integrate(exact, diffuse::OrnsteinUhlenbeck<double>(1, 0, 1), x, diffuse::TimeGrid<double>::uniform(1, 0, 4), r);
       }},
      {"integrators/sde_steppers.hpp", "EulerMaruyama::step_with_increment", "an increment of the wrong shape",
       [] {
         diffuse::EulerMaruyama<double> em;
         M x = mat(2, 3);
         em.step_with_increment(diffuse::OrnsteinUhlenbeck<double>(1, 0, 1), x, 0.0, 0.1, mat(2, 2));
       }},
      {"integrators/observers.hpp", "TrajectoryRecorder", "every = 0",
       [] { diffuse::TrajectoryRecorder<double>(diffuse::TimeGrid<double>::uniform(0, 1, 4), 0); }},
      {"integrators/observers.hpp", "ProgressObserver", "total_steps = 0",
       [] { std::ostringstream os; diffuse::ProgressObserver(os, 0); }},

      // ---- nn ---------------------------------------------------------------------------------
      {"nn/linear.hpp", "Linear", "in_features = 0", [] { diffuse::Linear<double>(0, 2, 0); }},
      {"nn/linear.hpp", "Linear", "offset = -1", [] { diffuse::Linear<double>(2, 2, -1); }},
      {"nn/mlp.hpp", "Mlp", "a single width", [] { Rng r(1); diffuse::Mlp<double, diffuse::Relu>({.widths = {2}}, r); }},
      {"nn/mlp.hpp", "Linear", "a zero hidden width", [] { Rng r(1); diffuse::Mlp<double, diffuse::Relu>({.widths = {2, 0, 2}}, r); }},
      {"nn/mlp.hpp", "Mlp::forward", "input with 3 rows for 2 inputs",
       [] { Rng r(1); diffuse::Mlp<double, diffuse::Relu> net({.widths = {2, 4, 2}}, r); net.forward(mat(3, 5)); }},
      {"nn/mlp.hpp", "Mlp::backward", "grad_output with the wrong batch size",
       [] { Rng r(1); diffuse::Mlp<double, diffuse::Relu> net({.widths = {2, 4, 2}}, r); net.forward(mat(2, 5)); net.backward(mat(2, 4)); }},
      {"nn/conditional_mlp.hpp", "Linear", "data_dim = -1 (the body's first layer rejects it)",
       [] { Rng r(1); diffuse::ScoreNet2D<double>({.data_dim = -1, .hidden = {4}, .output_dim = 2}, r); }},
      {"nn/conditional_mlp.hpp", "ConditionalMlp::forward", "input with 1 row", [] { tiny_net().forward(mat(1, 3)); }},
      {"nn/conditional_mlp.hpp", "ConditionalMlp::backward", "grad_output with 3 rows",
       [] { auto net = tiny_net(); net.forward(mat(2, 3)); net.backward(mat(3, 3)); }},
      {"nn/embeddings.hpp", "SinusoidalEmbedding", "no frequencies", [] { diffuse::SinusoidalEmbedding<double>(std::vector<double>{}); }},
      {"nn/embeddings.hpp", "SinusoidalEmbedding", "an Inf frequency", [] { diffuse::SinusoidalEmbedding<double>(std::vector<double>{inf}); }},
      {"nn/embeddings.hpp", "SinusoidalEmbedding", "odd dim", [] { diffuse::SinusoidalEmbedding<double>::log_spaced(3, 1.0, 40.0); }},
      {"nn/embeddings.hpp", "SinusoidalEmbedding", "f_min = 0", [] { diffuse::SinusoidalEmbedding<double>::log_spaced(4, 0.0, 40.0); }},
      {"nn/embeddings.hpp", "SinusoidalEmbedding", "max_period = 0", [] { diffuse::SinusoidalEmbedding<double>::transformer(4, 0.0); }},
      {"nn/embeddings.hpp", "EmbeddingTable", "steps = 0", [] { diffuse::EmbeddingTable<double>({.steps = 0}); }},
      {"nn/embeddings.hpp", "EmbeddingTable", "a step input out of range",
       [] {
         Rng r(1);
         auto net = diffuse::diffusion_model<double>(r, {.steps = 10, .hidden = 4});
         M in = mat(3, 2);
         in(2, 1) = 10;
         net.forward(in);
       }},
      {"nn/embeddings.hpp", "OneHot", "classes = 0", [] { diffuse::OneHot<double>(0); }},
      {"nn/embeddings.hpp", "OneHot", "a NaN label",
       [] {
         Rng r(1);
         auto net = diffuse::conditional_diffusion_model<double>(r, {.steps = 10, .hidden = 4});
         M in = mat(4, 2);
         in(3, 0) = nan;
         net.forward(in);
       }},
      {"nn/seed_networks.hpp", "SinusoidalEmbedding", "seed 000 network with time_dim = 3",
       [] { Rng r(1); diffuse::tiny_diffusion_mlp<double>(r, {.time_dim = 3}); }},
      {"nn/seed_networks.hpp", "Linear", "seed 002 network with hidden = 0", [] { Rng r(1); diffuse::score_network<float>(r, {.hidden = 0}); }},
      {"nn/optimizers.hpp", "Sgd", "lr = -1", [] { diffuse::Sgd<double>({.lr = -1}, 4); }},
      {"nn/optimizers.hpp", "Sgd", "momentum = NaN", [] { diffuse::Sgd<double>({.momentum = nan}, 4); }},
      {"nn/optimizers.hpp", "Sgd::step", "gradients of the wrong size",
       [] { diffuse::Sgd<double> opt({}, 4); V p = V::Zero(4); opt.step(p, V::Zero(3)); }},
      {"nn/optimizers.hpp", "Adam", "beta1 = 1", [] { diffuse::Adam<double>({.beta1 = 1}, 4); }},
      {"nn/optimizers.hpp", "Adam", "beta2 = -0.1", [] { diffuse::Adam<double>({.beta2 = -0.1}, 4); }},
      {"nn/optimizers.hpp", "Adam", "eps = -1", [] { diffuse::Adam<float>({.eps = -1}, 4); }},
      {"nn/optimizers.hpp", "Adam::step", "parameters of the wrong size",
       [] { diffuse::Adam<double> opt({}, 4); V p = V::Zero(5); opt.step(p, V::Zero(4)); }},
      {"nn/optimizers.hpp", "Adam::step", "lr = NaN", [] { diffuse::Adam<double> opt({}, 4); V p = V::Zero(4); opt.step(p, V::Zero(4), nan); }},
      {"nn/optimizers.hpp", "clip_grad_norm", "max_norm = 0", [] { V g = V::Ones(3); diffuse::clip_grad_norm(g, 0.0); }},
      {"nn/lr_schedules.hpp", "ConstantLr", "lr = -1", [] { diffuse::ConstantLr(-1); }},
      {"nn/lr_schedules.hpp", "CosineAnnealingLr", "t_max = 0", [] { diffuse::CosineAnnealingLr({.t_max = 0}); }},
      {"nn/lr_schedules.hpp", "CosineAnnealingLr", "lr = NaN", [] { diffuse::CosineAnnealingLr({.lr = nan}); }},
      {"nn/lr_schedules.hpp", "LinearWarmup", "start_factor = 0", [] { diffuse::LinearWarmup(diffuse::ConstantLr(1e-3), {.start_factor = 0}); }},
      {"nn/lr_schedules.hpp", "LinearWarmup", "warmup_steps = 0", [] { diffuse::LinearWarmup(diffuse::ConstantLr(1e-3), {.warmup_steps = 0}); }},
      {"nn/checkpoint.hpp", "load_safetensors", "a missing file",
       [] { auto net = tiny_net(); diffuse::load_checkpoint(scratch("no_such_file.safetensors"), net); }},
      {"nn/checkpoint.hpp", "load_safetensors", "a 3-byte file",
       [] { auto net = tiny_net(); diffuse::load_checkpoint(file_with("short.safetensors", "abc"), net); }},
      {"nn/checkpoint.hpp", "save_safetensors", "an unwritable path",
       [] { auto net = tiny_net(); diffuse::save_checkpoint(unwritable("net.safetensors"), net); }},
      {"nn/checkpoint.hpp", "load_checkpoint", "a checkpoint of another network",
       [] {
         Rng r(1);
         auto big = diffuse::score_net_2d<double>(r, 8);
         diffuse::save_checkpoint(scratch("other_net.safetensors"), big);
         auto net = tiny_net();
         diffuse::load_checkpoint(scratch("other_net.safetensors"), net);
       }},
      {"nn/checkpoint.hpp", "load_optimizer_state", "an SGD state loaded into Adam",
       [] {
         auto net = tiny_net();
         diffuse::Sgd<double> sgd({}, net.parameters().size());
         diffuse::save_optimizer_state(scratch("sgd_state.safetensors"), sgd, net.tensors());
         diffuse::Adam<double> adam({}, net.parameters().size());
         diffuse::load_optimizer_state(scratch("sgd_state.safetensors"), adam, net.tensors());
       }},
      {"nn/safetensors.hpp", "save_safetensors", "a tensor named __metadata__",
       [] {
         const double v = 1;
         diffuse::write_safetensors<double>(scratch("meta.safetensors"), {{"__metadata__", {1}, &v}}, diffuse::Dtype::F64);
       }},
      {"nn/safetensors.hpp", "save_safetensors", "a negative dimension",
       [] {
         const double v = 1;
         diffuse::write_safetensors<double>(scratch("neg.safetensors"), {{"w", {-1}, &v}}, diffuse::Dtype::F64);
       }},
      {"nn/safetensors.hpp", "load_safetensors", "a header size beyond the file",
       [] { diffuse::SafetensorsFile::read(file_with("big_header.safetensors", std::string("\xff\x00\x00\x00\x00\x00\x00\x00{}", 10))); }},
      {"nn/safetensors.hpp", "load_safetensors", "a header size over the 100 MB limit",
       [] { diffuse::SafetensorsFile::read(file_with("huge_header.safetensors", std::string("\x00\x00\x00\x10\x00\x00\x00\x00{}", 10))); }},
      {"nn/json.hpp", "load_safetensors", "a JSON header that is not an object",
       [] { diffuse::SafetensorsFile::read(file_with("array.safetensors", std::string("\x02\x00\x00\x00\x00\x00\x00\x00[]", 10))); }},

      // ---- training ---------------------------------------------------------------------------
      {"training/data_parallel.hpp", "DataParallel", "shard_cols = -1",
       [] { diffuse::DataParallel<diffuse::Mlp<double, diffuse::Silu>>({.shard_cols = -1}); }},
      {"training/data_parallel.hpp", "DataParallel", "threads = -1",
       [] { diffuse::DataParallel<diffuse::Mlp<double, diffuse::Silu>>({.shard_cols = 8, .threads = -1}); }},
      {"training/data_parallel.hpp", "DataParallel", "a second network with another parameter count", [] {
         using Net = diffuse::Mlp<double, diffuse::Silu>;
         Rng r(1);
         Net first({.widths = {2, 4, 2}}, r), second({.widths = {2, 8, 2}}, r);
         diffuse::DataParallel<Net> gradient({.shard_cols = 2});
         diffuse::TrainingBatch<double> batch{mat(2, 4), mat(2, 4), diffuse::RowVector<double>::Ones(4)};
         gradient.loss_and_gradient(first, batch);
         gradient.loss_and_gradient(second, batch);
       }},
      {"training/data.hpp", "Dataset", "no points", [] { diffuse::Dataset<double>(M(2, 0)); }},
      {"training/data.hpp", "Dataset", "a NaN point", [] { diffuse::Dataset<double>(mat(2, 3, nan)); }},
      {"training/data.hpp", "Dataset", "a condition with the wrong column count", [] { diffuse::Dataset<double>(mat(2, 3), mat(1, 2)); }},
      {"training/data.hpp", "Dataset::batches_per_epoch", "batch_size = 0", [] { diffuse::Dataset<double>(mat(2, 3)).batches_per_epoch(0); }},
      {"training/data.hpp", "Dataset::next_batch", "batch_size = -1",
       [] { diffuse::Dataset<double> data(mat(2, 3)); Rng r(1); M x, c; data.next_batch(-1, r, x, c); }},
      {"training/objective.hpp", "DenoisingObjective", "uniform_step with steps = 0",
       [] { diffuse::DenoisingObjective(diffuse::VpProcess<double>(), diffuse::DenoisingOptions<double>{}); }},
      {"training/objective.hpp", "DenoisingObjective", "uniform_choice without choices",
       [] { diffuse::DenoisingObjective(diffuse::SigmaLevels<double>(), diffuse::DenoisingOptions<double>{.draw = diffuse::NoiseDraw::uniform_choice}); }},
      {"training/objective.hpp", "DenoisingObjective", "a NaN choice",
       [] {
         diffuse::DenoisingObjective(diffuse::SigmaLevels<double>(),
                                     diffuse::DenoisingOptions<double>{.draw = diffuse::NoiseDraw::uniform_choice, .choices = {1.0, nan}});
       }},
      {"training/objective.hpp", "DenoisingObjective", "t_min = t_max",
       [] {
         diffuse::DenoisingObjective(diffuse::VpProcess<double>(),
                                     diffuse::DenoisingOptions<double>{.draw = diffuse::NoiseDraw::uniform_time, .t_min = 1, .t_max = 1});
       }},
      {"training/objective.hpp", "DenoisingObjective", "p_std = 0",
       [] {
         diffuse::DenoisingObjective(diffuse::SigmaLevels<double>(),
                                     diffuse::DenoisingOptions<double>{.draw = diffuse::NoiseDraw::log_normal, .p_std = 0});
       }},
      {"training/objective.hpp", "DenoisingObjective", "g_squared weighting on discrete steps",
       [] {
         diffuse::DenoisingObjective(diffuse::DiscreteSchedule<double>(diffuse::linear_betas(10, 1e-4, 0.02)),
                                     diffuse::DenoisingOptions<double>{.steps = 10, .weight = diffuse::LossWeight::g_squared});
       }},
      {"training/objective.hpp", "DenoisingObjective", "weight_scale = 0",
       [] { diffuse::DenoisingObjective(diffuse::VpProcess<double>(), diffuse::DenoisingOptions<double>{.steps = 10, .weight_scale = 0}); }},
      {"training/objective.hpp", "DenoisingObjective", "a NaN null_condition",
       [] { diffuse::DenoisingObjective(diffuse::VpProcess<double>(), diffuse::DenoisingOptions<double>{.steps = 10, .null_condition = std::nan("")}); }},
      {"training/objective.hpp", "DenoisingObjective", "condition_dropout = 2",
       [] { diffuse::DenoisingObjective(diffuse::VpProcess<double>(), diffuse::DenoisingOptions<double>{.steps = 10, .condition_dropout = 2}); }},
      {"training/objective.hpp", "DiscreteSchedule", "uniform_step past the schedule's last step",
       [] {
         diffuse::DenoisingObjective objective(diffuse::DiscreteSchedule<double>(diffuse::linear_betas(10, 1e-4, 0.02)),
                                               diffuse::DenoisingOptions<double>{.steps = 1000});
         Rng r(1);
         diffuse::TrainingBatch<double> batch;
         objective.make_batch(mat(2, 64), M(0, 64), r, batch);
       }},
      {"training/objective.hpp", "DenoisingObjective::make_batch", "a condition with fewer columns than x0",
       [] {
         diffuse::DenoisingObjective objective(diffuse::VpProcess<double>(), diffuse::DenoisingOptions<double>{.steps = 10});
         Rng r(1);
         diffuse::TrainingBatch<double> batch;
         objective.make_batch(mat(2, 8), mat(1, 3), r, batch);
       }},
      {"training/fit.hpp", "fit", "batch_size = 0", [] { fit_tiny({.steps = 1, .batch_size = 0}); }},
      {"training/fit.hpp", "fit", "steps = -1", [] { fit_tiny({.steps = -1}); }},
      {"training/fit.hpp", "fit", "neither steps nor epochs", [] { fit_tiny({}); }},
      {"training/fit.hpp", "fit", "clip_grad_norm = NaN", [] { fit_tiny({.steps = 1, .clip_grad_norm = nan}); }},
      {"training/fit.hpp", "fit", "a learning rate of 1e30 (non-finite loss)", [] { fit_tiny({.steps = 50}, 1e30); }},
      {"training/fit.hpp", "fit", "a network whose input does not match the objective",
       [] {
         Rng r(1);
         diffuse::Mlp<double, diffuse::Relu> net({.widths = {5, 4, 2}}, r);
         diffuse::DenoisingObjective objective(diffuse::VpProcess<double>(), diffuse::DenoisingOptions<double>{.steps = 10});
         diffuse::Dataset<double> data(mat(2, 16));
         diffuse::Adam<double> opt({}, net.parameters().size());
         diffuse::fit(net, objective, data, opt, diffuse::ConstantLr(1e-3), {.steps = 1}, r);
       }},
      {"training/callbacks.hpp", "SaveCheckpoint", "every = 0",
       [] { auto net = tiny_net(); diffuse::SaveCheckpoint(net, scratch("cb.safetensors"), 0); }},
      {"training/callbacks.hpp", "SaveCheckpoint", "a folder that cannot be created",
       [] { auto net = tiny_net(); diffuse::SaveCheckpoint(net, unwritable("cb.safetensors"), 1); }},
      {"training/callbacks.hpp", "write_csv", "a loss history to an unwritable path",
       [] { diffuse::write_loss_history(unwritable("loss.csv"), {1.0, 0.5}); }},
      {"training/loss_curve.hpp", "moving_average", "window = 0", [] { diffuse::moving_average({1.0, 2.0}, 0); }},
      {"training/loss_curve.hpp", "save_loss_curve", "no losses", [] { diffuse::save_loss_curve(scratch("loss.svg"), {}); }},
      {"training/loss_curve.hpp", "save_loss_curve", "a NaN loss",
       [] { diffuse::save_loss_curve(scratch("loss.svg"), {1.0, std::nan("")}); }},
      {"training/loss_curve.hpp", "save_loss_curve", "a negative loss on the log axis",
       [] { diffuse::save_loss_curve(scratch("loss.svg"), {1.0, -0.5}); }},
      {"training/loss_curve.hpp", "Figure::save", "a loss curve to an unwritable path",
       [] { diffuse::save_loss_curve(unwritable("loss.svg"), {1.0, 0.5}); }},

      // ---- metrics ----------------------------------------------------------------------------
      {"metrics/mmd.hpp", "mmd2", "one sample", [] { diffuse::mmd2(mat(2, 1), mat(2, 5)); }},
      {"metrics/mmd.hpp", "mmd2", "different dimensions", [] { diffuse::mmd2(mat(2, 4), mat(3, 4)); }},
      {"metrics/mmd.hpp", "mmd2", "a NaN sample", [] { diffuse::mmd2(mat(2, 4, nan), mat(2, 4)); }},
      {"metrics/mmd.hpp", "mmd2", "no bandwidths", [] { diffuse::mmd2(mat(2, 4), mat(2, 4), {.bandwidths = {}}); }},
      {"metrics/mmd.hpp", "mmd2", "bandwidth = 0", [] { diffuse::mmd2(mat(2, 4), mat(2, 4), {.bandwidths = {0.0}}); }},
      {"metrics/mmd.hpp", "mmd2", "block = 0", [] { diffuse::mmd2(mat(2, 4), mat(2, 4), {.block = 0}); }},
      {"metrics/energy.hpp", "energy_distance", "an empty sample", [] { diffuse::energy_distance(M(2, 0), mat(2, 4)); }},
      {"metrics/energy.hpp", "energy_distance", "an Inf sample", [] { diffuse::energy_distance(mat(2, 4), mat(2, 4, inf)); }},
      {"metrics/energy.hpp", "energy_distance", "block = 0", [] { diffuse::energy_distance(mat(2, 4), mat(2, 4), 0); }},
      {"metrics/modes.hpp", "mode_stats", "std = 0", [] { diffuse::mode_stats(mat(2, 4), mat(2, 2), 0.0, 3.0); }},
      {"metrics/modes.hpp", "mode_stats", "k = NaN", [] { diffuse::mode_stats(mat(2, 4), mat(2, 2), 0.1, nan); }},
      {"metrics/modes.hpp", "mode_stats", "centres of another dimension", [] { diffuse::mode_stats(mat(2, 4), mat(3, 2), 0.1, 3.0); }},
      {"metrics/modes.hpp", "mode_stats", "3 weights for 2 centres", [] { diffuse::mode_stats(mat(2, 4), mat(2, 2), 0.1, 3.0, {1, 1, 1}); }},
      {"metrics/modes.hpp", "mode_stats", "weights summing to zero", [] { diffuse::mode_stats(mat(2, 4), mat(2, 2), 0.1, 3.0, {0, 0}); }},
      {"metrics/modes.hpp", "mode_stats", "no samples", [] { diffuse::mode_stats(M(2, 0), mat(2, 2), 0.1, 3.0); }},
      {"metrics/sliced_wasserstein.hpp", "sliced_wasserstein", "projections = 0",
       [] { Rng r(1); diffuse::sliced_wasserstein(mat(2, 4), mat(2, 4), 0, r); }},
      {"metrics/sliced_wasserstein.hpp", "sliced_wasserstein", "different dimensions",
       [] { Rng r(1); diffuse::sliced_wasserstein(mat(2, 4), mat(1, 4), 8, r); }},
      {"metrics/sliced_wasserstein.hpp", "sliced_wasserstein", "a NaN sample",
       [] { Rng r(1); diffuse::sliced_wasserstein(mat(2, 4), mat(2, 4, nan), 8, r); }},
      {"metrics/sliced_wasserstein.hpp", "wasserstein2_squared_1d", "an empty sample",
       [] { diffuse::wasserstein2_squared_1d({}, {1.0}); }},
      {"metrics/likelihood.hpp", "mixture_nll", "std = 0", [] { diffuse::mixture_nll(mat(2, 4), mat(2, 2), 0.0); }},
      {"metrics/likelihood.hpp", "mixture_nll", "3 stds for 2 components",
       [] { diffuse::mixture_nll(mat(2, 4), mat(2, 2), std::vector<double>{1, 1, 1}); }},
      {"metrics/likelihood.hpp", "mixture_nll", "a negative weight", [] { diffuse::mixture_nll(mat(2, 4), mat(2, 2), 1.0, {1, -1}); }},
      {"metrics/likelihood.hpp", "mixture_nll", "means of another dimension", [] { diffuse::mixture_nll(mat(2, 4), mat(3, 2), 1.0); }},
      {"metrics/likelihood.hpp", "mixture_nll", "a NaN sample", [] { diffuse::mixture_nll(mat(2, 4, nan), mat(2, 2), 1.0); }},

      // ---- io ---------------------------------------------------------------------------------
      {"io/csv.hpp", "write_csv", "2 names for 3 rows", [] { diffuse::write_csv(scratch("a.csv"), mat(3, 2), {"x", "y"}); }},
      {"io/csv.hpp", "write_csv", "an unwritable path", [] { diffuse::write_csv(unwritable("a.csv"), mat(2, 2), {"x", "y"}); }},
      {"io/csv.hpp", "read_csv", "a missing file", [] { diffuse::read_csv(scratch("missing.csv")); }},
      {"io/csv.hpp", "read_csv", "an empty file", [] { diffuse::read_csv(file_with("empty.csv", "")); }},
      {"io/csv.hpp", "read_csv", "a ragged row", [] { diffuse::read_csv(file_with("ragged.csv", "x,y\n1,2\n3\n")); }},
      {"io/csv.hpp", "read_csv", "a field that is not a number", [] { diffuse::read_csv(file_with("text.csv", "x,y\n1,abc\n")); }},
      {"io/npy.hpp", "write_npy", "an unwritable path", [] { diffuse::write_npy(unwritable("a.npy"), mat(2, 2)); }},
      {"io/npy.hpp", "read_npy", "a missing file", [] { diffuse::read_npy(scratch("missing.npy")); }},
      {"io/npy.hpp", "read_npy", "a bad magic", [] { diffuse::read_npy(file_with("magic.npy", "NOTANUMPYFILE")); }},
      {"io/npy.hpp", "read_npy", "a 4 GB header length in a tiny file",
       [] { diffuse::read_npy(file_with("hdr.npy", std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff{}", 14))); }},
      {"io/npy.hpp", "read_npy", "a shape of 10^18 elements in a tiny file",
       [] {
         const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }";
         std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + char(dict.size()) + char(0) + dict;
         diffuse::read_npy(file_with("shape.npy", bytes));
       }},
      {"io/npy.hpp", "read_npy", "a shape entry beyond 64 bits",
       [] {
         const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999, 2), }";
         std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + char(dict.size()) + char(0) + dict;
         diffuse::read_npy(file_with("shape64.npy", bytes));
       }},
      {"io/npy.hpp", "read_npy", "an unsupported dtype",
       [] {
         const std::string dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
         std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + char(dict.size()) + char(0) + dict + std::string(8, '\0');
         diffuse::read_npy(file_with("int.npy", bytes));
       }},
      {"io/npy.hpp", "read_npy", "truncated data",
       [] {
         const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }";
         std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + char(dict.size()) + char(0) + dict + std::string(8, '\0');
         diffuse::read_npy(file_with("trunc.npy", bytes));
       }},
      {"io/json.hpp", "JsonObject::set", "an object nested two levels deep",
       [] {
         diffuse::JsonObject inner, middle, outer;
         inner.set("a", 1);
         middle.set("inner", inner);
         outer.set("middle", middle);
       }},
      {"io/json.hpp", "JsonObject::save", "an unwritable path", [] { diffuse::JsonObject().set("a", 1).save(unwritable("m.json")); }},
      {"io/figure.hpp", "Figure", "rows = 0", [] { diffuse::Figure(0, 1); }},
      {"io/figure.hpp", "Figure", "panel_width = NaN", [] { diffuse::Figure(1, 1, {.panel_width = nan}); }},
      {"io/figure.hpp", "Figure::panel", "panel (1, 0) of a 1x1 figure", [] { diffuse::Figure(1, 1).panel(1, 0); }},
      {"io/figure.hpp", "Figure::save", "an unwritable path", [] { diffuse::Figure(1, 1).save(unwritable("f.svg")); }},
      {"io/figure.hpp", "Panel", "xlim with lo > hi", [] { diffuse::Figure(1, 1).panel(0, 0).xlim(1, 0); }},
      {"io/figure.hpp", "Panel", "ylim with NaN", [] { diffuse::Figure(1, 1).panel(0, 0).ylim(nan, 1); }},
      {"io/figure.hpp", "Panel::scatter", "3D points", [] { diffuse::Figure(1, 1).panel(0, 0).scatter(mat(3, 4)); }},
      {"io/figure.hpp", "Panel::scatter", "labels of the wrong length",
       [] { diffuse::Figure(1, 1).panel(0, 0).scatter(mat(2, 4), std::vector<int>{1, 2}); }},
      {"io/figure.hpp", "Panel::markers", "1D centres", [] { diffuse::Figure(1, 1).panel(0, 0).markers(mat(1, 4)); }},
      {"io/figure.hpp", "Panel::quiver", "vectors of the wrong count",
       [] { diffuse::Figure(1, 1).panel(0, 0).quiver(mat(2, 4), mat(2, 3)); }},
      {"io/figure.hpp", "Panel::quiver", "scale = -1",
       [] { diffuse::Figure(1, 1).panel(0, 0).quiver(mat(2, 4), mat(2, 4), {.scale = -1}); }},
      {"io/figure.hpp", "Panel::lines", "a 3D path", [] { diffuse::Figure(1, 1).panel(0, 0).lines(std::vector<M>{mat(3, 4)}); }},
      {"io/figure.hpp", "Panel::line", "xs and ys of different lengths",
       [] { diffuse::Figure(1, 1).panel(0, 0).line(std::vector<double>{1, 2}, std::vector<double>{1}); }},
      {"io/figure.hpp", "Panel::histogram", "bins = 0", [] { diffuse::Figure(1, 1).panel(0, 0).histogram(std::vector<double>{1, 2}, 0); }},
      {"io/figure.hpp", "Panel::histogram", "no values", [] { diffuse::Figure(1, 1).panel(0, 0).histogram(std::vector<double>{}, 4); }},
      {"io/figure.hpp", "Panel::heatmap", "an empty grid",
       [] { diffuse::Figure(1, 1).panel(0, 0).heatmap(M(0, 0), 0, 1, 0, 1); }},
      {"io/progress.hpp", "ProgressBar", "width = 0", [] { diffuse::ProgressBar(10, {.width = 0}); }},
      {"io/progress.hpp", "ProgressBar", "a null stream", [] { diffuse::ProgressBar(10, {.stream = nullptr}); }},
      {"io/progress.hpp", "ProgressBar", "total = -1", [] { diffuse::ProgressBar(-1); }},

      // ---- component relationships: each component is valid alone, the pair is not --------------
      {"training/fit.hpp", "fit", "a network with 3 outputs on 2-D data", [] { auto net = mlp({3, 16, 3}); fit_net(net, mat(2, 64)); }},
      {"training/fit.hpp", "fit", "a network with 1 output on 2-D data", [] { auto net = mlp({3, 16, 1}); fit_net(net, mat(2, 64)); }},
      {"training/fit.hpp", "fit", "a transposed 64 x 2 data set", [] { auto net = mlp({3, 16, 2}); fit_net(net, mat(64, 2)); }},
      {"training/fit.hpp", "fit", "drop_last with a data set smaller than one batch",
       [] { auto net = mlp({3, 16, 2}); fit_net(net, mat(2, 10), {.epochs = 1, .batch_size = 16}, true); }},
      {"training/fit.hpp", "fit", "steps = 1 with drop_last and a data set smaller than one batch",
       [] { auto net = mlp({3, 16, 2}); fit_net(net, mat(2, 10), {.steps = 1, .batch_size = 16}, true); }},
      {"training/fit.hpp", "fit", "epochs x batches overflowing long",
       [] { auto net = mlp({3, 16, 2}); fit_net(net, mat(2, 64), {.epochs = std::numeric_limits<long>::max() / 2, .batch_size = 1}); }},
      {"training/fit.hpp", "fit", "steps = 2^62 (no up-front allocation) with NaN weights",
       [] { auto net = mlp({3, 16, 2}); net.parameters().setConstant(nan); fit_net(net, mat(2, 64), {.steps = long{1} << 62}); }},
      {"training/objective.hpp", "DenoisingObjective", "a negative sigma among the choices",
       [] { diffuse::DenoisingObjective(diffuse::SigmaLevels<double>(), diffuse::DenoisingOptions<double>{.draw = diffuse::NoiseDraw::uniform_choice, .choices = {1.0, -0.5}}); }},
      {"training/objective.hpp", "DenoisingObjective", "uniform_time from t = -0.5 on a VP process",
       [] { diffuse::DenoisingObjective(diffuse::VpProcess<double>(), diffuse::DenoisingOptions<double>{.draw = diffuse::NoiseDraw::uniform_time, .t_min = -0.5}); }},
      {"training/objective.hpp", "DenoisingObjective", "log_normal with p_mean = 800 (sigma = Inf)",
       [] { diffuse::DenoisingObjective(diffuse::SigmaLevels<double>(), diffuse::DenoisingOptions<double>{.draw = diffuse::NoiseDraw::log_normal, .p_mean = 800}); }},
      {"training/objective.hpp", "DenoisingObjective", "a score target at sigma = 0",
       [] { diffuse::DenoisingObjective(diffuse::SigmaLevels<double>(),
                                        diffuse::DenoisingOptions<double>{.model = {.parameterisation = diffuse::Parameterisation::score},
                                                                          .draw = diffuse::NoiseDraw::uniform_choice, .choices = {1.0, 0.0}}); }},
      {"distributions/gaussian.hpp", "Gaussian::isotropic", "std = 1e-200 (std² underflows)", [] { diffuse::Gaussian<double>::isotropic(V::Zero(2), 1e-200); }},
      {"distributions/gaussian.hpp", "Gaussian::isotropic", "float std = 1e25 (std² overflows)", [] { diffuse::Gaussian<float>::isotropic(diffuse::Vector<float>::Zero(2), 1e25f); }},
      {"distributions/gaussian.hpp", "Gaussian", "a covariance of 1e-310 (precision overflows)",
       [] { diffuse::Gaussian<double>(V::Zero(2), M::Identity(2, 2) * 1e-310); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture", "std = 1e-160 (1/std² overflows)",
       [] { diffuse::GaussianMixture<double>(mat(2, 1), V::Constant(1, 1e-160), V::Ones(1)); }},
      {"distributions/gaussian_mixture.hpp", "GaussianMixture::sample", "n = 2^40",
       [] { Rng r(1); mixture2d().sample(Index{1} << 40, r); }},
      {"distributions/gaussian.hpp", "Gaussian::sample", "n = 2^40",
       [] { Rng r(1); diffuse::Gaussian<double>::isotropic(V::Zero(2), 1).sample(Index{1} << 40, r); }},
      {"distributions/toy.hpp", "toy::moons", "n = 2^40", [] { Rng r(1); diffuse::toy::moons<double>(Index{1} << 40, r); }},
      {"metrics/likelihood.hpp", "mixture_nll", "std = 1e-200 (std² underflows)", [] { diffuse::mixture_nll(mat(2, 4), mat(2, 2), 1e-200); }},
      {"metrics/likelihood.hpp", "mixture_nll", "samples at 1e160 (squared distances overflow)",
       [] { diffuse::mixture_nll(mat(2, 4, 1e160), mat(2, 2), 1.0); }},
      {"metrics/energy.hpp", "energy_distance", "samples at +-1.7e308 (the distance itself overflows)",
       [] { const double top = std::numeric_limits<double>::max(); M x = mat(2, 4, top); x.row(0).setConstant(-top); diffuse::energy_distance(x, mat(2, 4, top)); }},
      {"schedules/time_grid.hpp", "karras_sigmas", "float levels with rho = 1e-9 (they crowd at sigma_max)",
       [] { diffuse::karras_sigmas<float>(10, {.rho = 1e-9}); }},
      {"schedules/time_grid.hpp", "karras_sigmas", "rho = 1e300 (every level is 1)", [] { diffuse::karras_sigmas(10, {.rho = 1e300}); }},
      {"schedules/time_grid.hpp", "karras_sigmas", "levels = 2^30", [] { diffuse::karras_sigmas(1 << 30); }},
      {"schedules/time_grid.hpp", "uniform_grid", "a float grid whose ends differ only in double",
       [] { diffuse::uniform_grid<float>(1.0, 1.0 + 1e-12, 4); }},
      {"schedules/time_grid.hpp", "geometric_sigmas", "a float grid of levels closer than float's precision",
       [] { diffuse::geometric_sigmas<float>(1.0 + 1e-9, 1.0, 10); }},
      {"schedules/time_grid.hpp", "uniform_grid", "steps = 2^30", [] { diffuse::uniform_grid(1.0, 0.0, 1 << 30); }},
      {"schedules/beta_schedule.hpp", "linear_betas", "steps = 2^30", [] { diffuse::linear_betas(1 << 30, 1e-4, 0.02); }},
      {"io/figure.hpp", "Figure", "10^6 x 10^6 panels", [] { diffuse::Figure(1000000, 1000000); }},
      {"nn/optimizers.hpp", "Adam", "eps = 0 (a zero gradient gives 0/0)", [] { diffuse::Adam<double>({.eps = 0}, 4); }},
      {"nn/optimizers.hpp", "Adam", "parameter_count = -1", [] { diffuse::Adam<double>({}, -1); }},
      {"nn/optimizers.hpp", "Sgd", "parameter_count = 2^62", [] { diffuse::Sgd<double>({}, Index{1} << 62); }},
      {"nn/optimizers.hpp", "Adam::step", "a state resized to another network",
       [] { diffuse::Adam<double> opt({}, 4); opt.state().exp_avg.resize(2); V p = V::Zero(4); opt.step(p, V::Zero(4)); }},
      {"nn/optimizers.hpp", "Sgd::step", "a momentum buffer resized to another network",
       [] { diffuse::Sgd<double> opt({.momentum = 0.9}, 4); opt.state().momentum_buffer.resize(1); V p = V::Zero(4); opt.step(p, V::Zero(4)); }},
      {"nn/checkpoint.hpp", "save_optimizer_state", "an Adam state saved with a larger network's tensors",
       [] { auto net = tiny_net(); diffuse::Adam<double> opt({}, 4); diffuse::save_optimizer_state(scratch("opt_a.safetensors"), opt, net.tensors()); }},
      {"nn/checkpoint.hpp", "save_optimizer_state", "an SGD state saved with a larger network's tensors",
       [] { auto net = tiny_net(); diffuse::Sgd<double> opt({.momentum = 0.9}, 4); diffuse::save_optimizer_state(scratch("opt_s.safetensors"), opt, net.tensors()); }},
      {"nn/checkpoint.hpp", "load_optimizer_state", "an Adam state loaded with a larger network's tensors",
       [] {
         auto net = tiny_net();
         diffuse::Adam<double> big({}, net.parameters().size()), small({}, 4);
         diffuse::save_optimizer_state(scratch("opt_l.safetensors"), big, net.tensors());
         diffuse::load_optimizer_state(scratch("opt_l.safetensors"), small, net.tensors());
       }},
      {"nn/checkpoint.hpp", "load_optimizer_state", "an SGD state loaded with a larger network's tensors",
       [] {
         auto net = tiny_net();
         diffuse::Sgd<double> big({.momentum = 0.9}, net.parameters().size()), small({.momentum = 0.9}, 4);
         diffuse::save_optimizer_state(scratch("opt_m.safetensors"), big, net.tensors());
         diffuse::load_optimizer_state(scratch("opt_m.safetensors"), small, net.tensors());
       }},
      {"nn/checkpoint.hpp", "load_optimizer_state", "a negative Adam second moment",
       [] {
         auto net = tiny_net();
         diffuse::Adam<double> opt({}, net.parameters().size());
         const std::string path = scratch("opt_neg.safetensors");
         diffuse::save_optimizer_state(path, opt, net.tensors());
         patch_from_end(path, 16, -1.0);  // the last exp_avg_sq entry (the step count is last)
         diffuse::load_optimizer_state(path, opt, net.tensors());
       }},
      {"nn/checkpoint.hpp", "load_optimizer_state", "a NaN Adam first moment",
       [] {
         auto net = tiny_net();
         diffuse::Adam<double> opt({}, net.parameters().size());
         const std::string path = scratch("opt_nan.safetensors");
         diffuse::save_optimizer_state(path, opt, net.tensors());
         patch_from_end(path, 8 + 8 * net.parameters().size() + 8, nan);  // the last exp_avg entry
         diffuse::load_optimizer_state(path, opt, net.tensors());
       }},
      {"nn/checkpoint.hpp", "load_checkpoint", "a NaN weight",
       [] { auto net = tiny_net(); diffuse::load_checkpoint(corrupted_checkpoint("nan_w.safetensors", 8, nan), net); }},
      {"nn/checkpoint.hpp", "load_checkpoint", "an Inf weight",
       [] { auto net = tiny_net(); diffuse::load_checkpoint(corrupted_checkpoint("inf_w.safetensors", 8, inf), net); }},
      {"nn/checkpoint.hpp", "load_checkpoint", "an F64 weight of 1e300 into a float network",
       [] {
         const std::string path = corrupted_checkpoint("big_w.safetensors", 8, 1e300);
         Rng r(1);
         auto net = diffuse::score_net_2d<float>(r, 4);
         diffuse::load_checkpoint(path, net);
       }},
      {"nn/checkpoint.hpp", "save_safetensors", "a save through a symbolic link loop",
       [] {
         const std::string a = scratch("loop_a"), b = scratch("loop_b");
         std::filesystem::remove(a);
         std::filesystem::remove(b);
         std::filesystem::create_symlink(b, a);
         std::filesystem::create_symlink(a, b);
         auto net = tiny_net();
         diffuse::save_checkpoint(a, net);
       }},
  };
}

}  // namespace reliability
