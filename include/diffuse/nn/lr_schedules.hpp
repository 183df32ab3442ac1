#pragma once
// diffuse/nn/lr_schedules.hpp — learning rate as a function of the step (epoch) count.
//
// The closed forms of torch.optim.lr_scheduler: a constant rate, CosineAnnealingLR
// (Loshchilov & Hutter, "SGDR", ICLR 2017, eq. 5 without restarts) and LinearLR used as a
// warm-up multiplier on any other schedule. A schedule is a value: lr(step) has no side effects,
// so resuming from a checkpoint needs only the step count.

#include <cmath>
#include <concepts>
#include <algorithm>
#include <numbers>
#include <utility>

#include "diffuse/core/error.hpp"

namespace diffuse {

/// A learning-rate schedule: lr(step) for step = 0, 1, 2, ...
template <class L>
concept LrSchedule = requires(const L& schedule, long step) {
  { schedule(step) } -> std::convertible_to<double>;  // learning rate to use at this step
};

/// lr(step) = lr.
class ConstantLr {
 public:
  explicit ConstantLr(double lr) : m_lr(lr) { check_non_negative("ConstantLr", "lr", lr); }
  double operator()(long) const { return m_lr; }

 private:
  double m_lr;
};

/// Options of CosineAnnealingLr (torch's CosineAnnealingLR(T_max, eta_min)).
struct CosineAnnealingOptions {
  double lr = 1e-3;      ///< initial learning rate η_max
  long t_max = 1000;     ///< half period T_max in steps
  double eta_min = 0;    ///< floor η_min
};

/// lr(t) = η_min + (η_max − η_min) (1 + cos(π t / T_max)) / 2.
class CosineAnnealingLr {
 public:
  explicit CosineAnnealingLr(const CosineAnnealingOptions& o) : m_o(o) {
    check_non_negative("CosineAnnealingLr", "lr", o.lr);
    check_non_negative("CosineAnnealingLr", "eta_min", o.eta_min);
    check_at_least("CosineAnnealingLr", "t_max", o.t_max, 1L);
  }
  double operator()(long step) const {
    const double phase = std::numbers::pi * static_cast<double>(step) / static_cast<double>(m_o.t_max);
    return m_o.eta_min + (m_o.lr - m_o.eta_min) * (1 + std::cos(phase)) / 2;
  }

 private:
  CosineAnnealingOptions m_o;
};

/// Options of LinearWarmup (torch's LinearLR(start_factor, end_factor = 1, total_iters)).
struct LinearWarmupOptions {
  long warmup_steps = 100;          ///< total_iters
  double start_factor = 1.0 / 3.0;  ///< multiplier at step 0
};

/// lr(t) = base(t) · (f₀ + (1 − f₀) min(t, W) / W): a linear ramp from f₀ to 1 over W steps
/// multiplying any other schedule (torch's LinearLR chained with it).
template <LrSchedule Base>
class LinearWarmup {
 public:
  LinearWarmup(Base base, const LinearWarmupOptions& o) : m_base(std::move(base)), m_o(o) {
    check_at_least("LinearWarmup", "warmup_steps", o.warmup_steps, 1L);
    DIFFUSE_REQUIRE(o.start_factor > 0 && o.start_factor <= 1, "LinearWarmup", "start_factor is out of range",
                    o.start_factor, "a number in (0, 1]");
  }
  double operator()(long step) const {
    const double ramp = static_cast<double>(std::min(step, m_o.warmup_steps)) / static_cast<double>(m_o.warmup_steps);
    return m_base(step) * (m_o.start_factor + (1 - m_o.start_factor) * ramp);
  }

 private:
  Base m_base;
  LinearWarmupOptions m_o;
};

static_assert(LrSchedule<ConstantLr>);
static_assert(LrSchedule<CosineAnnealingLr>);
static_assert(LrSchedule<LinearWarmup<CosineAnnealingLr>>);

}  // namespace diffuse
