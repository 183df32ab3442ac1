#pragma once
// diffuse/nn/embeddings.hpp — noise-level and condition embeddings placed in front of a body MLP.
//
// The network input is one stacked matrix: rows [x (d rows); noise level (1 row); condition
// rows]. Each embedding consumes input_rows() consecutive rows of it and writes output_rows()
// rows of the body's input (ConditionalMlp concatenates x with the embeddings, in order).
// Provided here:
//   SinusoidalEmbedding  [sin(ω_k t); cos(ω_k t)] (Vaswani et al. 2017, §3.5; frequencies
//                        log-spaced as in seed 000, transformer-style, or any list)
//   EmbeddingTable       torch.nn.Embedding: the row holds an integer step as a float
//   OneHot               the row holds an integer class label
//   MlpEmbedding         a small MLP on a scalar (seed 001's radius, seed 002's log σ)
//
// Every embedding provides: input_rows(), output_rows(), parameter_count(), bind(offset),
// initialize(theta, rng), append_tensors(specs), forward(theta, in, out) and
// backward(theta, grad, in, out, grad_out, grad_in, need_grad_in), where grad_out = dL/d(out)
// and grad_in receives dL/d(in) (zero for the integer inputs of tables and one-hot labels).

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/nn/mlp.hpp"
#include "diffuse/nn/tensor_spec.hpp"

namespace diffuse {

namespace detail {
/// The integer an input entry holds (rounded to nearest), checked against [0, count).
inline Index integer_input(double value, Index count, const char* api, const char* what) {
  DIFFUSE_REQUIRE(std::isfinite(value) && value > -0.5 && value < static_cast<double>(count) - 0.5,
                  api, std::string(what) + " is out of range", value,
                  "an integer in [0, " + std::to_string(count) + ")");
  return static_cast<Index>(std::lround(value));
}
}  // namespace detail

/// e(t) = [sin(ω_1 t) … sin(ω_h t); cos(ω_1 t) … cos(ω_h t)]: 2h rows from one input row.
/// No parameters. dL/dt = Σ_k ω_k (g_sin,k cos(ω_k t) − g_cos,k sin(ω_k t)).
template <class S>
class SinusoidalEmbedding {
 public:
  using Scalar = S;

  /// With explicit angular frequencies ω_k (at least one).
  explicit SinusoidalEmbedding(std::vector<double> frequencies) {
    DIFFUSE_REQUIRE(!frequencies.empty(), "SinusoidalEmbedding", "needs at least one frequency",
                    frequencies.size(), ">= 1");
    m_frequencies.resize(static_cast<Index>(frequencies.size()));
    for (std::size_t k = 0; k < frequencies.size(); ++k) {
      check_finite("SinusoidalEmbedding", "frequency", frequencies[k]);
      m_frequencies[static_cast<Index>(k)] = static_cast<S>(frequencies[k]);
    }
  }

  /// Seed 000's embedding: dim/2 frequencies log-spaced from f_min to f_max,
  /// ω_k = exp(log f_min + k (log f_max − log f_min) / (h − 1)).
  static SinusoidalEmbedding log_spaced(Index dim, double f_min = 1.0, double f_max = 40.0) {
    check_even(dim);
    check_positive("SinusoidalEmbedding", "f_min", f_min);
    check_positive("SinusoidalEmbedding", "f_max", f_max);
    const Index half = dim / 2;
    std::vector<double> w(static_cast<std::size_t>(half));
    for (Index k = 0; k < half; ++k) {
      const double u = half == 1 ? 0.0 : static_cast<double>(k) / static_cast<double>(half - 1);
      w[static_cast<std::size_t>(k)] = std::exp(std::log(f_min) + u * (std::log(f_max) - std::log(f_min)));
    }
    return SinusoidalEmbedding(std::move(w));
  }

  /// Transformer-style frequencies ω_k = max_period^(−k/h), k = 0..h−1, h = dim/2 (DDPM's
  /// time embedding). With dim = 2 this is seed 003's tiny [sin t; cos t].
  static SinusoidalEmbedding transformer(Index dim, double max_period = 10000.0) {
    check_even(dim);
    check_positive("SinusoidalEmbedding", "max_period", max_period);
    const Index half = dim / 2;
    std::vector<double> w(static_cast<std::size_t>(half));
    for (Index k = 0; k < half; ++k)
      w[static_cast<std::size_t>(k)] = std::exp(-std::log(max_period) * static_cast<double>(k) / static_cast<double>(half));
    return SinusoidalEmbedding(std::move(w));
  }

