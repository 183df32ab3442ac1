#pragma once
// diffuse/training/data.hpp — where training batches come from: a fixed data set reshuffled every
// epoch (seeds 001–003 train on a fixed set through a shuffling DataLoader), or fresh samples drawn
// for every batch (seed 000).

#include <algorithm>
#include <utility>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// A fixed data set: points (d x N) and an optional condition (c x N). Each epoch visits the
/// points in a fresh random order, in batches of batch_size; the last partial batch is dropped
/// when drop_last is set (torch's DataLoader(shuffle=True, drop_last=...)).
template <class S>
class Dataset {
 public:
  using Scalar = S;

  Dataset(Matrix<S> points, Matrix<S> condition = {}, bool drop_last = false)
      : m_points(std::move(points)), m_condition(std::move(condition)), m_drop_last(drop_last) {
    check_nonempty("Dataset", "points", m_points);
    check_all_finite("Dataset", "points", m_points);
    if (m_condition.size() > 0)
      check_shape("Dataset", "condition", m_condition, -1, m_points.cols());
  }

  Index size() const { return m_points.cols(); }
  Index dim() const { return m_points.rows(); }

  /// Batches in one epoch of the given batch size.
  Index batches_per_epoch(Index batch_size) const {
    check_at_least("Dataset::batches_per_epoch", "batch_size", batch_size, Index{1});
    return m_drop_last ? size() / batch_size : (size() + batch_size - 1) / batch_size;
  }

  /// The next batch (x0, condition); reshuffles with rng at the start of every epoch.
  void next_batch(Index batch_size, Rng& rng, Matrix<S>& x0, Matrix<S>& condition) {
    check_at_least("Dataset::next_batch", "batch_size", batch_size, Index{1});
    if (m_cursor == 0 || m_cursor + (m_drop_last ? batch_size : 1) > size()) {
      m_order = rng.permutation(size());
      m_cursor = 0;
    }
    const Index count = std::min(batch_size, size() - m_cursor);
    x0.resize(dim(), count);
    condition.resize(m_condition.rows(), count);
    for (Index j = 0; j < count; ++j) {
      const Index src = m_order[static_cast<std::size_t>(m_cursor + j)];
      x0.col(j) = m_points.col(src);
      if (m_condition.rows() > 0) condition.col(j) = m_condition.col(src);
    }
    m_cursor += count;
    if (m_cursor >= size()) m_cursor = 0;
  }

 private:
  Matrix<S> m_points;
  Matrix<S> m_condition;
  bool m_drop_last;
  std::vector<Index> m_order;
  Index m_cursor = 0;
};

/// Fresh samples for every batch from sampler(n, rng) -> Matrix<S> (d x n), with no condition.
template <class S, class Sampler>
class SampledData {
 public:
  using Scalar = S;
  explicit SampledData(Sampler sampler) : m_sampler(std::move(sampler)) {}

  Index batches_per_epoch(Index) const { return 1; }
  void next_batch(Index batch_size, Rng& rng, Matrix<S>& x0, Matrix<S>& condition) {
    x0 = m_sampler(batch_size, rng);
    condition.resize(0, x0.cols());
  }

 private:
  Sampler m_sampler;
};

/// SampledData<S> from a callable, deducing nothing but the scalar: sampled_data<float>(f).
template <class S, class Sampler>
SampledData<S, Sampler> sampled_data(Sampler sampler) {
  return SampledData<S, Sampler>(std::move(sampler));
}

}  // namespace diffuse
