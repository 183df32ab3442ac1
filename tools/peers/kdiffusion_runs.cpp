// diffuse's σ-space samplers on the exact denoiser of a 3-component mixture, with replayed draws;
// writes the start, the draws, the grid and every run's result as .npy into the folder argv[1],
// for kdiffusion_check.py to run k-diffusion's own samplers on the same inputs. See README.md.
#include <diffuse/core/noise.hpp>
#include <diffuse/io/noise_file.hpp>
#include <diffuse/io/npy.hpp>
#include <diffuse/models/oracle.hpp>
#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/samplers.hpp>
#include <diffuse/schedules.hpp>
#include <cstdio>
#include <string>

using namespace diffuse;
using M = Matrix<double>;

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  M means(2, 3);
  means << -1.5, 1.5, 0.5, -1.0, -0.5, 1.8;
  Vector<double> stds(3), w(3);
  stds << 0.3, 0.5, 0.2;
  w << 0.5, 0.3, 0.2;
  GaussianMixture<double> mix(means, stds, w);
  OracleDenoiser<SigmaLevels<double>> model(mix, {});
  Rng rng(7);
  const M start = 20 * rng.normal<double>(2, 64);
  std::vector<M> draws;
  for (int k = 0; k < 400; ++k) draws.push_back(rng.normal<double>(2, 64));
  write_noise_npy(dir + "/draws.npy", draws);
  write_npy(dir + "/start.npy", start);
  const auto grid = karras_sigmas(10, {.sigma_min = 0.01, .sigma_max = 20});
  auto run = [&](const std::string& name, auto sampler, const std::vector<double>& g) {
    M x = start;
    ReplayNoise replay(draws);
    sample(sampler, model, x, g, replay);
    write_npy(dir + "/out_" + name + ".npy", x);
    std::printf("%s used %zu draws\n", name.c_str(), replay.used());
  };
  const auto E = NoiseDraws::every_step;
  run("euler", EdmEuler<>{.draws = E}, grid);
  run("euler_churn", EdmEuler<>{.s_churn = 5, .s_min = 0.05, .s_max = 10, .draws = E}, grid);
  run("heun", EdmHeun<>{.draws = E}, grid);
  run("heun_churn", EdmHeun<>{.s_churn = 5, .s_min = 0.05, .s_max = 10, .s_noise = 1.003, .draws = E}, grid);
  run("dpm_2", Dpm2<>{.draws = E}, grid);
  run("dpm_2_churn", Dpm2<>{.s_churn = 5, .s_min = 0.05, .s_max = 10, .draws = E}, grid);
  run("euler_ancestral", EulerAncestral<>{.draws = E}, grid);
  run("euler_ancestral_eta05", EulerAncestral<>{.eta = 0.5, .s_noise = 1.01, .draws = E}, grid);
  run("dpm_2_ancestral", Dpm2Ancestral<>{.draws = E}, grid);
  run("lms", Lms<>{}, grid);
  run("lms2", Lms<>{.order = 2}, grid);
  run("dpmpp_2s_ancestral", DpmSolverPP2SAncestral<>{.draws = E}, grid);
  run("dpmpp_sde", DpmSolverPPSde<>{.draws = E}, grid);
  run("dpmpp_sde_eta05", DpmSolverPPSde<>{.eta = 0.5, .r = 0.4, .draws = E}, grid);
  run("dpmpp_2m", DpmSolverPP2M<>{}, grid);
  run("dpmpp_2m_sde", DpmSolverPP2MSde<>{}, grid);
  run("dpmpp_2m_sde_heun", DpmSolverPP2MSde<>{.eta = 0.7, .solver = SecondOrder::heun}, grid);
  run("dpmpp_3m_sde", DpmSolverPP3MSde<>{}, grid);
  run("dpmpp_3m_sde_eta0", DpmSolverPP3MSde<>{.eta = 0}, grid);
  const std::vector<double> ends = {20.0, 0.01};
  run("dpm_fast", DpmSolverFast<>{.nfe = 10, .draws = E}, ends);
  run("dpm_fast9", DpmSolverFast<>{.nfe = 9, .draws = E}, ends);
  run("dpm_fast_eta", DpmSolverFast<>{.nfe = 11, .eta = 0.5, .draws = E}, ends);
  run("dpm_adaptive", DpmSolverAdaptive<>{.draws = E}, ends);
  run("dpm_adaptive2", DpmSolverAdaptive<>{.order = 2, .rtol = 0.01, .atol = 0.001, .draws = E}, ends);
  run("dpm_adaptive_pid", DpmSolverAdaptive<>{.pcoeff = 0.2, .icoeff = 0.6, .dcoeff = 0.1, .eta = 0.3, .draws = E}, ends);
  write_npy(dir + "/grid.npy", Matrix<double>(Eigen::Map<const Matrix<double>>(grid.data(), 1, grid.size())));
}
