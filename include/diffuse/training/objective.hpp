#pragma once
// diffuse/training/objective.hpp — denoising objectives: from clean data to (network input,
// regression target, per-sample weight). The loss is the weighted mean squared error.
//
// One objective covers every seed's loss, because they differ only in how the noise level is
// drawn, what the network regresses, and how samples are weighted:
//   DDPM (Ho et al. 2020, eq. 14, "L_simple"):   t ~ U{0..T−1}, target ε, weight 1
//   NCSN (Song & Ermon 2019, eq. 5):             σ ~ U{σ_1..σ_L}, target −ε/σ, weight σ²
//   single-σ DSM (Vincent 2011):                 one σ, target −ε/σ, weight 1
//   score SDEs (Song et al. 2021, eq. 7):        t ~ U(t_min, t_max), target −ε/σ(t), λ(t) = σ² or g²
//   EDM (Karras et al. 2022, eq. 8 and Table 1): ln σ ~ N(P_mean, P_std²), target F = (x0 − c_skip x)/c_out,
//                                                weight λ c_out² = 1
// The network input is built exactly as NoiseModel builds it at sampling time (same options, same
// noise_input()), so a model is trained and sampled through one description.

#include <cmath>
#include <string>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/models/noise_model.hpp"

namespace diffuse {

/// What one training step regresses: loss = scale · mean_{i,j} weight_j (output_ij − target_ij)².
template <class S>
struct TrainingBatch {
  Matrix<S> input;      ///< network input, rows [x_t; noise-level row; condition rows]
  Matrix<S> target;     ///< regression target, d x n
  RowVector<S> weight;  ///< per-sample weight λ_j
};

/// How the noise level t of each training sample is drawn.
enum class NoiseDraw {
  uniform_step,    ///< t uniform on the integers {0, ..., steps − 1} (discrete DDPM chains)
  uniform_choice,  ///< t uniform over a list of values (NCSN σ levels, single-σ DSM)
  uniform_time,    ///< t uniform on [t_min, t_max] (continuous processes)
  log_normal,      ///< ln t ~ N(p_mean, p_std²) (EDM, with t = σ)
};

/// Per-sample loss weight λ(t).
enum class LossWeight {
  unit,           ///< λ = 1
  sigma_squared,  ///< λ = σ(t)² (NCSN; the "likelihood-free" score-SDE weighting)
  g_squared,      ///< λ = g(t)² (likelihood weighting of score SDEs; needs a Process)
};

/// Options of DenoisingObjective; `model` must equal the NoiseModelOptions used for sampling.
template <class S>
struct DenoisingOptions {
  NoiseModelOptions<S> model = {};              ///< parameterisation and noise-level row
  NoiseDraw draw = NoiseDraw::uniform_step;     ///< how t is drawn
  int steps = 0;                                ///< for uniform_step
  std::vector<S> choices = {};                  ///< for uniform_choice
  S t_min = 0, t_max = 1;                       ///< for uniform_time
  S p_mean = S(-1.2), p_std = S(1.2);           ///< for log_normal (EDM's defaults)
  LossWeight weight = LossWeight::unit;         ///< λ(t)
  S weight_scale = 1;                           ///< constant factor (seed 002 uses 0.5)
  S condition_dropout = 0;                      ///< probability of replacing a sample's condition by the null one (classifier-free guidance)
  S null_condition = 0;                         ///< value of every row of the null condition: 0 for one-hot or continuous conditions, a spare class for labels
};

/// Denoising objective over noise levels L (NoiseLevels; g_squared needs a Process).
template <NoiseLevels L>
class DenoisingObjective {
 public:
  using Scalar = scalar_of<L>;
  using S = Scalar;

