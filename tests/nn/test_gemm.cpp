// The layer products of nn/gemm.hpp at every SIMD level this CPU runs, against a naive product in
// double precision: every tile-edge shape (m, n, k from {1, 2, 3, P ± 1, P, MR ± 1, MR, NR ± 1,
// NR, 34, 96, 257} of the level's micro-kernel), transposed, row-major and strided operands,
// adding and overwriting. Versions with the same arithmetic (AVX2 and AVX-512: one FMA per term
// in the same order; the baseline too when this file is compiled with FMA) must agree bitwise.
#include "support/catch.hpp"
#include "support/simd_levels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include <diffuse/core/cpu.hpp>
#include <diffuse/core/rng.hpp>
#include <diffuse/nn/gemm.hpp>

namespace {

using diffuse::Index;
using diffuse::SimdLevel;
template <class S>
using RowMajor = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using ColMajor = diffuse::Matrix<S>;

using diffuse::test::at_level;
using diffuse::test::supported_levels;

// m, n and k for the tile edges of the level's kernel.
template <class S>
std::vector<Index> edge_sizes(SimdLevel level) {
  const auto kernel = diffuse::detail::gemm_kernel_for<S>(level);
  const Index p = kernel.mr / 2, mr = kernel.mr, nr = kernel.nr;
  std::set<Index> sizes = {1, 2, 3, p - 1, p, p + 1, mr - 1, mr, mr + 1, nr - 1, nr, nr + 1, 34, 96, 257};
  sizes.erase(0);
  return {sizes.begin(), sizes.end()};
}

// |got − Σ_l a_il b_lj| ≤ (k + 2) ε Σ_l |a_il b_lj| entry by entry, with the sums in double.
template <class S, class Got, class A, class B>
bool near_product(const Got& got, const Eigen::MatrixXd& before, const A& a, const B& b) {
  const Eigen::MatrixXd ad = a.template cast<double>(), bd = b.template cast<double>();
  const Eigen::MatrixXd exact = before + ad * bd, bound = before.cwiseAbs() + ad.cwiseAbs() * bd.cwiseAbs();
  const double eps = std::numeric_limits<S>::epsilon() * static_cast<double>(a.cols() + 2);
  return ((got.template cast<double>() - exact).array().abs() <= eps * bound.array() + 1e-300).all();
}

// The outputs of one level for one shape, kept to compare levels bitwise.
template <class S>
struct Outputs {
  ColMajor<S> z, z_add, affine, gx;
  RowMajor<S> dw;
};

template <class S>
Outputs<S> check_shape(Index m, Index n, Index k) {
  diffuse::Rng rng(m * 1000003 + n * 1009 + k);
  diffuse::detail::GemmWorkspace<S> gemm;
  const RowMajor<S> w = rng.normal<S>(m, k);
  const ColMajor<S> x = rng.normal<S>(k, n), gz = rng.normal<S>(m, n), z0 = rng.normal<S>(m, n);
  const ColMajor<S> bias = rng.normal<S>(m, 1);
  const Eigen::MatrixXd zero_mn = Eigen::MatrixXd::Zero(m, n);
  Outputs<S> out;
  // forward, overwriting: z = W x
  out.z = z0;
  gemm.assign(out.z, w, x);
  CHECK(near_product<S>(out.z, zero_mn, w, x));
  // forward, adding, with x read through a transposed row-major view: z += W x
  const RowMajor<S> xt = x.transpose();
  out.z_add = z0;
  gemm.accumulate(out.z_add, w, xt.transpose());
  CHECK(near_product<S>(out.z_add, z0.template cast<double>(), w, x));
  // fused affine: z = b + W x, handed out in column blocks that cover every column once
  out.affine.resize(m, n);
  Index covered = 0;
  gemm.affine_by_blocks(out.affine, w, x, bias.col(0), [&](Index begin, Index count) {
    CHECK(begin == covered);
    covered += count;
  });
  CHECK(covered == n);
  CHECK(near_product<S>(out.affine, bias.template cast<double>().replicate(1, n), w, x));
  // weight gradient into a row-major dW: dW += gz xᵀ (depth n)
  const RowMajor<S> dw0 = rng.normal<S>(m, k);
  out.dw = dw0;
  gemm.accumulate(out.dw, gz, x.transpose());
  CHECK(near_product<S>(out.dw, dw0.template cast<double>(), gz, x.transpose()));
  // input gradient into a block of a taller matrix: gx = Wᵀ gz overwrites only its rows
  ColMajor<S> gx = ColMajor<S>::Constant(k + 1, n, S(7));
  gemm.assign(gx.bottomRows(k), w.transpose(), gz);
  CHECK(near_product<S>(gx.bottomRows(k), Eigen::MatrixXd::Zero(k, n), w.transpose(), gz));
  CHECK((gx.row(0).array() == S(7)).all());
  out.gx = gx.bottomRows(k);
  return out;
}

template <class S>
void check_levels() {
  const std::vector<SimdLevel> levels = supported_levels();
  for (SimdLevel level : levels) {
    INFO("level " << diffuse::name(level));
    const std::vector<Index> sizes = edge_sizes<S>(level);
    for (Index m : sizes)
      for (Index n : sizes)
        for (Index k : sizes) {
          // at most one dimension of 96 or more keeps the test short and still crosses each edge
          if ((m >= 96) + (n >= 96) + (k >= 96) > 1) continue;
          INFO("m " << m << " n " << n << " k " << k);
          // the level this one must agree with bitwise, if any: AVX-512 with AVX2, and with the
          // baseline when that uses FMA
#if defined(EIGEN_VECTORIZE_FMA)
          constexpr SimdLevel same_sums = SimdLevel::baseline;
#else
          constexpr SimdLevel same_sums = SimdLevel::avx2;
#endif
          if (level == SimdLevel::avx512 && std::find(levels.begin(), levels.end(), same_sums) != levels.end()) {
            Outputs<S> a, b;
            at_level(same_sums, [&] { a = check_shape<S>(m, n, k); });
            at_level(SimdLevel::avx512, [&] { b = check_shape<S>(m, n, k); });
            CHECK(a.z == b.z);
            CHECK(a.z_add == b.z_add);
            CHECK(a.affine == b.affine);
            CHECK(a.dw == b.dw);
            CHECK(a.gx == b.gx);
          } else {
            at_level(level, [&] { check_shape<S>(m, n, k); });
          }
        }
  }
}

}  // namespace

TEST_CASE("GemmWorkspace products match a double-precision product at every SIMD level, float") {
  check_levels<float>();
}

TEST_CASE("GemmWorkspace products match a double-precision product at every SIMD level, double") {
  check_levels<double>();
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

TEST_CASE("force_simd_level refuses a level the CPU lacks and simd_level reports the forced one") {
  for (SimdLevel level : supported_levels()) {
    at_level(level, [&] { CHECK(diffuse::simd_level() == level); });
  }
  if (diffuse::supported_simd_level() < SimdLevel::avx512)
    CHECK_THROWS_AS(diffuse::force_simd_level(SimdLevel::avx512), diffuse::Error);
}
