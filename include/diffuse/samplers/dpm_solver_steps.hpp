#pragma once
// diffuse/samplers/dpm_solver_steps.hpp — the noise-prediction steps of DPM-Solver-1, -2 and -3
// (Lu et al. 2022, "DPM-Solver", Algs. 1–2) in σ-space, shared by DpmSolverFast and
// DpmSolverAdaptive. Time is λ = −log σ, ε(x, λ) = (x − D(x; σ(λ)))/σ(λ), h = λ_next − λ:
//   DPM-Solver-1:  x' = x − σ_next (e^h − 1) ε
//   DPM-Solver-2:  u = x − σ_{s1} (e^{r1 h} − 1) ε,  s1 = λ + r1 h,
//                  x' = x − σ_next (e^h − 1) ε − σ_next/(2 r1) (e^h − 1) (ε(u, s1) − ε)
//   DPM-Solver-3:  u1 as u (r1 = ⅓), u2 = x − σ_{s2} (e^{r2 h} − 1) ε − σ_{s2} (r2/r1) ((e^{r2 h} − 1)/(r2 h) − 1) (ε(u1) − ε),
//                  x' = x − σ_next (e^h − 1) ε − σ_next/r2 ((e^h − 1)/h − 1) (ε(u2, s2) − ε)   (r2 = ⅔).
// ε at the step's start and at s1 are cached, so a step of order k costs k evaluations.

#include <cmath>

#include "diffuse/core/concepts.hpp"
#include "diffuse/schedules/sigma_levels.hpp"

namespace diffuse::detail {

/// Workspaces and the cached noise predictions of one DPM-Solver step.
template <class S>
struct DpmSolverCache {
  Prediction<S> pred;
  Matrix<S> eps, eps_r1, eps_r2, u1, u2, out;
  bool has_r1 = false;  // eps_r1 holds ε(u1, s1) for the current step and r1
  S r1_cached = 0;
};

/// ε(x, λ) = (x − D(x; σ(λ)))/σ(λ), written into `eps`.
template <class D, class S>
void dpm_eps(D& model, const Matrix<S>& x, S lambda, DpmSolverCache<S>& c, Matrix<S>& eps) {
  const S sigma = sigma_of_lambda(lambda);
  model.predict(x, sigma, c.pred);
  eps = (x - c.pred.x0) / sigma;
}

/// ε(u1, s1) for the current step (computed once per step and r1).
template <class D, class S>
const Matrix<S>& dpm_eps_r1(D& model, const Matrix<S>& x, S t, S h, S r1, DpmSolverCache<S>& c) {
  if (c.has_r1 && c.r1_cached == r1) return c.eps_r1;
  const S s1 = t + r1 * h;
  // u1 = x − σ_{s1} (e^{r1 h} − 1) ε
  c.u1 = x - (sigma_of_lambda(s1) * std::expm1(r1 * h)) * c.eps;
  dpm_eps(model, c.u1, s1, c, c.eps_r1);
  c.has_r1 = true;
  c.r1_cached = r1;
  return c.eps_r1;
}

/// DPM-Solver-1 from λ = t to t_next into c.out; c.eps must hold ε(x, t).
template <class S>
void dpm_solver_1(const Matrix<S>& x, S t, S t_next, DpmSolverCache<S>& c) {
  const S h = t_next - t;
  // x' = x − σ_next (e^h − 1) ε
  c.out = x - (sigma_of_lambda(t_next) * std::expm1(h)) * c.eps;
}

/// DPM-Solver-2 (intermediate point r1) into c.out; c.eps must hold ε(x, t).
template <class D, class S>
void dpm_solver_2(D& model, const Matrix<S>& x, S t, S t_next, S r1, DpmSolverCache<S>& c) {
  const S h = t_next - t, sigma_next = sigma_of_lambda(t_next);
  const Matrix<S>& eps_r1 = dpm_eps_r1(model, x, t, h, r1, c);
  // x' = x − σ_next (e^h − 1) ε − σ_next/(2 r1) (e^h − 1) (ε_r1 − ε)
  c.out = x - (sigma_next * std::expm1(h)) * c.eps - (sigma_next / (2 * r1) * std::expm1(h)) * (eps_r1 - c.eps);
}

/// DPM-Solver-3 (r1 = ⅓, r2 = ⅔) into c.out; c.eps must hold ε(x, t).
template <class D, class S>
void dpm_solver_3(D& model, const Matrix<S>& x, S t, S t_next, DpmSolverCache<S>& c) {
  const S r1 = S(1) / 3, r2 = S(2) / 3;
  const S h = t_next - t, sigma_next = sigma_of_lambda(t_next), s2 = t + r2 * h;
  const Matrix<S>& eps_r1 = dpm_eps_r1(model, x, t, h, r1, c);
  // u2 = x − σ_{s2} (e^{r2 h} − 1) ε − σ_{s2} (r2/r1) ((e^{r2 h} − 1)/(r2 h) − 1) (ε_r1 − ε)
  c.u2 = x - (sigma_of_lambda(s2) * std::expm1(r2 * h)) * c.eps -
         (sigma_of_lambda(s2) * (r2 / r1) * (std::expm1(r2 * h) / (r2 * h) - 1)) * (eps_r1 - c.eps);
  dpm_eps(model, c.u2, s2, c, c.eps_r2);
  // x' = x − σ_next (e^h − 1) ε − σ_next/r2 ((e^h − 1)/h − 1) (ε_r2 − ε)
  c.out = x - (sigma_next * std::expm1(h)) * c.eps - (sigma_next / r2 * (std::expm1(h) / h - 1)) * (c.eps_r2 - c.eps);
}

}  // namespace diffuse::detail