  DenoisingObjective(L levels, DenoisingOptions<S> options) : m_levels(std::move(levels)), m_o(std::move(options)) {
    constexpr const char* api = "DenoisingObjective";
    switch (m_o.draw) {
      case NoiseDraw::uniform_step: check_at_least(api, "steps", m_o.steps, 1); break;
      case NoiseDraw::uniform_choice:
        DIFFUSE_REQUIRE(!m_o.choices.empty(), api, "uniform_choice needs choices", m_o.choices.size(), ">= 1 value");
        for (S c : m_o.choices) check_finite(api, "choices[i]", c);
        break;
      case NoiseDraw::uniform_time:
        check_finite(api, "t_min", m_o.t_min);
        check_finite(api, "t_max", m_o.t_max);
        DIFFUSE_REQUIRE(m_o.t_min < m_o.t_max, api, "t_min must be below t_max", m_o.t_min,
                        "< t_max = " + detail::to_text(m_o.t_max));
        break;
      case NoiseDraw::log_normal:
        check_finite(api, "p_mean", m_o.p_mean);
        check_positive(api, "p_std", m_o.p_std);
        break;
    }
    if (m_o.weight == LossWeight::g_squared)
      DIFFUSE_REQUIRE(Process<L>, api, "g_squared weighting needs a continuous Process", "discrete noise levels",
                      "a Process with diffusion(t)");
    check_positive(api, "weight_scale", m_o.weight_scale);
    DIFFUSE_REQUIRE(m_o.condition_dropout >= 0 && m_o.condition_dropout <= 1, api, "condition_dropout is out of range",
                    m_o.condition_dropout, "a probability in [0, 1]");
    check_finite(api, "null_condition", m_o.null_condition);
    // The drawn levels must lie inside the noise levels: α(t), σ(t) finite and >= 0 at the ends
    // of the draw's range (α and σ are monotone in t), σ > 0 where the target or the input needs it.
    switch (m_o.draw) {
      case NoiseDraw::uniform_step: check_level(api, "steps - 1", S(m_o.steps - 1)); check_level(api, "step 0", S(0)); break;
      case NoiseDraw::uniform_choice:
        for (S c : m_o.choices) check_level(api, "choices[i]", c);
        break;
      case NoiseDraw::uniform_time: check_level(api, "t_min", m_o.t_min); check_level(api, "t_max", m_o.t_max); break;
      // ln t ~ N(p_mean, p_std²): the range of 8 standard deviations, beyond which no draw goes in practice
      case NoiseDraw::log_normal:
        check_level(api, "exp(p_mean - 8 p_std)", std::exp(m_o.p_mean - 8 * m_o.p_std));
        check_level(api, "exp(p_mean + 8 p_std)", std::exp(m_o.p_mean + 8 * m_o.p_std));
        break;
    }
  }

  const L& levels() const { return m_levels; }
  const DenoisingOptions<S>& options() const { return m_o; }

  /// Fills `batch` for clean data x0 (d x n) and an optional condition (c x n, or 0 rows).
  void make_batch(const Matrix<S>& x0, const Matrix<S>& condition, Rng& rng, TrainingBatch<S>& batch) {
    const Index d = x0.rows(), n = x0.cols(), c = condition.rows();
    if (c > 0) check_shape("DenoisingObjective::make_batch", "condition", condition, c, n);
    const Index noise_rows = m_o.model.input == NoiseInput::none ? 0 : 1;
    batch.input.resize(d + noise_rows + c, n);
    batch.target.resize(d, n);
    batch.weight.resize(n);
    m_eps.resize(d, n);
    rng.fill_normal(m_eps);
    const EdmPrecond& edm = m_o.model.edm;
    for (Index j = 0; j < n; ++j) {
      const S t = draw_time(rng);
      const S alpha = m_levels.alpha(t), sigma = m_levels.sigma(t);
      auto x = batch.input.col(j).head(d);
      // x_t = α x0 + σ ε
      x = alpha * x0.col(j) + sigma * m_eps.col(j);
      auto target = batch.target.col(j);
      switch (m_o.model.parameterisation) {
        case Parameterisation::eps: target = m_eps.col(j); break;
        case Parameterisation::score: target = -m_eps.col(j) / sigma; break;
        case Parameterisation::x0: target = x0.col(j); break;
        // v = α ε − σ x0
        case Parameterisation::v: target = alpha * m_eps.col(j) - sigma * x0.col(j); break;
        case Parameterisation::edm: {
          // On x̃ = x/α at σ̃ = σ/α: F target = (x0 − c_skip x̃) / c_out, input c_in x̃.
          const S s = sigma / alpha;
          target = (x0.col(j) - edm.c_skip(s) * x / alpha) / edm.c_out(s);
          x *= edm.c_in(s) / alpha;
          break;
        }
      }
      if (noise_rows > 0) batch.input(d, j) = noise_input(m_o.model, m_levels, t);
      if (c > 0) {
        const bool drop = m_o.condition_dropout > 0 && rng.uniform<S>() < m_o.condition_dropout;
        auto cond = batch.input.col(j).tail(c);
        if (drop) cond.setConstant(m_o.null_condition); else cond = condition.col(j);
      }
      batch.weight(j) = m_o.weight_scale * loss_weight(t, sigma);
    }
  }

