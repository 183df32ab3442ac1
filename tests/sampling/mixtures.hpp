#pragma once
// Shared test fixtures: the seed 000 cross mixture, a second full-covariance mixture with unequal
// weights, the single-bandwidth MMD² used by the tests and nearest-centre mode fractions.

#include <diffuse/core/types.hpp>
#include <diffuse/distributions/gaussian_mixture.hpp>
#include <diffuse/metrics/mmd.hpp>

#include <cmath>
#include <vector>

namespace sampling_test {

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Vector;

/// Seed 000 Part 3: centres (±2.5, 0), (0, ±2.5), (0, 0), std 0.25, equal weights.
inline diffuse::GaussianMixture<double> cross_mixture() {
  Matrix<double> means(2, 5);
  means << -2.5, 2.5, 0.0, 0.0, 0.0,  //
      0.0, 0.0, 2.5, -2.5, 0.0;
  return {means, Vector<double>::Constant(5, 0.25), Vector<double>::Ones(5)};
}

/// Three anisotropic, correlated components with weights 0.5, 0.3, 0.2.
inline diffuse::GaussianMixture<double> skewed_mixture() {
  Matrix<double> means(2, 3);
  means << -1.5, 1.5, 0.5,  //
      -1.0, -0.5, 1.8;
  std::vector<Matrix<double>> covs(3, Matrix<double>(2, 2));
  covs[0] << 0.20, 0.12, 0.12, 0.15;
  covs[1] << 0.05, -0.03, -0.03, 0.30;
  covs[2] << 0.10, 0.0, 0.0, 0.02;
  Vector<double> w(3);
  w << 0.5, 0.3, 0.2;
  return {means, covs, w};
}

/// Unbiased MMD² with the single Gaussian kernel exp(−|a − b|²/(2 h²)) (Gretton et al. 2012, eq. 3).
inline double mmd2(const Matrix<double>& x, const Matrix<double>& y, double h = 0.5) {
  return diffuse::mmd2(x, y, diffuse::MmdOptions{.bandwidths = {h}});
}

/// Fraction of columns of x nearest to each column of centres.
inline Vector<double> mode_fractions(const Matrix<double>& x, const Matrix<double>& centres) {
  Vector<double> counts = Vector<double>::Zero(centres.cols());
  for (Index j = 0; j < x.cols(); ++j) {
    Index best = 0;
    (centres.colwise() - x.col(j)).colwise().squaredNorm().minCoeff(&best);
    counts(best) += 1;
  }
  return counts / double(x.cols());
}

}  // namespace sampling_test