  const Vector<S>& frequencies() const { return m_frequencies; }
  Index input_rows() const { return 1; }
  Index output_rows() const { return 2 * m_frequencies.size(); }
  Index parameter_count() const { return 0; }
  void bind(Index) {}
  void initialize(S*, Rng&) const {}
  void append_tensors(std::vector<TensorSpec>&) const {}

  /// Writes e(t) for every column; sin and cos run over contiguous h x n workspaces (whole
  /// vector packets) before the copy into the strided rows of out.
  void forward(const S*, const Eigen::Ref<const Matrix<S>>& in, Eigen::Ref<Matrix<S>> out) {
    const Index h = m_frequencies.size();
    m_sin.resize(h, in.cols());
    m_cos.resize(h, in.cols());
    // ω_k t_j for every (k, j): an outer product
    m_sin.noalias() = m_frequencies * in.row(0);
    m_cos.array() = m_sin.array().cos();
    m_sin.array() = m_sin.array().sin();
    out.topRows(h) = m_sin;
    out.bottomRows(h) = m_cos;
  }

  void backward(const S*, S*, const Eigen::Ref<const Matrix<S>>&, const Eigen::Ref<const Matrix<S>>& out,
                const Eigen::Ref<const Matrix<S>>& grad_out, Eigen::Ref<Matrix<S>> grad_in,
                bool need_grad_in) const {
    if (!need_grad_in) return;
    const Index h = m_frequencies.size();
    // d sin(ω t)/dt = ω cos(ω t), d cos(ω t)/dt = −ω sin(ω t): both read from the cached output.
    for (Index j = 0; j < out.cols(); ++j)
      grad_in(0, j) = (m_frequencies.array() * (grad_out.col(j).head(h).array() * out.col(j).tail(h).array() -
                                                grad_out.col(j).tail(h).array() * out.col(j).head(h).array()))
                          .sum();
  }

 private:
  static void check_even(Index dim) {
    DIFFUSE_REQUIRE(dim >= 2 && dim % 2 == 0, "SinusoidalEmbedding", "dim must be even and positive",
                    dim, "an even number >= 2");
  }
  Vector<S> m_frequencies;
  Matrix<S> m_sin, m_cos;  // workspaces of forward()
};

/// Options of an EmbeddingTable.
struct EmbeddingTableOptions {
  Index steps = 200;               ///< number of rows (torch num_embeddings)
  Index dim = 16;                  ///< embedding width (torch embedding_dim)
  std::string name = "time_embed"; ///< state-dict prefix; the tensor is "<name>.weight"
};

/// torch.nn.Embedding(steps, dim): e(i) = E[i, :] for the integer i held (as a float) in the
/// input row. E is steps x dim row-major, initialised N(0, 1). dL/dE[i] += dL/de per sample;
/// the integer input gets zero gradient.
template <class S>
class EmbeddingTable {
 public:
  using Scalar = S;
  using TableMap = Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
  using ConstTableMap = Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

  explicit EmbeddingTable(EmbeddingTableOptions options) : m_options(std::move(options)) {
    check_at_least("EmbeddingTable", "steps", m_options.steps, Index(1));
    check_at_least("EmbeddingTable", "dim", m_options.dim, Index(1));
  }

  Index input_rows() const { return 1; }
  Index output_rows() const { return m_options.dim; }
  Index parameter_count() const { return m_options.steps * m_options.dim; }
  void bind(Index offset) { m_offset = offset; }
  void initialize(S* theta, Rng& rng) const {
    for (Index i = 0; i < parameter_count(); ++i) theta[m_offset + i] = rng.normal<S>();
  }
  void append_tensors(std::vector<TensorSpec>& out) const {
    out.push_back({m_options.name + ".weight", {m_options.steps, m_options.dim}, m_offset});
  }
  ConstTableMap table(const S* theta) const { return ConstTableMap(theta + m_offset, m_options.steps, m_options.dim); }

