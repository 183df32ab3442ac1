#pragma once
// diffuse/nn/tensor_spec.hpp — how a network's flat parameter vector splits into named tensors.
//
// Every parameter tensor is stored row-major in the flat vector, in the order of PyTorch's
// module.parameters(), so the flat vector equals torch.nn.utils.parameters_to_vector(module)
// and a checkpoint tensor is one contiguous slice of it.

#include <string>
#include <vector>

#include "diffuse/core/types.hpp"

namespace diffuse {

/// One named parameter tensor: a row-major slice [offset, offset + size()) of parameters().
struct TensorSpec {
  std::string name;          ///< PyTorch state_dict key, e.g. "net.0.weight"
  std::vector<Index> shape;  ///< PyTorch shape, e.g. {out, in} for a Linear weight
  Index offset = 0;          ///< first entry in the flat parameter vector

  /// Number of entries (product of the shape; 1 for a scalar).
  Index size() const {
    Index count = 1;
    for (const Index s : shape) count *= s;
    return count;
  }
};

}  // namespace diffuse
