#pragma once
// diffuse/samplers/edm_ablation.hpp — EDM's general sampler (Karras et al. 2022, Alg. 1–2 in the
// general form of their Sec. 3 and App. D.1; NVlabs' ablation_sampler): any noise level σ(t) and
// scaling s(t) of x = s(t) (x0 + σ(t) ε), the time steps of the VP, VE, iDDPM or EDM
// discretisation, churn, and the second-order step with parameter α (1: Heun, ½: midpoint):
//   d(x, t) = (σ'(t)/σ(t) + s'(t)/s(t)) x − σ'(t) s(t)/σ(t) D(x/s(t); σ(t)),
//   x' = x̂ + α h d(x̂, t̂),  x_next = x̂ + h [(1 − 1/(2α)) d(x̂, t̂) + 1/(2α) d(x', t̂ + α h)],
// an Euler step (x_next = x̂ + h d) on the last step and for solver = euler. The model is a
// σ-space Denoiser (SigmaLevels, or any model through SigmaView).

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/samplers/sample.hpp"

namespace diffuse {

/// The options of edm_ablation_sample, named as in Karras et al. (2022), Table 1.
struct EdmAblation {
  enum class Solver { euler, heun };                 ///< the step (heun: second order with α)
  enum class Discretization { vp, ve, iddpm, edm };  ///< how the σ steps are placed
  enum class Schedule { vp, ve, linear };            ///< σ(t)
  enum class Scaling { vp, none };                   ///< s(t)
  int num_steps = 18;                                ///< N
  std::optional<double> sigma_min = {};              ///< defaults: vp σ(ε_s), ve 0.02, iddpm and edm 0.002
  std::optional<double> sigma_max = {};              ///< defaults: vp σ(1), ve 100, iddpm 81, edm 80
  double rho = 7;                                    ///< ρ of the EDM discretisation
  Solver solver = Solver::heun;
  Discretization discretization = Discretization::edm;
  Schedule schedule = Schedule::linear;
  Scaling scaling = Scaling::none;
  double epsilon_s = 1e-3;                           ///< ε_s, the VP discretisation's last time
  double c_1 = 0.001, c_2 = 0.008;                   ///< C₁, C₂ of the iDDPM discretisation
  int m = 1000;                                      ///< M, the iDDPM chain length
  double alpha = 1;                                  ///< α of the second-order step
  double s_churn = 0, s_min = 0, s_max = std::numeric_limits<double>::infinity(), s_noise = 1;  ///< churn (Alg. 2)
  NoiseDraws draws = NoiseDraws::when_used;          ///< every_step: a draw at every step, as NVlabs' sampler
};

namespace detail {

// σ(t), σ'(t) and σ⁻¹ of one of the three schedules, and s(t), s'(t) of a scaling (EDM Table 1).
struct EdmFunctions {
  EdmAblation::Schedule schedule;
  EdmAblation::Scaling scaling;
  double beta_d = 0, beta_min = 0;
  double sigma(double t) const {
    if (schedule == EdmAblation::Schedule::vp) return std::sqrt(std::exp(0.5 * beta_d * t * t + beta_min * t) - 1);
    if (schedule == EdmAblation::Schedule::ve) return std::sqrt(t);
    return t;
  }
  double sigma_deriv(double t) const {
    if (schedule == EdmAblation::Schedule::vp) return 0.5 * (beta_min + beta_d * t) * (sigma(t) + 1 / sigma(t));
    if (schedule == EdmAblation::Schedule::ve) return 0.5 / std::sqrt(t);
    return 1;
  }
  double sigma_inv(double s) const {
    if (schedule == EdmAblation::Schedule::vp) return (std::sqrt(beta_min * beta_min + 2 * beta_d * std::log(s * s + 1)) - beta_min) / beta_d;
    if (schedule == EdmAblation::Schedule::ve) return s * s;
    return s;
  }
  double s(double t) const { return scaling == EdmAblation::Scaling::vp ? 1 / std::sqrt(1 + sigma(t) * sigma(t)) : 1.0; }
  double s_deriv(double t) const {
    return scaling == EdmAblation::Scaling::vp ? -sigma(t) * sigma_deriv(t) * s(t) * s(t) * s(t) : 0.0;
  }
};

}  // namespace detail

/// The N noise levels of a discretisation (largest first), in double, with σ_min, σ_max resolved
/// to their defaults and to the model's range [model_min, model_max].
inline std::vector<double> edm_sigma_steps(const EdmAblation& o, double model_min = 0,
                                           double model_max = std::numeric_limits<double>::infinity()) {
  constexpr const char* api = "edm_sigma_steps";
  check_at_least(api, "num_steps", o.num_steps, 2);
  using D = EdmAblation::Discretization;
  const auto vp_sigma = [](double beta_d, double beta_min, double t) { return std::sqrt(std::exp(0.5 * beta_d * t * t + beta_min * t) - 1); };
  double lo = o.sigma_min.value_or(o.discretization == D::vp ? vp_sigma(19.9, 0.1, o.epsilon_s) : o.discretization == D::ve ? 0.02 : 0.002);
  double hi = o.sigma_max.value_or(o.discretization == D::vp ? vp_sigma(19.9, 0.1, 1) : o.discretization == D::ve ? 100 : o.discretization == D::iddpm ? 81 : 80);
  lo = std::max(lo, model_min);
  hi = std::min(hi, model_max);
  check_positive(api, "sigma_min", lo);
  DIFFUSE_REQUIRE(std::isfinite(hi) && hi > lo, api, "sigma_max must exceed sigma_min", hi, "> sigma_min = " + detail::to_text(lo));
  const int n = o.num_steps;
  std::vector<double> steps(static_cast<std::size_t>(n));
  if (o.discretization == D::vp) {
    DIFFUSE_REQUIRE(o.epsilon_s > 0 && o.epsilon_s < 1, api, "epsilon_s must lie in (0, 1)", o.epsilon_s, "0 < epsilon_s < 1");
    const double beta_d = 2 * (std::log(lo * lo + 1) / o.epsilon_s - std::log(hi * hi + 1)) / (o.epsilon_s - 1);
    const double beta_min = std::log(hi * hi + 1) - 0.5 * beta_d;
    for (int i = 0; i < n; ++i) steps[static_cast<std::size_t>(i)] = vp_sigma(beta_d, beta_min, 1 + double(i) / (n - 1) * (o.epsilon_s - 1));
  } else if (o.discretization == D::ve) {
    for (int i = 0; i < n; ++i)
      steps[static_cast<std::size_t>(i)] = std::sqrt(hi * hi * std::pow(lo * lo / (hi * hi), double(i) / (n - 1)));
  } else if (o.discretization == D::iddpm) {
    check_at_least(api, "m", o.m, 1);
    check_positive(api, "c_1", o.c_1);
    // u_M = 0, u_{j−1} = √((u_j² + 1)/max(ᾱ(j−1)/ᾱ(j), C₁) − 1),  ᾱ(j) = sin²(½π j/(M (C₂ + 1)))
    std::vector<double> u(static_cast<std::size_t>(o.m) + 1, 0.0);
    const auto alpha_bar = [&](int j) { const double v = std::sin(0.5 * std::numbers::pi * j / o.m / (o.c_2 + 1)); return v * v; };
    for (int j = o.m; j > 0; --j)
      u[static_cast<std::size_t>(j - 1)] =
          std::sqrt((u[static_cast<std::size_t>(j)] * u[static_cast<std::size_t>(j)] + 1) / std::max(alpha_bar(j - 1) / alpha_bar(j), o.c_1) - 1);
    std::vector<double> kept;
    for (const double v : u) if (v >= lo && v <= hi) kept.push_back(v);
    DIFFUSE_REQUIRE(kept.size() >= 2, api, "the iDDPM levels inside [sigma_min, sigma_max] are too few", kept.size(), ">= 2");
    for (int i = 0; i < n; ++i)
      steps[static_cast<std::size_t>(i)] = kept[static_cast<std::size_t>(std::nearbyint(double(kept.size() - 1) / (n - 1) * i))];
  } else {
    check_positive(api, "rho", o.rho);
    const double a = std::pow(hi, 1 / o.rho), b = std::pow(lo, 1 / o.rho);
    for (int i = 0; i < n; ++i) steps[static_cast<std::size_t>(i)] = std::pow(a + double(i) / (n - 1) * (b - a), o.rho);
  }
  return steps;
}

/// Runs EDM's general sampler on the σ-space Denoiser `model` from latents x ~ N(0, I) (d x n, in
/// place): x starts at σ(t_0) s(t_0) x and ends at t = 0. A SigmaView's range bounds σ_min, σ_max.
/// Draws: one d x n draw per step where churn applies (γ > 0); with draws = every_step, one at every
/// step (NVlabs' randn_like). Network evaluations: 2 per step, 1 on the last (heun), or 1 (euler).
template <Denoiser Model, class Noise>
SampleStats edm_ablation_sample(Model& model, Matrix<scalar_of<Model>>& x, const EdmAblation& o, Noise&& noise) {
  using S = scalar_of<Model>;
  detail::require_sigma_space<Model>();
  constexpr const char* api = "edm_ablation_sample";
  check_nonempty(api, "x", x);
  check_all_finite(api, "x", x);
  check_positive(api, "alpha", o.alpha);
  check_non_negative(api, "s_churn", o.s_churn);
  check_non_negative(api, "s_noise", o.s_noise);
  double model_min = 0, model_max = std::numeric_limits<double>::infinity();
  if constexpr (requires { model.sigma_min(); model.sigma_max(); }) model_min = double(model.sigma_min()), model_max = double(model.sigma_max());
  const std::vector<double> sigma_steps = edm_sigma_steps(o, model_min, model_max);
  const double lo = sigma_steps.back(), hi = sigma_steps.front();
  detail::EdmFunctions f{o.schedule, o.scaling};
  if (o.schedule == EdmAblation::Schedule::vp) {
    // the VP β that put σ(ε_s) = σ_min and σ(1) = σ_max
    f.beta_d = 2 * (std::log(lo * lo + 1) / o.epsilon_s - std::log(hi * hi + 1)) / (o.epsilon_s - 1);
    f.beta_min = std::log(hi * hi + 1) - 0.5 * f.beta_d;
  }
  std::vector<double> t_steps;
  for (const double s : sigma_steps) t_steps.push_back(f.sigma_inv(s));
  t_steps.push_back(0);
  const int n = o.num_steps;
  Matrix<double> x_cur = x.template cast<double>() * (f.sigma(t_steps[0]) * f.s(t_steps[0]));
  Matrix<double> x_hat, d_cur, x_prime, z;
  Matrix<S> in, draw(x.rows(), x.cols());
  Prediction<S> pred;
  long evaluations = 0;
  // d(x, t) = (σ'/σ + s'/s) x − σ' s/σ D(x/s; σ)
  auto slope = [&](const Matrix<double>& y, double t, Matrix<double>& out) {
    in = (y / f.s(t)).template cast<S>();
    model.predict(in, static_cast<S>(f.sigma(t)), pred);
    ++evaluations;
    out = (f.sigma_deriv(t) / f.sigma(t) + f.s_deriv(t) / f.s(t)) * y - (f.sigma_deriv(t) * f.s(t) / f.sigma(t)) * pred.x0.template cast<double>();
  };
  for (int i = 0; i < n; ++i) {
    const double t_cur = t_steps[static_cast<std::size_t>(i)], t_next = t_steps[static_cast<std::size_t>(i) + 1];
    const double sc = f.sigma(t_cur);
    const double gamma = o.s_min <= sc && sc <= o.s_max ? std::min(o.s_churn / n, std::sqrt(2.0) - 1) : 0.0;
    const double t_hat = f.sigma_inv(sc + gamma * sc);
    // x̂ = s(t̂)/s(t) x + √(max(σ(t̂)² − σ(t)², 0)) s(t̂) S_noise z
    x_hat = (f.s(t_hat) / f.s(t_cur)) * x_cur;
    if (gamma > 0 || o.draws == NoiseDraws::every_step) {
      noise.fill_normal(draw);
      z = draw.template cast<double>();
      x_hat += (std::sqrt(std::max(f.sigma(t_hat) * f.sigma(t_hat) - sc * sc, 0.0)) * f.s(t_hat) * o.s_noise) * z;
    }
    const double h = t_next - t_hat;
    slope(x_hat, t_hat, d_cur);
    if (o.solver == EdmAblation::Solver::euler || i == n - 1) {
      // x_next = x̂ + h d
      x_cur = x_hat + h * d_cur;
      continue;
    }
    // x' = x̂ + α h d;  x_next = x̂ + h [(1 − 1/(2α)) d + 1/(2α) d']
    x_prime = x_hat + (o.alpha * h) * d_cur;
    slope(x_prime, t_hat + o.alpha * h, z);
    x_cur = x_hat + h * ((1 - 1 / (2 * o.alpha)) * d_cur + (1 / (2 * o.alpha)) * z);
  }
  x = x_cur.template cast<S>();
  return {n, evaluations * detail::evals_per_predict<Model>()};
}

}  // namespace diffuse
