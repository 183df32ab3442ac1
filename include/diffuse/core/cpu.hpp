#pragma once
// diffuse/core/cpu.hpp — which SIMD instruction set the hot kernels run with, chosen at run time.
//
// Eigen picks its SIMD packets at compile time from the translation unit's flags, so a program
// built without -march runs SSE2 code on an AVX-512 machine. The GEMM micro-kernels and the
// activation passes therefore come in versions compiled with GCC/Clang target attributes
// (nn/gemm_kernels.hpp, nn/activation_kernels.hpp), and this header picks one once per process: the
// widest the CPU supports (__builtin_cpu_supports), unless the environment variable
// DIFFUSE_SIMD=baseline|avx2|avx512 asks for another, or force_simd_level() does (tests compare
// every version on one machine that way).

#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>

#include "diffuse/core/error.hpp"

namespace diffuse {

/// An instruction-set level of the dispatched kernels, in increasing width.
enum class SimdLevel {
  baseline,  ///< Eigen's packets for whatever the translation unit was compiled for
  avx2,      ///< AVX2 + FMA, 256-bit
  avx512,    ///< AVX-512 F/VL/DQ + FMA, 512-bit
};

/// "baseline", "avx2" or "avx512" ("unknown" for a value outside the enumeration).
inline const char* name(SimdLevel level) {
  switch (level) {
    case SimdLevel::baseline: return "baseline";
    case SimdLevel::avx2: return "avx2";
    case SimdLevel::avx512: return "avx512";
  }
  return "unknown";
}

/// The widest level this CPU runs (always baseline off x86-64 or without GCC/Clang builtins).
inline SimdLevel supported_simd_level() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const SimdLevel level = [] {
    __builtin_cpu_init();
    const bool fma = __builtin_cpu_supports("fma");
    if (fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq"))
      return SimdLevel::avx512;
    if (fma && __builtin_cpu_supports("avx2")) return SimdLevel::avx2;
    return SimdLevel::baseline;
  }();
  return level;
#else
  return SimdLevel::baseline;
#endif
}

namespace detail {

/// The level named by DIFFUSE_SIMD, capped at what the CPU supports; unset or unknown: supported.
inline SimdLevel simd_level_from_environment() {
  const SimdLevel supported = supported_simd_level();
  const char* value = std::getenv("DIFFUSE_SIMD");
  if (value == nullptr) return supported;
  const std::string_view v(value);
  SimdLevel asked = supported;
  if (v == "baseline") asked = SimdLevel::baseline;
  if (v == "avx2") asked = SimdLevel::avx2;
  if (v == "avx512") asked = SimdLevel::avx512;
  return asked < supported ? asked : supported;
}

/// The process-wide level, read from the environment on first use.
inline std::atomic<SimdLevel>& simd_level_slot() {
  static std::atomic<SimdLevel> level{simd_level_from_environment()};
  return level;
}

}  // namespace detail

/// The level the dispatched kernels run with now.
inline SimdLevel simd_level() { return detail::simd_level_slot().load(std::memory_order_relaxed); }

/// Makes the dispatched kernels run with `level` from now on (for tests and benchmarks that
/// compare the versions). Throws diffuse::Error if the CPU does not support it.
inline void force_simd_level(SimdLevel level) {
  DIFFUSE_REQUIRE(level <= supported_simd_level(), "force_simd_level", "this CPU lacks the level", name(level),
                  std::string("at most ") + name(supported_simd_level()));
  detail::simd_level_slot().store(level, std::memory_order_relaxed);
}

}  // namespace diffuse
