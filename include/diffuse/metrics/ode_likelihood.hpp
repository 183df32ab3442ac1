#pragma once
// diffuse/metrics/ode_likelihood.hpp — a model's log-likelihood through the probability-flow ODE
// (Song et al. 2021, "Score-Based Generative Modeling through SDEs", Sec. 4.3 and App. D.2;
// Chen et al. 2018, instantaneous change of variables, Thm. 1; Grathwohl et al. 2019, FFJORD,
// Hutchinson's trace estimator; seed 002, "Likelihood computation via the probability flow ODE").
//
//   dx/dt = F(x, t) = f(t) x − ½ g(t)² s(x, t),    d/dt log p_t(x_t) = −∇·F(x_t, t)
//   ⇒ log p_{t0}(x_{t0}) = log p_T(x_T) + ∫_{t0}^{T} ∇·F(x_t, t) dt
// Seed 002 writes the integral with a minus sign; the plus sign is right (the closed-form Gaussian
// test in tests/io/test_ode_likelihood.cpp fails with the other).
//
// ∇·F is exact (Σ_i e_iᵀ J e_i: d Jacobian–vector products) or Hutchinson's unbiased E[vᵀ J v]
// with Rademacher or Gaussian probes v drawn once per solve (FFJORD), so that every solve
// integrates one smooth ODE. A flow supplies F and the quadratic forms pᵀ (∂F/∂x) p:
// DenoiserFlow for any Denoiser (central differences; e.g. the OracleDenoiser), NetworkFlow for
// a network trained to predict ε or the score (its backward() returns Jᵀ p: exact in 2D).

#include <cmath>
#include <numbers>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/models/noise_model.hpp"
#include "diffuse/samplers/probability_flow.hpp"

namespace diffuse {

/// How ode_log_likelihood estimates ∇·F.
enum class DivergenceMethod {
  exact,       ///< tr J = Σ_i e_iᵀ J e_i, d probes per evaluation
  rademacher,  ///< Hutchinson with v_i = ±1 (exact whenever J is a multiple of I)
  gaussian,    ///< Hutchinson with v ~ N(0, I)
};

/// Options of ode_log_likelihood.
struct OdeLikelihoodOptions {
  int steps = 100;                                   ///< uniform steps from t_start to t_end
  OdeMethod method = OdeMethod::rk4;                 ///< Runge–Kutta method on the augmented ODE
  DivergenceMethod divergence = DivergenceMethod::exact;  ///< divergence estimator
  int probes = 1;                                    ///< Hutchinson probes per sample, averaged
  std::optional<double> t_start = {};                ///< default: the process's t_min()
  std::optional<double> t_end = {};                  ///< default: the process's t_max()
  double prior_std = 1;                              ///< log p_T = log N(x_T; 0, prior_std² I) unless a prior is given
};

/// What ode_log_likelihood returns, one entry per column of x.
template <class S>
struct OdeLikelihood {
  RowVector<double> log_p;      ///< log p_{t_start}(x) = log_prior + delta
  RowVector<double> log_prior;  ///< log p_T(x_T)
  RowVector<double> delta;      ///< ∫ ∇·F(x_t, t) dt from t_start to t_end
  Matrix<S> x_end;              ///< x_T, the points encoded by the ODE
  long evaluations = 0;         ///< flow evaluations (each: F and its probes) per batch
};

/// log N(x; 0, std² I) for every column of x (d x n).
template <class S>
RowVector<double> gaussian_log_density(const Matrix<S>& x, double std = 1) {
  const double d = static_cast<double>(x.rows());
  const RowVector<double> r2 = x.template cast<double>().colwise().squaredNorm();
  return ((-0.5 / (std * std)) * r2.array() - 0.5 * d * std::log(2 * std::numbers::pi * std * std)).matrix();
}

/// The probability-flow field of any Denoiser whose levels() is a Process (the OracleDenoiser, a
/// NoiseModel): F(x, t) = f(t) x + ½ g(t)² ε̂(x, t)/σ(t), and pᵀ J p by central differences
/// pᵀ (F(x + h p) − F(x − h p)) / (2h) (error O(h²); 2 extra evaluations per probe).
template <Denoiser D>
  requires Process<std::remove_cvref_t<decltype(std::declval<D&>().levels())>>
class DenoiserFlow {
 public:
  using Scalar = scalar_of<D>;
  using S = Scalar;

  /// Requires h > 0; the default suits double (float needs h ≈ 1e-2).
  explicit DenoiserFlow(D& model, S h = std::is_same_v<S, float> ? S(1e-2) : S(1e-5)) : m_model(&model), m_h(h) {
    check_positive("DenoiserFlow", "h", h);
  }

  decltype(auto) process() const { return m_model->levels(); }

