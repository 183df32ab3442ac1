// GaussianMixture and Gaussian: log-density against closed forms, score against finite
// differences of the log-density, stability far from the modes, sampling, noised marginals.
#include "support/catch.hpp"

#include <Eigen/LU>
#include <diffuse/distributions/gaussian.hpp>
#include <diffuse/distributions/gaussian_mixture.hpp>

#include <cmath>
#include <numbers>
#include <vector>

using diffuse::GaussianMixture;
using diffuse::Index;
using diffuse::Matrix;
using diffuse::Rng;
using diffuse::Vector;

namespace {

// A 3-component 2D mixture with unequal weights and anisotropic full covariances.
GaussianMixture<double> full_mixture() {
  Matrix<double> means(2, 3);
  means << -2.0, 1.5, 0.5,  //
      0.5, 1.0, -2.0;
  Matrix<double> c0(2, 2), c1(2, 2), c2(2, 2);
  c0 << 0.6, 0.2, 0.2, 0.4;
  c1 << 0.3, -0.1, -0.1, 0.9;
  c2 << 1.2, 0.0, 0.0, 0.25;
  Vector<double> w(3);
  w << 1.0, 2.0, 3.0;
  return GaussianMixture<double>(means, std::vector<Matrix<double>>{c0, c1, c2}, w);
}

// Central finite-difference gradient of a mixture's log-density.
template <class M>
Matrix<double> fd_gradient(const M& density, const Matrix<double>& x, double h = 1e-5) {
  Matrix<double> g(x.rows(), x.cols());
  for (Index i = 0; i < x.rows(); ++i) {
    Matrix<double> xp = x, xm = x;
    xp.row(i).array() += h;
    xm.row(i).array() -= h;
    g.row(i) = (density.log_density(xp) - density.log_density(xm)) / (2 * h);
  }
  return g;
}

}  // namespace

TEST_CASE("GaussianMixture log-density equals the direct sum of component densities") {
  const auto gm = full_mixture();
  Rng rng(1);
  const Matrix<double> x = 2.0 * rng.normal(2, 20);
  const auto logp = gm.log_density(x);
  for (Index j = 0; j < x.cols(); ++j) {
    double p = 0;
    for (Index k = 0; k < 3; ++k) {
      const Matrix<double> c = gm.covariance(k);
      const Vector<double> diff = x.col(j) - gm.means().col(k);
      const double quad = diff.dot(c.inverse() * diff);
      p += gm.weights()(k) * std::exp(-0.5 * quad) / (2 * std::numbers::pi * std::sqrt(c.determinant()));
    }
    CHECK(logp(j) == Approx(std::log(p)).epsilon(1e-12));
  }
  CHECK(gm.weights().sum() == Approx(1.0));
  CHECK(gm.weights()(2) == Approx(0.5));
}

TEST_CASE("GaussianMixture score equals the finite-difference gradient of its log-density") {
  Rng rng(2);
  const Matrix<double> x = 3.0 * rng.normal(2, 50);
  const auto full = full_mixture();
  CHECK((full.score(x) - fd_gradient(full, x)).cwiseAbs().maxCoeff() < 1e-6);
  const auto iso = GaussianMixture<double>::random_2d(5, 0.75, 15.0, 3);
  CHECK((iso.score(x) - fd_gradient(iso, x)).cwiseAbs().maxCoeff() < 1e-6);
  // A 3D isotropic mixture with unequal stds.
  Matrix<double> means = rng.normal(3, 4);
  Vector<double> stds(4);
  stds << 0.5, 1.0, 0.8, 1.7;
  const GaussianMixture<double> gm3(means, stds, Vector<double>::Ones(4));
  const Matrix<double> x3 = rng.normal(3, 30);
  CHECK((gm3.score(x3) - fd_gradient(gm3, x3)).cwiseAbs().maxCoeff() < 1e-6);
}

