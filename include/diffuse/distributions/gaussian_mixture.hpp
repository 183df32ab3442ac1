#pragma once
// diffuse/distributions/gaussian_mixture.hpp — a mixture of K Gaussians in d dimensions:
// log-density (log-sum-exp), score, responsibilities, labelled sampling, and the exact law of the
// mixture after a Gaussian forward process (its noised marginal).
//
//   p(x) = Σ_k w_k N(x; μ_k, Σ_k),   ∇ log p(x) = Σ_k r_k(x) (−Σ_k⁻¹ (x − μ_k)),
//   r_k(x) = w_k N(x; μ_k, Σ_k) / p(x)                                  (seed 000, Part 2)
//   x = α x0 + σ ε, x0 ~ p  ⇒  x ~ Σ_k w_k N(α μ_k, α² Σ_k + σ² I)   (seed 002, SDE marginals)

#include <Eigen/Cholesky>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/distributions/samples.hpp"

namespace diffuse {

/// A Gaussian mixture Σ_k w_k N(μ_k, Σ_k) with either isotropic components (Σ_k = s_k² I, the
/// fast path) or full covariances. Weights are normalised at construction. All batch methods
/// take x as d x n and are stable far from the modes (log-sum-exp; the score stays finite at
/// |x| = 1e4 in float).
template <class S>
class GaussianMixture {
 public:
  using Scalar = S;

  /// Isotropic mixture: means is d x K, stds and weights have K entries (weights need not sum to 1).
  GaussianMixture(Matrix<S> means, Vector<S> stds, Vector<S> weights)
      : m_means(std::move(means)), m_stds(std::move(stds)), m_isotropic(true) {
    constexpr const char* api = "GaussianMixture";
    check_means(api);
    check_shape(api, "stds", m_stds, components(), 1);
    for (Index k = 0; k < components(); ++k) check_variance(api, "stds[" + std::to_string(k) + "]", m_stds(k));
    set_weights(api, std::move(weights));
    const S half_log_2pi = S(0.5) * std::log(S(2) * std::numbers::pi_v<S>);
    m_log_norm.resize(components());
    for (Index k = 0; k < components(); ++k)
      m_log_norm(k) = -S(dim()) * (std::log(m_stds(k)) + half_log_2pi);
  }

  /// Full-covariance mixture: means is d x K, covariances holds K symmetric positive definite
  /// d x d matrices, weights has K entries.
  GaussianMixture(Matrix<S> means, std::vector<Matrix<S>> covariances, Vector<S> weights)
      : m_means(std::move(means)), m_covs(std::move(covariances)), m_isotropic(false) {
    constexpr const char* api = "GaussianMixture";
    check_means(api);
    DIFFUSE_REQUIRE(static_cast<Index>(m_covs.size()) == components(), api,
                    "wrong number of covariances", m_covs.size(), std::to_string(components()));
    set_weights(api, std::move(weights));
    const S log_2pi = std::log(S(2) * std::numbers::pi_v<S>);
    m_log_norm.resize(components());
    for (Index k = 0; k < components(); ++k) {
      const std::string name = "covariances[" + std::to_string(k) + "]";
      check_shape(api, name, m_covs[k], dim(), dim());
      check_all_finite(api, name, m_covs[k]);
      Eigen::LLT<Matrix<S>> llt(m_covs[k]);
      DIFFUSE_REQUIRE(llt.info() == Eigen::Success, api, name + " is not positive definite",
                      "a failed Cholesky factorisation", "a symmetric positive definite matrix");
      m_chol.push_back(llt.matrixL());
      m_precision.push_back(llt.solve(Matrix<S>::Identity(dim(), dim())));
      const S log_det = S(2) * m_chol.back().diagonal().array().log().sum();
      m_log_norm(k) = -S(0.5) * (S(dim()) * log_2pi + log_det);
    }
  }

  /// n modes equally spaced on a circle of radius `scale`, each N(μ_k, std² I), equal weights
  /// (seed 000's symmetric_2D).
  static GaussianMixture symmetric_2d(Index n, S std, S scale = S(10)) {
    check_count("GaussianMixture::symmetric_2d", "n", n, Index{1}, 2);
    Matrix<S> means(2, n);
    for (Index k = 0; k < n; ++k) {
      const S angle = S(2) * std::numbers::pi_v<S> * S(k) / S(n);
      means(0, k) = scale * std::cos(angle);
      means(1, k) = scale * std::sin(angle);
    }
    return GaussianMixture(std::move(means), Vector<S>::Constant(n, std), Vector<S>::Ones(n));
  }

