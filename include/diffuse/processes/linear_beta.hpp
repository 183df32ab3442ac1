#pragma once
// diffuse/processes/linear_beta.hpp — the linear noise rate shared by the VP and sub-VP SDEs
// (Song et al. 2021, eq. 33):
//   β(t) = β_min + t (β_max − β_min),   B(t) = ∫₀ᵗ β = β_min t + ½ t² (β_max − β_min).

#include <cmath>

#include "diffuse/core/error.hpp"

namespace diffuse::detail {

/// β(t) on t ∈ [t_min, t_max], validated for the process named `api`.
template <class S>
class LinearBeta {
 public:
  /// Requires 0 < β_min <= β_max, 0 < t_min < t_max.
  LinearBeta(const char* api, S beta_min, S beta_max, S t_min, S t_max)
      : m_beta_min(beta_min), m_beta_max(beta_max), m_t_min(t_min), m_t_max(t_max) {
    check_positive(api, "beta_min", beta_min);
    check_positive(api, "beta_max", beta_max);
    DIFFUSE_REQUIRE(beta_min <= beta_max, api, "beta_min exceeds beta_max", beta_min,
                    "beta_min <= beta_max = " + detail::to_text(beta_max));
    check_positive(api, "t_min", t_min);
    DIFFUSE_REQUIRE(std::isfinite(t_max) && t_max > t_min, api, "t_max must exceed t_min", t_max,
                    "t_max > t_min = " + detail::to_text(t_min));
  }

  S beta_min() const { return m_beta_min; }
  S beta_max() const { return m_beta_max; }
  S t_min() const { return m_t_min; }
  S t_max() const { return m_t_max; }
  /// β(t) = β_min + t (β_max − β_min).
  S beta(S t) const { return m_beta_min + t * (m_beta_max - m_beta_min); }
  /// B(t) = ∫₀ᵗ β(s) ds.
  S integrated(S t) const { return m_beta_min * t + S(0.5) * t * t * (m_beta_max - m_beta_min); }

 private:
  S m_beta_min, m_beta_max, m_t_min, m_t_max;
};

}  // namespace diffuse::detail
