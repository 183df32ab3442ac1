#pragma once
// diffuse/integrators/time_grid.hpp — a validated, strictly monotone list of times t_0, ..., t_K
// on which integrate() steps (increasing: forward in time; decreasing: backward).

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// At least two finite times, strictly increasing or strictly decreasing. Validated once at
/// construction, so integrate() never checks inside its loop.
template <class S>
class TimeGrid {
 public:
  using Scalar = S;

  /// From an explicit list; throws diffuse::Error when it has fewer than two points, a
  /// non-finite time, or is not strictly monotone.
  explicit TimeGrid(std::vector<S> times) : m_times(std::move(times)) {
    constexpr const char* api = "TimeGrid";
    DIFFUSE_REQUIRE(m_times.size() >= 2, api, "a grid needs at least two times", m_times.size(), ">= 2");
    for (std::size_t i = 0; i < m_times.size(); ++i)
      check_finite(api, "t[" + std::to_string(i) + "]", m_times[i]);
    const bool up = m_times[1] > m_times[0];
    for (std::size_t i = 1; i < m_times.size(); ++i) {
      const bool ok = up ? m_times[i] > m_times[i - 1] : m_times[i] < m_times[i - 1];
      if (ok) continue;
      const std::string now = "t[" + std::to_string(i) + "]", before = "t[" + std::to_string(i - 1) + "]";
      std::ostringstream got;
      got << now << '=' << m_times[i] << " after " << before << '=' << m_times[i - 1];
      detail::fail(api, std::string("time grid must be strictly ") + (up ? "increasing" : "decreasing"),
                   got.str(), now + (up ? " > " : " < ") + before);
    }
  }

  /// `steps` equal steps from t0 to t1 (steps + 1 points; t1 < t0 runs backward).
  static TimeGrid uniform(S t0, S t1, Index steps) {
    constexpr const char* api = "TimeGrid::uniform";
    check_at_least(api, "steps", steps, Index{1});
    check_finite(api, "t0", t0);
    check_finite(api, "t1", t1);
    DIFFUSE_REQUIRE(t0 != t1, api, "t0 equals t1", t1, "t1 != t0");
    std::vector<S> t(static_cast<std::size_t>(steps + 1));
    for (Index k = 0; k <= steps; ++k) t[static_cast<std::size_t>(k)] = t0 + (t1 - t0) * S(k) / S(steps);
    t.back() = t1;
    return TimeGrid(std::move(t));
  }

  /// Number of points K + 1.
  Index size() const { return static_cast<Index>(m_times.size()); }
  /// Number of steps K.
  Index steps() const { return size() - 1; }
  S operator[](Index k) const { return m_times[static_cast<std::size_t>(k)]; }
  S front() const { return m_times.front(); }
  S back() const { return m_times.back(); }
  bool increasing() const { return m_times[1] > m_times[0]; }
  const std::vector<S>& times() const { return m_times; }

 private:
  std::vector<S> m_times;
};

}  // namespace diffuse
