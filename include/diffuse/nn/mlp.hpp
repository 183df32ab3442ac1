#pragma once
// diffuse/nn/mlp.hpp — multilayer perceptrons with a hand-written backward pass.
//
// MlpBlock is a stack Linear → f → Linear → f → … → Linear over a slice of some flat parameter
// vector (the building block of bodies and embeddings); Mlp owns its parameter and gradient
// vectors and models the Network concept. Backpropagation is the chain rule layer by layer:
//   dL/dz_k = dL/da_k ⊙ f'(z_k),  dL/dW_k += dL/dz_k a_{k−1}ᵀ,  dL/da_{k−1} = W_kᵀ dL/dz_k.
// Workspaces persist, so forward + backward at a fixed batch size allocate nothing after the
// first call.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/nn/activations.hpp"
#include "diffuse/nn/gemm.hpp"
#include "diffuse/nn/linear.hpp"
#include "diffuse/nn/tensor_spec.hpp"

namespace diffuse {

/// Layer widths {in, hidden..., out} of an MLP and whether the last layer is also activated.
struct MlpShape {
  std::vector<Index> widths;      ///< at least {in, out}
  bool final_activation = false;  ///< apply f after the last Linear too (seed 002's σ-embedding)
};

/// A stack of Linear layers with activation Act between them (and after the last one when
/// final_activation), viewing its parameters at [offset, offset + parameter_count()) of an
/// external flat vector. Keeps the activations of the last forward pass for backward.
template <class S, class Act>
class MlpBlock {
 public:
  using Scalar = S;
  using Input = Eigen::Ref<const Matrix<S>>;

  MlpBlock(const MlpShape& shape, Index offset) : m_final_activation(shape.final_activation) {
    DIFFUSE_REQUIRE(shape.widths.size() >= 2, "Mlp", "needs at least an input and an output width",
                    shape.widths.size(), ">= 2 widths");
    Index at = offset;
    for (std::size_t k = 0; k + 1 < shape.widths.size(); ++k) {
      m_layers.emplace_back(shape.widths[k], shape.widths[k + 1], at);
      at += m_layers.back().parameter_count();
    }
    m_cache.resize(m_layers.size());
    m_post.resize(m_layers.size());
    m_grad.resize(m_layers.size());
  }

  Index input_dim() const { return m_layers.front().in_features(); }
  Index output_dim() const { return m_layers.back().out_features(); }
  Index parameter_count() const {
    Index count = 0;
    for (const auto& layer : m_layers) count += layer.parameter_count();
    return count;
  }
  const std::vector<Linear<S>>& layers() const { return m_layers; }

  /// PyTorch's default initialisation, layer by layer.
  void initialize(S* theta, Rng& rng) const {
    for (const auto& layer : m_layers) layer.initialize(theta, rng);
  }

  /// State-dict entries as in torch.nn.Sequential(Linear, Act, Linear, ...): Linear k is
  /// "<prefix>.<2k>.weight" / ".bias" because the activations take the odd indices.
  void append_tensors(const std::string& prefix, std::vector<TensorSpec>& out) const {
    for (std::size_t k = 0; k < m_layers.size(); ++k)
      m_layers[k].append_tensors(prefix + "." + std::to_string(2 * k), out);
  }

  /// The output for input x (input_dim x n). x must stay unchanged until backward().
  const Matrix<S>& forward(const S* theta, const Input& x) {
    with_activation(0, [&]<class A>(A) { m_layers[0].template forward<A>(theta, x, m_cache[0], m_post[0], m_gemm); });
    return forward_hidden(theta);
  }

  /// The output for an input whose rows below those of `top` hold `tail` in every column (a
  /// noise-level embedding shared by the batch): the first layer folds the tail into its bias
  /// (Linear::forward_constant_tail). backward() takes the whole input, as after forward().
  const Matrix<S>& forward(const S* theta, const Input& top, const Eigen::Ref<const Vector<S>>& tail) {
    with_activation(0, [&]<class A>(A) {
      m_layers[0].template forward_constant_tail<A>(theta, top, tail, m_folded_bias, m_cache[0], m_post[0], m_gemm);
    });
    return forward_hidden(theta);
  }

