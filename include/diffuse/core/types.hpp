#pragma once
// diffuse/core/types.hpp — the matrix aliases every module shares.
//
// A batch is a d x n matrix with one sample per column. This is exactly the memory layout of a
// PyTorch (n, d) row-major tensor, and it makes every dense layer a single GEMM W * X.
// Per-sample scalars (times, noise levels, weights, labels) are 1 x n row vectors.

#include <Eigen/Core>

namespace diffuse {

/// Dynamic column-major matrix; batches are d x n with one sample per column.
template <class S>
using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

/// Dynamic column vector (parameters, per-dimension quantities).
template <class S>
using Vector = Eigen::Matrix<S, Eigen::Dynamic, 1>;

/// Dynamic row vector: one scalar per sample of a batch.
template <class S>
using RowVector = Eigen::Matrix<S, 1, Eigen::Dynamic>;

using Index = Eigen::Index;

/// What a denoiser predicts for a batch x_t: the clean sample and the noise, related by
/// x_t = alpha(t) x0 + sigma(t) eps. Both are kept because every sampler needs one or the other,
/// and converting costs a pass over the batch.
template <class S>
struct Prediction {
  Matrix<S> x0;
  Matrix<S> eps;
};

}  // namespace diffuse
