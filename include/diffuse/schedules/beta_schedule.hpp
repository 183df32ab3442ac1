#pragma once
// diffuse/schedules/beta_schedule.hpp — discrete DDPM β schedules and every table derived from them.
//
// Ho, Jain, Abbeel, "Denoising Diffusion Probabilistic Models" (2020), eqs. (4), (6), (7):
//   q(x_t | x_{t-1}) = N(√α_t x_{t-1}, β_t I),  α_t = 1 − β_t,  ᾱ_t = Π_{s≤t} α_s,
//   q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I),
//   q(x_{t-1} | x_t, x_0) = N(c0_t x_0 + ct_t x_t, β̃_t I),  β̃_t = β_t (1 − ᾱ_{t-1}) / (1 − ᾱ_t).
// Cosine schedule: Nichol & Dhariwal, "Improved DDPM" (2021), eq. (17). Zero terminal SNR:
// Lin, Liu, Li, Yang, "Common Diffusion Noise Schedules and Sample Steps are Flawed" (2023), Alg. 1.
//
// Steps are indexed t = 0..T−1 as in the seeds' code (t = 0 is the first noising step). The
// schedule models NoiseLevels with t = step index: alpha(t) = √ᾱ_t, sigma(t) = √(1 − ᾱ_t); the
// extra index t = −1 means clean data (alpha = 1, sigma = 0), so a sampling grid T−1, …, 0, −1
// ends on the data. A fractional step t ∈ (0, T−1) interpolates log σ̃, σ̃ = σ/α = √((1 − ᾱ)/ᾱ),
// linearly between its two neighbouring steps (k-diffusion's t_to_sigma), with α = 1/√(1 + σ̃²)
// and σ = σ̃ α; time_of_sigma is its inverse (k-diffusion's sigma_to_t, diffusers' _sigma_to_t),
// so σ-space samplers and fractional timesteps (diffusers' Euler with Karras σ) run on the chain.

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// β_t = linspace(beta_start, beta_end, steps): the DDPM schedule (seed 000: 1e-4..0.035, T = 50;
/// seed 001: 1e-4..0.02, T = 200 or 1000).
inline Vector<double> linear_betas(int steps, double beta_start, double beta_end) {
  check_count("linear_betas", "steps", steps, 1);
  check_open_interval("linear_betas", "beta_start", beta_start, 0.0, 1.0);
  check_open_interval("linear_betas", "beta_end", beta_end, 0.0, 1.0);
  if (steps == 1) return Vector<double>::Constant(1, beta_start);
  return Vector<double>::LinSpaced(steps, beta_start, beta_end);
}

/// β_t = linspace(√beta_start, √beta_end, steps)²: the "scaled linear" schedule of latent diffusion.
inline Vector<double> scaled_linear_betas(int steps, double beta_start, double beta_end) {
  check_count("scaled_linear_betas", "steps", steps, 1);
  check_open_interval("scaled_linear_betas", "beta_start", beta_start, 0.0, 1.0);
  check_open_interval("scaled_linear_betas", "beta_end", beta_end, 0.0, 1.0);
  if (steps == 1) return Vector<double>::Constant(1, beta_start);
  return Vector<double>::LinSpaced(steps, std::sqrt(beta_start), std::sqrt(beta_end)).array().square();
}

/// Cosine schedule (Nichol & Dhariwal 2021, eq. 17): ᾱ(τ) = f(τ)/f(0), f(τ) = cos²((τ/T + s)/(1 + s) · π/2),
/// β_t = min(1 − ᾱ(t+1)/ᾱ(t), max_beta) for t = 0..T−1.
inline Vector<double> cosine_betas(int steps, double offset = 0.008, double max_beta = 0.999) {
  check_count("cosine_betas", "steps", steps, 1);
  check_non_negative("cosine_betas", "offset", offset);
  check_open_interval("cosine_betas", "max_beta", max_beta, 0.0, 1.0);
  auto f = [&](double tau) {
    const double c = std::cos((tau / steps + offset) / (1 + offset) * std::numbers::pi / 2);
    return c * c;
  };
  Vector<double> betas(steps);
  for (int t = 0; t < steps; ++t) betas(t) = std::min(1 - f(t + 1.0) / f(t), max_beta);
  return betas;
}

