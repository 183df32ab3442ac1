// The SiLU kernels of every SIMD level this CPU runs against σ(z) = 1 / (1 + e^{−z}) in long
// double. Tolerances: the AVX2/AVX-512 logistic within 2 ulps relative (float and double); the
// float baseline (Eigen's logistic, fitted to absolute accuracy) within 4 ulps of 1 absolute;
// a = z s one ulp more; the backward pass within 3 ulps of its terms. AVX2 and AVX-512 agree
// bitwise, and no entry depends on the array length (the masked tail). ReLU is exact: every
// level gives max(z, 0) and g [z > 0].
#include "support/catch.hpp"
#include "support/simd_levels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <diffuse/core/cpu.hpp>
#include <diffuse/core/rng.hpp>
#include <diffuse/nn/activation_kernels.hpp>

namespace {

using diffuse::Index;
using diffuse::SimdLevel;

using diffuse::test::supported_levels;

// Inputs: a grid over [−120, 120], the clamp edges, tiny and huge magnitudes, random normals.
template <class S>
std::vector<S> inputs() {
  std::vector<S> z;
  for (int i = -2400; i <= 2400; ++i) z.push_back(S(i) / S(20));
  for (S v : {S(0), S(1e-30), S(87), S(87.5), S(88), S(88.7), S(104), S(700), S(708.5), S(709.5), S(745),
              std::numeric_limits<S>::max(), std::numeric_limits<S>::denorm_min()}) {
    z.push_back(v);
    z.push_back(-v);
  }
  diffuse::Rng rng(5);
  const diffuse::Vector<S> normals = rng.normal<S>(2000, 1) * S(4);
  z.insert(z.end(), normals.data(), normals.data() + normals.size());
  return z;
}

// |got − exact| ≤ ulps ε scale + the smallest normal (σ below it is flushed by the clamp).
template <class S>
bool near(S got, long double exact, double ulps, long double scale) {
  const long double eps = std::numeric_limits<S>::epsilon();
  return std::fabs(static_cast<long double>(got) - exact) <= ulps * eps * scale + std::numeric_limits<S>::min();
}

template <class S>
void check_level(SimdLevel level, std::vector<S>& s_out, std::vector<S>& a_out, std::vector<S>& g_out) {
  diffuse::force_simd_level(level);
  const std::vector<S> z = inputs<S>();
  std::vector<S> c = z, a(z.size()), g(z.size());
  diffuse::detail::silu_forward(c.data(), a.data(), Index(c.size()));
  const bool absolute = level == SimdLevel::baseline && sizeof(S) == 4;
  const double ulps = absolute ? 4 : 2;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const long double zi = z[i], sigma = 1 / (1 + std::exp(-zi));
    INFO(diffuse::name(level) << " z = " << z[i] << " s = " << c[i] << " a = " << a[i]);
    CHECK(near(c[i], sigma, ulps, absolute ? 1 : sigma));
    // where σ is flushed below the smallest normal, a = z σ is off by up to |z| times it
    const bool flushed = std::fabs(a[i] - zi * sigma) <= std::fabs(zi) * std::numeric_limits<S>::min();
    CHECK((flushed || near(a[i], zi * sigma, ulps + 1, std::fabs(zi) * (absolute ? 1 : sigma))));
  }
  diffuse::Rng rng(6);
  const diffuse::Vector<S> g0 = rng.normal<S>(Index(z.size()), 1);
  g.assign(g0.data(), g0.data() + g0.size());
  diffuse::detail::silu_backward(c.data(), a.data(), g.data(), Index(g.size()));
  for (std::size_t i = 0; i < z.size(); ++i) {
    const long double s = c[i], gi = g0[Index(i)], exact = gi * (s + a[i] * (1 - s));
    INFO(diffuse::name(level) << " z = " << z[i]);
    CHECK(near(g[i], exact, 3, std::fabs(gi) * (s + std::fabs(a[i] * (1 - s)))));
  }
  s_out = c, a_out = a, g_out = g;
}

template <class S>
void check_all_levels() {
  const SimdLevel before = diffuse::simd_level();
  std::vector<S> s2, a2, g2, s5, a5, g5, s, a, g;
  for (SimdLevel level : supported_levels()) {
    check_level<S>(level, s, a, g);
    if (level == SimdLevel::avx2) s2 = s, a2 = a, g2 = g;
    if (level == SimdLevel::avx512) s5 = s, a5 = a, g5 = g;
  }
  if (!s2.empty() && !s5.empty()) {
    CHECK(s2 == s5);
    CHECK(a2 == a5);
    CHECK(g2 == g5);
  }
  // every length around the vector widths: entry i does not depend on where the array ends
  for (SimdLevel level : supported_levels()) {
    diffuse::force_simd_level(level);
    const std::vector<S> z = inputs<S>();
    std::vector<S> c_all = z, a_all(z.size());
    diffuse::detail::silu_forward(c_all.data(), a_all.data(), Index(z.size()));
    for (Index size = 1; size <= 33; ++size) {
      std::vector<S> c(z.begin() + 100, z.begin() + 100 + size), a(size + 1, S(-7));
      diffuse::detail::silu_forward(c.data(), a.data(), size);
      INFO(diffuse::name(level) << " size " << size);
      CHECK(std::equal(c.begin(), c.end(), c_all.begin() + 100));
      CHECK(std::equal(a.begin(), a.end() - 1, a_all.begin() + 100));
      CHECK(a.back() == S(-7));
    }
  }
  diffuse::force_simd_level(before);
}

}  // namespace

TEST_CASE("SiLU kernels match the logistic function at every SIMD level, float") { check_all_levels<float>(); }

TEST_CASE("SiLU kernels match the logistic function at every SIMD level, double") { check_all_levels<double>(); }

TEST_CASE("ReLU kernels are exact at every SIMD level, at every array length") {
  const SimdLevel before = diffuse::simd_level();
  const std::vector<double> z = inputs<double>();
  diffuse::Rng rng(7);
  // one entry past the longest array: the kernels must leave it untouched
  const diffuse::Vector<double> g0 = rng.normal<double>(Index(z.size()) + 1, 1);
  for (SimdLevel level : supported_levels()) {
    diffuse::force_simd_level(level);
    for (Index size : {Index(1), Index(7), Index(9), Index(17), Index(z.size())}) {
      INFO(diffuse::name(level) << " size " << size);
      std::vector<double> a(size + 1, -7.0), g(g0.data(), g0.data() + size + 1);
      diffuse::detail::relu_forward(z.data(), a.data(), size);
      diffuse::detail::relu_backward(z.data(), g.data(), size);
      bool exact = true;
      for (Index i = 0; i < size; ++i)
        exact = exact && a[i] == std::max(z[i], 0.0) && g[i] == (z[i] > 0 ? g0[i] : 0.0);
      CHECK(exact);
      CHECK(a[size] == -7.0);
      CHECK(g[size] == g0[size]);
    }
    std::vector<float> zf(z.begin(), z.end()), af(z.size());
    diffuse::detail::relu_forward(zf.data(), af.data(), Index(zf.size()));
    bool exact = true;
    for (std::size_t i = 0; i < zf.size(); ++i) exact = exact && af[i] == std::max(zf[i], 0.0f);
    CHECK(exact);
  }
  diffuse::force_simd_level(before);
}
