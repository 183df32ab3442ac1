#pragma once
// diffuse/models/sigma_view.hpp — any Denoiser presented in σ-space, so that every σ-space
// sampler (EDM Heun, Euler, the k-diffusion and DPM-Solver families) runs on every model.
//
// k-diffusion's wrapper idea (Crowson; Karras et al. 2022, eq. 4 with s(t) = α): a model of
// x_t = α x0 + σ ε is a model of x̃ = x/α = x0 + σ̃ ε at σ̃ = σ/α with α = 1. The x0 and ε of
// both are the same, so the view only maps σ̃ to the model's time t (σ(t)/α(t) = σ̃) and scales the
// input by α; nothing is converted. For a DiscreteSchedule t is a fractional step found by
// interpolating log σ̃ between the two neighbouring steps (k-diffusion's sigma_to_t), and the
// schedule's levels at fractional steps are defined by the same interpolation, so the two agree.
// For a continuous Process t is found by bisection on log σ̃(t), which increases with t.
//
// Where the model is evaluated at levels other than σ̃ — a rounded step (StepRounding::nearest),
// or σ̃ outside the model's range (EDM churn above σ_max), where t is clamped to the range's end
// as k-diffusion does — the view keeps the model's ε and sets x0 = x̃ − σ̃ ε, with the input
// scaled by 1/√(1 + σ̃²) on a DiscreteSchedule (k-diffusion's c_in for DiscreteEpsDDPMDenoiser)
// and by α(t) otherwise.

#include <cmath>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/schedules/beta_schedule.hpp"
#include "diffuse/schedules/sigma_levels.hpp"
#include "diffuse/schedules/time_grid.hpp"

namespace diffuse {

/// Which step a model on a DiscreteSchedule is evaluated at, for σ̃ between two of its steps.
enum class StepRounding {
  fractional,  ///< the fractional step itself: for noise inputs that are continuous in t
               ///< (NoiseInput::normalised_step, log_sigma, c_noise, sinusoidal embeddings of
               ///< the step); exact, since the schedule's levels interpolate the same way
  nearest,     ///< the nearest integer step: for embedding tables (NoiseInput::time into a
               ///< TableEmbedding), which have no row between two steps (k-diffusion's
               ///< quantize = True); ε is kept and x0 = x̃ − σ̃ ε
};

/// Options of a SigmaView.
struct SigmaViewOptions {
  StepRounding rounding = StepRounding::fractional;  ///< see StepRounding
};

namespace detail {
template <class L>
inline constexpr bool is_discrete_schedule = false;
template <class S>
inline constexpr bool is_discrete_schedule<DiscreteSchedule<S>> = true;
}  // namespace detail

/// A Denoiser D on any noise levels (DiscreteSchedule, VP, VE, sub-VP, OU, SigmaLevels) as a
/// Denoiser on SigmaLevels: predict(x̃, σ̃) evaluates D at x = α x̃ and the t with σ(t)/α(t) = σ̃.
/// Holds a reference to the model. The same evaluation count as D per prediction.
template <Denoiser D>
class SigmaView {
 public:
  using Scalar = scalar_of<D>;
  using S = Scalar;
  using Levels = std::remove_cvref_t<decltype(std::declval<const D&>().levels())>;
  static constexpr int evals_per_predict = detail::evals_per_predict<D>();

  explicit SigmaView(D& model, SigmaViewOptions options = {}) : m_model(&model), m_options(options) {
    static_assert(std::is_same_v<Levels, SigmaLevels<S>> || detail::is_discrete_schedule<Levels> ||
                      requires(const Levels& l) { l.t_min(); l.t_max(); },
                  "SigmaView needs noise levels with a time range: SigmaLevels, a DiscreteSchedule, or levels "
                  "with t_min() and t_max() (every Process)");
    if constexpr (!std::is_same_v<Levels, SigmaLevels<S>> && !detail::is_discrete_schedule<Levels>) {
      const auto& lv = model.levels();
      DIFFUSE_REQUIRE(ratio_at(lv.t_min()) < ratio_at(lv.t_max()), "SigmaView",
                      "sigma/alpha of the model's levels must increase from t_min to t_max", ratio_at(lv.t_max()),
                      "> " + detail::to_text(ratio_at(lv.t_min())));
    }
  }

  const SigmaLevels<S>& levels() const { return m_sigma_levels; }
  D& model() { return *m_model; }

  /// σ̃(t) = σ(t)/α(t), the σ-space level of the model's time t (0 for clean data).
  S sigma_of(S t) const { return ratio_at(t); }

