#pragma once
// diffuse/models/oracle.hpp — the exact denoiser E[x0 | x_t] of a Gaussian mixture under any
// Gaussian noising x_t = α x0 + σ ε: the ground truth every sampler is tested against.
//
// With x0 ~ Σ_k w_k N(μ_k, Σ_k), x_t | k ~ N(α μ_k, α² Σ_k + σ² I) and (Gaussian conditioning)
//   E[x0 | x_t, k] = μ_k + α Σ_k (α² Σ_k + σ² I)⁻¹ (x_t − α μ_k),
//   E[x0 | x_t]    = Σ_k r_k(x_t) E[x0 | x_t, k],  r_k = responsibilities of the noised mixture.
// Each Σ_k = U_k Λ_k U_kᵀ is diagonalised once, so at every (α, σ) the inverse and determinant are
// diagonal: v_k = α² λ_k + σ², y = U_kᵀ (x_t − α μ_k), E[x0 | x_t, k] = μ_k + α U_k (λ_k/v_k ⊙ y).
// The noise is predicted directly, E[ε | x_t, k] = σ U_k (y / v_k), not as (x_t − α x0)/σ, whose
// numerator is O(σ²) and cancels in float at small σ. Responsibilities use log-sum-exp, so far
// points and small σ stay finite.

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <cmath>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// Exact posterior-mean denoiser of a Gaussian mixture under noise levels L (any NoiseLevels:
/// a continuous process, a DiscreteSchedule or SigmaLevels). Models Denoiser; predict() costs
/// O(K d² n) and allocates nothing after the first call at a given batch size.
template <NoiseLevels L>
class OracleDenoiser {
 public:
  using Scalar = scalar_of<L>;
  using S = Scalar;

  /// `mixture` needs means() (d x K), weights() (K) and covariance(k) (d x d), e.g.
  /// GaussianMixture; it is copied, so it need not outlive the oracle.
  template <class Mixture>
  OracleDenoiser(const Mixture& mixture, L levels) : m_levels(std::move(levels)) {
    const auto& means = mixture.means();
    const Index K = means.cols();
    DIFFUSE_REQUIRE(K >= 1, "OracleDenoiser", "mixture has no components", K, ">= 1");
    m_means = means.template cast<S>();
    m_log_weights.resize(K);
    for (Index k = 0; k < K; ++k) {
      const double w = static_cast<double>(mixture.weights()(k));
      m_log_weights(k) = static_cast<S>(w > 0 ? std::log(w) : -1e300);
      const Matrix<double> cov = mixture.covariance(k).template cast<double>();
      const double scale = cov.diagonal().mean();
      if (cov.isApprox(scale * Matrix<double>::Identity(cov.rows(), cov.cols()), 1e-14)) {
        m_rotations.push_back(Matrix<S>::Identity(cov.rows(), cov.cols()));
        m_eigenvalues.push_back(Vector<S>::Constant(cov.rows(), static_cast<S>(scale)));
        m_isotropic.push_back(true);
        continue;
      }
      Eigen::SelfAdjointEigenSolver<Matrix<double>> eig(cov);
      m_rotations.push_back(eig.eigenvectors().cast<S>());
      m_eigenvalues.push_back(eig.eigenvalues().cwiseMax(0.0).cast<S>());
      m_isotropic.push_back(false);
    }
  }

  const L& levels() const { return m_levels; }
  Index dim() const { return m_means.rows(); }

