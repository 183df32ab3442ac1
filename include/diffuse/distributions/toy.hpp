#pragma once
// diffuse/distributions/toy.hpp — labelled 2D toy data sets: the seeds' cross (seed 000, Part 3),
// ring of Gaussians (seeds 001, 002) and two arcs (seed 003), plus moons, swiss roll,
// checkerboard and spirals (Grathwohl et al. 2019, FFJORD toy sets). Each returns 2 x n points
// and one label per point.

#include <cmath>
#include <numbers>

#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/distributions/gaussian_mixture.hpp"
#include "diffuse/distributions/samples.hpp"

namespace diffuse::toy {

/// The five centres of seed 000's cross: (∓2.5, 0), (0, ±2.5), (0, 0), as a 2 x 5 matrix.
template <class S>
Matrix<S> cross_centres() {
  Matrix<S> c(2, 5);
  c << S(-2.5), S(2.5), S(0), S(0), S(0),  //
      S(0), S(0), S(2.5), S(-2.5), S(0);
  return c;
}

/// Seed 000's cross as a mixture: equal weights, each centre with std `std`.
template <class S>
GaussianMixture<S> cross_mixture(S std = S(0.25)) {
  return GaussianMixture<S>(cross_centres<S>(), Vector<S>::Constant(5, std), Vector<S>::Ones(5));
}

/// n points of seed 000's cross (label = centre index 0..4).
template <class S>
Samples<S> cross(Index n, Rng& rng, S std = S(0.25)) {
  return cross_mixture<S>(std).sample(n, rng);
}

/// A ring of Gaussians: `modes` centres equally spaced on a circle of `radius` (the first at
/// angle 0), each with std `std`. Seed 001 uses (8, 3, 0.25), seed 002 uses (8, 5, 0.4).
struct RingOptions {
  int modes = 8;
  double radius = 3.0;
  double std = 0.25;
};

/// The ring of Gaussians as a mixture with equal weights.
template <class S>
GaussianMixture<S> ring_mixture(RingOptions options = {}) {
  check_count("toy::ring", "modes", options.modes, 1, 2);
  check_positive("toy::ring", "radius", options.radius);
  return GaussianMixture<S>::symmetric_2d(options.modes, S(options.std), S(options.radius));
}

/// n points of a ring of Gaussians (label = mode index).
template <class S>
Samples<S> ring(Index n, Rng& rng, RingOptions options = {}) {
  return ring_mixture<S>(options).sample(n, rng);
}

/// Seed 003's two arcs: an upper half-circle of radius 1.4 centred at (0.6, 0.2) (label 0) and
/// a lower half-circle of radius 0.5 centred at (−0.5, −1.0) (label 1), angles evenly spaced on
/// [0, π], columns interleaved, plus N(0, noise²) jitter.
template <class S>
Samples<S> two_arcs(Index n, Rng& rng, S noise = S(0.02)) {
  check_count("toy::two_arcs", "n", n, Index{2}, 3);
  check_non_negative("toy::two_arcs", "noise", noise);
  Samples<S> out{Matrix<S>(2, n), std::vector<int>(static_cast<std::size_t>(n))};
  const Index m0 = (n + 1) / 2, m1 = n / 2;
  const S pi = std::numbers::pi_v<S>;
  for (Index j = 0; j < n; ++j) {
    const int arc = static_cast<int>(j % 2);
    const Index i = j / 2, m = arc == 0 ? m0 : m1;
    const S theta = m > 1 ? pi * S(i) / S(m - 1) : S(0);
    if (arc == 0) {
      out.points(0, j) = S(1.4) * std::cos(theta) + S(0.6);
      out.points(1, j) = S(1.4) * std::sin(theta) + S(0.2);
    } else {
      out.points(0, j) = S(0.5) * std::cos(theta + pi) - S(0.5);
      out.points(1, j) = S(0.5) * std::sin(theta + pi) - S(1.0);
    }
    out.labels[static_cast<std::size_t>(j)] = arc;
  }
  out.points += noise * rng.normal<S>(2, n);
  return out;
}

/// Two interleaving half-circles (scikit-learn's make_moons): label 0 on (cos θ, sin θ),
/// label 1 on (1 − cos θ, ½ − sin θ), θ uniform on [0, π], plus N(0, noise²) jitter.
template <class S>
Samples<S> moons(Index n, Rng& rng, S noise = S(0.05)) {
  check_count("toy::moons", "n", n, Index{0}, 3);
  check_non_negative("toy::moons", "noise", noise);
  Samples<S> out{Matrix<S>(2, n), std::vector<int>(static_cast<std::size_t>(n))};
  for (Index j = 0; j < n; ++j) {
    const int label = static_cast<int>(j % 2);
    const S theta = std::numbers::pi_v<S> * rng.uniform<S>();
    out.points(0, j) = label == 0 ? std::cos(theta) : S(1) - std::cos(theta);
    out.points(1, j) = label == 0 ? std::sin(theta) : S(0.5) - std::sin(theta);
    out.labels[static_cast<std::size_t>(j)] = label;
  }
  out.points += noise * rng.normal<S>(2, n);
  return out;
}

/// A 2D swiss roll: s = 1.5π (1 + 2u), point (s cos s, s sin s) / 5 plus N(0, noise²) jitter;
/// the label is the third of the roll (0 inner .. 2 outer) the point lies on.
template <class S>
Samples<S> swiss_roll(Index n, Rng& rng, S noise = S(0.1)) {
  check_count("toy::swiss_roll", "n", n, Index{0}, 3);
  check_non_negative("toy::swiss_roll", "noise", noise);
  Samples<S> out{Matrix<S>(2, n), std::vector<int>(static_cast<std::size_t>(n))};
  for (Index j = 0; j < n; ++j) {
    const S u = rng.uniform<S>();
    const S s = S(1.5) * std::numbers::pi_v<S> * (S(1) + S(2) * u);
    out.points(0, j) = s * std::cos(s) / S(5);
    out.points(1, j) = s * std::sin(s) / S(5);
    out.labels[static_cast<std::size_t>(j)] = std::min(2, static_cast<int>(S(3) * u));
  }
  out.points += noise * rng.normal<S>(2, n);
  return out;
}

/// Uniform points on the 8 dark squares of a 4 x 4 checkerboard of side-2 cells covering
/// [−4, 4]²; the label is the cell index 0..7.
template <class S>
Samples<S> checkerboard(Index n, Rng& rng) {
  check_count("toy::checkerboard", "n", n, Index{0}, 3);
  Samples<S> out{Matrix<S>(2, n), std::vector<int>(static_cast<std::size_t>(n))};
  for (Index j = 0; j < n; ++j) {
    const auto cell = static_cast<int>(rng.integer(8));
    const int col = cell % 4, row = 2 * (cell / 4) + (col % 2);
    out.points(0, j) = S(2) * (S(col) + rng.uniform<S>()) - S(4);
    out.points(1, j) = S(2) * (S(row) + rng.uniform<S>()) - S(4);
    out.labels[static_cast<std::size_t>(j)] = cell;
  }
  return out;
}

/// Two interleaved spirals: radius r = √u · 3π, arm 0 at (−r cos r, r sin r) / 3, arm 1 its
/// reflection through the origin, plus N(0, noise²) jitter; the label is the arm.
template <class S>
Samples<S> spirals(Index n, Rng& rng, S noise = S(0.1)) {
  check_count("toy::spirals", "n", n, Index{0}, 3);
  check_non_negative("toy::spirals", "noise", noise);
  Samples<S> out{Matrix<S>(2, n), std::vector<int>(static_cast<std::size_t>(n))};
  for (Index j = 0; j < n; ++j) {
    const int arm = static_cast<int>(j % 2);
    const S r = std::sqrt(rng.uniform<S>()) * S(3) * std::numbers::pi_v<S>;
    const S sign = arm == 0 ? S(1) : S(-1);
    out.points(0, j) = sign * -r * std::cos(r) / S(3);
    out.points(1, j) = sign * r * std::sin(r) / S(3);
    out.labels[static_cast<std::size_t>(j)] = arm;
  }
  out.points += noise * rng.normal<S>(2, n);
  return out;
}

}  // namespace diffuse::toy
