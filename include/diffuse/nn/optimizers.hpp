#pragma once
// diffuse/nn/optimizers.hpp — SGD, Adam and AdamW with torch.optim's exact update rules, and
// global-norm gradient clipping as torch.nn.utils.clip_grad_norm_.
//
// Kingma & Ba, "Adam" (ICLR 2015), Algorithm 1; Loshchilov & Hutter, "Decoupled Weight Decay
// Regularization" (ICLR 2019), Algorithm 2. Hyper-parameters (options) are separate from run
// state; the state is flat vectors parallel to the parameter vector (never keyed by address),
// so it checkpoints as plain tensors. step() allocates nothing.

#include <algorithm>
#include <cmath>
#include <string>

#include <Eigen/Core>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/nn/adam_kernels.hpp"

namespace diffuse {

namespace detail {
template <class S>
void check_step_args(const char* api, const Vector<S>& params, const Vector<S>& grads, Index size, double lr) {
  check_shape(api, "parameters", params, size, 1);
  check_shape(api, "gradients", grads, size, 1);
  check_non_negative(api, "lr", lr);
}
}  // namespace detail

/// torch.optim.SGD hyper-parameters (dampening 0, no Nesterov).
struct SgdOptions {
  double lr = 1e-3;
  double momentum = 0;      ///< μ; 0 disables the buffer
  double weight_decay = 0;  ///< L2 penalty added to the gradient
};

/// Run state of Sgd: the momentum buffer b and the number of steps taken.
template <class S>
struct SgdState {
  Vector<S> momentum_buffer;
  long steps = 0;
};

/// Stochastic gradient descent with momentum:
/// g ← g + λθ;  b ← g on the first step, b ← μ b + g after;  θ ← θ − lr b.
template <class S>
class Sgd {
 public:
  using Scalar = S;
  Sgd(const SgdOptions& options, Index parameter_count) : m_options(options), m_size(parameter_count) {
    check_count("Sgd", "parameter_count", parameter_count, Index{0});
    check_non_negative("Sgd", "lr", options.lr);
    check_non_negative("Sgd", "momentum", options.momentum);
    check_non_negative("Sgd", "weight_decay", options.weight_decay);
    m_state.momentum_buffer.setZero(options.momentum != 0 ? parameter_count : 0);
  }
  const SgdOptions& options() const { return m_options; }
  /// Parameters this optimizer steps (the size of its state).
  Index size() const { return m_size; }
  SgdState<S>& state() { return m_state; }
  const SgdState<S>& state() const { return m_state; }

  /// One step with the learning rate of the options.
  void step(Vector<S>& params, const Vector<S>& grads) { step(params, grads, m_options.lr); }

  /// One step with learning rate lr (from a schedule).
  void step(Vector<S>& params, const Vector<S>& grads, double lr) {
    detail::check_step_args("Sgd::step", params, grads, m_size, lr);
    check_shape("Sgd::step", "state().momentum_buffer", m_state.momentum_buffer, m_options.momentum != 0 ? m_size : 0, 1);
    const S wd = static_cast<S>(m_options.weight_decay), mu = static_cast<S>(m_options.momentum);
    const S rate = static_cast<S>(lr);
    ++m_state.steps;
    if (mu == S(0)) {
      // θ ← θ − lr (g + λθ)
      params.array() -= rate * (grads.array() + wd * params.array());
      return;
    }
    Vector<S>& b = m_state.momentum_buffer;
    // b ← μ b + (g + λθ), with b = g + λθ on the first step
    if (m_state.steps == 1)
      b.array() = grads.array() + wd * params.array();
    else
      b.array() = mu * b.array() + (grads.array() + wd * params.array());
    params.noalias() -= rate * b;
  }

 private:
  SgdOptions m_options;
  Index m_size;
  SgdState<S> m_state;
};

/// How Adam applies weight decay.
enum class WeightDecay {
  L2,         ///< torch.optim.Adam: g ← g + λθ before the moments
  Decoupled,  ///< torch.optim.AdamW: θ ← θ (1 − lr λ) before the update
};

/// torch.optim.Adam hyper-parameters (no amsgrad). For AdamW use AdamWOptions.
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  WeightDecay decay = WeightDecay::L2;
};

/// torch.optim.AdamW's defaults: Adam with decoupled weight decay 0.01.
inline AdamOptions adamw_options(double lr = 1e-3, double weight_decay = 1e-2) {
  return {.lr = lr, .weight_decay = weight_decay, .decay = WeightDecay::Decoupled};
}

