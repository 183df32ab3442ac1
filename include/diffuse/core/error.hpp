#pragma once
// diffuse/core/error.hpp — the one exception type, and argument checks for API entry points.
//
// Messages follow one pattern so that a user can act on them without reading our source:
//   diffuse::<Api>: <what is wrong> (got <value>, expected <constraint>)
// Checks run once at entry (constructors, sample(), fit()), never inside step loops.

#include <algorithm>
#include <cassert>
#include <cmath>
#include <concepts>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace diffuse {

/// Thrown for every bad input at an API boundary: shape mismatches, out-of-range parameters,
/// non-monotone grids, non-finite losses, corrupt files.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// Text for a value in an error message: numbers with enough digits to round-trip.
template <class T>
std::string to_text(const T& value) {
  std::ostringstream os;
  if constexpr (std::floating_point<T>) os.precision(std::numeric_limits<T>::max_digits10);
  os << value;
  return os.str();
}

[[noreturn]] inline void fail(std::string_view api, std::string_view what) {
  throw Error("diffuse::" + std::string(api) + ": " + std::string(what));
}

template <class T>
[[noreturn]] void fail(std::string_view api, std::string_view what, const T& got,
                       std::string_view expected) {
  fail(api, std::string(what) + " (got " + to_text(got) + ", expected " + std::string(expected) + ")");
}

}  // namespace detail

/// DIFFUSE_REQUIRE(cond, api, what, got, expected): always on; throws diffuse::Error when cond is
/// false. Arguments after cond are only evaluated on failure.
#define DIFFUSE_REQUIRE(cond, api, what, got, expected)                 \
  do {                                                                  \
    if (!(cond)) ::diffuse::detail::fail((api), (what), (got), (expected)); \
  } while (false)

/// DIFFUSE_ASSERT(cond): internal invariant, checked in debug builds only. Define it before
/// including diffuse to route it elsewhere (as eigen_assert allows).
#ifndef DIFFUSE_ASSERT
#define DIFFUSE_ASSERT(cond) assert(cond)
#endif

/// value must be finite.
template <std::floating_point S>
void check_finite(std::string_view api, std::string_view name, S value) {
  DIFFUSE_REQUIRE(std::isfinite(value), api, std::string(name) + " must be finite", value,
                  "a finite number");
}

/// value must be finite and > 0.
template <std::floating_point S>
void check_positive(std::string_view api, std::string_view name, S value) {
  DIFFUSE_REQUIRE(std::isfinite(value) && value > 0, api, std::string(name) + " must be positive",
                  value, "a finite number > 0");
}

/// value must be finite and >= 0.
template <std::floating_point S>
void check_non_negative(std::string_view api, std::string_view name, S value) {
  DIFFUSE_REQUIRE(std::isfinite(value) && value >= 0, api,
                  std::string(name) + " must be non-negative", value, "a finite number >= 0");
}

/// A standard deviation whose variance std² and precision 1/std² are finite and normal in S:
/// std in [√min, √max] of S (about [1e-154, 1e154] in double, [1e-19, 1e19] in float).
template <std::floating_point S>
void check_variance(std::string_view api, std::string_view name, S std) {
  DIFFUSE_REQUIRE(std::isfinite(std) && std >= std::sqrt(std::numeric_limits<S>::min()) &&
                      std <= std::sqrt(std::numeric_limits<S>::max()),
                  api, std::string(name) + " is out of range", std,
                  "a number whose square is a normal " + std::string(sizeof(S) == 4 ? "float" : "double") + " (" +
                      detail::to_text(std::sqrt(std::numeric_limits<S>::min())) + " to " +
                      detail::to_text(std::sqrt(std::numeric_limits<S>::max())) + ")");
}

/// An integer count must be >= minimum.
template <std::integral I>
void check_at_least(std::string_view api, std::string_view name, I value, I minimum) {
  DIFFUSE_REQUIRE(value >= minimum, api, std::string(name) + " is too small", value,
                  ">= " + detail::to_text(minimum));
}

/// The most entries an entry point allocates for a count the user passes (a number of samples,
/// steps, levels, parameters): 2^28, 2 GiB of doubles. Larger counts throw diffuse::Error instead
/// of surfacing as std::bad_alloc, std::length_error or an out-of-memory abort.
inline constexpr long max_entries = 1L << 28;

/// A count that sizes an allocation (count x entries_each entries) must lie in [minimum, max_entries].
template <std::integral I>
void check_count(std::string_view api, std::string_view name, I value, I minimum, long entries_each = 1) {
  check_at_least(api, name, value, minimum);
  DIFFUSE_REQUIRE(entries_each <= 0 || static_cast<long double>(value) * static_cast<long double>(entries_each) <=
                                           static_cast<long double>(max_entries),
                  api, std::string(name) + " is too large to allocate", value,
                  "<= " + std::to_string(max_entries / std::max(entries_each, 1L)));
}

/// value must lie in the open interval (lo, hi).
template <std::floating_point S>
void check_open_interval(std::string_view api, std::string_view name, S value, S lo, S hi) {
  DIFFUSE_REQUIRE(std::isfinite(value) && value > lo && value < hi, api,
                  std::string(name) + " is out of range", value,
                  "a number in (" + detail::to_text(lo) + ", " + detail::to_text(hi) + ")");
}

/// A matrix argument must have the given number of rows (pass -1 for "any").
template <class M>
void check_shape(std::string_view api, std::string_view name, const M& m, long rows, long cols) {
  const bool ok = (rows < 0 || m.rows() == rows) && (cols < 0 || m.cols() == cols);
  if (ok) return;
  auto dim = [](long v) { return v < 0 ? std::string("any") : std::to_string(v); };
  detail::fail(api, std::string(name) + " has the wrong shape",
               std::to_string(m.rows()) + "x" + std::to_string(m.cols()),
               dim(rows) + "x" + dim(cols));
}

/// A batch must have at least one column.
template <class M>
void check_nonempty(std::string_view api, std::string_view name, const M& m) {
  DIFFUSE_REQUIRE(m.size() > 0, api, std::string(name) + " is empty",
                  std::to_string(m.rows()) + "x" + std::to_string(m.cols()), "at least one entry");
}

/// Two components must agree on the rows of a batch: `what` (a network's output, say) has
/// `rows` rows where the data x has x.rows(). The message speaks of batches as d x n, one sample
/// per column, and says so when x looks transposed (n x d with n >> d).
template <class M>
void check_batch_rows(std::string_view api, std::string_view what, long rows, const M& x) {
  if (rows == x.rows()) return;
  std::string text = std::string(what) + " " + std::to_string(rows) + " rows but the data has " +
                     std::to_string(x.rows()) + " rows: a batch is d x n, one sample per column";
  if (x.rows() >= 8 * x.cols() && x.rows() > 8)
    text += "; this " + std::to_string(x.rows()) + " x " + std::to_string(x.cols()) +
            " batch looks transposed (n x d with n >> d)";
  detail::fail(api, text, rows, std::to_string(x.rows()) + " rows");
}

/// Every entry of a matrix must be finite.
template <class M>
void check_all_finite(std::string_view api, std::string_view name, const M& m) {
  DIFFUSE_REQUIRE(m.allFinite(), api, std::string(name) + " contains NaN or Inf", "non-finite entries",
                  "finite entries");
}

}  // namespace diffuse