 private:
  void check_level(const char* api, const std::string& name, S t) const {
    const S alpha = m_levels.alpha(t), sigma = m_levels.sigma(t);
    const Parameterisation p = m_o.model.parameterisation;
    const NoiseInput in = m_o.model.input;
    // score = −ε/σ, EDM's c_out(σ) and log σ inputs divide by σ or take its log.
    const bool needs_sigma = p == Parameterisation::score || p == Parameterisation::edm ||
                             in == NoiseInput::log_sigma || in == NoiseInput::c_noise || in == NoiseInput::level_index;
    const bool ok = std::isfinite(t) && std::isfinite(alpha) && std::isfinite(sigma) && alpha >= 0 && sigma >= 0 &&
                    (alpha > 0 || sigma > 0) && (!needs_sigma || sigma > 0) && (p != Parameterisation::edm || alpha > 0) &&
                    std::isfinite(m_o.weight_scale * loss_weight(t, sigma)) &&
                    (!Process<L> || t >= 0);  // a process's time starts at 0; α, σ are extrapolated below it
    DIFFUSE_REQUIRE(ok, api, name + " lies outside the noise levels (alpha = " + detail::to_text(alpha) +
                                 ", sigma = " + detail::to_text(sigma) + ")",
                    t, needs_sigma ? "a time >= 0 where alpha, sigma and the weight are finite and sigma > 0"
                                   : "a time >= 0 where alpha, sigma >= 0 and the weight are finite");
  }

  S draw_time(Rng& rng) const {
    switch (m_o.draw) {
      case NoiseDraw::uniform_step: return S(rng.integer(m_o.steps));
      case NoiseDraw::uniform_choice: return m_o.choices[static_cast<std::size_t>(rng.integer(Index(m_o.choices.size())))];
      case NoiseDraw::uniform_time: return m_o.t_min + (m_o.t_max - m_o.t_min) * rng.uniform<S>();
      case NoiseDraw::log_normal: return std::exp(m_o.p_mean + m_o.p_std * rng.normal<S>());
    }
    return S(0);
  }

  S loss_weight(S t, S sigma) const {
    switch (m_o.weight) {
      case LossWeight::unit: return S(1);
      case LossWeight::sigma_squared: return sigma * sigma;
      case LossWeight::g_squared:
        if constexpr (Process<L>) {
          const S g = m_levels.diffusion(t);
          return g * g;
        }
        break;
    }
    return S(1);
  }

  L m_levels;
  DenoisingOptions<S> m_o;
  Matrix<S> m_eps;  // workspace
};

/// loss = Σ_{i,j} λ_j (out_ij − target_ij)² / mean_over and grad = ∂loss/∂out, written into grad.
/// mean_over is the entry count of the whole batch, so the losses and gradients of a batch's column
/// shards add up to those of the batch.
template <class S>
S weighted_mse(const Matrix<S>& output, const TrainingBatch<S>& batch, Matrix<S>& grad, Index mean_over) {
  const S inv_count = S(1) / S(mean_over);
  grad.resize(output.rows(), output.cols());
  double loss = 0;
  for (Index j = 0; j < output.cols(); ++j) {
    const S w = batch.weight(j);
    // ∂/∂out of w (out − target)² / (d n) = 2 w (out − target) / (d n)
    grad.col(j) = output.col(j) - batch.target.col(j);
    loss += static_cast<double>(w) * grad.col(j).squaredNorm();
    grad.col(j) *= S(2) * w * inv_count;
  }
  return static_cast<S>(loss * inv_count);
}

/// loss = mean_{i,j} λ_j (out_ij − target_ij)² and grad = ∂loss/∂out, written into grad.
/// The mean runs over all d·n entries, as torch's .mean() over an (n, d) tensor.
template <class S>
S weighted_mse(const Matrix<S>& output, const TrainingBatch<S>& batch, Matrix<S>& grad) {
  return weighted_mse(output, batch, grad, output.size());
}

}  // namespace diffuse
