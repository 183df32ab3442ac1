#pragma once
// diffuse/distributions/double_well.hpp — the 2D double-well energy landscape of seed 000
// (Part 1B, "Temperature intuition") and its Boltzmann density p ∝ exp(−U / T).
//
//   U(x, y) = ¼ (x² − 1.5)² + 0.7 y²,   ∇U = (x (x² − 1.5), 1.4 y)
//   ∇ log p = −∇U / T, so the Langevin SDE with σ = √(2T) has drift −∇U (overdamped dynamics).

#include <cmath>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// Double-well potential with minima at (±√1.5, 0) and a barrier of height 1.5²/4 = 0.5625 at
/// the origin, at temperature T. Batches are 2 x n.
template <class S>
class DoubleWell {
 public:
  using Scalar = S;
  /// Location of the wells: x² = well_offset.
  static constexpr S well_offset = S(1.5);
  /// Curvature coefficient of the y direction.
  static constexpr S y_stiffness = S(0.7);

  /// The Boltzmann density at temperature T > 0.
  explicit DoubleWell(S temperature = S(1)) : m_temperature(temperature) {
    check_positive("DoubleWell", "temperature", temperature);
  }

  S temperature() const { return m_temperature; }
  Index dim() const { return 2; }
  /// Height of the barrier at the origin above the minima: U(0, 0) − U(±√1.5, 0).
  static S barrier_height() { return S(0.25) * well_offset * well_offset; }

  /// U(x, y) for every column of the 2 x n batch.
  RowVector<S> potential(const Matrix<S>& x) const {
    check_shape("DoubleWell::potential", "x", x, 2, -1);
    const auto px = x.row(0).array();
    const auto py = x.row(1).array();
    return S(0.25) * (px.square() - well_offset).square() + y_stiffness * py.square();
  }

  /// ∇U = (x (x² − 1.5), 1.4 y), written into out (2 x n).
  void gradient(const Matrix<S>& x, Matrix<S>& out) const {
    check_shape("DoubleWell::gradient", "x", x, 2, -1);
    out.resize(2, x.cols());
    out.row(0) = x.row(0).array() * (x.row(0).array().square() - well_offset);
    out.row(1) = S(2) * y_stiffness * x.row(1);
  }

  Matrix<S> gradient(const Matrix<S>& x) const {
    Matrix<S> out;
    gradient(x, out);
    return out;
  }

  /// Unnormalised log-density −U / T.
  RowVector<S> log_density(const Matrix<S>& x) const { return -potential(x) / m_temperature; }

  /// ∇ log p = −∇U / T, written into out.
  void score(const Matrix<S>& x, Matrix<S>& out) const {
    gradient(x, out);
    out *= -S(1) / m_temperature;
  }

  Matrix<S> score(const Matrix<S>& x) const {
    Matrix<S> out;
    score(x, out);
    return out;
  }

 private:
  S m_temperature;
};

}  // namespace diffuse
