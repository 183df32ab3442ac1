#pragma once
// diffuse/models/noise_model.hpp — a trained network as a Denoiser: network + the noise-level
// input it was trained with + the parameterisation of its output.
//
// The network sees ONE stacked input, rows [x (d rows); noise-level input (1 row); condition
// rows (optional)], and returns d rows in the chosen Parameterisation, which are converted to
// (x0, ε) with the model's α(t), σ(t). Noise-level inputs follow the seeds: normalised step
// t/(T−1) (seed 000 DDPM), integer step for an embedding table (seed 001), NCSN level index
// i/(L−1) (seed 000 NCSN), log σ, EDM's c_noise = ¼ ln σ (Karras et al. 2022, Table 1).

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/models/parameterisation.hpp"

namespace diffuse {

/// What the network receives as its noise-level row.
enum class NoiseInput {
  none,             ///< no noise-level row: the network sees [x; condition] (single-σ DSM, seed 001)
  time,             ///< t itself (continuous time, or the integer step for an embedding table)
  normalised_step,  ///< t / (train_steps − 1) (seed 000 DDPM)
  level_index,      ///< i / (L − 1) where σ(t) is the i-th of sigma_levels, largest first (seed 000 NCSN)
  log_sigma,        ///< log σ(t)
  c_noise,          ///< ¼ ln(σ/α) (EDM)
};

/// Options of a NoiseModel.
template <class S>
struct NoiseModelOptions {
  Parameterisation parameterisation = Parameterisation::eps;  ///< meaning of the network output
  NoiseInput input = NoiseInput::normalised_step;             ///< the noise-level row
  int train_steps = 0;                                        ///< T, for normalised_step
  std::vector<S> sigma_levels = {};                           ///< σ levels, for level_index
  EdmPrecond edm = {};                                        ///< σ_data, for Parameterisation::edm
};

namespace detail {
/// i / (L − 1) for the level closest to σ in log space; levels are listed largest first.
template <class S>
S nearest_level_index(const std::vector<S>& levels, S sigma) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < levels.size(); ++i)
    if (std::abs(std::log(levels[i] / sigma)) < std::abs(std::log(levels[best] / sigma))) best = i;
  return S(best) / S(levels.size() - 1);
}
}  // namespace detail

/// The value of the noise-level row for time t, as a model with these options and noise levels
/// sees it; shared by NoiseModel (sampling) and the training objectives, so both agree.
template <NoiseLevels L>
scalar_of<L> noise_input(const NoiseModelOptions<scalar_of<L>>& options, const L& levels, scalar_of<L> t) {
  using S = scalar_of<L>;
  switch (options.input) {
    case NoiseInput::none: return S(0);
    case NoiseInput::time: return t;
    case NoiseInput::normalised_step: return t / S(options.train_steps - 1);
    case NoiseInput::level_index: return detail::nearest_level_index(options.sigma_levels, levels.sigma(t));
    case NoiseInput::log_sigma: return std::log(levels.sigma(t));
    case NoiseInput::c_noise: return options.edm.c_noise(levels.sigma(t) / levels.alpha(t));
  }
  return t;
}

/// Network N (models Network) trained on noise levels L, as a Denoiser. Holds a reference to the
/// network, so the same network can be trained and sampled. A condition (c x n, optional) set
/// with set_condition() is stacked under the noise-level row.
template <Network N, NoiseLevels L>
class NoiseModel {
 public:
  using Scalar = scalar_of<N>;
  using S = Scalar;
  static_assert(std::is_same_v<S, scalar_of<L>>,
                "diffuse::NoiseModel: the noise levels' scalar type differs from the network's (the note below "
                "names <network, levels>); build the process or schedule with the network's scalar");

  NoiseModel(N& net, L levels, NoiseModelOptions<S> options = {})
      : m_net(&net), m_levels(std::move(levels)), m_options(std::move(options)) {
    constexpr const char* api = "NoiseModel";
    if (m_options.input == NoiseInput::normalised_step)
      check_at_least(api, "train_steps", m_options.train_steps, 2);
    if (m_options.input == NoiseInput::level_index) {
      DIFFUSE_REQUIRE(m_options.sigma_levels.size() >= 2, api, "level_index needs sigma_levels",
                      m_options.sigma_levels.size(), ">= 2 levels");
      for (S s : m_options.sigma_levels) check_positive(api, "sigma_levels[i]", s);
    }
    check_positive(api, "edm.sigma_data", m_options.edm.sigma_data);
    DIFFUSE_REQUIRE(net.output_dim() >= 1, api, "network has no outputs", net.output_dim(), ">= 1");
    // The input stacks [x; noise-level row; condition], and x has as many rows as the output.
    DIFFUSE_REQUIRE(net.input_dim() >= net.output_dim() + noise_rows(), api,
                    "network input is narrower than its output plus the noise-level row",
                    std::to_string(net.input_dim()) + " inputs, " + std::to_string(net.output_dim()) + " outputs",
                    "input_dim >= output_dim + " + std::to_string(noise_rows()));
  }

