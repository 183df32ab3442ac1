#pragma once
// diffuse/processes/reverse.hpp — the reverse-time SDE and the probability-flow ODE of a Gaussian
// forward process, for any time-dependent score (Anderson 1982; Song et al. 2021, eq. 6 and 13;
// seed 002, "Reverse SDE" and "Probability Flow ODE").
//
//   reverse SDE:  dx = [f(t) x − g(t)² s(x, t)] dt + g(t) dW̄   (integrated with t decreasing)
//   PF-ODE:       dx/dt = f(t) x − ½ g(t)² s(x, t)

#include "diffuse/core/concepts.hpp"
#include "diffuse/processes/score_source.hpp"

namespace diffuse {

/// Reverse-time SDE of `process` with score s(x, t) ≈ ∇ log p_t(x). Integrate it on a
/// decreasing grid: the step h = t_next − t is negative and Euler–Maruyama scales its noise by
/// √|h|.
template <Process P, TimeScore<scalar_of<P>> Score>
class ReverseSde {
 public:
  using Scalar = scalar_of<P>;

  ReverseSde(P process, Score score) : m_process(std::move(process)), m_score(std::move(score)) {}

  const P& process() const { return m_process; }

  /// f(t) x − g(t)² s(x, t).
  void drift(const Matrix<Scalar>& x, Scalar t, Matrix<Scalar>& out) const {
    detail::evaluate_score(m_score, x, t, out);
    const Scalar g = m_process.diffusion(t);
    out = m_process.drift_coef(t) * x - (g * g) * out;
  }
  /// g(t).
  Scalar diffusion(Scalar t) const { return m_process.diffusion(t); }

 private:
  P m_process;
  Score m_score;
};

template <class P, class Score>
ReverseSde(P, Score) -> ReverseSde<P, Score>;

/// Probability-flow ODE of `process` with score s(x, t): same marginals as the forward SDE,
/// deterministic paths. Integrate on a decreasing grid to sample, increasing to encode.
template <Process P, TimeScore<scalar_of<P>> Score>
class ProbabilityFlowOde {
 public:
  using Scalar = scalar_of<P>;

  ProbabilityFlowOde(P process, Score score) : m_process(std::move(process)), m_score(std::move(score)) {}

  const P& process() const { return m_process; }

  /// f(t) x − ½ g(t)² s(x, t).
  void drift(const Matrix<Scalar>& x, Scalar t, Matrix<Scalar>& out) const {
    detail::evaluate_score(m_score, x, t, out);
    const Scalar g = m_process.diffusion(t);
    out = m_process.drift_coef(t) * x - (Scalar(0.5) * g * g) * out;
  }

 private:
  P m_process;
  Score m_score;
};

template <class P, class Score>
ProbabilityFlowOde(P, Score) -> ProbabilityFlowOde<P, Score>;

}  // namespace diffuse
