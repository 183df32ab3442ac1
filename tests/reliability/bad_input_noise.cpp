// Rows of the bad-input table for noise sources (replayed and recorded draws, their NPY files),
// the σ-space view, the σ-space samplers and what sample() checks between a sampler, a model and
// a grid. Add a row under the header that declares the entry point.
#include "bad_input.hpp"

#include <span>
#include <vector>

#include <diffuse/core/noise.hpp>
#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/io/noise_file.hpp>
#include <diffuse/models/noise_model.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/models/sigma_view.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

namespace reliability {

namespace {

using diffuse::Rng;
using Draws = std::vector<diffuse::Matrix<double>>;

diffuse::OracleDenoiser<diffuse::SigmaLevels<double>> sigma_oracle() {
  return {diffuse::GaussianMixture<double>(mat(2, 2, 1), diffuse::Vector<double>::Constant(2, 0.5),
                                           diffuse::Vector<double>::Ones(2)),
          diffuse::SigmaLevels<double>()};
}

// Runs sample() with `sampler` on the σ-space oracle along a 3-level Karras grid, drawing from `noise`.
template <class Smp, class Noise>
void sample_sigma(Smp sampler, Noise&& noise, diffuse::Matrix<double> x = mat(2, 4)) {
  auto oracle = sigma_oracle();
  const auto grid = diffuse::karras_sigmas(3, {.sigma_min = 0.01, .sigma_max = 10});
  diffuse::sample(sampler, oracle, x, std::span<const double>(grid), noise);
}

}  // namespace

std::vector<BadInput> bad_inputs_noise() {
  return {
      // ---- noise sources ----------------------------------------------------------------------
      {"core/noise.hpp", "ReplayNoise", "fewer draws than the sampler takes",
       [] { sample_sigma(diffuse::EdmEuler<double>{.draws = diffuse::NoiseDraws::every_step}, diffuse::ReplayNoise(Draws(2, mat(2, 4)))); }},
      {"core/noise.hpp", "ReplayNoise", "a draw of another shape (n x d instead of d x n)",
       [] { sample_sigma(diffuse::EdmEuler<double>{.draws = diffuse::NoiseDraws::every_step}, diffuse::ReplayNoise(Draws(3, mat(4, 2)))); }},
      {"io/noise_file.hpp", "write_noise_npy", "no draws", [] { diffuse::write_noise_npy(scratch("none.npy"), {}); }},
      {"io/noise_file.hpp", "write_noise_npy", "draws of two shapes",
       [] { diffuse::write_noise_npy(scratch("mixed.npy"), {mat(2, 3), mat(3, 2)}); }},
      {"io/noise_file.hpp", "write_noise_npy", "an unwritable path", [] { diffuse::write_noise_npy(unwritable("n.npy"), {mat(2, 3)}); }},
      {"io/noise_file.hpp", "read_noise_npy", "a missing file", [] { diffuse::read_noise_npy(scratch("missing_noise.npy")); }},
      {"io/noise_file.hpp", "read_noise_npy", "a 1-D file",
       [] {
         diffuse::read_noise_npy(file_with("flat_noise.npy", diffuse::detail::npy_header("<f8", {3}) + std::string(24, '\0')));
       }},
      {"io/noise_file.hpp", "read_noise_npy", "a 4-D file",
       [] {
         diffuse::read_noise_npy(file_with("four_d.npy", diffuse::detail::npy_header("<f8", {1, 1, 1, 1}) + std::string(8, '\0')));
       }},
      // ---- the σ-space view and its samplers --------------------------------------------------
      {"models/sigma_view.hpp", "SigmaView", "the sigma range of a model on SigmaLevels",
       [] {
         auto oracle = sigma_oracle();
         diffuse::SigmaView view(oracle);
         view.karras_sigmas(10);
       }},
      {"samplers/edm_euler.hpp", "EdmEuler", "s_churn = -1", [] { sample_sigma(diffuse::EdmEuler<double>{.s_churn = -1}, Rng(1)); }},
      {"samplers/edm_euler.hpp", "EdmEuler", "s_noise = NaN", [] { diffuse::EdmEuler<float>{.s_noise = float(nan)}.validate(); }},
      {"samplers/euler_ancestral.hpp", "EulerAncestral", "eta = -1", [] { sample_sigma(diffuse::EulerAncestral<double>{.eta = -1}, Rng(1)); }},
      {"samplers/dpm2.hpp", "Dpm2Ancestral", "s_noise = -1", [] { diffuse::Dpm2Ancestral<double>{.s_noise = -1}.validate(); }},
      {"samplers/dpm2.hpp", "Dpm2", "s_churn = NaN", [] { diffuse::Dpm2<double>{.s_churn = nan}.validate(); }},
      {"samplers/lms.hpp", "Lms", "order = 5", [] { sample_sigma(diffuse::Lms<double>{.order = 5}, Rng(1)); }},
      {"samplers/lms.hpp", "Lms", "order = 0", [] { diffuse::Lms<float>{.order = 0}.validate(); }},
      {"samplers/dpmpp_sde.hpp", "DpmSolverPPSde", "r = 0", [] { sample_sigma(diffuse::DpmSolverPPSde<double>{.r = 0}, Rng(1)); }},
      {"samplers/dpmpp_sde.hpp", "DpmSolverPPSde", "eta = NaN", [] { diffuse::DpmSolverPPSde<double>{.eta = nan}.validate(); }},
      {"samplers/dpmpp_2s_ancestral.hpp", "DpmSolverPP2SAncestral", "eta = -0.5",
       [] { diffuse::DpmSolverPP2SAncestral<double>{.eta = -0.5}.validate(); }},
      {"samplers/dpmpp_2m_sde.hpp", "DpmSolverPP2MSde", "s_noise = NaN", [] { diffuse::DpmSolverPP2MSde<double>{.s_noise = nan}.validate(); }},
      {"samplers/dpmpp_3m_sde.hpp", "DpmSolverPP3MSde", "eta = -1", [] { diffuse::DpmSolverPP3MSde<double>{.eta = -1}.validate(); }},
      {"samplers/dpm_solver_fast.hpp", "DpmSolverFast", "nfe = 0", [] { diffuse::DpmSolverFast<double>{.nfe = 0}.validate(); }},
      {"samplers/dpm_solver_fast.hpp", "DpmSolverFast", "a grid ending at sigma = 0 (it makes its own steps)",
       [] { sample_sigma(diffuse::DpmSolverFast<double>{}, Rng(1)); }},
      {"samplers/dpm_solver_fast.hpp", "dpm_solver_fast_orders", "nfe = -3", [] { diffuse::dpm_solver_fast_orders(-3); }},
      {"samplers/dpm_solver_adaptive.hpp", "DpmSolverAdaptive", "order = 4", [] { diffuse::DpmSolverAdaptive<double>{.order = 4}.validate(); }},
      {"samplers/dpm_solver_adaptive.hpp", "DpmSolverAdaptive", "rtol = atol = 0",
       [] { diffuse::DpmSolverAdaptive<double>{.rtol = 0, .atol = 0}.validate(); }},
      {"samplers/dpm_solver_adaptive.hpp", "DpmSolverAdaptive", "h_init = 0", [] { diffuse::DpmSolverAdaptive<double>{.h_init = 0}.validate(); }},
      {"samplers/dpm_solver_adaptive.hpp", "DpmSolverAdaptive", "a three-point grid",
       [] { sample_sigma(diffuse::DpmSolverAdaptive<double>{}, Rng(1)); }},
      {"samplers/dpm_solver_adaptive.hpp", "DpmSolverAdaptive", "a tolerance it cannot meet within max_steps",
       [] {
         auto oracle = sigma_oracle();
         diffuse::Matrix<double> x = mat(2, 4, 1);
         const std::vector<double> ends = {10, 0.01};
         Rng r(1);
         diffuse::sample(diffuse::DpmSolverAdaptive<double>{.rtol = 1e-12, .atol = 1e-12, .max_steps = 5}, oracle, x,
                         std::span<const double>(ends), r);
       }},
      {"samplers/edm_ablation.hpp", "edm_sigma_steps", "num_steps = 1", [] { diffuse::edm_sigma_steps({.num_steps = 1}); }},
      {"samplers/edm_ablation.hpp", "edm_sigma_steps", "sigma_min above sigma_max",
       [] { diffuse::edm_sigma_steps({.sigma_min = 5, .sigma_max = 1}); }},
      {"samplers/edm_ablation.hpp", "edm_sigma_steps", "VP epsilon_s = 0",
       [] { diffuse::edm_sigma_steps({.discretization = diffuse::EdmAblation::Discretization::vp, .epsilon_s = 0}); }},
      {"samplers/edm_ablation.hpp", "edm_ablation_sample", "alpha = 0",
       [] {
         auto oracle = sigma_oracle();
         diffuse::Matrix<double> x = mat(2, 3);
         diffuse::edm_ablation_sample(oracle, x, {.alpha = 0}, Rng(1));
       }},
      {"samplers/edm_ablation.hpp", "edm_ablation_sample", "a NaN latent",
       [] {
         auto oracle = sigma_oracle();
         diffuse::Matrix<double> x = mat(2, 3, nan);
         diffuse::edm_ablation_sample(oracle, x, {}, Rng(1));
       }},
      {"schedules/time_grid.hpp", "dpm_solver_timesteps", "as many steps as training steps", [] { diffuse::dpm_solver_timesteps(10, 10); }},
      {"schedules/time_grid.hpp", "linspace_timesteps", "one step", [] { diffuse::linspace_timesteps(10, 1); }},
      {"schedules/time_grid.hpp", "ddim_timesteps", "steps_offset = -1", [] { diffuse::ddim_timesteps(100, 10, diffuse::Spacing::leading, -1); }},
      {"samplers/ddpm.hpp", "Ddpm", "clip_x0 = -1", [] { diffuse::Ddpm<double>{.clip_x0 = -1.0}.validate(); }},
      {"samplers/ddim.hpp", "Ddim", "prev_step_offset = 0", [] { diffuse::Ddim<double>{.prev_step_offset = 0}.validate(); }},
      {"schedules/time_grid.hpp", "polyexponential_sigmas", "rho = 0", [] { diffuse::polyexponential_sigmas(5, 0.01, 10, 0.0); }},
      {"schedules/time_grid.hpp", "vp_sigmas", "eps_s = 1", [] { diffuse::vp_sigmas(5, {.eps_s = 1}); }},
      {"schedules/time_grid.hpp", "vp_sigmas", "levels = 1", [] { diffuse::vp_sigmas(1); }},
      {"schedules/time_grid.hpp", "exponential_sigmas", "levels = 1", [] { diffuse::exponential_sigmas(1, 0.01, 10); }},
      {"schedules/time_grid.hpp", "exponential_sigmas", "sigma_min = 0", [] { diffuse::exponential_sigmas(5, 0.0, 10); }},
      {"schedules/time_grid.hpp", "exponential_sigmas", "sigma_max below sigma_min", [] { diffuse::exponential_sigmas(5, 1.0, 0.5); }},
      // ---- a sampler against its model and grid -----------------------------------------------
      {"samplers/sample.hpp", "sample", "an ancestral sampler on a grid that adds noise",
       [] {
         diffuse::OracleDenoiser oracle(diffuse::GaussianMixture<double>(mat(2, 1), diffuse::Vector<double>::Ones(1),
                                                                         diffuse::Vector<double>::Ones(1)),
                                        diffuse::VpProcess<double>());
         diffuse::Matrix<double> x = mat(2, 3);
         const std::vector<double> up = {0.1, 0.5};
         Rng r(1);
         diffuse::sample(diffuse::PredictorCorrector<double>{}, oracle, x, std::span<const double>(up), r);
       }},
      {"samplers/sample.hpp", "sample", "an eps-model starting a step where alpha = 0 (zero terminal SNR)",
       [] {
         Rng r(1);
         auto net = diffuse::tiny_diffusion_mlp<double>(r);
         const diffuse::DiscreteSchedule<double> zero_snr(diffuse::rescale_zero_terminal_snr(diffuse::linear_betas(20, 1e-4, 0.02)));
         diffuse::NoiseModel model(net, zero_snr, {.input = diffuse::NoiseInput::normalised_step, .train_steps = 20});
         diffuse::Matrix<double> x = mat(2, 3);
         const auto grid = diffuse::ddim_timesteps(20, 5);
         diffuse::sample(diffuse::Ddim<double>{}, model, x, std::span<const double>(grid), r);
       }},
  };
}

}  // namespace reliability