  void forward(const S* theta, const Eigen::Ref<const Matrix<S>>& in, Eigen::Ref<Matrix<S>> out) const {
    const ConstTableMap e = table(theta);
    for (Index j = 0; j < in.cols(); ++j)
      out.col(j) = e.row(detail::integer_input(in(0, j), m_options.steps, "EmbeddingTable", "step")).transpose();
  }

  void backward(const S*, S* grad, const Eigen::Ref<const Matrix<S>>& in, const Eigen::Ref<const Matrix<S>>&,
                const Eigen::Ref<const Matrix<S>>& grad_out, Eigen::Ref<Matrix<S>> grad_in,
                bool need_grad_in) const {
    TableMap g(grad + m_offset, m_options.steps, m_options.dim);
    for (Index j = 0; j < in.cols(); ++j)
      g.row(static_cast<Index>(std::lround(in(0, j)))) += grad_out.col(j).transpose();
    if (need_grad_in) grad_in.setZero();
  }

 private:
  EmbeddingTableOptions m_options;
  Index m_offset = 0;
};

/// One-hot encoding of an integer label held (as a float) in the input row: `classes` rows,
/// 1 at the label and 0 elsewhere (torch.nn.functional.one_hot). No parameters; zero gradient.
template <class S>
class OneHot {
 public:
  using Scalar = S;
  explicit OneHot(Index classes) : m_classes(classes) { check_at_least("OneHot", "classes", classes, Index(1)); }

  Index input_rows() const { return 1; }
  Index output_rows() const { return m_classes; }
  Index parameter_count() const { return 0; }
  void bind(Index) {}
  void initialize(S*, Rng&) const {}
  void append_tensors(std::vector<TensorSpec>&) const {}

  void forward(const S*, const Eigen::Ref<const Matrix<S>>& in, Eigen::Ref<Matrix<S>> out) const {
    out.setZero();
    for (Index j = 0; j < in.cols(); ++j) out(detail::integer_input(in(0, j), m_classes, "OneHot", "label"), j) = S(1);
  }

  void backward(const S*, S*, const Eigen::Ref<const Matrix<S>>&, const Eigen::Ref<const Matrix<S>>&,
                const Eigen::Ref<const Matrix<S>>&, Eigen::Ref<Matrix<S>> grad_in, bool need_grad_in) const {
    if (need_grad_in) grad_in.setZero();
  }

 private:
  Index m_classes;
};

/// Options of an MlpEmbedding.
struct MlpEmbeddingOptions {
  MlpShape shape;    ///< e.g. {{1, 32, 32}, true} for seed 002's σ-embedding
  std::string name;  ///< state-dict prefix, e.g. "sigma_emb" or "cond_embed"
};

/// A small MLP applied to shape.widths[0] input rows (a scalar such as log σ or a radius).
template <class S, class Act>
class MlpEmbedding {
 public:
  using Scalar = S;
  explicit MlpEmbedding(const MlpEmbeddingOptions& options) : m_options(options), m_block(options.shape, 0) {}

  Index input_rows() const { return m_block.input_dim(); }
  Index output_rows() const { return m_block.output_dim(); }
  Index parameter_count() const { return m_block.parameter_count(); }
  void bind(Index offset) { m_block = MlpBlock<S, Act>(m_options.shape, offset); }
  void initialize(S* theta, Rng& rng) const { m_block.initialize(theta, rng); }
  void append_tensors(std::vector<TensorSpec>& out) const { m_block.append_tensors(m_options.name, out); }

  void forward(const S* theta, const Eigen::Ref<const Matrix<S>>& in, Eigen::Ref<Matrix<S>> out) {
    out = m_block.forward(theta, in);
  }

  void backward(const S* theta, S* grad, const Eigen::Ref<const Matrix<S>>& in, const Eigen::Ref<const Matrix<S>>&,
                const Eigen::Ref<const Matrix<S>>& grad_out, Eigen::Ref<Matrix<S>> grad_in, bool need_grad_in) {
    m_grad_out = grad_out;
    const Matrix<S>& g = m_block.backward(theta, grad, in, m_grad_out, need_grad_in ? 0 : input_rows());
    if (need_grad_in) grad_in = g;
  }

 private:
  MlpEmbeddingOptions m_options;
  MlpBlock<S, Act> m_block;
  Matrix<S> m_grad_out;
};

}  // namespace diffuse
