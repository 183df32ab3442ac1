#pragma once
// diffuse/core/parallel.hpp — run the columns of a batch in chunks, on threads when available.
//
// Results never depend on the number of threads: the split of columns into chunks depends only
// on the batch size and the chunk size, and chunk c always draws from rng.split().stream(c).
// Threads come from OpenMP when the library target found it, and the loop is serial otherwise.

#include <algorithm>
#include <exception>

#include "diffuse/core/error.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace diffuse {

/// How to run column chunks.
struct Parallel {
  Index chunk_cols = 2048;  ///< columns per chunk; fixes the chunking and so the random streams
  int threads = 0;          ///< 0: all hardware threads OpenMP offers; 1: serial
};

/// Number of threads a Parallel{.threads = 0} would use.
inline int max_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

/// Number of chunks that n columns split into.
inline Index chunk_count(Index n, Index chunk_cols) { return (n + chunk_cols - 1) / chunk_cols; }

/// Calls f(c) for every c in [0, count), on up to `threads` threads (0: all OpenMP offers).
/// Calls must be independent of each other. The first exception thrown by any call is rethrown.
template <class F>
void parallel_for(Index count, int threads, F&& f) {
  DIFFUSE_REQUIRE(threads >= 0, "parallel_for", "threads must be non-negative", threads, ">= 0 (0 means all)");
#if defined(_OPENMP)
  if (threads == 0) threads = omp_get_max_threads();
  if (threads > 1 && count > 1) {
    std::exception_ptr error;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (Index c = 0; c < count; ++c) {
      try {
        f(c);
      } catch (...) {
#pragma omp critical(diffuse_parallel_for)
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
    return;
  }
#endif
  for (Index c = 0; c < count; ++c) f(c);
}

/// Calls f(begin, count, chunk_rng) for every chunk of columns [begin, begin + count) of a batch of
/// n columns. Chunk c gets base.stream(c) with base = rng.split(), so rng advances by one split per
/// call. f must only touch its own columns. The first exception thrown by any chunk is rethrown.
template <class F>
void for_each_chunk(Index n, Rng& rng, F&& f, Parallel options = {}) {
  DIFFUSE_REQUIRE(n >= 0, "for_each_chunk", "column count must be non-negative", n, ">= 0");
  DIFFUSE_REQUIRE(options.chunk_cols > 0, "for_each_chunk", "chunk_cols must be positive",
                  options.chunk_cols, ">= 1");
  DIFFUSE_REQUIRE(options.threads >= 0, "for_each_chunk", "threads must be non-negative",
                  options.threads, ">= 0 (0 means all)");
  const Rng base = rng.split();
  parallel_for(chunk_count(n, options.chunk_cols), options.threads, [&](Index c) {
    const Index begin = c * options.chunk_cols;
    Rng chunk_rng = base.stream(static_cast<std::uint64_t>(c));
    f(begin, std::min(options.chunk_cols, n - begin), chunk_rng);
  });
}

}  // namespace diffuse
