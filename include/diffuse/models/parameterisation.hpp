#pragma once
// diffuse/models/parameterisation.hpp — what a network predicts (ε, score, x0, v, EDM's F) and
// the conversions between them given the noise levels α and σ of x_t = α x0 + σ ε.
//
// ε and score: Song et al., "Score-Based Generative Modeling through SDEs" (2021), score = −ε/σ.
// v: Salimans & Ho, "Progressive Distillation" (2022), Appendix D, v = α ε − σ x0; the inverse is
// written for general α, σ (x0 = (α x − σ v)/(α² + σ²)), so it also holds off the VP circle.
// EDM: Karras et al. (2022), Table 1 and eq. (7): D(x; σ) = c_skip x + c_out F(c_in x; c_noise).
// With α ≠ 1 it is applied to x/α at σ/α (EDM eq. 4 with s(t) = α).

#include <cmath>
#include <type_traits>

#include "diffuse/core/types.hpp"

namespace diffuse {

/// The quantity a network's output stands for.
enum class Parameterisation {
  eps,    ///< the noise ε (DDPM)
  score,  ///< ∇ log p_t(x_t) = −ε/σ (NCSN, score SDEs)
  x0,     ///< the clean sample
  v,      ///< v = α ε − σ x0
  edm,    ///< EDM's F: x0 = c_skip x̃ + c_out F(c_in x̃; c_noise), x̃ = x/α, at σ̃ = σ/α
};

/// EDM preconditioning (Karras et al. 2022, Table 1) for data of standard deviation sigma_data.
struct EdmPrecond {
  double sigma_data = 0.5;  ///< σ_data, the data's standard deviation

  /// c_skip(σ) = σ_data² / (σ² + σ_data²).
  template <class S>
  S c_skip(S sigma) const { const S sd = S(sigma_data); return sd * sd / (sigma * sigma + sd * sd); }
  /// c_out(σ) = σ σ_data / √(σ² + σ_data²).
  template <class S>
  S c_out(S sigma) const { const S sd = S(sigma_data); return sigma * sd / std::sqrt(sigma * sigma + sd * sd); }
  /// c_in(σ) = 1 / √(σ² + σ_data²).
  template <class S>
  S c_in(S sigma) const { const S sd = S(sigma_data); return S(1) / std::sqrt(sigma * sigma + sd * sd); }
  /// c_noise(σ) = ¼ ln σ.
  template <class S>
  S c_noise(S sigma) const { return S(0.25) * std::log(sigma); }
};

namespace detail {
template <class S>
using scalar_arg = std::type_identity_t<S>;  // keeps S deduced from the matrices only
}  // namespace detail

/// x0 = (x − σ ε) / α.
template <class S>
void x0_from_eps(const Matrix<S>& x, const Matrix<S>& eps, detail::scalar_arg<S> alpha, detail::scalar_arg<S> sigma, Matrix<S>& x0) {
  x0 = (x - sigma * eps) / alpha;
}

/// ε = (x − α x0) / σ.
template <class S>
void eps_from_x0(const Matrix<S>& x, const Matrix<S>& x0, detail::scalar_arg<S> alpha, detail::scalar_arg<S> sigma, Matrix<S>& eps) {
  eps = (x - alpha * x0) / sigma;
}

/// score = −ε / σ.
template <class S>
void score_from_eps(const Matrix<S>& eps, detail::scalar_arg<S> sigma, Matrix<S>& score) {
  score = -eps / sigma;
}

/// ε = −σ score.
template <class S>
void eps_from_score(const Matrix<S>& score, detail::scalar_arg<S> sigma, Matrix<S>& eps) {
  eps = -sigma * score;
}

/// score = (α x0 − x) / σ² (Tweedie's formula read backwards).
template <class S>
void score_from_x0(const Matrix<S>& x, const Matrix<S>& x0, detail::scalar_arg<S> alpha, detail::scalar_arg<S> sigma, Matrix<S>& score) {
  score = (alpha * x0 - x) / (sigma * sigma);
}

/// v = α ε − σ x0.
template <class S>
void v_from_x0_eps(const Matrix<S>& x0, const Matrix<S>& eps, detail::scalar_arg<S> alpha, detail::scalar_arg<S> sigma, Matrix<S>& v) {
  v = alpha * eps - sigma * x0;
}

/// x0 = (α x − σ v) / (α² + σ²).
template <class S>
void x0_from_v(const Matrix<S>& x, const Matrix<S>& v, detail::scalar_arg<S> alpha, detail::scalar_arg<S> sigma, Matrix<S>& x0) {
  x0 = (alpha * x - sigma * v) / (alpha * alpha + sigma * sigma);
}

/// ε = (σ x + α v) / (α² + σ²).
template <class S>
void eps_from_v(const Matrix<S>& x, const Matrix<S>& v, detail::scalar_arg<S> alpha, detail::scalar_arg<S> sigma, Matrix<S>& eps) {
  eps = (sigma * x + alpha * v) / (alpha * alpha + sigma * sigma);
}

/// Turns a network output in parameterisation p into the pair (x0, ε) at noise levels (α, σ);
/// `output` must not alias out.x0 or out.eps. σ must be > 0 (and α > 0 for p = eps or score).
template <class S>
void prediction_from_output(Parameterisation p, const Matrix<S>& x, const Matrix<S>& output, detail::scalar_arg<S> alpha,
                            detail::scalar_arg<S> sigma, Prediction<S>& out, EdmPrecond edm = {}) {
  switch (p) {
    case Parameterisation::eps:
      out.eps = output;
      x0_from_eps(x, out.eps, alpha, sigma, out.x0);
      return;
    case Parameterisation::score:
      eps_from_score(output, sigma, out.eps);
      x0_from_eps(x, out.eps, alpha, sigma, out.x0);
      return;
    case Parameterisation::x0:
      out.x0 = output;
      break;
    case Parameterisation::v:
      x0_from_v(x, output, alpha, sigma, out.x0);
      break;
    case Parameterisation::edm: {
      const S s = sigma / alpha;
      // x0 = c_skip(σ̃) x/α + c_out(σ̃) F
      out.x0 = (edm.c_skip(s) / alpha) * x + edm.c_out(s) * output;
      break;
    }
  }
  eps_from_x0(x, out.x0, alpha, sigma, out.eps);
}

}  // namespace diffuse