  const L& levels() const { return m_levels; }
  N& network() { return *m_net; }

  /// Condition rows (c x n, n = the batch size) stacked under the noise-level row; an empty
  /// matrix makes the model unconditional. Copies into a kept buffer: no allocation when the
  /// shape repeats (classifier-free guidance swaps conditions at every step).
  void set_condition(const Matrix<S>& condition) { m_condition = condition; }

  /// The noise-level input row value at time t.
  S noise_input(S t) const { return diffuse::noise_input(m_options, m_levels, t); }

  /// Throws diffuse::Error where a step cannot start at t: ε-, score- and EDM-parameterised
  /// outputs give x0 by dividing by α(t), so they need α(t) > 0 (a zero-terminal-SNR schedule's
  /// last step has α = 0: train with Parameterisation::v there). sample() calls it for every step.
  void check_step_start(S t) const {
    const Parameterisation p = m_options.parameterisation;
    if (p != Parameterisation::eps && p != Parameterisation::score && p != Parameterisation::edm) return;
    // x0 = (x − σ ε)/α: α may not be 0, nor so small that 1/α² overflows
    DIFFUSE_REQUIRE(m_levels.alpha(t) >= std::sqrt(std::numeric_limits<S>::min()), "sample",
                    "the model cannot start a step at t = " + detail::to_text(t) +
                        ": its parameterisation divides by alpha(t), which is 0 there",
                    m_levels.alpha(t), "alpha(t) > 0 (start below this t, or use Parameterisation::v or x0)");
  }

  /// out = (x0, ε) predicted by the network at time t; one network evaluation.
  void predict(const Matrix<S>& x, S t, Prediction<S>& out) {
    constexpr const char* api = "NoiseModel::predict";
    const Index d = x.rows(), n = x.cols(), c = m_condition.rows(), noise_rows = this->noise_rows();
    if (c > 0) check_shape(api, "condition", m_condition, c, n);
    check_batch_rows(api, "network outputs", m_net->output_dim(), x);
    DIFFUSE_REQUIRE(m_net->input_dim() == d + noise_rows + c, api,
                    "network input rows do not match [x; noise-level row; condition]", m_net->input_dim(),
                    std::to_string(d) + " + " + std::to_string(noise_rows) + " + " + std::to_string(c) +
                        " condition rows");
    const S alpha = m_levels.alpha(t), sigma = m_levels.sigma(t);
    // ε, score and EDM outputs give x0 = (x − σ ε)/α: α = 0 (zero terminal SNR) leaves it undefined.
    const Parameterisation p = m_options.parameterisation;
    if (p == Parameterisation::eps || p == Parameterisation::score || p == Parameterisation::edm)
      DIFFUSE_REQUIRE(std::isfinite(alpha) && alpha > 0, api,
                      "alpha(t) is zero at t = " + detail::to_text(t) + ": an eps, score or edm output cannot give x0",
                      alpha, "alpha > 0, or a v or x0 parameterisation");
    m_input.resize(d + noise_rows + c, n);
    // EDM feeds c_in(σ̃) x/α; every other parameterisation feeds x as is.
    const S scale = m_options.parameterisation == Parameterisation::edm
                        ? m_options.edm.c_in(sigma / alpha) / alpha
                        : S(1);
    m_input.topRows(d) = scale * x;
    if (noise_rows > 0) m_input.row(d).setConstant(noise_input(t));
    if (c > 0) m_input.bottomRows(c) = m_condition;
    const Matrix<S>& output = m_net->forward(m_input);
    prediction_from_output(m_options.parameterisation, x, output, alpha, sigma, out, m_options.edm);
    // Non-finite weights, or an output that overflows once divided by α or σ, would make every
    // later step NaN: stop at the evaluation that produced it.
    DIFFUSE_REQUIRE(out.x0.allFinite() && out.eps.allFinite(), api,
                    "the network's prediction is not finite at t = " + detail::to_text(t),
                    output.allFinite() ? "an x0 or eps that overflows" : "a non-finite network output",
                    "finite weights and outputs (check the checkpoint and the training run)");
  }

 private:
  Index noise_rows() const { return m_options.input == NoiseInput::none ? 0 : 1; }

  N* m_net;
  L m_levels;
  NoiseModelOptions<S> m_options;
  Matrix<S> m_condition;
  Matrix<S> m_input;  // workspace
};

}  // namespace diffuse