  /// out.x0 = E[x0 | x_t = x], out.eps = E[ε | x_t = x] = (x − α x0)/σ at time t. Throws diffuse::Error unless x
  /// has dim() rows and σ(t) > 0.
  void predict(const Matrix<S>& x, S t, Prediction<S>& out) {
    const S alpha = m_levels.alpha(t), sigma = m_levels.sigma(t);
    check_shape("OracleDenoiser::predict", "x", x, dim(), -1);
    DIFFUSE_REQUIRE(std::isfinite(alpha) && std::isfinite(sigma) && sigma > S(0), "OracleDenoiser::predict",
                    "noise level sigma(t) must be positive at t = " + detail::to_text(t), sigma, "sigma(t) > 0");
    const Index n = x.cols(), K = m_means.cols();
    m_logits.resize(K, n);
    m_component_means.resize(static_cast<std::size_t>(K));
    m_component_eps.resize(static_cast<std::size_t>(K));
    for (Index k = 0; k < K; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      m_var = alpha * alpha * m_eigenvalues[kk].array() + sigma * sigma;
      // y = U_kᵀ (x − α μ_k); U_k = I for isotropic components
      m_y = x.colwise() - alpha * m_means.col(k);
      if (!m_isotropic[kk]) {
        m_diff.noalias() = m_rotations[kk].transpose() * m_y;
        m_y.swap(m_diff);
      }
      // log w_k + log N(x; α μ_k, α² Σ_k + σ² I) up to the constant −d/2 log 2π
      m_inv_var = m_var.cwiseInverse();
      m_logits.row(k).noalias() = S(-0.5) * (m_inv_var.transpose() * m_y.cwiseAbs2());
      m_logits.row(k).array() += m_log_weights(k) - S(0.5) * m_var.array().log().sum();
      // E[ε | x, k] = σ U_k (y / v_k)
      Matrix<S>& eps = m_component_eps[kk];
      m_diff = m_y.array().colwise() * (sigma * m_inv_var.array());
      if (m_isotropic[kk]) {
        eps.swap(m_diff);
      } else {
        eps.noalias() = m_rotations[kk] * m_diff;
      }
      // E[x0 | x, k] = μ_k + α U_k (λ_k / v_k ⊙ y)
      Matrix<S>& mean = m_component_means[kk];
      m_y.array().colwise() *= alpha * m_eigenvalues[kk].array() * m_inv_var.array();
      if (m_isotropic[kk]) {
        mean = m_y.colwise() + m_means.col(k);
      } else {
        mean.noalias() = m_rotations[kk] * m_y;
        mean.colwise() += m_means.col(k);
      }
    }
    // responsibilities by a column-wise softmax shifted by the column maximum
    m_top = m_logits.colwise().maxCoeff();
    // x so far from every component that its squared distance overflows S: the softmax would be 0/0.
    DIFFUSE_REQUIRE(m_top.allFinite(), "OracleDenoiser::predict", "x is too far from every component at t = " + detail::to_text(t),
                    "a log-likelihood below this scalar type's range", "x whose squared distance / variance is finite");
    m_logits.array().rowwise() -= m_top.array();
    m_logits = m_logits.array().exp().matrix();
    m_top = m_logits.colwise().sum().cwiseInverse();
    m_logits.array().rowwise() *= m_top.array();
    out.x0.setZero(dim(), n);
    out.eps.setZero(dim(), n);
    for (Index k = 0; k < K; ++k) {
      out.x0.noalias() += m_component_means[static_cast<std::size_t>(k)] * m_logits.row(k).asDiagonal();
      out.eps.noalias() += m_component_eps[static_cast<std::size_t>(k)] * m_logits.row(k).asDiagonal();
    }
    DIFFUSE_REQUIRE(out.x0.allFinite() && out.eps.allFinite(), "OracleDenoiser::predict",
                    "the posterior mean overflows this scalar type at t = " + detail::to_text(t), "a non-finite x0 or eps",
                    "means, variances and x within the scalar type's range");
  }

 private:
  L m_levels;
  Matrix<S> m_means;
  Vector<S> m_log_weights;
  std::vector<Matrix<S>> m_rotations;  // U_k
  std::vector<Vector<S>> m_eigenvalues;  // λ_k
  std::vector<bool> m_isotropic;          // Σ_k = s_k² I: skip the rotations
  // workspaces
  std::vector<Matrix<S>> m_component_means;  // E[x0 | x, k], d x n each
  std::vector<Matrix<S>> m_component_eps;    // E[ε | x, k], d x n each
  Matrix<S> m_logits, m_diff, m_y;
  Vector<S> m_var, m_inv_var;
  RowVector<S> m_top;
};

template <class Mixture, class L>
OracleDenoiser(const Mixture&, L) -> OracleDenoiser<L>;

static_assert(Denoiser<OracleDenoiser<SigmaLevels<double>>>);
static_assert(Denoiser<OracleDenoiser<SigmaLevels<float>>>);

}  // namespace diffuse
