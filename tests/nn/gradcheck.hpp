#pragma once
// Central finite-difference checks of a Network's backward pass, in double precision.
//
// The loss is L = Σ R ⊙ f(X) for a fixed random R, so dL/d(output) = R. Each analytic derivative
// is compared with (L(θ + h e_i) − L(θ − h e_i)) / 2h, h = 1e-6, under
// |analytic − fd| <= rel · |fd| + abs.

#include <algorithm>
#include <cmath>
#include <vector>

#include <diffuse/core/rng.hpp>
#include <diffuse/core/types.hpp>
#include <diffuse/nn/tensor_spec.hpp>

namespace gradcheck {

using diffuse::Index;
using diffuse::Matrix;

struct Result {
  double worst_parameter = 0;  ///< max |a − fd| / (rel |fd| + abs) over the checked parameters
  double worst_input = 0;      ///< same over the checked input entries
  Index parameters_checked = 0;
  Index inputs_checked = 0;
};

inline double ratio(double analytic, double fd, double rel, double abs) {
  return std::abs(analytic - fd) / (rel * std::abs(fd) + abs);
}

/// Checks the parameters at `indices` and the input entries of `rows` (all rows when empty).
template <class Net>
Result check(Net& net, const Matrix<double>& x, const std::vector<Index>& indices,
             const std::vector<Index>& rows = {}, double rel = 1e-6, double abs = 1e-8) {
  diffuse::Rng rng(99);
  const Matrix<double> r = rng.normal<double>(net.output_dim(), x.cols());
  auto loss = [&](const Matrix<double>& input) { return (net.forward(input).array() * r.array()).sum(); };
  net.gradients().setZero();
  net.forward(x);
  const Matrix<double> grad_x = net.backward(r);
  const diffuse::Vector<double> grad = net.gradients();
  const double h = 1e-6;
  Result result;
  for (const Index i : indices) {
    const double keep = net.parameters()[i];
    net.parameters()[i] = keep + h;
    const double up = loss(x);
    net.parameters()[i] = keep - h;
    const double down = loss(x);
    net.parameters()[i] = keep;
    result.worst_parameter = std::max(result.worst_parameter, ratio(grad[i], (up - down) / (2 * h), rel, abs));
    ++result.parameters_checked;
  }
  Matrix<double> xp = x;
  for (Index i = 0; i < x.rows(); ++i) {
    if (!rows.empty() && std::find(rows.begin(), rows.end(), i) == rows.end()) continue;
    for (Index j = 0; j < x.cols(); ++j) {
      xp(i, j) = x(i, j) + h;
      const double up = loss(xp);
      xp(i, j) = x(i, j) - h;
      const double down = loss(xp);
      xp(i, j) = x(i, j);
      result.worst_input = std::max(result.worst_input, ratio(grad_x(i, j), (up - down) / (2 * h), rel, abs));
      ++result.inputs_checked;
    }
  }
  return result;
}

/// Every parameter index.
inline std::vector<Index> all(Index count) {
  std::vector<Index> v(static_cast<std::size_t>(count));
  for (Index i = 0; i < count; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

/// Up to `per_tensor` random indices inside every tensor (all of a small tensor).
inline std::vector<Index> sample(const std::vector<diffuse::TensorSpec>& tensors, Index per_tensor,
                                 diffuse::Rng& rng) {
  std::vector<Index> v;
  for (const auto& t : tensors) {
    if (t.size() <= per_tensor) {
      for (Index i = 0; i < t.size(); ++i) v.push_back(t.offset + i);
    } else {
      for (Index k = 0; k < per_tensor; ++k) v.push_back(t.offset + rng.integer(t.size()));
    }
  }
  return v;
}

}  // namespace gradcheck