  /// The model's time t at σ̃ (clamped to the model's time range; σ̃ itself on SigmaLevels).
  S time_of(S sigma) const {
    const auto& lv = m_model->levels();
    if constexpr (std::is_same_v<Levels, SigmaLevels<S>>) {
      return sigma;
    } else if constexpr (detail::is_discrete_schedule<Levels>) {
      return lv.time_of_sigma(sigma);
    } else {
      // bisection on the increasing σ̃(t) over [t_min, t_max], to the last bit of S
      S lo = lv.t_min(), hi = lv.t_max();
      if (!(sigma > ratio_at(lo))) return lo;
      if (!(sigma < ratio_at(hi))) return hi;
      for (int k = 0; k < 400; ++k) {
        const S mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi) break;
        (ratio_at(mid) < sigma ? lo : hi) = mid;
      }
      return std::abs(std::log(ratio_at(lo) / sigma)) <= std::abs(std::log(ratio_at(hi) / sigma)) ? lo : hi;
    }
  }

  /// The smallest and largest σ̃ of the model's range: σ̃(t_min), σ̃(t_max) of a Process, σ̃ of the
  /// first and last step of a DiscreteSchedule. Throws diffuse::Error on SigmaLevels (no range).
  S sigma_min() const { return range_end(false); }
  S sigma_max() const { return range_end(true); }

  /// The Karras σ grid (EDM eq. 5) of `levels` nonzero σ̃ spanning the model's own range, then 0.
  std::vector<S> karras_sigmas(int levels, double rho = 7) const {
    return diffuse::karras_sigmas<S>(levels, {.sigma_min = double(sigma_min()), .sigma_max = double(sigma_max()), .rho = rho});
  }
  /// The exponential σ grid (log-uniform) of `levels` nonzero σ̃ spanning the model's range, then 0.
  std::vector<S> exponential_sigmas(int levels) const {
    return diffuse::exponential_sigmas<S>(levels, double(sigma_min()), double(sigma_max()));
  }
  /// A grid of the model's own times in σ-space: σ̃(t_k) for every k.
  std::vector<S> sigmas_of(std::span<const S> times) const {
    std::vector<S> sigmas;
    sigmas.reserve(times.size());
    for (const S t : times) sigmas.push_back(sigma_of(t));
    return sigmas;
  }

  /// The model's own step-start check (e.g. α > 0 for an ε-model) at the time of σ̃.
  void check_step_start(S sigma) const {
    if constexpr (requires { m_model->check_step_start(sigma); }) m_model->check_step_start(model_time(sigma));
  }

  /// out = (x0, ε) of x̃ = x0 + σ̃ ε at σ̃ = sigma; one prediction of the model.
  void predict(const Matrix<S>& x, S sigma, Prediction<S>& out) {
    const auto& lv = m_model->levels();
    const S t = model_time(sigma);
    const bool exact = std::is_same_v<Levels, SigmaLevels<S>> ||
                       (m_options.rounding == StepRounding::fractional && in_range(sigma));
    S scale = lv.alpha(t);
    if constexpr (detail::is_discrete_schedule<Levels>) {
      if (!exact) scale = S(1) / std::sqrt(1 + sigma * sigma);
    }
    // x = α x̃
    m_input = scale * x;
    m_model->predict(m_input, t, out);
    if (exact) return;
    // levels other than σ̃: keep ε, x0 = x̃ − σ̃ ε
    out.x0 = x - sigma * out.eps;
  }

 private:
  S ratio_at(S t) const {
    const auto& lv = m_model->levels();
    const S alpha = lv.alpha(t), sigma = lv.sigma(t);
    return sigma == S(0) ? S(0) : sigma / alpha;
  }

  S model_time(S sigma) const {
    const S t = time_of(sigma);
    if constexpr (detail::is_discrete_schedule<Levels>) {
      if (m_options.rounding == StepRounding::nearest) return std::nearbyint(t);
    }
    return t;
  }

  bool in_range(S sigma) const {
    if constexpr (std::is_same_v<Levels, SigmaLevels<S>>) {
      return true;
    } else {
      // a few ulps of slack: σ̃ of the range's ends computed along another path still counts as inside
      constexpr S slack = 8 * std::numeric_limits<S>::epsilon();
      return sigma >= range_end(false) * (1 - slack) && sigma <= range_end(true) * (1 + slack);
    }
  }

  S range_end(bool upper) const {
    const auto& lv = m_model->levels();
    if constexpr (std::is_same_v<Levels, SigmaLevels<S>>) {
      detail::fail("SigmaView", "a model on SigmaLevels has no sigma range of its own", "SigmaLevels",
                   "explicit sigma_min and sigma_max, e.g. karras_sigmas(n, {.sigma_min = 0.002, .sigma_max = 80})");
    } else if constexpr (detail::is_discrete_schedule<Levels>) {
      return upper ? lv.sigma_ratio_max() : lv.sigma_ratio_min();
    } else {
      return ratio_at(upper ? lv.t_max() : lv.t_min());
    }
  }

  D* m_model;
  SigmaViewOptions m_options;
  SigmaLevels<S> m_sigma_levels;
  Matrix<S> m_input;  // workspace: α x̃
};

template <class D>
SigmaView(D&) -> SigmaView<D>;
template <class D>
SigmaView(D&, SigmaViewOptions) -> SigmaView<D>;

}  // namespace diffuse
