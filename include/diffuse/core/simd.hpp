#pragma once
// diffuse/core/simd.hpp — the vector operations of the AVX2 and AVX-512 kernels, for float and
// double, each a one-line wrapper of an <immintrin.h> intrinsic compiled with its own target
// attribute (so a translation unit built without -march can hold them; core/cpu.hpp decides
// whether they run). Only on x86-64 with GCC or Clang: DIFFUSE_X86_KERNELS is then 1.
//
// Avx512<S> and Avx2<S> have the same members, so a kernel is written once per level with the
// same text; a kernel must carry the same target attribute as the operations it calls.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define DIFFUSE_X86_KERNELS 1
#define DIFFUSE_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define DIFFUSE_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#define DIFFUSE_INLINE inline __attribute__((always_inline))
#else
#define DIFFUSE_X86_KERNELS 0
#endif

#if DIFFUSE_X86_KERNELS
#include "diffuse/core/types.hpp"

// GCC 12 warns inside its own AVX-512 intrinsics (the x = x idiom of _mm512_undefined_*, GCC
// bug 105593) once they are inlined; the warning is silenced where they are called.
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace diffuse::detail {

template <class S>
struct Avx512;
template <class S>
struct Avx2;

#define DIFFUSE_OP DIFFUSE_TARGET_AVX512 DIFFUSE_INLINE static

template <>
struct Avx512<float> {
  using V = __m512;
  static constexpr int P = 16;
  DIFFUSE_OP V zero() { return _mm512_setzero_ps(); }
  DIFFUSE_OP V load(const float* p) { return _mm512_loadu_ps(p); }
  DIFFUSE_OP void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  /// The first count < P entries, zeros after them.
  DIFFUSE_OP V load_first(const float* p, Index count) { return _mm512_maskz_loadu_ps(__mmask16((1u << count) - 1), p); }
  DIFFUSE_OP void store_first(float* p, V v, Index count) { _mm512_mask_storeu_ps(p, __mmask16((1u << count) - 1), v); }
  DIFFUSE_OP V set1(float s) { return _mm512_set1_ps(s); }
  DIFFUSE_OP V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  DIFFUSE_OP V add(V a, V b) { return _mm512_add_ps(a, b); }
  DIFFUSE_OP V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  DIFFUSE_OP V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  DIFFUSE_OP V div(V a, V b) { return _mm512_div_ps(a, b); }
  DIFFUSE_OP V sqrt(V a) { return _mm512_sqrt_ps(a); }
  DIFFUSE_OP V min(V a, V b) { return _mm512_min_ps(a, b); }
  DIFFUSE_OP V max(V a, V b) { return _mm512_max_ps(a, b); }
  /// g where z > 0, else 0.
  DIFFUSE_OP V where_positive(V z, V g) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(z, zero(), _CMP_GT_OQ), g); }
  /// To the nearest integer, ties to even.
  DIFFUSE_OP V round(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  /// 2ⁿ for integral n in [−126, 128] from its exponent bits (n = 128 gives +∞).
  DIFFUSE_OP V pow2(V n) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
  }
};

template <>
struct Avx512<double> {
  using V = __m512d;
  static constexpr int P = 8;
  DIFFUSE_OP V zero() { return _mm512_setzero_pd(); }
  DIFFUSE_OP V load(const double* p) { return _mm512_loadu_pd(p); }
  DIFFUSE_OP void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  /// The first count < P entries, zeros after them.
  DIFFUSE_OP V load_first(const double* p, Index count) { return _mm512_maskz_loadu_pd(__mmask8((1u << count) - 1), p); }
  DIFFUSE_OP void store_first(double* p, V v, Index count) { _mm512_mask_storeu_pd(p, __mmask8((1u << count) - 1), v); }
  DIFFUSE_OP V set1(double s) { return _mm512_set1_pd(s); }
  DIFFUSE_OP V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  DIFFUSE_OP V add(V a, V b) { return _mm512_add_pd(a, b); }
  DIFFUSE_OP V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  DIFFUSE_OP V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  DIFFUSE_OP V div(V a, V b) { return _mm512_div_pd(a, b); }
  DIFFUSE_OP V sqrt(V a) { return _mm512_sqrt_pd(a); }
  DIFFUSE_OP V min(V a, V b) { return _mm512_min_pd(a, b); }
  DIFFUSE_OP V max(V a, V b) { return _mm512_max_pd(a, b); }
  /// g where z > 0, else 0.
  DIFFUSE_OP V where_positive(V z, V g) { return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(z, zero(), _CMP_GT_OQ), g); }
  /// To the nearest integer, ties to even.
  DIFFUSE_OP V round(V a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  /// 2ⁿ for integral n in [−1022, 1024] from its exponent bits (n = 1024 gives +∞).
  DIFFUSE_OP V pow2(V n) {
    const __m512i e = _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_cvtpd_epi32(n)), _mm512_set1_epi64(1023));
    return _mm512_castsi512_pd(_mm512_slli_epi64(e, 52));
  }
};

