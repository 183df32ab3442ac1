#pragma once
// diffuse/processes/mixture_score.hpp — the exact score of a Gaussian forward process applied
// to Gaussian-mixture data: p_t = Σ_k w_k N(α(t) μ_k, α(t)² Σ_k + σ(t)² I).

#include "diffuse/core/concepts.hpp"
#include "diffuse/distributions/gaussian_mixture.hpp"

namespace diffuse {

/// Callable score(x, t, out) = ∇ log p_t(x) for data ~ `data` pushed through `process`: the
/// ground truth that reverse SDEs, probability-flow ODEs and samplers are tested against.
template <NoiseLevels P>
class MixtureScore {
 public:
  using Scalar = scalar_of<P>;

  MixtureScore(GaussianMixture<Scalar> data, P process) : m_data(std::move(data)), m_process(std::move(process)) {}

  const GaussianMixture<Scalar>& data() const { return m_data; }
  const P& process() const { return m_process; }

  /// The marginal p_t as a mixture.
  GaussianMixture<Scalar> marginal(Scalar t) const {
    return m_data.noised(m_process.alpha(t), m_process.sigma(t));
  }

  /// out = ∇ log p_t(x).
  void operator()(const Matrix<Scalar>& x, Scalar t, Matrix<Scalar>& out) const { marginal(t).score(x, out); }

 private:
  GaussianMixture<Scalar> m_data;
  P m_process;
};

template <class S, class P>
MixtureScore(GaussianMixture<S>, P) -> MixtureScore<P>;

}  // namespace diffuse