/// Rescales β so that ᾱ_{T−1} = 0 (zero terminal SNR) while keeping ᾱ_0 (Lin et al. 2023,
/// Alg. 1): √ᾱ ← (√ᾱ − √ᾱ_{T−1}) · √ᾱ_0 / (√ᾱ_0 − √ᾱ_{T−1}). The last β becomes exactly 1, so the
/// model must not predict ε at t = T−1 (use v or x0 prediction).
inline Vector<double> rescale_zero_terminal_snr(const Vector<double>& betas) {
  DIFFUSE_REQUIRE(betas.size() >= 2, "rescale_zero_terminal_snr", "needs at least two steps",
                  betas.size(), ">= 2");
  const Index T = betas.size();
  Vector<double> sqrt_ab(T);
  double ab = 1;
  for (Index t = 0; t < T; ++t) sqrt_ab(t) = std::sqrt(ab *= 1 - betas(t));
  const double first = sqrt_ab(0), last = sqrt_ab(T - 1);
  sqrt_ab = ((sqrt_ab.array() - last) * (first / (first - last))).matrix();
  Vector<double> out(T);
  out(0) = 1 - sqrt_ab(0) * sqrt_ab(0);
  for (Index t = 1; t < T; ++t) out(t) = 1 - (sqrt_ab(t) * sqrt_ab(t)) / (sqrt_ab(t - 1) * sqrt_ab(t - 1));
  out(T - 1) = 1;
  return out;
}

/// A discrete DDPM chain β_0..β_{T−1} with all its derived tables; models NoiseLevels with
/// t = step index (t = −1 is the clean data). Tables are computed in double and stored as S.
template <class S = double>
class DiscreteSchedule {
 public:
  using Scalar = S;

  /// Builds the tables from β. Every β_t must lie in (0, 1); only the last may equal 1 (a
  /// zero-terminal-SNR schedule from rescale_zero_terminal_snr).
  explicit DiscreteSchedule(const Vector<double>& betas) {
    const Index T = betas.size();
    DIFFUSE_REQUIRE(T >= 1, "DiscreteSchedule", "betas is empty", T, "at least one step");
    for (Index t = 0; t < T; ++t) {
      const bool last_may_be_one = t == T - 1 && T > 1 && betas(t) == 1.0;
      DIFFUSE_REQUIRE(last_may_be_one || (betas(t) > 0 && betas(t) < 1), "DiscreteSchedule",
                      "beta[" + std::to_string(t) + "] is out of range", betas(t),
                      "a number in (0, 1), or exactly 1 for the last step");
    }
    Vector<double> ab(T), ab_prev(T), post_var(T), coef_x0(T), coef_xt(T);
    double running = 1;
    for (Index t = 0; t < T; ++t) {
      ab_prev(t) = running;
      running *= 1 - betas(t);
      ab(t) = running;
      // β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t); mean = β_t √ᾱ_{t−1}/(1 − ᾱ_t) x0 + (1 − ᾱ_{t−1}) √α_t/(1 − ᾱ_t) x_t
      post_var(t) = betas(t) * (1 - ab_prev(t)) / (1 - ab(t));
      coef_x0(t) = betas(t) * std::sqrt(ab_prev(t)) / (1 - ab(t));
      coef_xt(t) = (1 - ab_prev(t)) * std::sqrt(1 - betas(t)) / (1 - ab(t));
    }
    // β̃_0 = 0, so the log is clipped to log β̃_1 (as in Ho et al.'s code).
    Vector<double> log_post_var(T);
    for (Index t = 0; t < T; ++t) log_post_var(t) = std::log(t == 0 && T > 1 ? post_var(1) : post_var(t));
    m_betas = betas.cast<S>();
    m_alphas = (1 - betas.array()).matrix().cast<S>();
    m_alpha_bars = ab.cast<S>();
    m_alpha_bars_prev = ab_prev.cast<S>();
    m_sqrt_alpha_bars = ab.array().sqrt().matrix().cast<S>();
    m_sqrt_one_minus_alpha_bars = (1 - ab.array()).sqrt().matrix().cast<S>();
    m_posterior_variances = post_var.cast<S>();
    m_posterior_log_variances_clipped = log_post_var.cast<S>();
    m_posterior_mean_coef_x0 = coef_x0.cast<S>();
    m_posterior_mean_coef_xt = coef_xt.cast<S>();
    // log σ̃_t = log(√(1 − ᾱ_t)/√ᾱ_t), with the same operations as sigma(t)/alpha(t) in double, so
    // that an integer step's σ̃ maps back to exactly that step.
    // (std::log, not Eigen's vectorised log, which may differ in the last bit)
    m_log_sigma_ratios.resize(T);
    for (Index t = 0; t < T; ++t) m_log_sigma_ratios(t) = std::log(std::sqrt(1 - ab(t)) / std::sqrt(ab(t)));
  }

