#pragma once
// diffuse/nn/activations.hpp — element-wise activation policies with their derivatives.
//
// Definitions follow PyTorch's torch.nn modules of the same names (ReLU, SiLU, Softplus with
// beta = 1 and threshold = 20, Tanh, GELU exact with erf and GELU with the tanh approximation of
// Hendrycks & Gimpel, "Gaussian Error Linear Units", 2016, eq. after (2)).
//
// Every policy provides
//   forward(c, a)      c holds z on entry; sets a = f(z) and may overwrite c with what the
//                      backward pass needs (the "cache": z itself, or σ(z) for SiLU)
//   backward(c, a, g)  g ⊙= f'(z), given the cache c and a = f(z) from the forward pass
// and works on whole contiguous matrices (a and c of equal size) with Eigen's vectorised array
// functions, except SiLU and ReLU, which have kernels of their own per SIMD level.

#include <cmath>
#include <concepts>
#include <numbers>
#include <type_traits>

#include <Eigen/Core>

#include "diffuse/nn/activation_kernels.hpp"

namespace diffuse {

/// An activation policy: a stateless type with static forward/backward over Eigen matrices.
template <class A>
concept Activation = requires {
  { A::name } -> std::convertible_to<const char*>;  // PyTorch module name, for messages
};

/// f(z) = z. Used for output layers; layers skip the pass entirely for it.
struct Identity {
  static constexpr const char* name = "Identity";
  template <class Z, class Out>
  static void forward(Z&& z, Out&& a) { a = z; }
  template <class Z, class Out, class G>
  static void backward(const Z&, const Out&, G&&) {}
};

/// f(z) = max(z, 0); f'(z) = [z > 0] (PyTorch's choice f'(0) = 0). Both passes run the SIMD
/// level's kernel (nn/activation_kernels.hpp) and need contiguous operands.
struct Relu {
  static constexpr const char* name = "ReLU";
  template <class Z, class Out>
  static void forward(Z&& z, Out&& a) {
    eigen_assert(z.size() == a.size());
    detail::relu_forward(z.data(), a.data(), z.size());
  }
  template <class Z, class Out, class G>
  static void backward(const Z& z, const Out&, G&& g) {
    eigen_assert(z.size() == g.size());
    detail::relu_backward(z.data(), g.data(), g.size());
  }
};

/// SiLU (swish): f(z) = z σ(z) with σ the logistic function. The cache keeps s = σ(z), so the
/// backward pass needs no exponential: f'(z) = σ(z) + z σ(z) (1 − σ(z)) = s + a (1 − s).
/// Both passes run the SIMD level's kernel (nn/activation_kernels.hpp) and need contiguous operands
/// (whole matrices, or whole columns of column-major ones).
struct Silu {
  static constexpr const char* name = "SiLU";
  template <class Z, class Out>
  static void forward(Z&& c, Out&& a) {
    eigen_assert(c.size() == a.size());
    detail::silu_forward(c.data(), a.data(), c.size());
  }
  template <class Z, class Out, class G>
  static void backward(const Z& c, const Out& a, G&& g) {
    eigen_assert(c.size() == g.size() && a.size() == g.size());
    detail::silu_backward(c.data(), a.data(), g.data(), g.size());
  }
};

/// Softplus as torch.nn.Softplus(beta=1): f(z) = log(1 + e^z), f'(z) = σ(z). Written as
/// max(z, 0) + log1p(e^{−|z|}), which never overflows; above torch's threshold 20 it differs from
/// torch's f(z) = z by log1p(e^{−z}) < 2.1e-9 (and f' from 1 by as much). No select(): Eigen
/// evaluates a select() whose branch holds exp/log1p coefficient by coefficient (20x slower).
struct Softplus {
  static constexpr const char* name = "Softplus";
  template <class Z, class Out>
  static void forward(Z&& z, Out&& a) {
    using S = typename std::remove_cvref_t<Z>::Scalar;
    a.array() = z.array().max(S(0)) + (-z.array().abs()).exp().log1p();
  }
  template <class Z, class Out, class G>
  static void backward(const Z& z, const Out&, G&& g) {
    // f'(z) = σ(z) = 1 / (1 + e^{−z})
    g.array() *= z.array().logistic();
  }
};

/// f(z) = tanh z; f'(z) = 1 − f(z)².
struct Tanh {
  static constexpr const char* name = "Tanh";
  template <class Z, class Out>
  static void forward(Z&& z, Out&& a) { a.array() = z.array().tanh(); }
  template <class Z, class Out, class G>
  static void backward(const Z&, const Out& a, G&& g) {
    using S = typename Z::Scalar;
    g.array() *= S(1) - a.array().square();
  }
};

/// GELU as torch.nn.GELU() (exact): f(z) = z Φ(z) = z (1 + erf(z/√2)) / 2;
/// f'(z) = Φ(z) + z φ(z). Scalar erf per entry (not vectorised): prefer GeluTanh for speed.
struct Gelu {
  static constexpr const char* name = "GELU";
  template <class Z, class Out>
  static void forward(Z&& z, Out&& a) {
    using S = typename std::remove_cvref_t<Z>::Scalar;
    a = z.unaryExpr([](S v) { return S(0.5) * v * (S(1) + std::erf(v * S(std::numbers::sqrt2 / 2))); });
  }
  template <class Z, class Out, class G>
  static void backward(const Z& z, const Out&, G&& g) {
    using S = typename Z::Scalar;
    g.array() *= z.array().unaryExpr([](S v) {
      const S cdf = S(0.5) * (S(1) + std::erf(v * S(std::numbers::sqrt2 / 2)));
      const S pdf = std::exp(S(-0.5) * v * v) * S(std::numbers::inv_sqrtpi / std::numbers::sqrt2);
      return cdf + v * pdf;
    });
  }
};

/// GELU as torch.nn.GELU(approximate="tanh"): f(z) = z (1 + tanh u) / 2 with
/// u = √(2/π) (z + 0.044715 z³); f'(z) = (1 + tanh u) / 2 + z (1 − tanh² u) u'(z) / 2.
struct GeluTanh {
  static constexpr const char* name = "GELU(tanh)";
  static constexpr double k0 = 0.7978845608028654;  // √(2/π)
  static constexpr double k1 = 0.044715;
  template <class Z, class Out>
  static void forward(Z&& z, Out&& a) {
    using S = typename std::remove_cvref_t<Z>::Scalar;
    a.array() = S(0.5) * z.array() *
                (S(1) + (S(k0) * (z.array() + S(k1) * z.array().cube())).tanh());
  }
  template <class Z, class Out, class G>
  static void backward(const Z& z, const Out&, G&& g) {
    using S = typename Z::Scalar;
    g.array() *= z.array().unaryExpr([](S v) {
      const S t = std::tanh(S(k0) * (v + S(k1) * v * v * v));
      return S(0.5) * (S(1) + t) + S(0.5) * v * (S(1) - t * t) * S(k0) * (S(1) + S(3 * k1) * v * v);
    });
  }
};

static_assert(Activation<Identity> && Activation<Relu> && Activation<Silu> && Activation<Softplus> &&
              Activation<Tanh> && Activation<Gelu> && Activation<GeluTanh>);

}  // namespace diffuse