TEST_CASE("Gaussian log-density and score match the closed form") {
  Vector<double> mean(2);
  mean << 1.0, -1.0;
  Matrix<double> cov(2, 2);
  cov << 2.0, 0.5, 0.5, 1.0;
  const diffuse::Gaussian<double> g(mean, cov);
  Rng rng(3);
  const Matrix<double> x = rng.normal(2, 10);
  const auto logp = g.log_density(x);
  for (Index j = 0; j < x.cols(); ++j) {
    const Vector<double> diff = x.col(j) - mean;
    const double expected = -0.5 * diff.dot(cov.inverse() * diff) - std::log(2 * std::numbers::pi) -
                            0.5 * std::log(cov.determinant());
    CHECK(logp(j) == Approx(expected).epsilon(1e-12));
  }
  CHECK((g.score(x) - fd_gradient(g, x)).cwiseAbs().maxCoeff() < 1e-6);
  // Sample mean and covariance.
  const Matrix<double> s = g.sample(40000, rng);
  const Vector<double> m = s.rowwise().mean();
  const Matrix<double> centred = s.colwise() - m;
  const Matrix<double> c = centred * centred.transpose() / double(s.cols() - 1);
  CHECK((m - mean).cwiseAbs().maxCoeff() < 0.03);
  CHECK((c - cov).cwiseAbs().maxCoeff() < 0.05);
}

TEST_CASE("GaussianMixture score is finite far from the modes") {
  const auto gm = GaussianMixture<float>::random_2d(5, 0.75f, 15.0f, 3);
  for (float r : {1e3f, 1e4f}) {
    Matrix<float> x(2, 4);
    x << r, -r, r, 0.0f,  //
        r, r, -r, -r;
    const Matrix<float> s = gm.score(x);
    REQUIRE(s.allFinite());
    REQUIRE(gm.log_density(x).allFinite());
    // Far away the score points back at the nearest mode: −(x − μ*) / s² with |x| ≫ |μ*|.
    for (Index j = 0; j < x.cols(); ++j)
      CHECK(s.col(j).normalized().dot(-x.col(j).normalized()) > 0.99f);
  }
  const auto full = full_mixture();
  Matrix<double> far(2, 2);
  far << 1e4, -1e4, 1e4, 3e3;
  CHECK(full.score(far).allFinite());
  CHECK(full.log_density(far).allFinite());
}

