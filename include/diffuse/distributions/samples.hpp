#pragma once
// diffuse/distributions/samples.hpp — a batch of points with an integer label per point (the
// mixture component or data-set class that produced it).

#include <vector>

#include "diffuse/core/types.hpp"

namespace diffuse {

/// Points drawn from a labelled distribution: `points` is d x n (one sample per column) and
/// `labels[j]` is the component or class of column j.
template <class S>
struct Samples {
  Matrix<S> points;
  std::vector<int> labels;
};

}  // namespace diffuse