  /// velocity = F(x, t); quad_j = Σ_p p_jᵀ (∂F/∂x)_j p_j over the probes.
  void evaluate(const Matrix<S>& x, S t, std::span<const Matrix<S>> probes, Matrix<S>& velocity, RowVector<S>& quad) {
    velocity_at(x, t, velocity);
    quad.setZero(x.cols());
    for (const Matrix<S>& p : probes) {
      m_shifted = x + m_h * p;
      velocity_at(m_shifted, t, m_plus);
      m_shifted = x - m_h * p;
      velocity_at(m_shifted, t, m_minus);
      // pᵀ J p ≈ pᵀ (F(x + h p) − F(x − h p)) / (2h)
      quad += (p.cwiseProduct(m_plus - m_minus)).colwise().sum() / (2 * m_h);
    }
  }

 private:
  void velocity_at(const Matrix<S>& x, S t, Matrix<S>& out) {
    const auto& process = m_model->levels();
    m_model->predict(x, t, m_pred);
    const S g = process.diffusion(t);
    // F = f x + ½ g² ε̂/σ
    out = process.drift_coef(t) * x + (g * g / (2 * process.sigma(t))) * m_pred.eps;
  }

  D* m_model;
  S m_h;
  Prediction<S> m_pred;
  Matrix<S> m_shifted, m_plus, m_minus;
};

/// The probability-flow field of a network N (Network) trained on Process P to predict ε or the
/// score from the stacked input [x; noise-level row] of NoiseModelOptions. With output o and
/// ε̂ = c o (c = 1 for ε, −σ for the score), F = f x + k o with k = ½ g² c/σ, and
/// pᵀ J_F p = f |p|² + k pᵀ J_o p, where net.backward(p) returns J_oᵀ p: one forward pass and one
/// backward pass per probe. backward() also adds to net.gradients(), which fit() zeroes anyway.
template <Network N, Process P>
class NetworkFlow {
 public:
  using Scalar = scalar_of<N>;
  using S = Scalar;

  NetworkFlow(N& net, P process, NoiseModelOptions<S> options)
      : m_net(&net), m_process(std::move(process)), m_options(std::move(options)) {
    constexpr const char* api = "NetworkFlow";
    const Parameterisation kind = m_options.parameterisation;
    DIFFUSE_REQUIRE(kind == Parameterisation::eps || kind == Parameterisation::score, api,
                    "the network must predict eps or the score", static_cast<int>(kind),
                    "Parameterisation::eps or Parameterisation::score");
    m_noise_rows = m_options.input == NoiseInput::none ? 0 : 1;
    DIFFUSE_REQUIRE(net.output_dim() + m_noise_rows == net.input_dim(), api,
                    "network input must be [x; noise level] with x as wide as the output", net.input_dim(),
                    "output_dim + noise rows = " + std::to_string(net.output_dim() + m_noise_rows));
  }

  const P& process() const { return m_process; }

  /// velocity = F(x, t); quad_j = Σ_p p_jᵀ (∂F/∂x)_j p_j over the probes.
  void evaluate(const Matrix<S>& x, S t, std::span<const Matrix<S>> probes, Matrix<S>& velocity, RowVector<S>& quad) {
    const Index d = x.rows();
    m_input.resize(d + m_noise_rows, x.cols());
    m_input.topRows(d) = x;
    if (m_noise_rows > 0) m_input.row(d).setConstant(noise_input(m_options, m_process, t));
    const Matrix<S>& out = m_net->forward(m_input);
    const S f = m_process.drift_coef(t), g = m_process.diffusion(t), sigma = m_process.sigma(t);
    const S c = m_options.parameterisation == Parameterisation::eps ? S(1) : -sigma;
    const S k = g * g * c / (2 * sigma);
    // F = f x + k o
    velocity = f * x + k * out;
    quad.setZero(x.cols());
    for (const Matrix<S>& p : probes) {
      const Matrix<S>& jt_p = m_net->backward(p);
      // pᵀ J_F p = f |p|² + k pᵀ (J_oᵀ p)
      quad += f * p.colwise().squaredNorm() + k * p.cwiseProduct(jt_p.topRows(d)).colwise().sum();
    }
  }