TEST_CASE("GaussianMixture responsibilities sum to one and sampling follows the weights") {
  const auto gm = full_mixture();
  Rng rng(4);
  const auto [points, labels] = gm.sample(30000, rng);
  REQUIRE(points.cols() == 30000);
  std::vector<double> counts(3, 0.0);
  for (int l : labels) counts[static_cast<std::size_t>(l)] += 1.0 / 30000;
  for (Index k = 0; k < 3; ++k) CHECK(counts[static_cast<std::size_t>(k)] == Approx(gm.weights()(k)).margin(0.015));
  const Matrix<double> r = gm.responsibilities(points);
  CHECK((r.colwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
  // The average responsibility of each component equals its weight.
  for (Index k = 0; k < 3; ++k) CHECK(r.row(k).mean() == Approx(gm.weights()(k)).margin(0.015));
}

TEST_CASE("GaussianMixture noised is the law of alpha x0 + sigma eps") {
  const auto gm = full_mixture();
  const double alpha = 0.6, sigma = 0.7;
  const auto noised = gm.noised(alpha, sigma);
  CHECK((noised.means() - alpha * gm.means()).norm() < 1e-14);
  for (Index k = 0; k < 3; ++k)
    CHECK((noised.covariance(k) - (alpha * alpha * gm.covariance(k) + sigma * sigma * Matrix<double>::Identity(2, 2))).norm() < 1e-14);
  // Monte Carlo: the mean of alpha x0 + sigma eps equals the noised mixture's mean.
  Rng rng(5);
  const auto [x0, labels] = gm.sample(40000, rng);
  const Matrix<double> xt = alpha * x0 + sigma * rng.normal(2, 40000);
  const Vector<double> mixture_mean = noised.means() * noised.weights();
  CHECK((xt.rowwise().mean() - mixture_mean).cwiseAbs().maxCoeff() < 0.02);
  // Isotropic noised stds.
  const auto iso = GaussianMixture<double>::symmetric_2d(4, 0.5, 3.0).noised(0.5, 1.0);
  CHECK(iso.stds()(0) == Approx(std::sqrt(0.25 * 0.25 + 1.0)));
  CHECK(iso.means()(0, 0) == Approx(1.5));
}

TEST_CASE("GaussianMixture seed constructors place the modes") {
  const auto sym = GaussianMixture<double>::symmetric_2d(5, 1.0, 8.0);
  CHECK(sym.components() == 5);
  CHECK(sym.means().colwise().norm().minCoeff() == Approx(8.0));
  CHECK(sym.means()(0, 0) == Approx(8.0));
  const auto rnd = GaussianMixture<double>::random_2d(5, 0.75, 15.0, 3);
  CHECK(rnd.means().cwiseAbs().maxCoeff() <= 7.5);
  CHECK(rnd.is_isotropic());
  // Same seed, same centres; another seed, other centres.
  CHECK(GaussianMixture<double>::random_2d(5, 0.75, 15.0, 3).means() == rnd.means());
  CHECK(GaussianMixture<double>::random_2d(5, 0.75, 15.0, 4).means() != rnd.means());
}

TEST_CASE("GaussianMixture and Gaussian reject bad input") {
  Matrix<double> means = Matrix<double>::Zero(2, 2);
  CHECK_THROWS_AS(GaussianMixture<double>(means, Vector<double>::Constant(2, -1.0), Vector<double>::Ones(2)), diffuse::Error);
  CHECK_THROWS_AS(GaussianMixture<double>(means, Vector<double>::Ones(3), Vector<double>::Ones(2)), diffuse::Error);
  CHECK_THROWS_AS(GaussianMixture<double>(means, Vector<double>::Ones(2), Vector<double>::Zero(2)), diffuse::Error);
  CHECK_THROWS_AS(GaussianMixture<double>(means, Vector<double>::Ones(2), Vector<double>::Constant(2, -1.0)), diffuse::Error);
  Matrix<double> bad(2, 2);
  bad << 1.0, 2.0, 2.0, 1.0;  // indefinite
  CHECK_THROWS_AS(GaussianMixture<double>(means, std::vector<Matrix<double>>{bad, bad}, Vector<double>::Ones(2)), diffuse::Error);
  const auto gm = GaussianMixture<double>::symmetric_2d(3, 1.0);
  CHECK_THROWS_AS(gm.score(Matrix<double>::Zero(3, 4)), diffuse::Error);
  CHECK_THROWS_AS(gm.log_density(Matrix<double>::Zero(1, 4)), diffuse::Error);
  CHECK_THROWS_AS(gm.noised(1.0, -0.1), diffuse::Error);
  CHECK_THROWS_AS(diffuse::Gaussian<double>(Vector<double>::Zero(2), bad), diffuse::Error);
  CHECK_THROWS_AS(diffuse::Gaussian<double>(Vector<double>::Zero(2), Matrix<double>::Identity(3, 3)), diffuse::Error);
  try {
    GaussianMixture<double>(means, Vector<double>::Constant(2, 0.0), Vector<double>::Ones(2));
    FAIL("expected an exception");
  } catch (const diffuse::Error& e) {
    CHECK(std::string(e.what()).find("diffuse::GaussianMixture: stds[0] is out of range") == 0);
  }
}

TEST_CASE("Gaussian::fit recovers the moments of its points, and noised() is the law of alpha x + sigma eps") {
  diffuse::Rng rng(17);
  diffuse::Vector<double> mean(2);
  mean << 1.0, -2.0;
  diffuse::Matrix<double> cov(2, 2);
  cov << 2.0, 0.6, 0.6, 0.5;
  const diffuse::Gaussian<double> truth(mean, cov);
  const diffuse::Matrix<double> x = truth.sample(200000, rng);
  const auto fitted = diffuse::Gaussian<double>::fit(x);
  // Standard errors: sqrt(Σ_ii / n) for the mean, about sqrt(2 Σ_ii² / n) for the variances.
  CHECK((fitted.mean() - mean).cwiseAbs().maxCoeff() < 5 * std::sqrt(2.0 / 200000));
  CHECK((fitted.covariance() - cov).cwiseAbs().maxCoeff() < 5 * std::sqrt(2 * 4.0 / 200000));

  const auto noised = truth.noised(0.5, 0.8);
  CHECK((noised.mean() - 0.5 * mean).norm() < 1e-15);
  diffuse::Matrix<double> expected = 0.25 * cov;
  expected.diagonal().array() += 0.64;
  CHECK((noised.covariance() - expected).norm() < 1e-15);
  const diffuse::Matrix<double> pushed = 0.5 * x + 0.8 * rng.normal<double>(2, 200000);
  const auto pushed_fit = diffuse::Gaussian<double>::fit(pushed);
  CHECK((pushed_fit.covariance() - expected).cwiseAbs().maxCoeff() < 0.02);
  CHECK_THROWS_AS(diffuse::Gaussian<double>::fit(diffuse::Matrix<double>(2, 1)), diffuse::Error);
}
