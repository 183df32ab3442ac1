// Parallel chunks: results are bitwise independent of the thread count.
#include "support/catch.hpp"

#include <diffuse/core/parallel.hpp>

using diffuse::Index;
using diffuse::Matrix;
using diffuse::Parallel;
using diffuse::Rng;

namespace {
Matrix<float> noisy_batch(int threads, Index chunk_cols) {
  Rng rng(123);
  Matrix<float> x = Matrix<float>::Zero(3, 10007);  // prime: the last chunk is partial
  for (int pass = 0; pass < 3; ++pass) {
    diffuse::for_each_chunk(
        x.cols(), rng,
        [&](Index begin, Index count, Rng& chunk_rng) {
          auto block = x.middleCols(begin, count);
          Matrix<float> z = chunk_rng.normal<float>(3, count);
          block = 0.5f * block + z;
        },
        Parallel{.chunk_cols = chunk_cols, .threads = threads});
  }
  return x;
}
}  // namespace

TEST_CASE("for_each_chunk gives bitwise the same batch for 1 and 2 threads") {
  const Matrix<float> one = noisy_batch(1, 1000);
  const Matrix<float> two = noisy_batch(2, 1000);
  CHECK(one == two);
  // Different chunking means different streams: the result is a property of the chunk size.
  CHECK(one != noisy_batch(1, 500));
}

TEST_CASE("for_each_chunk visits every column once and rethrows a chunk's exception") {
  Rng rng(1);
  std::vector<int> seen(5000, 0);
  diffuse::for_each_chunk(5000, rng, [&](Index begin, Index count, Rng&) {
    for (Index j = begin; j < begin + count; ++j) ++seen[j];
  }, Parallel{.chunk_cols = 333, .threads = 2});
  CHECK(std::count(seen.begin(), seen.end(), 1) == 5000);

  auto throwing = [](Index begin, Index, Rng&) {
    if (begin > 0) throw diffuse::Error("diffuse::test: chunk failed");
  };
  CHECK_THROWS_AS(diffuse::for_each_chunk(5000, rng, throwing, Parallel{.chunk_cols = 100, .threads = 2}),
                  diffuse::Error);
  CHECK_THROWS_AS(diffuse::for_each_chunk(10, rng, throwing, Parallel{.chunk_cols = 0}), diffuse::Error);
}
