#pragma once
// diffuse/processes/transition.hpp — exact Gaussian transitions of linear SDEs.
//
// For dx = f(t) x dt + g(t) dW with marginals x_t = α(t) x0 + σ(t) ε, the law of x_{t'} given
// x_t (t' > t) is N(a x_t, (σ(t')² − a² σ(t)²) I) with a = α(t') / α(t)
// (Särkkä & Solin, Applied SDEs, 2019, §6.1; Kingma et al. 2021, VDM eq. 2–3).

#include <algorithm>
#include <cmath>

#include "diffuse/core/concepts.hpp"

namespace diffuse {

/// One exact Gaussian transition x' = scale · x + offset + std · ξ, ξ ~ N(0, I).
template <class S>
struct GaussianTransition {
  S scale = 1;
  S offset = 0;
  S std = 0;
};

/// The exact forward transition of a Gaussian forward process from t to t_next > t.
template <NoiseLevels P>
GaussianTransition<scalar_of<P>> process_transition(const P& process, scalar_of<P> t,
                                                    scalar_of<P> t_next) {
  using S = scalar_of<P>;
  const S a = process.alpha(t_next) / process.alpha(t);
  const S s_next = process.sigma(t_next);
  const S s_now = process.sigma(t);
  // σ(t')² − a² σ(t)², clamped at 0 against rounding when t' ≈ t
  const S var = std::max(S(0), (s_next - a * s_now) * (s_next + a * s_now));
  return {a, S(0), std::sqrt(var)};
}

}  // namespace diffuse