  /// n modes with centres uniform in [−scale/2, scale/2)², each N(μ_k, std² I), equal weights
  /// (seed 000's random_2D; the centres come from diffuse::Rng(seed), not from torch).
  static GaussianMixture random_2d(Index n, S std, S scale = S(10), std::uint64_t seed = 0) {
    check_count("GaussianMixture::random_2d", "n", n, Index{1}, 2);
    Rng rng(seed);
    Matrix<S> means = (rng.uniform<S>(2, n).array() - S(0.5)) * scale;
    return GaussianMixture(std::move(means), Vector<S>::Constant(n, std), Vector<S>::Ones(n));
  }

  Index dim() const { return m_means.rows(); }
  Index components() const { return m_means.cols(); }
  /// Component means, d x K.
  const Matrix<S>& means() const { return m_means; }
  /// Normalised weights (sum to 1).
  const Vector<S>& weights() const { return m_weights; }
  bool is_isotropic() const { return m_isotropic; }

  /// Per-component standard deviations; only for isotropic mixtures.
  const Vector<S>& stds() const {
    DIFFUSE_REQUIRE(m_isotropic, "GaussianMixture::stds", "mixture has full covariances",
                    "full covariances", "an isotropic mixture (use covariance(k))");
    return m_stds;
  }

  /// Covariance of component k, d x d.
  Matrix<S> covariance(Index k) const {
    DIFFUSE_REQUIRE(k >= 0 && k < components(), "GaussianMixture::covariance",
                    "component index out of range", k, "0 <= k < " + std::to_string(components()));
    if (m_isotropic) return Matrix<S>::Identity(dim(), dim()) * (m_stds(k) * m_stds(k));
    return m_covs[static_cast<std::size_t>(k)];
  }

  /// log p(x_j) for every column of the d x n batch x, by log-sum-exp over components.
  RowVector<S> log_density(const Matrix<S>& x) const {
    check_shape("GaussianMixture::log_density", "x", x, dim(), -1);
    Matrix<S> logits;
    log_joint(x, logits);
    RowVector<S> out(x.cols());
    for (Index j = 0; j < x.cols(); ++j) {
      const S top = logits.col(j).maxCoeff();
      check_reachable("GaussianMixture::log_density", j, top);
      // log Σ_k e^{l_k} = m + log Σ_k e^{l_k − m}
      out(j) = top + std::log((logits.col(j).array() - top).exp().sum());
    }
    return out;
  }

  /// Posterior component probabilities r_k(x_j), K x n (each column sums to 1).
  Matrix<S> responsibilities(const Matrix<S>& x) const {
    check_shape("GaussianMixture::responsibilities", "x", x, dim(), -1);
    Matrix<S> r;
    log_joint(x, r);
    softmax_columns("GaussianMixture::responsibilities", r);
    return r;
  }

  /// ∇ log p(x) = Σ_k r_k(x) (−Σ_k⁻¹ (x − μ_k)), written into out (resized to d x n).
  void score(const Matrix<S>& x, Matrix<S>& out) const {
    check_shape("GaussianMixture::score", "x", x, dim(), -1);
    Matrix<S> r;
    log_joint(x, r);
    softmax_columns("GaussianMixture::score", r);
    if (m_isotropic) {
      // Σ_k r_k (μ_k − x) / s_k² = M (R / s²) − x ⊙ Σ_k r_k / s_k²
      const Vector<S> inv_var = m_stds.array().square().inverse();
      r.array().colwise() *= inv_var.array();
      out.noalias() = m_means * r;
      out -= x * r.colwise().sum().asDiagonal();
    } else {
      out.setZero(dim(), x.cols());
      for (Index k = 0; k < components(); ++k) {
        const Matrix<S> diff = x.colwise() - m_means.col(k);
        out.noalias() -= (m_precision[static_cast<std::size_t>(k)] * diff) * r.row(k).asDiagonal();
      }
    }
    DIFFUSE_REQUIRE(out.allFinite(), "GaussianMixture::score", "the score overflows this scalar type at x",
                    "a non-finite score", "x within the range where Σ⁻¹ (x − μ) is finite");
  }

  /// ∇ log p(x) for every column of x, d x n.
  Matrix<S> score(const Matrix<S>& x) const {
    Matrix<S> out;
    score(x, out);
    return out;
  }

  /// n draws with their component labels: k ~ Categorical(w), x = μ_k + L_k z.
  Samples<S> sample(Index n, Rng& rng) const {
    check_count("GaussianMixture::sample", "n", n, Index{0}, dim() + 1);
    Samples<S> out{Matrix<S>(dim(), n), std::vector<int>(static_cast<std::size_t>(n))};
    Vector<S> z(dim());
    for (Index j = 0; j < n; ++j) {
      const Index k = rng.categorical(m_weights);
      out.labels[static_cast<std::size_t>(j)] = static_cast<int>(k);
      rng.fill_normal(z);
      if (m_isotropic)
        out.points.col(j) = m_means.col(k) + m_stds(k) * z;
      else
        out.points.col(j) = m_means.col(k) + m_chol[static_cast<std::size_t>(k)] * z;
    }
    return out;
  }

