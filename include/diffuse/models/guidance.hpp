#pragma once
// diffuse/models/guidance.hpp — classifier-free guidance (Ho & Salimans 2022, eq. 6): one network
// trained with condition dropout predicts both ε(x, c) and ε(x, ∅), and sampling uses
//   ε̃ = ε(x, ∅) + w (ε(x, c) − ε(x, ∅)),
// w = 1 the conditional model, w = 0 the unconditional one, w > 1 sharper conditionals. x0 is
// affine in ε at fixed x, so it combines with the same weights.

#include <cmath>
#include <utility>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// A Denoiser whose condition rows can be set (NoiseModel).
template <class M>
concept ConditionableDenoiser = Denoiser<M> && requires(M& m, const Matrix<scalar_of<M>>& c) { m.set_condition(c); };

/// Classifier-free guidance over a conditional model: a Denoiser with two evaluations of `model`
/// per prediction. `condition` (c x n) is the batch's condition; the null condition has every
/// entry equal to `null_condition`, the value DenoisingOptions::null_condition trained with.
template <ConditionableDenoiser M>
class ClassifierFreeGuidance {
 public:
  using Scalar = scalar_of<M>;
  using S = Scalar;

  /// Throws diffuse::Error for an empty condition or a non-finite scale or null value.
  ClassifierFreeGuidance(M& model, Matrix<S> condition, S scale, S null_condition = 0)
      : m_model(&model), m_condition(std::move(condition)), m_scale(scale) {
    constexpr const char* api = "ClassifierFreeGuidance";
    check_nonempty(api, "condition", m_condition);
    check_all_finite(api, "condition", m_condition);
    check_finite(api, "scale", scale);
    check_finite(api, "null_condition", null_condition);
    m_null = Matrix<S>::Constant(m_condition.rows(), m_condition.cols(), null_condition);
  }

  /// Two evaluations of the model per prediction (sample() counts network evaluations).
  static constexpr int evals_per_predict = 2 * detail::evals_per_predict<M>();

  decltype(auto) levels() const { return m_model->levels(); }
  S scale() const { return m_scale; }

  /// The model's own step-start check, where it has one.
  void check_step_start(S t) const {
    if constexpr (requires { m_model->check_step_start(t); }) m_model->check_step_start(t);
  }

  /// out = ε(x, ∅) + w (ε(x, c) − ε(x, ∅)), and the same for x0. x must have as many columns as
  /// the condition.
  void predict(const Matrix<S>& x, S t, Prediction<S>& out) {
    m_model->set_condition(m_null);
    m_model->predict(x, t, m_unconditional);
    m_model->set_condition(m_condition);
    m_model->predict(x, t, out);
    // ε̃ = ε_∅ + w (ε_c − ε_∅), x̃0 = x0_∅ + w (x0_c − x0_∅)
    out.eps = m_unconditional.eps + m_scale * (out.eps - m_unconditional.eps);
    out.x0 = m_unconditional.x0 + m_scale * (out.x0 - m_unconditional.x0);
  }

 private:
  M* m_model;
  Matrix<S> m_condition, m_null;
  S m_scale;
  Prediction<S> m_unconditional;  // workspace
};

}  // namespace diffuse
