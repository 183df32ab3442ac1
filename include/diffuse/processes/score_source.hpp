#pragma once
// diffuse/processes/score_source.hpp — what the Langevin SDE and the reverse-time adaptors accept
// as a score: a density with a `score` member, or a plain callable.

#include <concepts>

#include "diffuse/core/types.hpp"

namespace diffuse {

/// A time-independent score ∇ log p(x): an object with `score(x, out)` or `score(x) -> Matrix`
/// (GaussianMixture, Gaussian, DoubleWell), or a callable `f(x, out)`.
template <class Src, class S>
concept StaticScore =
    requires(const Src& src, const Matrix<S>& x, Matrix<S>& out) { src.score(x, out); } ||
    requires(const Src& src, const Matrix<S>& x) { { src.score(x) } -> std::convertible_to<Matrix<S>>; } ||
    requires(const Src& src, const Matrix<S>& x, Matrix<S>& out) { src(x, out); };

/// A time-dependent score ∇ log p_t(x): a callable `f(x, t, out)` or an object with
/// `score(x, t, out)` (a learned model wrapper, MixtureScore).
template <class Src, class S>
concept TimeScore =
    requires(const Src& src, const Matrix<S>& x, S t, Matrix<S>& out) { src(x, t, out); } ||
    requires(const Src& src, const Matrix<S>& x, S t, Matrix<S>& out) { src.score(x, t, out); };

namespace detail {

template <class S, StaticScore<S> Src>
void evaluate_score(const Src& src, const Matrix<S>& x, Matrix<S>& out) {
  if constexpr (requires { src.score(x, out); })
    src.score(x, out);
  else if constexpr (requires { src.score(x); })
    out = src.score(x);
  else
    src(x, out);
}

template <class S, TimeScore<S> Src>
void evaluate_score(const Src& src, const Matrix<S>& x, S t, Matrix<S>& out) {
  if constexpr (requires { src(x, t, out); })
    src(x, t, out);
  else
    src.score(x, t, out);
}

}  // namespace detail
}  // namespace diffuse
