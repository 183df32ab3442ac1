#pragma once
// diffuse/core/rng.hpp — the library's only source of randomness.
//
// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel random
// numbers: as easy as 1, 2, 3" (SC'11). Output block k of a stream is a pure function
// philox(counter = {k_lo, k_hi, stream_lo, stream_hi}, key = {seed_lo, seed_hi}), so the same seed
// gives the same bits on every platform, and independent streams are just different counters:
// parallel work draws from `stream(chunk)`, keyed by chunk index, never by thread.
//
// Normals use the Box–Muller transform in double precision (never the standard library's normal
// distribution, whose output differs between standard libraries).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "diffuse/core/error.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

namespace detail {

/// One Philox4x32 block: 10 rounds of the Feistel-like bijection keyed by `key`.
inline std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> ctr,
                                                   std::array<std::uint32_t, 2> key) {
  constexpr std::uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
  constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;  // Weyl key increments
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += w0;
      key[1] += w1;
    }
    const std::uint64_t p0 = std::uint64_t{m0} * ctr[0];
    const std::uint64_t p1 = std::uint64_t{m1} * ctr[2];
    // (c0, c1, c2, c3) -> (hi(m1 c2) ^ c1 ^ k0, lo(m1 c2), hi(m0 c0) ^ c3 ^ k1, lo(m0 c0))
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return ctr;
}

/// SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer used to derive
/// stream identifiers.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace detail

