#pragma once
// diffuse/samplers/lms.hpp — the linear multistep method of k-diffusion's sample_lms (an
// Adams–Bashforth method on a non-uniform σ grid): with slopes d_j = (x_j − D(x_j; σ_j))/σ_j,
//   x_{i+1} = x_i + Σ_{j<q} c_j d_{i−j},   c_j = ∫_{σ_i}^{σ_{i+1}} ℓ_j(τ) dτ,
// ℓ_j the Lagrange basis polynomial of the nodes σ_i, …, σ_{i−q+1} that is 1 at σ_{i−j}, and
// q = min(i + 1, order). The integrals are exact (polynomials of degree < 4, integrated in closed form).

#include <array>
#include <span>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

namespace detail {

/// c_j = ∫_{a}^{b} Π_{k≠j} (τ − s_k)/(s_j − s_k) dτ for q ≤ 4 nodes s_0..s_{q−1}; computed in the
/// shifted variable u = τ − a (the polynomial's coefficients in u, then ∫ u^m = (b − a)^{m+1}/(m+1)).
template <class S>
S lagrange_integral(const std::array<S, 4>& nodes, int q, int j, S a, S b) {
  std::array<S, 4> poly = {1, 0, 0, 0};  // coefficients of u^0..u^3
  S denominator = 1;
  int degree = 0;
  for (int k = 0; k < q; ++k) {
    if (k == j) continue;
    // multiply by (u − (s_k − a))
    const S root = nodes[static_cast<std::size_t>(k)] - a;
    for (int m = degree + 1; m >= 0; --m)
      poly[static_cast<std::size_t>(m)] = (m > 0 ? poly[static_cast<std::size_t>(m - 1)] : S(0)) - root * poly[static_cast<std::size_t>(m)];
    ++degree;
    denominator *= nodes[static_cast<std::size_t>(j)] - nodes[static_cast<std::size_t>(k)];
  }
  const S h = b - a;
  S integral = 0, power = h;
  for (int m = 0; m <= degree; ++m, power *= h) integral += poly[static_cast<std::size_t>(m)] * power / S(m + 1);
  return integral / denominator;
}

}  // namespace detail

/// LMS sampler of order ≤ 4 in σ-space, on a σ grid ending at 0. One evaluation per step; keeps
/// the last `order` slopes (cleared by reset(), which sample() calls). Order `order` on smooth
/// problems (lower on the first steps).
template <class S = double>
struct Lms {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  int order = 4;  ///< q, 1 to 4
  struct Workspace {
    Prediction<S> pred;
    std::array<Matrix<S>, 4> slopes;  // d_i, d_{i−1}, …, newest first (a ring by index)
    std::array<S, 4> sigmas = {};     // σ_i, σ_{i−1}, …
    int count = 0;                    // slopes kept so far (≤ order)
    int newest = 0;                   // index of d_i in slopes
  } work = {};

  /// Throws diffuse::Error unless 1 ≤ order ≤ 4.
  void validate() const {
    DIFFUSE_REQUIRE(order >= 1 && order <= 4, "Lms", "order must be 1 to 4", order, "1, 2, 3 or 4");
  }

  /// Forgets the history (starts a new trajectory).
  void reset(std::span<const S>) { work.count = 0; }

  template <Denoiser D, class Noise>
  void step(D& model, Matrix<S>& x, S sigma, S sigma_next, Noise&) {
    detail::require_sigma_space<D>();
    model.predict(x, sigma, work.pred);
    work.newest = (work.newest + 3) % 4;
    auto& slope = work.slopes[static_cast<std::size_t>(work.newest)];
    // d_i = (x_i − D(x_i; σ_i))/σ_i
    slope = (x - work.pred.x0) / sigma;
    for (int k = 3; k > 0; --k) work.sigmas[static_cast<std::size_t>(k)] = work.sigmas[static_cast<std::size_t>(k - 1)];
    work.sigmas[0] = sigma;
    work.count = std::min(work.count + 1, order);
    // x_{i+1} = x_i + Σ_j c_j d_{i−j}
    for (int j = 0; j < work.count; ++j) {
      const S c = detail::lagrange_integral(work.sigmas, work.count, j, sigma, sigma_next);
      x += c * work.slopes[static_cast<std::size_t>((work.newest + j) % 4)];
    }
  }
};

static_assert(Sampler<Lms<double>, detail::DenoiserArchetype<SigmaLevels<double>>>);
static_assert(Sampler<Lms<float>, detail::DenoiserArchetype<SigmaLevels<float>>>);

}  // namespace diffuse
