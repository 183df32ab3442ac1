// Toy data sets and the double-well potential: shapes, labels, geometry, gradients.
#include "support/catch.hpp"

#include <diffuse/distributions/double_well.hpp>
#include <diffuse/distributions/toy.hpp>

#include <cmath>

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Rng;
namespace toy = diffuse::toy;

TEST_CASE("Cross and ring data sets sit on their centres with their stds") {
  Rng rng(41);
  const auto [points, labels] = toy::cross<double>(20000, rng);
  const Matrix<double> centres = toy::cross_centres<double>();
  REQUIRE(points.rows() == 2);
  REQUIRE(labels.size() == 20000);
  Matrix<double> residual(2, 20000);
  for (Index j = 0; j < 20000; ++j) residual.col(j) = points.col(j) - centres.col(labels[static_cast<std::size_t>(j)]);
  CHECK(std::abs(residual.mean()) < 0.01);
  CHECK(std::sqrt(residual.array().square().mean()) == Approx(0.25).epsilon(0.02));
  const auto ring = toy::ring<double>(8000, rng, {.modes = 8, .radius = 5.0, .std = 0.4});
  const auto mixture = toy::ring_mixture<double>({.modes = 8, .radius = 5.0, .std = 0.4});
  CHECK(mixture.components() == 8);
  CHECK(mixture.means().colwise().norm().maxCoeff() == Approx(5.0));
  CHECK(ring.points.colwise().norm().mean() == Approx(5.0).epsilon(0.02));
}

TEST_CASE("Two arcs follow seed 003's geometry") {
  Rng rng(42);
  const auto arcs = toy::two_arcs<double>(2048, rng, 0.0);
  for (Index j = 0; j < arcs.points.cols(); ++j) {
    const auto p = arcs.points.col(j);
    if (arcs.labels[static_cast<std::size_t>(j)] == 0) {
      CHECK(std::hypot(p(0) - 0.6, p(1) - 0.2) == Approx(1.4));
      CHECK(p(1) >= 0.2 - 1e-12);
    } else {
      CHECK(std::hypot(p(0) + 0.5, p(1) + 1.0) == Approx(0.5));
      CHECK(p(1) <= -1.0 + 1e-12);
    }
  }
  CHECK(toy::two_arcs<float>(7, rng).points.cols() == 7);
}

TEST_CASE("Moons, swiss roll, checkerboard and spirals have the advertised shapes") {
  Rng rng(43);
  const auto moons = toy::moons<double>(1000, rng, 0.0);
  for (Index j = 0; j < 1000; ++j) {
    const auto p = moons.points.col(j);
    const double r = moons.labels[static_cast<std::size_t>(j)] == 0 ? p.norm() : std::hypot(p(0) - 1.0, p(1) - 0.5);
    CHECK(r == Approx(1.0));
  }
  const auto roll = toy::swiss_roll<double>(1000, rng, 0.0);
  CHECK(roll.points.colwise().norm().maxCoeff() <= 4.5 * M_PI / 5 + 1e-9);
  CHECK(roll.points.colwise().norm().minCoeff() >= 1.5 * M_PI / 5 - 1e-9);
  const auto board = toy::checkerboard<double>(4000, rng);
  for (Index j = 0; j < 4000; ++j) {
    const int cx = static_cast<int>(std::floor(board.points(0, j) / 2)), cy = static_cast<int>(std::floor(board.points(1, j) / 2));
    CHECK(((cx + cy) % 2 + 2) % 2 == 0);  // dark squares only
    CHECK(board.points.col(j).cwiseAbs().maxCoeff() <= 4.0);
  }
  const auto spirals = toy::spirals<double>(1000, rng, 0.0);
  CHECK(spirals.points.allFinite());
  CHECK(spirals.points.colwise().norm().maxCoeff() <= M_PI + 1e-9);
  CHECK_THROWS_AS(toy::moons<double>(10, rng, -1.0), diffuse::Error);
  CHECK_THROWS_AS(toy::ring<double>(10, rng, {.modes = 0}), diffuse::Error);
}

TEST_CASE("Double-well gradient is the derivative of its potential") {
  const diffuse::DoubleWell<double> well(0.1);
  Rng rng(44);
  const Matrix<double> x = rng.normal(2, 30);
  const Matrix<double> g = well.gradient(x);
  const double h = 1e-6;
  for (Index i = 0; i < 2; ++i) {
    Matrix<double> xp = x, xm = x;
    xp.row(i).array() += h;
    xm.row(i).array() -= h;
    CHECK(((well.potential(xp) - well.potential(xm)) / (2 * h) - g.row(i)).cwiseAbs().maxCoeff() < 1e-7);
  }
  Matrix<double> minima(2, 2);
  minima << std::sqrt(1.5), -std::sqrt(1.5), 0.0, 0.0;
  CHECK(well.gradient(minima).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(well.potential(Matrix<double>::Zero(2, 1))(0) - well.potential(minima)(0) == Approx(well.barrier_height()));
  CHECK((well.score(x) + g / 0.1).cwiseAbs().maxCoeff() < 1e-9);
  CHECK_THROWS_AS(diffuse::DoubleWell<double>(0.0), diffuse::Error);
  CHECK_THROWS_AS(well.potential(Matrix<double>::Zero(3, 2)), diffuse::Error);
}