/// Counter-based random number generator (Philox4x32-10) with its own uniform and normal
/// transforms. Copying an Rng copies its position: both copies then produce the same numbers.
class Rng {
 public:
  /// A generator for `seed`, on stream `stream` (stream 0 is the root stream).
  explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0) : m_seed(seed), m_stream(stream) {}

  std::uint64_t seed() const { return m_seed; }
  std::uint64_t stream_id() const { return m_stream; }

  /// An independent generator for chunk `k`, derived from this generator's seed, stream and
  /// current position; does not advance this generator.
  Rng stream(std::uint64_t k) const {
    const std::uint64_t id =
        detail::mix64(detail::mix64(m_stream ^ detail::mix64(m_block)) + detail::mix64(k + 1));
    return Rng(m_seed, id);
  }

  /// A fresh generator for one parallel region: returns a child and advances this generator by
  /// one block, so that consecutive splits give different children.
  Rng split() {
    Rng child = stream(~std::uint64_t{0});
    ++m_block;
    m_used = 4;
    m_has_spare = false;
    return child;
  }

  /// Next 32 random bits.
  std::uint32_t next_u32() {
    if (m_used == 4) refill();
    return m_buffer[m_used++];
  }

  /// Next 64 random bits (two 32-bit outputs, first one high).
  std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }

  /// Uniform on [0, 1): 53 random bits for double, 24 for float.
  template <class S = double>
  S uniform() {
    if constexpr (sizeof(S) <= 4) {
      return static_cast<S>(next_u32() >> 8) * S(0x1.0p-24);
    } else {
      return static_cast<S>(next_u64() >> 11) * S(0x1.0p-53);
    }
  }

  /// Uniform on [lo, hi).
  template <class S>
  S uniform_in(S lo, S hi) {
    return lo + (hi - lo) * uniform<S>();
  }

  /// Standard normal N(0, 1) by Box–Muller in double precision; values come in pairs, the
  /// second of each pair is kept for the next call.
  template <class S = double>
  S normal() {
    if (m_has_spare) {
      m_has_spare = false;
      return static_cast<S>(m_spare);
    }
    // u1 in (0, 1] so that log(u1) is finite.
    const double u1 = 1.0 - uniform<double>();
    const double u2 = uniform<double>();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    m_spare = r * std::sin(angle);
    m_has_spare = true;
    return static_cast<S>(r * std::cos(angle));
  }

  /// Fills every entry of m with independent N(0, 1) values, column by column.
  template <class Derived>
  void fill_normal(Eigen::DenseBase<Derived>& m) {
    using S = typename Derived::Scalar;
    for (Index j = 0; j < m.cols(); ++j)
      for (Index i = 0; i < m.rows(); ++i) m(i, j) = normal<S>();
  }
  template <class Derived>
  void fill_normal(Eigen::DenseBase<Derived>&& m) { fill_normal(m); }

  /// Fills every entry of m with independent uniforms on [0, 1), column by column.
  template <class Derived>
  void fill_uniform(Eigen::DenseBase<Derived>& m) {
    using S = typename Derived::Scalar;
    for (Index j = 0; j < m.cols(); ++j)
      for (Index i = 0; i < m.rows(); ++i) m(i, j) = uniform<S>();
  }
  template <class Derived>
  void fill_uniform(Eigen::DenseBase<Derived>&& m) { fill_uniform(m); }

  /// A rows x cols matrix of independent N(0, 1) values.
  template <class S = double>
  Matrix<S> normal(Index rows, Index cols) {
    DIFFUSE_REQUIRE(rows >= 0 && cols >= 0, "Rng::normal", "negative matrix size",
                    std::to_string(rows) + "x" + std::to_string(cols), "non-negative sizes");
    check_count("Rng::normal", "cols", cols, Index{0}, static_cast<long>(std::max<Index>(rows, 1)));
    Matrix<S> m(rows, cols);
    fill_normal(m);
    return m;
  }

  /// A rows x cols matrix of independent uniforms on [0, 1).
  template <class S = double>
  Matrix<S> uniform(Index rows, Index cols) {
    DIFFUSE_REQUIRE(rows >= 0 && cols >= 0, "Rng::uniform", "negative matrix size",
                    std::to_string(rows) + "x" + std::to_string(cols), "non-negative sizes");
    check_count("Rng::uniform", "cols", cols, Index{0}, static_cast<long>(std::max<Index>(rows, 1)));
    Matrix<S> m(rows, cols);
    fill_uniform(m);
    return m;
  }

  /// Uniform integer in [0, k), without modulo bias (Lemire's multiply-and-reject, 2019).
  Index integer(Index k) {
    DIFFUSE_REQUIRE(k > 0, "Rng::integer", "range size must be positive", k, "k >= 1");
    const std::uint64_t range = static_cast<std::uint64_t>(k);
    if (range <= 0xFFFFFFFFull) {
      const std::uint32_t r32 = static_cast<std::uint32_t>(range);
      std::uint64_t product = std::uint64_t{next_u32()} * r32;
      auto low = static_cast<std::uint32_t>(product);
      if (low < r32) {
        const std::uint32_t threshold = static_cast<std::uint32_t>(-r32) % r32;
        while (low < threshold) {
          product = std::uint64_t{next_u32()} * r32;
          low = static_cast<std::uint32_t>(product);
        }
      }
      return static_cast<Index>(product >> 32);
    }
    const __uint128_t bound = range;
    __uint128_t product = static_cast<__uint128_t>(next_u64()) * bound;
    auto low = static_cast<std::uint64_t>(product);
    if (low < range) {
      const std::uint64_t threshold = (0 - range) % range;
      while (low < threshold) {
        product = static_cast<__uint128_t>(next_u64()) * bound;
        low = static_cast<std::uint64_t>(product);
      }
    }
    return static_cast<Index>(product >> 64);
  }

  /// Index i drawn with probability weights[i] / sum(weights). Weights must be finite,
  /// non-negative, and not all zero.
  template <class Container>
  Index categorical(const Container& weights) {
    double total = 0;
    Index count = 0;
    for (const auto w : weights) {
      const double wd = static_cast<double>(w);
      DIFFUSE_REQUIRE(std::isfinite(wd) && wd >= 0, "Rng::categorical",
                      "weight " + std::to_string(count) + " is invalid", wd, "a finite number >= 0");
      total += wd;
      ++count;
    }
    DIFFUSE_REQUIRE(total > 0, "Rng::categorical", "weights sum to zero", total, "a positive sum");
    // Weights whose sum overflows are compared after dividing by the largest (the same
    // distribution); finite sums keep the direct comparison, so their draws are unchanged.
    double scale = 1;
    if (!std::isfinite(total)) {
      double largest = 0;
      for (const auto w : weights) largest = std::max(largest, static_cast<double>(w));
      scale = 1 / largest;
      total = 0;
      for (const auto w : weights) total += static_cast<double>(w) * scale;
    }
    const double u = uniform<double>() * total;
    double cumulative = 0;
    Index i = 0, last_positive = 0;
    for (const auto w : weights) {
      if (static_cast<double>(w) > 0) last_positive = i;
      cumulative += static_cast<double>(w) * scale;
      if (u < cumulative) return i;
      ++i;
    }
    return last_positive;  // u rounded onto the total
  }

  /// A uniformly random permutation of 0..n-1 (Fisher–Yates).
  std::vector<Index> permutation(Index n) {
    DIFFUSE_REQUIRE(n >= 0, "Rng::permutation", "size must be non-negative", n, "n >= 0");
    check_count("Rng::permutation", "n", n, Index{0});
    std::vector<Index> p(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = i;
    for (Index i = n - 1; i > 0; --i) std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(integer(i + 1))]);
    return p;
  }

 private:
  void refill() {
    const std::array<std::uint32_t, 4> counter = {
        static_cast<std::uint32_t>(m_block), static_cast<std::uint32_t>(m_block >> 32),
        static_cast<std::uint32_t>(m_stream), static_cast<std::uint32_t>(m_stream >> 32)};
    const std::array<std::uint32_t, 2> key = {static_cast<std::uint32_t>(m_seed),
                                              static_cast<std::uint32_t>(m_seed >> 32)};
    m_buffer = detail::philox4x32_10(counter, key);
    ++m_block;
    m_used = 0;
  }

  std::uint64_t m_seed;
  std::uint64_t m_stream;
  std::uint64_t m_block = 0;  // next block to generate
  std::array<std::uint32_t, 4> m_buffer{};
  int m_used = 4;  // outputs of m_buffer already consumed
  double m_spare = 0;
  bool m_has_spare = false;
};

}  // namespace diffuse
