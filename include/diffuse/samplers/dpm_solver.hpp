#pragma once
// diffuse/samplers/dpm_solver.hpp — DPM-Solver++(2M) (Lu, Zhou, Bao, Chen, Li, Zhu 2022,
// "DPM-Solver++", Alg. 2), the multistep second-order solver of the data-prediction ODE in
// λ = log(α/σ):
//   h = λ_s − λ_t,  r = h_prev / h,  D = (1 + 1/(2r)) x̂0_t − (1/(2r)) x̂0_prev  (x̂0_t on the first step)
//   x_s = (σ_s/σ_t) x_t − α_s (e^{−h} − 1) D;  x_s = x̂0_t when σ_s = 0.

#include <cmath>
#include <span>

#include "diffuse/core/concepts.hpp"
#include "diffuse/samplers/sample.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse {

/// DPM-Solver++(2M) on any NoiseLevels; keeps the previous x̂0 between steps (cleared by reset(),
/// which sample() calls). One evaluation per step.
template <class S = double>
struct DpmSolverPP2M {
  using Scalar = S;
  static constexpr int evals_per_step = 1;
  struct Workspace {
    Prediction<S> pred;
    Matrix<S> x0_prev, combined;
    S h_prev = 0;
    bool has_prev = false;
  } work = {};

  /// Forgets the previous step (starts a new trajectory).
  void reset(std::span<const S>) { work.has_prev = false; }

  template <Denoiser D, class Noise>
  void step(D& model, Matrix<S>& x, S t, S s, Noise&) {
    const auto& lv = model.levels();
    model.predict(x, t, work.pred);
    const S sigma_s = lv.sigma(s);
    if (sigma_s == S(0)) {
      x = work.pred.x0;
      work.has_prev = false;
      return;
    }
    const S h = log_snr(lv, s) - log_snr(lv, t);
    if (work.has_prev) {
      const S r = work.h_prev / h;
      work.combined = (1 + 1 / (2 * r)) * work.pred.x0 - (1 / (2 * r)) * work.x0_prev;
    } else {
      work.combined = work.pred.x0;
    }
    // x_s = (σ_s/σ_t) x_t − α_s (e^{−h} − 1) D
    x = (sigma_s / lv.sigma(t)) * x - (lv.alpha(s) * std::expm1(-h)) * work.combined;
    work.x0_prev = work.pred.x0;
    work.h_prev = h;
    work.has_prev = true;
  }
};

static_assert(Sampler<DpmSolverPP2M<double>, detail::DenoiserArchetype<detail::ProcessArchetype<double>>>);
static_assert(Sampler<DpmSolverPP2M<float>, detail::DenoiserArchetype<detail::ProcessArchetype<float>>>);

}  // namespace diffuse
