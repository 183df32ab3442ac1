#pragma once
// diffuse/processes/langevin.hpp — overdamped Langevin dynamics for a target density p
// (seed 000, Question 3.1; Roberts & Tweedie 1996).
//
//   dX = ½ σ² ∇ log p(X) dt + σ dW,   stationary law p

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/processes/score_source.hpp"

namespace diffuse {

/// The Langevin SDE of a score source (a density with .score, or a callable score(x, out)).
/// With a Gaussian N(0, σ²/(2θ)) target it is exactly the OU process dX = −θ X dt + σ dW.
template <class S, StaticScore<S> Source>
class LangevinSde {
 public:
  using Scalar = S;

  /// Requires σ > 0.
  LangevinSde(S sigma, Source source) : m_sigma(sigma), m_source(std::move(source)) {
    check_positive("LangevinSde", "sigma", sigma);
  }

  S noise() const { return m_sigma; }
  const Source& source() const { return m_source; }

  /// f(x) = ½ σ² ∇ log p(x).
  void drift(const Matrix<S>& x, S, Matrix<S>& out) const {
    detail::evaluate_score(m_source, x, out);
    out *= S(0.5) * m_sigma * m_sigma;
  }
  /// g = σ.
  S diffusion(S) const { return m_sigma; }

 private:
  S m_sigma;
  Source m_source;
};

/// A density that names its scalar fixes S; otherwise (a callable) S is the type of sigma.
template <HasScalar Source, class T>
LangevinSde(T, Source) -> LangevinSde<scalar_of<Source>, Source>;

}  // namespace diffuse