/// Run state of Adam: first and second moments and the step count t.
template <class S>
struct AdamState {
  Vector<S> exp_avg;     ///< m
  Vector<S> exp_avg_sq;  ///< v
  long steps = 0;        ///< t
};

/// Adam / AdamW exactly as torch.optim (single-tensor path):
/// m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
/// θ ← θ − (lr / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε)   (ε added after the bias-corrected √v).
template <class S>
class Adam {
 public:
  using Scalar = S;
  Adam(const AdamOptions& options, Index parameter_count) : m_options(options), m_size(parameter_count) {
    check_count("Adam", "parameter_count", parameter_count, Index{0});
    check_non_negative("Adam", "lr", options.lr);
    DIFFUSE_REQUIRE(options.beta1 >= 0 && options.beta1 < 1, "Adam", "beta1 is out of range", options.beta1, "a number in [0, 1)");
    DIFFUSE_REQUIRE(options.beta2 >= 0 && options.beta2 < 1, "Adam", "beta2 is out of range", options.beta2, "a number in [0, 1)");
    // ε keeps m / (√v + ε) finite where a gradient is zero: ε = 0 turns 0/0 into NaN.
    check_positive("Adam", "eps", options.eps);
    check_non_negative("Adam", "weight_decay", options.weight_decay);
    m_state.exp_avg.setZero(parameter_count);
    m_state.exp_avg_sq.setZero(parameter_count);
  }
  const AdamOptions& options() const { return m_options; }
  /// Parameters this optimizer steps (the size of its state).
  Index size() const { return m_size; }
  AdamState<S>& state() { return m_state; }
  const AdamState<S>& state() const { return m_state; }

  /// One step with the learning rate of the options.
  void step(Vector<S>& params, const Vector<S>& grads) { step(params, grads, m_options.lr); }

  /// One step with learning rate lr (from a schedule).
  void step(Vector<S>& params, const Vector<S>& grads, double lr) {
    detail::check_step_args("Adam::step", params, grads, m_size, lr);
    check_shape("Adam::step", "state().exp_avg", m_state.exp_avg, m_size, 1);
    check_shape("Adam::step", "state().exp_avg_sq", m_state.exp_avg_sq, m_size, 1);
    const double b1 = m_options.beta1, b2 = m_options.beta2, wd = m_options.weight_decay;
    const long t = ++m_state.steps;
    const bool l2 = m_options.decay == WeightDecay::L2 && wd != 0;
    // AdamW: θ ← θ (1 − lr λ)
    if (m_options.decay == WeightDecay::Decoupled && wd != 0) params *= static_cast<S>(1 - lr * wd);
    const S sb1 = static_cast<S>(b1), sb2 = static_cast<S>(b2), swd = static_cast<S>(wd);
    const double bias1 = 1 - std::pow(b1, static_cast<double>(t));
    const double bias2_sqrt = std::sqrt(1 - std::pow(b2, static_cast<double>(t)));
    const S step_size = static_cast<S>(lr / bias1), bias2 = static_cast<S>(bias2_sqrt);
    // the moments and θ at the SIMD level's kernel (nn/adam_kernels.hpp)
    const detail::AdamCoefficients<S> k{.beta1 = sb1,
                                        .one_minus_beta1 = static_cast<S>(1 - b1),
                                        .beta2 = sb2,
                                        .one_minus_beta2 = static_cast<S>(1 - b2),
                                        .l2 = l2 ? swd : S(0),
                                        .step_size = step_size,
                                        .bias2_sqrt = bias2,
                                        .eps = static_cast<S>(m_options.eps)};
    detail::adam_update(k, grads.data(), m_state.exp_avg.data(), m_state.exp_avg_sq.data(), params.data(), m_size);
  }

 private:
  AdamOptions m_options;
  Index m_size;
  AdamState<S> m_state;
};

/// Rescales grads in place so that its Euclidean norm is at most max_norm, as
/// torch.nn.utils.clip_grad_norm_: with N = ‖g‖₂, g ← g · max_norm / (N + 1e-6) whenever that
/// factor is below 1. Returns N (before clipping).
template <class S>
S clip_grad_norm(Vector<S>& grads, double max_norm) {
  check_positive("clip_grad_norm", "max_norm", max_norm);
  const S norm = grads.norm();
  const S coef = static_cast<S>(max_norm) / (norm + static_cast<S>(1e-6));
  if (coef < S(1)) grads *= coef;
  return norm;
}

}  // namespace diffuse
