// Rows of the bad-input table for models and samplers. Add a row under the header that declares
// the entry point.
#include "bad_input.hpp"

#include <cmath>
#include <limits>
#include <span>

#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/models.hpp>
#include <diffuse/nn/seed_networks.hpp>
#include <diffuse/processes/vp.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>

namespace reliability {

namespace {

using diffuse::Rng;
using M = diffuse::Matrix<double>;
using V = diffuse::Vector<double>;

diffuse::GaussianMixture<double> two_mode_mixture() {
  return diffuse::GaussianMixture<double>(mat(2, 2, 1), V::Constant(2, 0.5), V::Ones(2));
}

diffuse::ScoreNet2D<double> small_score_net() {
  Rng rng(1);
  return diffuse::score_net_2d<double>(rng, 4);
}

// Runs sample() with the oracle of a 2D mixture on VP noise levels.
template <class Smp>
void sample_vp(Smp sampler, std::vector<double> grid, M x = mat(2, 4)) {
  diffuse::OracleDenoiser oracle(two_mode_mixture(), diffuse::VpProcess<double>());
  Rng rng(2);
  diffuse::sample(sampler, oracle, x, std::span<const double>(grid), rng);
}

}  // namespace

std::vector<BadInput> bad_inputs_sampling() {
  return {
      // ---- models -----------------------------------------------------------------------------
      {"models/oracle.hpp", "OracleDenoiser::predict", "x with 3 rows for a 2D mixture",
       [] {
         diffuse::OracleDenoiser oracle(two_mode_mixture(), diffuse::VpProcess<double>());
         diffuse::Prediction<double> out;
         oracle.predict(mat(3, 2), 0.5, out);
       }},
      {"models/oracle.hpp", "OracleDenoiser::predict", "t where sigma(t) = 0 (eps would be 0/0)",
       [] {
         diffuse::OracleDenoiser oracle(two_mode_mixture(), diffuse::SigmaLevels<double>());
         diffuse::Prediction<double> out;
         oracle.predict(mat(2, 2), 0.0, out);
       }},
      {"models/guidance.hpp", "ClassifierFreeGuidance", "a NaN guidance scale",
       [] {
         auto net = small_score_net();
         diffuse::NoiseModel model(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::none});
         diffuse::ClassifierFreeGuidance(model, mat(1, 4), std::nan(""));
       }},
      {"models/guidance.hpp", "ClassifierFreeGuidance", "an empty condition",
       [] {
         auto net = small_score_net();
         diffuse::NoiseModel model(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::none});
         diffuse::ClassifierFreeGuidance(model, diffuse::Matrix<double>(), 2.0);
       }},
      {"models/guidance.hpp", "ClassifierFreeGuidance", "an infinite null condition",
       [] {
         auto net = small_score_net();
         diffuse::NoiseModel model(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::none});
         diffuse::ClassifierFreeGuidance(model, mat(1, 4), 2.0, std::numeric_limits<double>::infinity());
       }},
      {"models/noise_model.hpp", "NoiseModel", "train_steps = 1 with normalised_step input",
       [] { auto net = small_score_net(); diffuse::NoiseModel(net, diffuse::VpProcess<double>(), {.train_steps = 1}); }},
      {"models/noise_model.hpp", "NoiseModel", "level_index input without sigma_levels",
       [] { auto net = small_score_net(); diffuse::NoiseModel(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::level_index}); }},
      {"models/noise_model.hpp", "NoiseModel", "a zero sigma level",
       [] {
         auto net = small_score_net();
         diffuse::NoiseModel(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::level_index, .sigma_levels = {1.0, 0.0}});
       }},
      {"models/noise_model.hpp", "NoiseModel", "edm.sigma_data = 0",
       [] {
         auto net = small_score_net();
         diffuse::NoiseModel(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::none, .edm = {.sigma_data = 0}});
       }},
      {"models/noise_model.hpp", "NoiseModel::predict", "a condition with fewer columns than the batch",
       [] {
         Rng r(1);
         auto net = diffuse::conditional_diffusion_model<double>(r, {.steps = 10, .hidden = 4});
         diffuse::DiscreteSchedule<double> schedule(diffuse::linear_betas(10, 1e-4, 0.02));
         diffuse::NoiseModel model(net, schedule, {.input = diffuse::NoiseInput::time});
         model.set_condition(mat(1, 2));
         diffuse::Prediction<double> out;
         model.predict(mat(2, 5), 3, out);
       }},
      {"models/noise_model.hpp", "NoiseModel::predict", "x with 3 rows for a 2D network",
       [] {
         auto net = small_score_net();
         diffuse::NoiseModel model(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::none});
         diffuse::Prediction<double> out;
         model.predict(mat(3, 2), 0.5, out);
       }},

      // ---- samplers ---------------------------------------------------------------------------
      {"samplers/sample.hpp", "sample", "an empty batch", [] { sample_vp(diffuse::Ddpm<double>{}, {1.0, 0.5}, M(2, 0)); }},
      {"samplers/sample.hpp", "sample", "a NaN in the batch", [] { sample_vp(diffuse::Ddpm<double>{}, {1.0, 0.5}, mat(2, 3, nan)); }},
      {"samplers/sample.hpp", "sample", "a one-point grid", [] { sample_vp(diffuse::Ddim<double>{}, {1.0}); }},
      {"samplers/sample.hpp", "sample", "a non-monotone grid", [] { sample_vp(diffuse::Ddim<double>{}, {1.0, 0.5, 0.7}); }},
      {"samplers/sample.hpp", "sample", "a NaN in the grid", [] { sample_vp(diffuse::Ddim<double>{}, {1.0, nan, 0.1}); }},
      {"samplers/sample.hpp", "sample", "a grid outside the VP process (negative time, NaN sigma)",
       [] { sample_vp(diffuse::ReverseEulerMaruyama<double>{}, {1.0, 0.5, -0.005}); }},
      {"samplers/sample.hpp", "sample", "a step from sigma = 0 (DDIM inversion from t = 0)",
       [] { sample_vp(diffuse::Ddim<double>{}, {0.0, 0.5, 1.0}); }},
      {"samplers/sample.hpp", "DiscreteSchedule", "a DDPM grid past the last training step",
       [] {
         diffuse::OracleDenoiser oracle(two_mode_mixture(), diffuse::DiscreteSchedule<double>(diffuse::linear_betas(10, 1e-4, 0.02)));
         diffuse::Ddpm<double> ddpm;
         M x = mat(2, 3);
         Rng r(1);
         const std::vector<double> grid = {12, 5, -1};
         diffuse::sample(ddpm, oracle, x, std::span<const double>(grid), r);
       }},
      {"samplers/ddim.hpp", "Ddim", "eta = -0.5", [] { sample_vp(diffuse::Ddim<double>{.eta = -0.5}, {1.0, 0.5}); }},
      {"samplers/ddim.hpp", "Ddim", "clip_x0 = 0", [] { sample_vp(diffuse::Ddim<double>{.clip_x0 = 0.0}, {1.0, 0.5}); }},
      {"samplers/edm.hpp", "EdmHeun", "s_churn = -1", [] { diffuse::EdmHeun<double>{.s_churn = -1}.validate(); }},
      {"samplers/edm.hpp", "EdmHeun", "s_noise = NaN", [] { diffuse::EdmHeun<float>{.s_noise = float(nan)}.validate(); }},
      {"samplers/langevin.hpp", "AnnealedLangevin", "steps_per_level = 0",
       [] { sample_vp(diffuse::AnnealedLangevin<double>{.steps_per_level = 0}, {1.0, 0.5}); }},
      {"samplers/langevin.hpp", "AnnealedLangevin", "step_size = 0", [] { diffuse::AnnealedLangevin<double>{.step_size = 0}.validate(); }},
      {"samplers/langevin.hpp", "AnnealedLangevin", "sigma_ref = NaN", [] { diffuse::AnnealedLangevin<double>{.sigma_ref = nan}.validate(); }},
      {"samplers/predictor_corrector.hpp", "PredictorCorrector", "corrector_steps = -1",
       [] { diffuse::PredictorCorrector<double>{.corrector_steps = -1}.validate(); }},
      {"samplers/predictor_corrector.hpp", "PredictorCorrector", "snr = 0",
       [] { sample_vp(diffuse::PredictorCorrector<double>{.snr = 0}, {1.0, 0.5}); }},
      {"samplers/predictor_corrector.hpp", "PredictorCorrector", "the Euler-Maruyama predictor on sigma levels",
       [] {
         diffuse::OracleDenoiser oracle(two_mode_mixture(), diffuse::SigmaLevels<double>());
         diffuse::PredictorCorrector<double> pc{.predictor = diffuse::Predictor::euler_maruyama, .corrector_steps = 0};
         M x = mat(2, 3);
         Rng r(1);
         const std::vector<double> grid = {2.0, 1.0};
         diffuse::sample(pc, oracle, x, std::span<const double>(grid), r);
       }},
      {"samplers/ddpm.hpp", "sample", "DDPM from sigma = 0", [] { sample_vp(diffuse::Ddpm<double>{}, {0.0, 0.5}); }},
      {"samplers/dpm_solver.hpp", "sample", "DPM-Solver++ on an increasing grid with a NaN",
       [] { sample_vp(diffuse::DpmSolverPP2M<double>{}, {0.5, nan}); }},
      {"samplers/probability_flow.hpp", "sample", "probability flow on a one-point grid",
       [] { sample_vp(diffuse::ProbabilityFlow<double>{}, {0.5}); }},
      {"samplers/reverse_sde.hpp", "sample", "reverse SDE on an empty batch", [] { sample_vp(diffuse::ReverseEulerMaruyama<double>{}, {1.0, 0.5}, M(0, 3)); }},


      // ---- component relationships: each component is valid alone, the pair is not --------------
      {"models/noise_model.hpp", "NoiseModel::predict", "a network with 3 outputs on a 2 x 5 batch",
       [] {
         Rng r(1);
         diffuse::Mlp<double, diffuse::Silu> net({.widths = {4, 8, 3}}, r);
         diffuse::NoiseModel model(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::time});
         diffuse::Prediction<double> out;
         model.predict(mat(2, 5), 0.5, out);
       }},
      {"models/noise_model.hpp", "NoiseModel::predict", "a network with 1 output in sample() on a 2 x 5 batch",
       [] {
         Rng r(1);
         diffuse::Mlp<double, diffuse::Silu> net({.widths = {3, 8, 1}}, r);
         diffuse::NoiseModel model(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::time});
         M x = mat(2, 5);
         diffuse::Ddim<double> sampler{};
         const std::vector<double> grid = diffuse::uniform_grid(1.0, 1e-3, 4);
         diffuse::sample(sampler, model, x, std::span<const double>(grid), r);
       }},
      {"models/noise_model.hpp", "NoiseModel::predict", "a transposed 40 x 2 batch",
       [] {
         Rng r(1);
         diffuse::Mlp<double, diffuse::Silu> net({.widths = {3, 8, 2}}, r);
         diffuse::NoiseModel model(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::time});
         diffuse::Prediction<double> out;
         model.predict(mat(40, 2), 0.5, out);
       }},
      {"models/noise_model.hpp", "NoiseModel", "a network whose input has no room for the noise-level row",
       [] {
         Rng r(1);
         diffuse::Mlp<double, diffuse::Silu> net({.widths = {2, 8, 2}}, r);
         diffuse::NoiseModel(net, diffuse::VpProcess<double>(), {.input = diffuse::NoiseInput::time});
       }},
      {"models/noise_model.hpp", "NoiseModel::predict", "an eps model at alpha = 0 (zero terminal SNR)",
       [] {
         Rng r(1);
         diffuse::Mlp<double, diffuse::Silu> net({.widths = {3, 8, 2}}, r);
         diffuse::DiscreteSchedule<double> schedule(diffuse::rescale_zero_terminal_snr(diffuse::linear_betas(10, 1e-4, 0.02)));
         diffuse::NoiseModel model(net, schedule, {.input = diffuse::NoiseInput::time});
         diffuse::Prediction<double> out;
         model.predict(mat(2, 5), 9, out);
       }},
  };
}

}  // namespace reliability
