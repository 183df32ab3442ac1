#pragma once
// The SIMD levels this CPU runs, and running code at one of them, for the tests that compare the
// dispatched kernels (core/cpu.hpp).

#include <vector>

#include <diffuse/core/cpu.hpp>

namespace diffuse::test {

/// baseline, then avx2 and avx512 when the CPU runs them.
inline std::vector<SimdLevel> supported_levels() {
  std::vector<SimdLevel> levels;
  for (SimdLevel level : {SimdLevel::baseline, SimdLevel::avx2, SimdLevel::avx512})
    if (level <= supported_simd_level()) levels.push_back(level);
  return levels;
}

/// Runs f at `level`, then restores the level that was active before.
template <class F>
void at_level(SimdLevel level, F&& f) {
  const SimdLevel before = simd_level();
  force_simd_level(level);
  f();
  force_simd_level(before);
}

}  // namespace diffuse::test
