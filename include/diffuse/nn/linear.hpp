#pragma once
// diffuse/nn/linear.hpp — the dense layer z = W x + b, fused with its activation.
//
// W is out x in and b has out entries, stored row-major in a flat parameter vector exactly as
// PyTorch's torch.nn.Linear stores weight and bias, so the slice can be copied to and from a
// state_dict unchanged. A batch is in x n (one sample per column), so a layer is one GEMM.
// Initialisation is PyTorch's default, kaiming_uniform(a = √5), which is U(±1/√in) for W and b.

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"
#include "diffuse/nn/activations.hpp"
#include "diffuse/nn/gemm.hpp"
#include "diffuse/nn/tensor_spec.hpp"

namespace diffuse {

/// A dense layer viewing its weight and bias in an external flat parameter vector at `offset`:
/// W (out x in, row-major) at [offset, offset + out·in), then b at [offset + out·in, + out).
/// The layer keeps no parameters and no workspaces; callers pass both, so copies stay valid.
template <class S>
class Linear {
 public:
  using Scalar = S;
  using WeightMap = Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
  using ConstWeightMap = Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
  using BiasMap = Eigen::Map<Vector<S>>;
  using ConstBiasMap = Eigen::Map<const Vector<S>>;
  using Input = Eigen::Ref<const Matrix<S>>;

  /// A layer with `in` inputs and `out` outputs whose parameters start at `offset`.
  Linear(Index in, Index out, Index offset) : m_in(in), m_out(out), m_offset(offset) {
    check_at_least("Linear", "in_features", in, Index(1));
    check_at_least("Linear", "out_features", out, Index(1));
    check_at_least("Linear", "offset", offset, Index(0));
  }

  Index in_features() const { return m_in; }
  Index out_features() const { return m_out; }
  Index offset() const { return m_offset; }
  /// out·in + out.
  Index parameter_count() const { return m_out * m_in + m_out; }

  WeightMap weight(S* theta) const { return WeightMap(theta + m_offset, m_out, m_in); }
  ConstWeightMap weight(const S* theta) const { return ConstWeightMap(theta + m_offset, m_out, m_in); }
  BiasMap bias(S* theta) const { return BiasMap(theta + m_offset + m_out * m_in, m_out); }
  ConstBiasMap bias(const S* theta) const { return ConstBiasMap(theta + m_offset + m_out * m_in, m_out); }

  /// PyTorch's default initialisation: every entry of W and b ~ U(−1/√in, 1/√in), drawn in
  /// storage order (W row by row, then b).
  void initialize(S* theta, Rng& rng) const {
    const double bound = 1.0 / std::sqrt(static_cast<double>(m_in));
    for (Index i = 0; i < parameter_count(); ++i)
      theta[m_offset + i] = static_cast<S>(rng.uniform_in(-bound, bound));
  }

  /// The state_dict entries "<prefix>.weight" (out x in) and "<prefix>.bias" (out).
  void append_tensors(const std::string& prefix, std::vector<TensorSpec>& out) const {
    out.push_back({prefix + ".weight", {m_out, m_in}, m_offset});
    out.push_back({prefix + ".bias", {m_out}, m_offset + m_out * m_in});
  }

  /// a = f(W x + b) for the activation policy Act. The pre-activation starts as b in every
  /// column and the GEMM accumulates W x onto it; Act then passes over each block of columns
  /// while the block is still in cache. `cache` receives what Act's backward needs (unused for
  /// Identity); both are resized.
  template <class Act>
  void forward(const S* theta, const Input& x, Matrix<S>& cache, Matrix<S>& a, detail::GemmWorkspace<S>& gemm) const {
    DIFFUSE_ASSERT(x.rows() == m_in);
    affine<Act>(weight(theta), bias(theta), x, cache, a, gemm);
  }

