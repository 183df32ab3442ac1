// Rng: Philox known-answer vectors, a committed test vector for seed 42, distribution tests.
#include "support/catch.hpp"

#include <diffuse/core/rng.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using diffuse::Index;
using diffuse::Rng;

TEST_CASE("Philox4x32-10 matches the Random123 known-answer vectors") {
  using Block = std::array<std::uint32_t, 4>;
  using Key = std::array<std::uint32_t, 2>;
  CHECK(diffuse::detail::philox4x32_10(Block{0, 0, 0, 0}, Key{0, 0}) ==
        Block{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(diffuse::detail::philox4x32_10(Block{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                                       Key{0xffffffff, 0xffffffff}) ==
        Block{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(diffuse::detail::philox4x32_10(Block{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                                       Key{0xa4093822, 0x299f31d0}) ==
        Block{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("Rng output for seed 42 is the committed test vector") {
  // Recorded once from this implementation; any change to the stream layout or transforms
  // breaks reproducibility of every result users have published, so it must show up here.
  Rng rng(42);
  const std::uint32_t expected_u32[6] = {0x9ceaf053u, 0x77f5493bu, 0x12bf50adu,
                                          0x5742b3d7u, 0xfcdb2127u, 0x53ba6cfdu};
  for (auto e : expected_u32) CHECK(rng.next_u32() == e);

  Rng u(42, 7);
  const double expected_uniform[4] = {0x1.9fb9bcb395504p-2, 0x1.b1fb28d555ce6p-2,
                                        0x1.cbbbd280c01ecp-1, 0x1.1f9bf1e2591dbp-1};
  for (double e : expected_uniform) CHECK(u.uniform() == e);

  Rng g(42);
  const double expected_normal[4] = {1.234541820550271, 0.61184993553045863,
                                       -2.9550533475152116, -0.25885655713170497};
  // Box–Muller goes through libm's log/cos/sin, which may differ in the last bit between
  // platforms: compare to 1e-14 relative.
  for (double e : expected_normal) CHECK(g.normal() == Approx(e).epsilon(1e-14));
}

TEST_CASE("Rng copies replay, seeds and streams differ") {
  Rng a(7);
  a.next_u32();
  Rng b = a;
  for (int i = 0; i < 10; ++i) CHECK(a.next_u64() == b.next_u64());
  CHECK(Rng(1).next_u64() != Rng(2).next_u64());
  CHECK(Rng(1, 0).next_u64() != Rng(1, 1).next_u64());
  const Rng parent(3);
  CHECK(parent.stream(0).next_u64() == parent.stream(0).next_u64());
  CHECK(parent.stream(0).next_u64() != parent.stream(1).next_u64());
  Rng splitter(3);
  Rng first = splitter.split();
  Rng second = splitter.split();
  CHECK(first.next_u64() != second.next_u64());
}

TEST_CASE("uniforms lie in the half-open unit interval with the right moments") {
  Rng rng(11);
  const int n = 200000;
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    sum += u;
    sum2 += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  // Mean 1/2 with standard error sqrt(1/12 / n) ≈ 6.5e-4; allow 5 standard errors.
  CHECK(std::abs(sum / n - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::abs(sum2 / n - 1.0 / 3) < 5 * std::sqrt(4.0 / 45 / n));
  Rng f(12);
  for (int i = 0; i < 100000; ++i) {
    const float v = f.uniform<float>();
    REQUIRE(v >= 0.0f);
    REQUIRE(v < 1.0f);
  }
}

TEST_CASE("normals have moments 0, 1, 0, 3 and pass Kolmogorov–Smirnov") {
  Rng rng(2024);
  const int n = 200000;
  std::vector<double> z(n);
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
  for (auto& v : z) {
    v = rng.normal();
    m1 += v;
    m2 += v * v;
    m3 += v * v * v;
    m4 += v * v * v * v;
  }
  m1 /= n, m2 /= n, m3 /= n, m4 /= n;
  // Standard errors of the sample moments of N(0,1): sqrt(1/n), sqrt(2/n), sqrt(15/n), sqrt(96/n).
  CHECK(std::abs(m1) < 5 * std::sqrt(1.0 / n));
  CHECK(std::abs(m2 - 1) < 5 * std::sqrt(2.0 / n));
  CHECK(std::abs(m3) < 5 * std::sqrt(15.0 / n));
  CHECK(std::abs(m4 - 3) < 5 * std::sqrt(96.0 / n));

  std::sort(z.begin(), z.end());
  double d = 0;
  for (int i = 0; i < n; ++i) {
    const double cdf = 0.5 * std::erfc(-z[i] / std::sqrt(2.0));
    d = std::max({d, cdf - double(i) / n, double(i + 1) / n - cdf});
  }
  // Critical value of the KS statistic at significance 0.001: 1.95 / sqrt(n).
  CHECK(d < 1.95 / std::sqrt(double(n)));
}

TEST_CASE("streams for different chunks are uncorrelated") {
  const Rng base(99);
  const int n = 20000;
  std::vector<std::vector<double>> draws(6, std::vector<double>(n));
  for (int s = 0; s < 6; ++s) {
    Rng r = base.stream(s);
    for (auto& v : draws[s]) v = r.normal();
  }
  for (int a = 0; a < 6; ++a)
    for (int b = a + 1; b < 6; ++b) {
      double c = 0;
      for (int i = 0; i < n; ++i) c += draws[a][i] * draws[b][i];
      // Correlation of independent normals has standard error 1/sqrt(n); allow 5.
      CHECK(std::abs(c / n) < 5 / std::sqrt(double(n)));
    }
}

TEST_CASE("integer(k) is unbiased, categorical follows weights, permutation is a permutation") {
  Rng rng(5);
  const int k = 7, n = 140000;
  std::vector<int> counts(k, 0);
  for (int i = 0; i < n; ++i) {
    const Index v = rng.integer(k);
    REQUIRE(v >= 0);
    REQUIRE(v < k);
    ++counts[v];
  }
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / double(k)) * (c - n / double(k)) / (n / double(k));
  CHECK(chi2 < 22.46);  // chi-square, 6 degrees of freedom, p = 0.001

  const std::vector<double> w = {1, 0, 3};
  std::vector<int> hits(3, 0);
  for (int i = 0; i < 40000; ++i) ++hits[rng.categorical(w)];
  CHECK(hits[1] == 0);
  CHECK(std::abs(hits[2] / 40000.0 - 0.75) < 0.01);

  auto p = rng.permutation(1000);
  std::vector<Index> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (Index i = 0; i < 1000; ++i) REQUIRE(sorted[i] == i);
  CHECK(p != sorted);

  CHECK(rng.integer(Index{1} << 40) < (Index{1} << 40));
}

TEST_CASE("Rng rejects bad arguments with diffuse::Error") {
  Rng rng(1);
  CHECK_THROWS_AS(rng.integer(0), diffuse::Error);
  CHECK_THROWS_AS(rng.categorical(std::vector<double>{0, 0}), diffuse::Error);
  CHECK_THROWS_AS(rng.categorical(std::vector<double>{1, -1}), diffuse::Error);
  CHECK_THROWS_AS(rng.categorical(std::vector<double>{1, std::nan("")}), diffuse::Error);
  CHECK_THROWS_AS(rng.permutation(-1), diffuse::Error);
  CHECK_THROWS_AS(rng.normal(-1, 2), diffuse::Error);
}
