#pragma once
// diffuse/nn/conditional_mlp.hpp — a body MLP behind noise-level and condition embeddings.
//
// The input is one stacked matrix, rows [x (d rows); noise level; condition rows] (see
// core/concepts.hpp). Each embedding maps its rows to features; the body sees the concatenation
//   h = [x; e_1(rows of embedding 1); e_2(...); ...]
// exactly as the seeds' torch.cat([x, t_emb, y], dim=-1), and the backward pass routes dL/dh
// back through every embedding, so embeddings with parameters (tables, MLPs) are trained and the
// input gradient covers every row. Parameters are laid out embeddings first, then the body, as
// PyTorch registers them, so parameters() equals torch's parameters_to_vector(module).

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/nn/embeddings.hpp"
#include "diffuse/nn/mlp.hpp"
#include "diffuse/nn/tensor_spec.hpp"

namespace diffuse {

/// Shape of a ConditionalMlp's body: the body's input width is data_dim + Σ embedding widths.
struct ConditionalMlpShape {
  Index data_dim = 2;          ///< rows of x at the top of the input
  std::vector<Index> hidden;   ///< hidden widths of the body
  Index output_dim = 2;        ///< rows of the output
  std::string body_name = "net";  ///< state-dict prefix of the body
};

/// Embeddings (in input-row order) + body MLP with activation Act. Models Network.
template <class S, class Act, class... Embeddings>
class ConditionalMlp {
 public:
  using Scalar = S;

  /// Lays out and initialises (PyTorch defaults, from rng) the embeddings and the body.
  ConditionalMlp(const ConditionalMlpShape& shape, Rng& rng, Embeddings... embeddings)
      : m_data_dim(shape.data_dim),
        m_embeddings(std::move(embeddings)...),
        m_shared_embeddings(m_embeddings),
        m_body(body_shape(shape), embedding_parameter_count()),
        m_body_name(shape.body_name) {
    check_at_least("ConditionalMlp", "data_dim", shape.data_dim, Index(0));
    auto bind = [](std::tuple<Embeddings...>& embeddings) {
      Index offset = 0;
      std::apply([&](auto&... e) { ((e.bind(offset), offset += e.parameter_count()), ...); }, embeddings);
      return offset;
    };
    bind(m_shared_embeddings);
    m_parameters.setZero(bind(m_embeddings) + m_body.parameter_count());
    m_gradients.setZero(m_parameters.size());
    std::apply([&](auto&... e) { (e.initialize(m_parameters.data(), rng), ...); }, m_embeddings);
    m_body.initialize(m_parameters.data(), rng);
  }

  /// Rows of the stacked input: data_dim + rows consumed by the embeddings.
  Index input_dim() const {
    Index rows = m_data_dim;
    std::apply([&](const auto&... e) { ((rows += e.input_rows()), ...); }, m_embeddings);
    return rows;
  }
  Index output_dim() const { return m_body.output_dim(); }
  Index data_dim() const { return m_data_dim; }
  Vector<S>& parameters() { return m_parameters; }
  const Vector<S>& parameters() const { return m_parameters; }
  Vector<S>& gradients() { return m_gradients; }
  const Vector<S>& gradients() const { return m_gradients; }
  void zero_grad() { m_gradients.setZero(); }
  const MlpBlock<S, Act>& body() const { return m_body; }
  const std::tuple<Embeddings...>& embeddings() const { return m_embeddings; }

  /// Named tensors of parameters() in PyTorch state-dict order, for checkpoints.
  std::vector<TensorSpec> tensors() const {
    std::vector<TensorSpec> specs;
    std::apply([&](const auto&... e) { (e.append_tensors(specs), ...); }, m_embeddings);
    m_body.append_tensors(m_body_name, specs);
    return specs;
  }

  /// Output for a stacked input (input_dim x n); keeps what backward() needs. When every column
  /// has the same rows below x (one noise level and condition for the whole batch, as in a
  /// sampling step), the embeddings run on one column and the body folds their output into its
  /// first bias; backward() then computes the embeddings of every column first.
  const Matrix<S>& forward(const Matrix<S>& input) {
    check_shape("ConditionalMlp::forward", "input", input, input_dim(), -1);
    m_input = input;
    m_body_in_pending = conditioning_is_shared();
    if (!m_body_in_pending) {
      embed();
      return m_body.forward(m_parameters.data(), m_body_in);
    }
    m_shared_body_in.resize(m_body.input_dim(), 1);
    for_each_embedding(m_shared_embeddings, [&](auto& e, Index in_row, Index out_row) {
      e.forward(m_parameters.data(), m_input.block(in_row, 0, e.input_rows(), 1),
                m_shared_body_in.middleRows(out_row, e.output_rows()));
    });
    return m_body.forward(m_parameters.data(), m_input.topRows(m_data_dim),
                          m_shared_body_in.col(0).tail(m_body.input_dim() - m_data_dim));
  }