  /// Number of training steps T.
  int steps() const { return static_cast<int>(m_betas.size()); }

  /// α(t) = √ᾱ_t for t = 0..T−1, 1 at t = −1 (clean data), and 1/√(1 + σ̃(t)²) at a fractional
  /// t ∈ (0, T−1). Throws diffuse::Error for t outside [−1, T−1] or fractional in (−1, 0).
  S alpha(S t) const {
    if (is_fractional(t)) return static_cast<S>(1 / std::sqrt(1 + square(interpolated_sigma_ratio(t))));
    const Index i = index(t);
    return i < 0 ? S(1) : m_sqrt_alpha_bars(i);
  }
  /// σ(t) = √(1 − ᾱ_t) for t = 0..T−1, 0 at t = −1, and σ̃ α = 1/√(1 + 1/σ̃²) at a fractional t.
  S sigma(S t) const {
    if (is_fractional(t)) return static_cast<S>(1 / std::sqrt(1 + 1 / square(interpolated_sigma_ratio(t))));
    const Index i = index(t);
    return i < 0 ? S(0) : m_sqrt_one_minus_alpha_bars(i);
  }

  /// The step t ∈ [0, T−1] whose σ̃(t) = σ/α is `sigma_ratio`: linear interpolation in log σ̃
  /// between the two neighbouring steps, clamped to [0, T−1] outside the chain's range (as
  /// k-diffusion's sigma_to_t and diffusers' _sigma_to_t). Integer steps map back exactly.
  S time_of_sigma(S sigma_ratio) const {
    const Index T = m_log_sigma_ratios.size();
    if (T == 1) return S(0);
    const double log_sigma = std::log(static_cast<double>(sigma_ratio));
    // low = the last step with log σ̃_low <= log σ (0 when there is none), at most T − 2
    const double* begin = m_log_sigma_ratios.data();
    const Index above = std::upper_bound(begin, begin + T, log_sigma) - begin;
    const Index low = std::clamp<Index>(above - 1, 0, T - 2);
    const double lo = m_log_sigma_ratios(low), hi = m_log_sigma_ratios(low + 1);
    const double w = std::clamp((lo - log_sigma) / (lo - hi), 0.0, 1.0);
    // t = (1 − w) low + w (low + 1)
    return static_cast<S>((1 - w) * double(low) + w * double(low + 1));
  }