  /// forward() for an input whose rows [r, in) hold the same vector `tail` in every column, given
  /// only its rows [0, r) as `top`: W x + b = W[:, :r] top + (b + W[:, r:] tail), so the constant
  /// rows cost one matrix-vector product per call instead of one per column. `folded_bias` is
  /// workspace.
  template <class Act>
  void forward_constant_tail(const S* theta, const Input& top, const Eigen::Ref<const Vector<S>>& tail,
                             Vector<S>& folded_bias, Matrix<S>& cache, Matrix<S>& a,
                             detail::GemmWorkspace<S>& gemm) const {
    const Index r = top.rows();
    DIFFUSE_ASSERT(r + tail.size() == m_in);
    // b' = b + W[:, r:] tail
    folded_bias = bias(theta);
    folded_bias.noalias() += weight(theta).rightCols(m_in - r) * tail;
    affine<Act>(weight(theta).leftCols(r), folded_bias, top, cache, a, gemm);
  }

  /// Given gz = dL/dz for z = W x + b: adds dL/dW = gz xᵀ and dL/db = Σ_columns gz to `grad`
  /// (a flat vector laid out like the parameters). If grad_x is given (in x n, resized), sets its
  /// rows [first_row, in) to those of dL/dx = Wᵀ gz and leaves the rows above untouched.
  void backward(const S* theta, S* grad, const Input& x, const Matrix<S>& gz, Matrix<S>* grad_x,
                detail::GemmWorkspace<S>& gemm, Index first_row = 0) const {
    DIFFUSE_ASSERT(gz.rows() == m_out && gz.cols() == x.cols());
    // dL/dW_ik = Σ_j gz_ij x_kj
    gemm.accumulate(weight(grad), gz, x.transpose());
    // dL/db_i = Σ_j gz_ij, summed as whole columns so the additions vectorise over i
    BiasMap db = bias(grad);
    for (Index j = 0; j < gz.cols(); ++j) db += gz.col(j);
    if (grad_x == nullptr) return;
    grad_x->resize(m_in, gz.cols());
    if (first_row >= m_in) return;
    const auto wt = weight(theta).rightCols(m_in - first_row).transpose();
    auto gx = grad_x->bottomRows(m_in - first_row);
    // dL/dx_kj = Σ_i W_ik gz_ij
    if (m_out <= thin_rows) {
      // A depth of a few rows is a sum of a few column updates: no packing, one pass over gx.
      for (Index j = 0; j < gz.cols(); ++j) {
        gx.col(j) = wt.col(0) * gz(0, j);
        for (Index i = 1; i < m_out; ++i) gx.col(j) += wt.col(i) * gz(i, j);
      }
    } else {
      gemm.assign(gx, wt, gz);
    }
  }

 private:
  // a = f(w x + b) as forward() describes it, for a weight w (out x x.rows()) and bias b.
  template <class Act, class W, class B>
  static void affine(const W& w, const B& b, const Input& x, Matrix<S>& cache, Matrix<S>& a,
                     detail::GemmWorkspace<S>& gemm) {
    constexpr bool identity = std::is_same_v<Act, Identity>;
    const Index n = x.cols();
    Matrix<S>& z = identity ? a : cache;
    z.resize(w.rows(), n);
    if constexpr (!identity) a.resize(w.rows(), n);
    auto activate = [&](Index begin, Index count) {
      if constexpr (!identity) Act::forward(z.middleCols(begin, count), a.middleCols(begin, count));
    };
    if (w.rows() <= thin_rows) {
      z.colwise() = b;
      thin_rows_product(z, w, x);
      activate(0, n);
    } else {
      gemm.affine_by_blocks(z, w, x, b, activate);
    }
  }

  // Layers this narrow (the 2-wide output of the seed networks) skip the packed GEMM.
  static constexpr Index thin_rows = 4;

  // z += W x for W with at most thin_rows rows: one dot product per entry, vectorised along the
  // depth, reading each column of x once.
  template <class W>
  static void thin_rows_product(Matrix<S>& z, const W& w, const Input& x) {
    for (Index j = 0; j < x.cols(); ++j)
      for (Index i = 0; i < w.rows(); ++i) z(i, j) += w.row(i).dot(x.col(j).transpose());
  }

  Index m_in, m_out, m_offset;
};

}  // namespace diffuse
