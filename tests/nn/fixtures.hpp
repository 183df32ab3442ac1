#pragma once
// Access to the PyTorch reference numbers in tests/data/nn (written by python/make_fixtures.py).

#include <string>

#include <diffuse/core/types.hpp>
#include <diffuse/nn/safetensors.hpp>

namespace fixtures {

inline std::string path(const std::string& name) { return std::string(DIFFUSE_TEST_DATA_DIR) + "/nn/" + name; }

/// Tensor `name` of a file as a matrix with the PyTorch shape (rows, cols) — a 1-D tensor is a
/// column; values stay in PyTorch's row-major order, so a (n, d) batch reads as rows x cols.
template <class S>
diffuse::Matrix<S> tensor(const diffuse::SafetensorsFile& file, const std::string& name) {
  const diffuse::SafetensorsEntry* e = file.find(name);
  if (e == nullptr) throw diffuse::Error("fixture tensor missing: " + name);
  const auto rows = static_cast<diffuse::Index>(e->shape.empty() ? 1 : e->shape[0]);
  const auto cols = static_cast<diffuse::Index>(e->shape.size() < 2 ? 1 : e->shape[1]);
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(rows, cols);
  file.copy_to(*e, m.data());
  return m;
}

/// A PyTorch (n, d) row-major batch as a d x n diffuse batch.
template <class S>
diffuse::Matrix<S> batch(const diffuse::SafetensorsFile& file, const std::string& name) {
  return tensor<S>(file, name).transpose();
}

}  // namespace fixtures
