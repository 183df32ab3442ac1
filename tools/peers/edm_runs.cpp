// diffuse's edm_ablation_sample on the exact denoiser of a 3-component mixture, with replayed
// draws; writes the latents, the draws and every configuration's result as .npy into argv[1] for
// edm_check.py to run NVlabs' ablation_sampler on the same inputs. See README.md.
#include <diffuse/core/noise.hpp>
#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/io/noise_file.hpp>
#include <diffuse/io/npy.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/samplers/edm_ablation.hpp>

#include <cstdio>
#include <string>

using namespace diffuse;
using M = Matrix<double>;
using E = EdmAblation;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  M means(2, 3);
  means << -1.5, 1.5, 0.5, -1.0, -0.5, 1.8;
  Vector<double> stds(3), w(3);
  stds << 0.3, 0.5, 0.2;
  w << 0.5, 0.3, 0.2;
  OracleDenoiser<SigmaLevels<double>> model(GaussianMixture<double>(means, stds, w), {});
  Rng rng(9);
  const M latents = rng.normal<double>(2, 64);
  std::vector<M> draws;
  for (int k = 0; k < 64; ++k) draws.push_back(rng.normal<double>(2, 64));
  write_npy(dir + "/latents.npy", latents);
  write_noise_npy(dir + "/draws.npy", draws);
  auto run = [&](const std::string& name, E o) {
    M x = latents;
    ReplayNoise replay(draws);
    o.draws = NoiseDraws::every_step;
    const SampleStats stats = edm_ablation_sample(model, x, o, replay);
    write_npy(dir + "/out_" + name + ".npy", x);
    std::printf("%s: %zu draws, %ld evaluations\n", name.c_str(), replay.used(), stats.evaluations);
  };
  run("edm", {});
  run("edm_churn", {.num_steps = 12, .s_churn = 8, .s_min = 0.05, .s_max = 20, .s_noise = 1.007});
  run("edm_euler", {.num_steps = 30, .solver = E::Solver::euler});
  run("edm_midpoint", {.num_steps = 10, .alpha = 0.5});
  run("vp", {.discretization = E::Discretization::vp, .schedule = E::Schedule::vp, .scaling = E::Scaling::vp});
  run("ve", {.discretization = E::Discretization::ve, .schedule = E::Schedule::ve});
  run("iddpm", {.discretization = E::Discretization::iddpm});
  run("vp_churn", {.num_steps = 20, .discretization = E::Discretization::vp, .schedule = E::Schedule::vp,
                   .scaling = E::Scaling::vp, .s_churn = 10, .s_noise = 1.003});
  run("mixed", {.num_steps = 15, .sigma_min = 0.01, .sigma_max = 30, .rho = 5, .schedule = E::Schedule::vp, .alpha = 0.8});
}