  /// The exact law of alpha x0 + sigma ε with x0 from this mixture and ε ~ N(0, I): means α μ_k,
  /// covariances α² Σ_k + σ² I. Its score is the exact score of a Gaussian forward process
  /// with noise levels (α, σ) applied to this mixture.
  GaussianMixture noised(S alpha, S sigma) const {
    constexpr const char* api = "GaussianMixture::noised";
    check_finite(api, "alpha", alpha);
    check_non_negative(api, "sigma", sigma);
    DIFFUSE_REQUIRE(alpha != S(0) || sigma > S(0), api, "alpha and sigma are both zero", sigma,
                    "sigma > 0 when alpha = 0");
    if (m_isotropic) {
      const Vector<S> stds = (alpha * alpha * m_stds.array().square() + sigma * sigma).sqrt();
      return GaussianMixture(alpha * m_means, stds, m_weights);
    }
    std::vector<Matrix<S>> covs;
    covs.reserve(m_covs.size());
    for (const Matrix<S>& c : m_covs) covs.push_back(alpha * alpha * c + sigma * sigma * Matrix<S>::Identity(dim(), dim()));
    return GaussianMixture(alpha * m_means, std::move(covs), m_weights);
  }

 private:
  void check_means(const char* api) const {
    check_nonempty(api, "means", m_means);
    check_all_finite(api, "means", m_means);
  }

  void set_weights(const char* api, Vector<S> weights) {
    check_shape(api, "weights", weights, components(), 1);
    for (Index k = 0; k < components(); ++k)
      check_non_negative(api, "weights[" + std::to_string(k) + "]", weights(k));
    // Divide by the largest weight first: a sum of weights near S's maximum would overflow to Inf.
    const S largest = weights.maxCoeff();
    DIFFUSE_REQUIRE(largest > S(0), api, "weights sum to zero", largest, "a positive sum");
    weights /= largest;
    m_weights = weights / weights.sum();
    m_log_weights = m_weights.array().log();
  }

  // logits(k, j) = log w_k + log N(x_j; μ_k, Σ_k), K x n.
  void log_joint(const Matrix<S>& x, Matrix<S>& logits) const {
    logits.resize(components(), x.cols());
    const Vector<S> offset = m_log_weights + m_log_norm;
    if (m_isotropic) {
      const Vector<S> half_inv_var = S(0.5) * m_stds.array().square().inverse();
      for (Index j = 0; j < x.cols(); ++j)
        for (Index k = 0; k < components(); ++k)
          logits(k, j) = offset(k) - half_inv_var(k) * (x.col(j) - m_means.col(k)).squaredNorm();
      return;
    }
    for (Index k = 0; k < components(); ++k) {
      const Matrix<S> diff = x.colwise() - m_means.col(k);
      const Matrix<S> pd = m_precision[static_cast<std::size_t>(k)] * diff;
      logits.row(k) = (-S(0.5) * diff.cwiseProduct(pd).colwise().sum()).array() + offset(k);
    }
  }

  // The largest logit of sample j must be finite: beyond that x_j is so far from every component
  // (in units of its std) that the squared distance overflows S, and log-sum-exp would give NaN.
  static void check_reachable(const char* api, Index j, S top) {
    DIFFUSE_REQUIRE(std::isfinite(top), api, "x column " + std::to_string(j) + " is too far from every component",
                    top, "a squared distance / variance that is finite in this scalar type");
  }

  // Column-wise softmax in place, shifted by each column's maximum.
  static void softmax_columns(const char* api, Matrix<S>& logits) {
    for (Index j = 0; j < logits.cols(); ++j) {
      const S top = logits.col(j).maxCoeff();
      check_reachable(api, j, top);
      logits.col(j) = (logits.col(j).array() - top).exp();
      logits.col(j) /= logits.col(j).sum();
    }
  }

  Matrix<S> m_means;
  Vector<S> m_stds;               // isotropic components
  std::vector<Matrix<S>> m_covs;  // full-covariance components
  std::vector<Matrix<S>> m_chol;
  std::vector<Matrix<S>> m_precision;
  Vector<S> m_weights;
  Vector<S> m_log_weights;
  Vector<S> m_log_norm;
  bool m_isotropic;
};

}  // namespace diffuse
