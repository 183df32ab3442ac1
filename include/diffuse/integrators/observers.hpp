#pragma once
// diffuse/integrators/observers.hpp — observers for integrate(): a trajectory recorder and a
// progress display. An observer is any callable (const Matrix<S>& x, S t, Index k).

#include <ostream>
#include <string>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/integrators/time_grid.hpp"

namespace diffuse {

/// Records the state and time at step 0, every `every`-th step, and the last step of `grid`.
template <class S>
class TrajectoryRecorder {
 public:
  explicit TrajectoryRecorder(const TimeGrid<S>& grid, Index every = 1) : m_every(every), m_last(grid.steps()) {
    check_at_least("TrajectoryRecorder", "every", every, Index{1});
    const auto count = static_cast<std::size_t>(m_last / every + 2);
    m_states.reserve(count);
    m_times.reserve(count);
  }

  void operator()(const Matrix<S>& x, S t, Index k) {
    if (k % m_every != 0 && k != m_last) return;
    m_states.push_back(x);
    m_times.push_back(t);
    m_steps.push_back(k);
  }

  /// Recorded states, each d x n.
  const std::vector<Matrix<S>>& states() const { return m_states; }
  const std::vector<S>& times() const { return m_times; }
  /// Step index of each recorded state.
  const std::vector<Index>& steps() const { return m_steps; }

  /// The path of sample j as a d x (recorded count) matrix, for line plots.
  Matrix<S> path(Index j) const {
    Matrix<S> p(m_states.empty() ? 0 : m_states.front().rows(), static_cast<Index>(m_states.size()));
    for (std::size_t i = 0; i < m_states.size(); ++i) p.col(static_cast<Index>(i)) = m_states[i].col(j);
    return p;
  }

 private:
  Index m_every;
  Index m_last;
  std::vector<Matrix<S>> m_states;
  std::vector<S> m_times;
  std::vector<Index> m_steps;
};

/// Writes "\r<label> k/K (p%)" to a stream whenever the percentage changes, and a newline at
/// the end. Give it std::cerr when stderr is a terminal.
class ProgressObserver {
 public:
  ProgressObserver(std::ostream& out, Index total_steps, std::string label = "integrate")
      : m_out(&out), m_total(total_steps), m_label(std::move(label)) {
    check_at_least("ProgressObserver", "total_steps", total_steps, Index{1});
  }

  template <class S>
  void operator()(const Matrix<S>&, S, Index k) {
    const Index percent = 100 * k / m_total;
    if (percent == m_percent) return;
    m_percent = percent;
    *m_out << '\r' << m_label << ' ' << k << '/' << m_total << " (" << percent << "%)";
    if (k >= m_total) *m_out << '\n';
    m_out->flush();
  }

 private:
  std::ostream* m_out;
  Index m_total;
  std::string m_label;
  Index m_percent = -1;
};

}  // namespace diffuse
