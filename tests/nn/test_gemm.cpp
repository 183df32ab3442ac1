// The layer products of nn/gemm.hpp against Eigen's: every shape class the register tiles
// distinguish (full tiles, one- and two-packet panels, leftover rows below a packet, single
// leftover columns, fewer rows than a packet), for the three products a layer computes.
#include "support/catch.hpp"

#include <vector>

#include <diffuse/core/rng.hpp>
#include <diffuse/nn/gemm.hpp>

namespace {

using diffuse::Index;
template <class S>
using RowMajor = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using ColMajor = diffuse::Matrix<S>;

template <class S>
void check_products(double tolerance) {
  diffuse::Rng rng(3);
  diffuse::detail::GemmWorkspace<S> gemm;
  const std::vector<Index> rows = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 34, 47, 48, 49, 64, 96, 100};
  for (Index m : rows)
    for (Index n : {1, 3, 4, 8, 9, 17})
      for (Index k : {1, 2, 34}) {
        const RowMajor<S> w = rng.normal<S>(m, k);
        const ColMajor<S> x = rng.normal<S>(k, n), gz = rng.normal<S>(m, n);
        // forward: z += W x onto a non-zero z
        ColMajor<S> z = rng.normal<S>(m, n);
        const ColMajor<S> z_expected = z + w * x;
        gemm.accumulate(z, w, x);
        CHECK((z - z_expected).cwiseAbs().maxCoeff() <= tolerance);
        // weight gradient into a row-major dW: dW += gz xᵀ
        RowMajor<S> dw = rng.normal<S>(m, k);
        const RowMajor<S> dw_expected = dw + gz * x.transpose();
        gemm.accumulate(dw, gz, x.transpose());
        CHECK((dw - dw_expected).cwiseAbs().maxCoeff() <= tolerance);
        // input gradient into a block of a taller matrix: gx = Wᵀ gz overwrites only its rows
        ColMajor<S> gx = ColMajor<S>::Constant(k + 1, n, S(7));
        gemm.assign(gx.bottomRows(k), w.transpose(), gz);
        CHECK((gx.bottomRows(k) - w.transpose() * gz).cwiseAbs().maxCoeff() <= tolerance);
        CHECK((gx.row(0).array() == S(7)).all());
      }
}

}  // namespace

TEST_CASE("GemmWorkspace products equal Eigen's for every tile shape, float and double") {
  check_products<float>(1e-4);
  check_products<double>(1e-12);
}

TEST_CASE("GemmWorkspace handles an empty depth as a zero product") {
  diffuse::detail::GemmWorkspace<double> gemm;
  const RowMajor<double> w(3, 0);
  const ColMajor<double> x(0, 4);
  ColMajor<double> z = ColMajor<double>::Ones(3, 4);
  gemm.accumulate(z, w, x);
  CHECK(z == ColMajor<double>::Ones(3, 4));
  gemm.assign(z, w, x);
  CHECK(z.isZero(0));
}