 private:
  N* m_net;
  P m_process;
  NoiseModelOptions<S> m_options;
  Index m_noise_rows = 1;
  Matrix<S> m_input;
};

/// log p_{t_start}(x) for every column of x (d x n) by integrating the probability-flow ODE of
/// `flow` (DenoiserFlow, NetworkFlow, or anything with process() and evaluate(x, t, probes,
/// velocity, quad)) together with ∫ ∇·F dt from t_start up to t_end, then adding
/// log_prior(x_T) (a callable Matrix<S> -> RowVector<double>). Costs steps × (1, 2 or 4)
/// evaluations, each with d probes (exact) or `probes` probes (Hutchinson). Single-threaded:
/// flows keep workspaces.
template <class Flow, class LogPrior>
OdeLikelihood<scalar_of<Flow>> ode_log_likelihood(Flow& flow, const Matrix<scalar_of<Flow>>& x, Rng& rng,
                                                  const OdeLikelihoodOptions& options, LogPrior&& log_prior) {
  using S = scalar_of<Flow>;
  constexpr const char* api = "ode_log_likelihood";
  check_nonempty(api, "x", x);
  check_all_finite(api, "x", x);
  check_at_least(api, "steps", options.steps, 1);
  check_at_least(api, "probes", options.probes, 1);
  const double t0 = options.t_start.value_or(static_cast<double>(flow.process().t_min()));
  const double t1 = options.t_end.value_or(static_cast<double>(flow.process().t_max()));
  check_finite(api, "t_start", t0);
  check_finite(api, "t_end", t1);
  DIFFUSE_REQUIRE(t0 < t1, api, "t_start must be below t_end", t0, "< t_end = " + detail::to_text(t1));

  // Probes, fixed for the whole solve: unit vectors (exact) or Hutchinson draws.
  const Index d = x.rows(), n = x.cols();
  std::vector<Matrix<S>> probes;
  if (options.divergence == DivergenceMethod::exact) {
    for (Index i = 0; i < d; ++i) {
      probes.push_back(Matrix<S>::Zero(d, n));
      probes.back().row(i).setOnes();
    }
  } else {
    for (int k = 0; k < options.probes; ++k) {
      probes.push_back(rng.normal<S>(d, n));
      if (options.divergence == DivergenceMethod::rademacher)
        probes.back() = (probes.back().array() < S(0)).select(Matrix<S>::Constant(d, n, S(-1)), Matrix<S>::Ones(d, n));
    }
  }
  const double scale = options.divergence == DivergenceMethod::exact ? 1.0 : 1.0 / options.probes;
  const std::span<const Matrix<S>> view(probes);

  OdeLikelihood<S> result;
  result.x_end = x;
  Matrix<S>& y = result.x_end;
  RowVector<double> delta = RowVector<double>::Zero(n);
  Matrix<S> k1, k2, k3, k4, probe;
  RowVector<S> q1, q2, q3, q4;
  const double h = (t1 - t0) / options.steps;
  for (int step = 0; step < options.steps; ++step) {
    const S t = static_cast<S>(t0 + step * h), hs = static_cast<S>(h);
    const S t_next = step + 1 == options.steps ? static_cast<S>(t1) : static_cast<S>(t0 + (step + 1) * h);
    flow.evaluate(y, t, view, k1, q1);
    switch (options.method) {
      case OdeMethod::euler:
        // [x; ℓ] ← [x; ℓ] + h [F; ∇·F](x, t)
        y += hs * k1;
        delta += (h * scale) * q1.template cast<double>();
        result.evaluations += 1;
        break;
      case OdeMethod::heun:
        // [x; ℓ] ← [x; ℓ] + h/2 ([F; ∇·F](x, t) + [F; ∇·F](x + h F, t + h))
        probe = y + hs * k1;
        flow.evaluate(probe, t_next, view, k2, q2);
        y += (hs / 2) * (k1 + k2);
        delta += (h * scale / 2) * (q1 + q2).template cast<double>();
        result.evaluations += 2;
        break;
      case OdeMethod::rk4:
        // [x; ℓ] ← [x; ℓ] + h/6 (k1 + 2 k2 + 2 k3 + k4) on the augmented state
        probe = y + (hs / 2) * k1;
        flow.evaluate(probe, t + hs / 2, view, k2, q2);
        probe = y + (hs / 2) * k2;
        flow.evaluate(probe, t + hs / 2, view, k3, q3);
        probe = y + hs * k3;
        flow.evaluate(probe, t_next, view, k4, q4);
        y += (hs / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
        delta += (h * scale / 6) * (q1 + 2 * q2 + 2 * q3 + q4).template cast<double>();
        result.evaluations += 4;
        break;
    }
  }
  result.log_prior = log_prior(std::as_const(y));
  check_shape(api, "log_prior(x_T)", result.log_prior, 1, n);
  result.delta = std::move(delta);
  result.log_p = result.log_prior + result.delta;
  return result;
}

/// ode_log_likelihood with the prior N(0, prior_std² I) at t_end.
template <class Flow>
OdeLikelihood<scalar_of<Flow>> ode_log_likelihood(Flow& flow, const Matrix<scalar_of<Flow>>& x, Rng& rng,
                                                  const OdeLikelihoodOptions& options = {}) {
  check_positive("ode_log_likelihood", "prior_std", options.prior_std);
  return ode_log_likelihood(flow, x, rng, options, [&](const Matrix<scalar_of<Flow>>& x_end) {
    return gaussian_log_density(x_end, options.prior_std);
  });
}

}  // namespace diffuse
