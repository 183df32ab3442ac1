#pragma once
// diffuse/distributions/gaussian.hpp — the multivariate normal N(μ, Σ) with full covariance:
// log-density, score and sampling on d x n batches.
//
//   log N(x; μ, Σ) = −½ (x − μ)ᵀ Σ⁻¹ (x − μ) − ½ log det(2π Σ),   ∇ log N = −Σ⁻¹ (x − μ)
// (seed 000, Part 2: the `Gaussian` density).

#include <Eigen/Cholesky>
#include <cmath>
#include <numbers>

#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// A multivariate normal N(mean, covariance). The covariance must be symmetric positive
/// definite; its Cholesky factor L (Σ = L Lᵀ) is computed once at construction.
template <class S>
class Gaussian {
 public:
  using Scalar = S;

  /// N(mean, covariance); covariance is d x d with d = mean.size().
  Gaussian(Vector<S> mean, Matrix<S> covariance) : m_mean(std::move(mean)), m_cov(std::move(covariance)) {
    constexpr const char* api = "Gaussian";
    check_nonempty(api, "mean", m_mean);
    check_all_finite(api, "mean", m_mean);
    check_shape(api, "covariance", m_cov, m_mean.size(), m_mean.size());
    check_all_finite(api, "covariance", m_cov);
    DIFFUSE_REQUIRE((m_cov - m_cov.transpose()).cwiseAbs().maxCoeff() <=
                        S(1e-6) * (S(1) + m_cov.cwiseAbs().maxCoeff()),
                    api, "covariance is not symmetric", "an asymmetric matrix", "Σ = Σᵀ");
    Eigen::LLT<Matrix<S>> llt(m_cov);
    DIFFUSE_REQUIRE(llt.info() == Eigen::Success, api, "covariance is not positive definite",
                    "a failed Cholesky factorisation", "a symmetric positive definite matrix");
    m_chol = llt.matrixL();
    m_precision = llt.solve(Matrix<S>::Identity(dim(), dim()));
    const S log_det = S(2) * m_chol.diagonal().array().log().sum();
    // A covariance with a tiny eigenvalue has a precision beyond S's range: log-density and score
    // would be Inf or NaN.
    DIFFUSE_REQUIRE(m_precision.allFinite() && std::isfinite(log_det), api,
                    "covariance is too close to singular for this scalar type", log_det,
                    "a covariance whose inverse is finite");
    m_log_norm = -S(0.5) * (S(dim()) * std::log(S(2) * std::numbers::pi_v<S>) + log_det);
  }

  /// N(mean, std² I).
  static Gaussian isotropic(Vector<S> mean, S std) {
    check_variance("Gaussian::isotropic", "std", std);
    const Index d = mean.size();
    return Gaussian(std::move(mean), Matrix<S>::Identity(d, d) * (std * std));
  }

  /// The Gaussian with the sample mean and the unbiased sample covariance of points (d x n, n ≥ 2).
  static Gaussian fit(const Matrix<S>& points) {
    check_at_least("Gaussian::fit", "number of points", points.cols(), Index{2});
    check_all_finite("Gaussian::fit", "points", points);
    Vector<S> mean = points.rowwise().mean();
    const Matrix<S> centred = points.colwise() - mean;
    // Σ̂ = Σ_j (x_j − x̄)(x_j − x̄)ᵀ / (n − 1)
    Matrix<S> cov = centred * centred.transpose() / S(points.cols() - 1);
    return Gaussian(std::move(mean), std::move(cov));
  }

  /// The law of α x + σ ε for x from this Gaussian and ε ~ N(0, I): N(α μ, α² Σ + σ² I). With a
  /// data set's fitted moments this is the Gaussian closest to a forward process's marginal at t.
  Gaussian noised(S alpha, S sigma) const {
    check_finite("Gaussian::noised", "alpha", alpha);
    check_non_negative("Gaussian::noised", "sigma", sigma);
    Matrix<S> cov = alpha * alpha * m_cov;
    cov.diagonal().array() += sigma * sigma;
    return Gaussian(alpha * m_mean, std::move(cov));
  }

  Index dim() const { return m_mean.size(); }
  const Vector<S>& mean() const { return m_mean; }
  const Matrix<S>& covariance() const { return m_cov; }
  /// Σ⁻¹.
  const Matrix<S>& precision() const { return m_precision; }
  /// Lower Cholesky factor L with Σ = L Lᵀ.
  const Matrix<S>& cholesky() const { return m_chol; }

  /// log N(x_j; μ, Σ) for every column x_j of the d x n batch x.
  RowVector<S> log_density(const Matrix<S>& x) const {
    check_shape("Gaussian::log_density", "x", x, dim(), -1);
    const Matrix<S> diff = x.colwise() - m_mean;
    const Matrix<S> pd = m_precision * diff;
    // −½ (x − μ)ᵀ Σ⁻¹ (x − μ) + log normaliser
    return (-S(0.5) * diff.cwiseProduct(pd).colwise().sum()).array() + m_log_norm;
  }

  /// ∇ log N(x; μ, Σ) = −Σ⁻¹ (x − μ), written into out (resized to d x n).
  void score(const Matrix<S>& x, Matrix<S>& out) const {
    check_shape("Gaussian::score", "x", x, dim(), -1);
    out.noalias() = -(m_precision * (x.colwise() - m_mean));
  }

  /// ∇ log N(x; μ, Σ) for every column of x.
  Matrix<S> score(const Matrix<S>& x) const {
    Matrix<S> out;
    score(x, out);
    return out;
  }

  /// n independent draws μ + L z, z ~ N(0, I), as a d x n batch.
  Matrix<S> sample(Index n, Rng& rng) const {
    check_count("Gaussian::sample", "n", n, Index{0}, dim());
    Matrix<S> z = rng.normal<S>(dim(), n);
    if (n == 0) return z;  // Eigen's triangular product binds a null reference on an empty batch
    Matrix<S> x = m_chol.template triangularView<Eigen::Lower>() * z;
    x.colwise() += m_mean;
    return x;
  }

 private:
  Vector<S> m_mean;
  Matrix<S> m_cov;
  Matrix<S> m_chol;
  Matrix<S> m_precision;
  S m_log_norm = 0;
};

}  // namespace diffuse