  /// Adds dL/dθ (body and embeddings) to gradients() and returns dL/d(input), every row.
  const Matrix<S>& backward(const Matrix<S>& grad_output) {
    check_shape("ConditionalMlp::backward", "grad_output", grad_output, output_dim(), m_input.cols());
    if (m_body_in_pending) embed();
    const Matrix<S>& g = m_body.backward(m_parameters.data(), m_gradients.data(), m_body_in, grad_output);
    m_grad_input.resize(m_input.rows(), m_input.cols());
    m_grad_input.topRows(m_data_dim) = g.topRows(m_data_dim);
    for_each_embedding(m_embeddings, [&](auto& e, Index in_row, Index out_row) {
      e.backward(m_parameters.data(), m_gradients.data(), m_input.middleRows(in_row, e.input_rows()),
                 m_body_in.middleRows(out_row, e.output_rows()), g.middleRows(out_row, e.output_rows()),
                 m_grad_input.middleRows(in_row, e.input_rows()), true);
    });
    return m_grad_input;
  }

  /// Like backward() but computes no input gradient beyond what embeddings with parameters
  /// need: the cheaper call for training.
  void backward_parameters(const Matrix<S>& grad_output) {
    check_shape("ConditionalMlp::backward_parameters", "grad_output", grad_output, output_dim(),
                m_input.cols());
    if (m_body_in_pending) embed();
    Index first = m_body.input_dim();
    for_each_embedding(m_embeddings, [&](auto& e, Index, Index out_row) {
      if (e.parameter_count() > 0 && out_row < first) first = out_row;
    });
    const Matrix<S>& g =
        m_body.backward(m_parameters.data(), m_gradients.data(), m_body_in, grad_output, first);
    for_each_embedding(m_embeddings, [&](auto& e, Index in_row, Index out_row) {
      if (e.parameter_count() == 0) return;
      e.backward(m_parameters.data(), m_gradients.data(), m_input.middleRows(in_row, e.input_rows()),
                 m_body_in.middleRows(out_row, e.output_rows()), g.middleRows(out_row, e.output_rows()),
                 m_grad_input.middleRows(0, 0), false);
    });
  }

 private:
  MlpShape body_shape(const ConditionalMlpShape& shape) const {
    Index width = shape.data_dim;
    std::apply([&](const auto&... e) { ((width += e.output_rows()), ...); }, m_embeddings);
    std::vector<Index> widths{width};
    widths.insert(widths.end(), shape.hidden.begin(), shape.hidden.end());
    widths.push_back(shape.output_dim);
    return {widths, false};
  }

  Index embedding_parameter_count() const {
    Index count = 0;
    std::apply([&](const auto&... e) { ((count += e.parameter_count()), ...); }, m_embeddings);
    return count;
  }

  // The body input [x; embeddings] of every column of m_input.
  void embed() {
    m_body_in.resize(m_body.input_dim(), m_input.cols());
    m_body_in.topRows(m_data_dim) = m_input.topRows(m_data_dim);
    for_each_embedding(m_embeddings, [&](auto& e, Index in_row, Index out_row) {
      e.forward(m_parameters.data(), m_input.middleRows(in_row, e.input_rows()),
                m_body_in.middleRows(out_row, e.output_rows()));
    });
    m_body_in_pending = false;
  }

  // Whether the input has rows below x and every column holds the same values there.
  bool conditioning_is_shared() const {
    const Index rows = m_input.rows() - m_data_dim;
    if (rows == 0 || m_input.cols() == 0) return false;
    const auto below = m_input.bottomRows(rows);
    for (Index j = 1; j < below.cols(); ++j)
      if (below.col(j) != below.col(0)) return false;
    return true;
  }

  // Calls f(embedding, first input row, first body-input row) for each of `embeddings` in order.
  template <class F>
  void for_each_embedding(std::tuple<Embeddings...>& embeddings, F&& f) {
    Index in_row = m_data_dim, out_row = m_data_dim;
    std::apply([&](auto&... e) {
      ((f(e, in_row, out_row), in_row += e.input_rows(), out_row += e.output_rows()), ...);
    }, embeddings);
  }

  Index m_data_dim;
  std::tuple<Embeddings...> m_embeddings;
  // The same embeddings for forward()'s one-column path, so that each copy keeps its workspaces
  // at one size and alternating paths allocate nothing.
  std::tuple<Embeddings...> m_shared_embeddings;
  MlpBlock<S, Act> m_body;
  std::string m_body_name;
  Vector<S> m_parameters, m_gradients;
  Matrix<S> m_input, m_body_in, m_grad_input;
  Matrix<S> m_shared_body_in;     // one column of body input, when the conditioning is shared
  bool m_body_in_pending = false;  // forward() took the shared path; m_body_in is not filled
};

static_assert(Network<ConditionalMlp<double, Silu, SinusoidalEmbedding<double>>>);
static_assert(Network<ConditionalMlp<double, Relu, EmbeddingTable<double>, MlpEmbedding<double, Relu>>>);

}  // namespace diffuse