  /// Backpropagates grad_output = dL/d(output) through the last forward pass (whose input was
  /// x): adds dL/dθ to grad and returns an input_dim x n matrix whose rows
  /// [first_input_row, input_dim) hold dL/dx; the rows above are not computed (so
  /// first_input_row = input_dim skips that product entirely).
  const Matrix<S>& backward(const S* theta, S* grad, const Input& x, const Matrix<S>& grad_output,
                            Index first_input_row = 0) {
    const std::size_t last = m_layers.size() - 1;
    const Matrix<S>* gz = &grad_output;
    if (activated(last)) {
      // a plain copy: Eigen's copy loop here makes GCC 12 warn of a loop running past 2^63
      m_grad[last].resize(grad_output.rows(), grad_output.cols());
      std::copy_n(grad_output.data(), grad_output.size(), m_grad[last].data());
      Act::backward(m_cache[last], m_post[last], m_grad[last]);
      gz = &m_grad[last];
    }
    for (std::size_t k = last; k > 0; --k) {
      m_layers[k].backward(theta, grad, m_post[k - 1], *gz, &m_grad[k - 1], m_gemm);
      Act::backward(m_cache[k - 1], m_post[k - 1], m_grad[k - 1]);
      gz = &m_grad[k - 1];
    }
    m_layers[0].backward(theta, grad, x, *gz, &m_grad_input, m_gemm, first_input_row);
    return m_grad_input;
  }

 private:
  bool activated(std::size_t k) const { return k + 1 < m_layers.size() || m_final_activation; }

  // f(Act{}) if layer k is activated, else f(Identity{}).
  template <class F>
  void with_activation(std::size_t k, F&& f) const {
    if (activated(k))
      f(Act{});
    else
      f(Identity{});
  }

  // Layers 1, 2, … on the output of layer 0.
  const Matrix<S>& forward_hidden(const S* theta) {
    for (std::size_t k = 1; k < m_layers.size(); ++k)
      with_activation(k, [&]<class A>(A) {
        m_layers[k].template forward<A>(theta, m_post[k - 1], m_cache[k], m_post[k], m_gemm);
      });
    return m_post.back();
  }

  std::vector<Linear<S>> m_layers;
  bool m_final_activation;
  std::vector<Matrix<S>> m_cache;  // per layer: Act's cache of the pre-activation
  std::vector<Matrix<S>> m_post;   // per layer: output a_k
  std::vector<Matrix<S>> m_grad;   // per layer: dL/da_k, turned into dL/dz_k in place
  Matrix<S> m_grad_input;
  Vector<S> m_folded_bias;          // the first layer's bias with a constant input tail folded in
  detail::GemmWorkspace<S> m_gemm;  // packing buffers shared by every layer's products
};

/// A standalone MLP network: widths {in, hidden..., out}, activation Act between layers, one flat
/// parameter vector and one flat gradient vector. State-dict names are "<name>.<2k>.weight".
template <class S, class Act>
class Mlp {
 public:
  using Scalar = S;

  /// Builds the layers and initialises them as PyTorch does, from rng.
  Mlp(const MlpShape& shape, Rng& rng, std::string name = "net")
      : m_block(shape, 0), m_name(std::move(name)) {
    m_parameters.setZero(m_block.parameter_count());
    m_gradients.setZero(m_block.parameter_count());
    m_block.initialize(m_parameters.data(), rng);
  }

  Index input_dim() const { return m_block.input_dim(); }
  Index output_dim() const { return m_block.output_dim(); }
  Vector<S>& parameters() { return m_parameters; }
  const Vector<S>& parameters() const { return m_parameters; }
  Vector<S>& gradients() { return m_gradients; }
  const Vector<S>& gradients() const { return m_gradients; }
  /// Sets every gradient to zero (backward accumulates, as PyTorch does).
  void zero_grad() { m_gradients.setZero(); }

  /// Named tensors of parameters(), for checkpoints.
  std::vector<TensorSpec> tensors() const {
    std::vector<TensorSpec> specs;
    m_block.append_tensors(m_name, specs);
    return specs;
  }

  /// Output for a batch input (input_dim x n); keeps a copy of the input for backward().
  const Matrix<S>& forward(const Matrix<S>& input) {
    check_shape("Mlp::forward", "input", input, input_dim(), -1);
    m_input = input;
    return m_block.forward(m_parameters.data(), m_input);
  }

  /// Adds dL/dθ for grad_output = dL/d(output) of the last forward pass to gradients() and
  /// returns dL/d(input).
  const Matrix<S>& backward(const Matrix<S>& grad_output) {
    check_shape("Mlp::backward", "grad_output", grad_output, output_dim(), m_input.cols());
    return m_block.backward(m_parameters.data(), m_gradients.data(), m_input, grad_output);
  }

  /// Like backward() but skips dL/d(input): the cheaper call for training.
  void backward_parameters(const Matrix<S>& grad_output) {
    check_shape("Mlp::backward_parameters", "grad_output", grad_output, output_dim(), m_input.cols());
    m_block.backward(m_parameters.data(), m_gradients.data(), m_input, grad_output, input_dim());
  }

 private:
  MlpBlock<S, Act> m_block;
  std::string m_name;
  Vector<S> m_parameters, m_gradients;
  Matrix<S> m_input;
};

static_assert(Network<Mlp<double, Silu>>);
static_assert(Network<Mlp<float, Relu>>);

}  // namespace diffuse