  /// σ̃_min = σ̃(0) and σ̃_max = σ̃(T−1) of the chain (σ̃_max is +∞ for a zero-terminal-SNR schedule).
  S sigma_ratio_min() const { return static_cast<S>(std::exp(m_log_sigma_ratios(0))); }
  S sigma_ratio_max() const { return static_cast<S>(std::exp(m_log_sigma_ratios(m_log_sigma_ratios.size() - 1))); }

  const Vector<S>& betas() const { return m_betas; }                        ///< β_t
  const Vector<S>& alphas() const { return m_alphas; }                      ///< α_t = 1 − β_t (per step, not cumulative)
  const Vector<S>& alpha_bars() const { return m_alpha_bars; }              ///< ᾱ_t = Π_{s≤t} α_s
  const Vector<S>& alpha_bars_prev() const { return m_alpha_bars_prev; }    ///< ᾱ_{t−1}, with ᾱ_{−1} = 1
  const Vector<S>& sqrt_alpha_bars() const { return m_sqrt_alpha_bars; }    ///< √ᾱ_t
  const Vector<S>& sqrt_one_minus_alpha_bars() const { return m_sqrt_one_minus_alpha_bars; }  ///< √(1 − ᾱ_t)
  const Vector<S>& posterior_variances() const { return m_posterior_variances; }  ///< β̃_t
  /// log β̃_t with β̃_0 (= 0) replaced by β̃_1.
  const Vector<S>& posterior_log_variances_clipped() const { return m_posterior_log_variances_clipped; }
  /// Coefficient of x0 in the posterior mean: β_t √ᾱ_{t−1} / (1 − ᾱ_t).
  const Vector<S>& posterior_mean_coef_x0() const { return m_posterior_mean_coef_x0; }
  /// Coefficient of x_t in the posterior mean: (1 − ᾱ_{t−1}) √α_t / (1 − ᾱ_t).
  const Vector<S>& posterior_mean_coef_xt() const { return m_posterior_mean_coef_xt; }

 private:
  // The step index t as an integer in [−1, T−1]; one comparison per call, so samplers and
  // objectives that index past the chain throw instead of reading out of bounds.
  static double square(double v) { return v * v; }

  // A step strictly between two integers of (0, T−1); −1, the integers and anything out of range
  // go to index(), which throws for the latter.
  bool is_fractional(S t) const {
    return t > S(0) && t < S(m_betas.size() - 1) && t != std::nearbyint(t);
  }

  // σ̃(t) = exp((1 − w) log σ̃_⌊t⌋ + w log σ̃_⌈t⌉), w = t − ⌊t⌋ (k-diffusion's t_to_sigma).
  double interpolated_sigma_ratio(S t) const {
    const double floor = std::floor(static_cast<double>(t)), w = static_cast<double>(t) - floor;
    const auto low = static_cast<Index>(floor);
    return std::exp((1 - w) * m_log_sigma_ratios(low) + w * m_log_sigma_ratios(low + 1));
  }

  Index index(S t) const {
    DIFFUSE_REQUIRE(t >= S(-1) && t <= S(m_betas.size() - 1) && t == std::nearbyint(t), "DiscreteSchedule",
                    "step index is out of range", t,
                    "an integer in [-1, " + std::to_string(m_betas.size() - 1) + "] or a fractional step in (0, " +
                        std::to_string(m_betas.size() - 1) + ")");
    return static_cast<Index>(t);
  }

  Vector<S> m_betas, m_alphas, m_alpha_bars, m_alpha_bars_prev, m_sqrt_alpha_bars,
      m_sqrt_one_minus_alpha_bars, m_posterior_variances, m_posterior_log_variances_clipped,
      m_posterior_mean_coef_x0, m_posterior_mean_coef_xt;
  Vector<double> m_log_sigma_ratios;  // log σ̃_t, increasing in t
};

static_assert(NoiseLevels<DiscreteSchedule<double>>);
static_assert(NoiseLevels<DiscreteSchedule<float>>);

}  // namespace diffuse