#undef DIFFUSE_OP
#define DIFFUSE_OP DIFFUSE_TARGET_AVX2 DIFFUSE_INLINE static

template <>
struct Avx2<float> {
  using V = __m256;
  static constexpr int P = 8;
  DIFFUSE_OP V zero() { return _mm256_setzero_ps(); }
  DIFFUSE_OP V load(const float* p) { return _mm256_loadu_ps(p); }
  DIFFUSE_OP void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  /// The first count < P entries, zeros after them.
  DIFFUSE_OP V load_first(const float* p, Index count) { return _mm256_maskload_ps(p, first(count)); }
  DIFFUSE_OP void store_first(float* p, V v, Index count) { _mm256_maskstore_ps(p, first(count), v); }
  DIFFUSE_OP __m256i first(Index count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  DIFFUSE_OP V set1(float s) { return _mm256_set1_ps(s); }
  DIFFUSE_OP V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  DIFFUSE_OP V add(V a, V b) { return _mm256_add_ps(a, b); }
  DIFFUSE_OP V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  DIFFUSE_OP V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  DIFFUSE_OP V div(V a, V b) { return _mm256_div_ps(a, b); }
  DIFFUSE_OP V sqrt(V a) { return _mm256_sqrt_ps(a); }
  DIFFUSE_OP V min(V a, V b) { return _mm256_min_ps(a, b); }
  DIFFUSE_OP V max(V a, V b) { return _mm256_max_ps(a, b); }
  /// g where z > 0, else 0.
  DIFFUSE_OP V where_positive(V z, V g) { return _mm256_and_ps(_mm256_cmp_ps(z, zero(), _CMP_GT_OQ), g); }
  /// To the nearest integer, ties to even.
  DIFFUSE_OP V round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  /// 2ⁿ for integral n in [−126, 128] from its exponent bits (n = 128 gives +∞).
  DIFFUSE_OP V pow2(V n) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
  }
};

template <>
struct Avx2<double> {
  using V = __m256d;
  static constexpr int P = 4;
  DIFFUSE_OP V zero() { return _mm256_setzero_pd(); }
  DIFFUSE_OP V load(const double* p) { return _mm256_loadu_pd(p); }
  DIFFUSE_OP void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  /// The first count < P entries, zeros after them.
  DIFFUSE_OP V load_first(const double* p, Index count) { return _mm256_maskload_pd(p, first(count)); }
  DIFFUSE_OP void store_first(double* p, V v, Index count) { _mm256_maskstore_pd(p, first(count), v); }
  DIFFUSE_OP __m256i first(Index count) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(count), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  DIFFUSE_OP V set1(double s) { return _mm256_set1_pd(s); }
  DIFFUSE_OP V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  DIFFUSE_OP V add(V a, V b) { return _mm256_add_pd(a, b); }
  DIFFUSE_OP V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  DIFFUSE_OP V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  DIFFUSE_OP V div(V a, V b) { return _mm256_div_pd(a, b); }
  DIFFUSE_OP V sqrt(V a) { return _mm256_sqrt_pd(a); }
  DIFFUSE_OP V min(V a, V b) { return _mm256_min_pd(a, b); }
  DIFFUSE_OP V max(V a, V b) { return _mm256_max_pd(a, b); }
  /// g where z > 0, else 0.
  DIFFUSE_OP V where_positive(V z, V g) { return _mm256_and_pd(_mm256_cmp_pd(z, zero(), _CMP_GT_OQ), g); }
  /// To the nearest integer, ties to even.
  DIFFUSE_OP V round(V a) { return _mm256_round_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  /// 2ⁿ for integral n in [−1022, 1024] from its exponent bits (n = 1024 gives +∞).
  DIFFUSE_OP V pow2(V n) {
    const __m256i e = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n)), _mm256_set1_epi64x(1023));
    return _mm256_castsi256_pd(_mm256_slli_epi64(e, 52));
  }
};

#undef DIFFUSE_OP

/// Each level's operations under one name, for the kernel texts compiled once per level
/// (nn/gemm_level.inc, nn/activation_level.inc, nn/adam_level.inc), each inside its level's namespace.
namespace avx512 {
template <class S>
using Ops = Avx512<S>;
}  // namespace avx512
namespace avx2 {
template <class S>
using Ops = Avx2<S>;
}  // namespace avx2

}  // namespace diffuse::detail

#pragma GCC diagnostic pop
#endif  // DIFFUSE_X86_KERNELS
