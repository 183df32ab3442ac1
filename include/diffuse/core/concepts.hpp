#pragma once
// diffuse/core/concepts.hpp — the seams between the library's policies, in one place.
//
// This header is the reference manual for what a user-written integrator, process, network,
// denoiser or sampler must provide. One requirement per line, each saying what it means.
// Every concrete class is followed by static_assert(Concept<Class>) in its own header.
//
// Conventions: a batch is a d x n matrix (one sample per column); `S` is the scalar type
// (float or double), exposed by every policy as the member type `Scalar`.

#include <concepts>
#include <type_traits>

#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"

namespace diffuse {

/// A type that names its floating-point scalar as `T::Scalar`.
template <class T>
concept HasScalar = requires { typename std::remove_cvref_t<T>::Scalar; } &&
                    std::floating_point<typename std::remove_cvref_t<T>::Scalar>;

/// The scalar type of a policy.
template <class T>
using scalar_of = typename std::remove_cvref_t<T>::Scalar;

// ---------------------------------------------------------------------------------------------
// Randomness: where stochastic steps get their standard-normal draws.

/// A source of standard-normal draws for scalar S: Rng, ReplayNoise (given draws, in order) and
/// RecordingNoise (keeps what it hands out) model it, so a stochastic run can be replayed draw for
/// draw against a peer's saved noise. Every stochastic sampler and SDE stepper documents its draw
/// order (count, shape, order) in its header.
template <class N, class S>
concept NoiseSource = std::floating_point<S> && requires(N& noise, Matrix<S>& draw) {
  noise.fill_normal(draw);  // every entry of draw (its shape set by the caller) ~ N(0, 1), independent
};

static_assert(NoiseSource<Rng, float> && NoiseSource<Rng, double>);

// ---------------------------------------------------------------------------------------------
// Dynamics: what integrators integrate.

/// An ODE dx/dt = f(x, t) on d x n batches.
template <class T>
concept Ode = HasScalar<T> &&
  requires(const T& system, const Matrix<scalar_of<T>>& x, scalar_of<T> t, Matrix<scalar_of<T>>& out) {
    system.drift(x, t, out);  // out = f(x, t), same shape as x (out is resized if needed)
  };

/// An SDE dx = f(x, t) dt + g(t) dW whose noise is additive and isotropic: g depends on t only.
template <class T>
concept AdditiveNoiseSde = Ode<T> && requires(const T& system, scalar_of<T> t) {
  { system.diffusion(t) } -> std::convertible_to<scalar_of<T>>;  // g(t)
};

/// An SDE dx = f(x, t) dt + g(x, t) ⊙ dW with diagonal, state-dependent noise.
template <class T>
concept DiagonalNoiseSde = Ode<T> &&
  requires(const T& system, const Matrix<scalar_of<T>>& x, scalar_of<T> t, Matrix<scalar_of<T>>& out) {
    system.diffusion(x, t, out);  // out = g(x, t) elementwise, same shape as x
  };

/// Any SDE an integrator can step: additive or diagonal noise.
template <class T>
concept Sde = AdditiveNoiseSde<T> || DiagonalNoiseSde<T>;

/// A one-step method for `System` (an Ode or an Sde) drawing its noise from `Noise` (any
/// NoiseSource; Rng unless said otherwise). Steppers keep their workspaces, so step() is
/// non-const and allocates nothing after the first call at a given batch size.
template <class I, class System, class Noise = Rng>
concept Integrator = HasScalar<System> && NoiseSource<Noise, scalar_of<System>> &&
  requires(I& stepper, const System& system, Matrix<scalar_of<System>>& x, scalar_of<System> t,
           scalar_of<System> t_next, Noise& noise) {
    stepper.step(system, x, t, t_next, noise);           // advance x from t to t_next in place
    { I::order } -> std::convertible_to<double>;          // order of convergence (strong, for SDEs)
  };

// ---------------------------------------------------------------------------------------------
// Noise levels and forward processes.

/// Marginal noise levels of a Gaussian forward process: x_t = alpha(t) x0 + sigma(t) eps.
/// A discrete DDPM chain models this with t = step index (alpha = sqrt(ᾱ_t)); NCSN and EDM
/// level sets model it with alpha = 1.
template <class P>
concept NoiseLevels = HasScalar<P> && requires(const P& levels, scalar_of<P> t) {
  { levels.alpha(t) } -> std::convertible_to<scalar_of<P>>;  // mean scale α(t)
  { levels.sigma(t) } -> std::convertible_to<scalar_of<P>>;  // noise std σ(t)
};

/// A continuous Gaussian forward process q(x_t | x0) = N(α(t) x0, σ(t)² I) with linear SDE
/// dx = f(t) x dt + g(t) dW.
template <class P>
concept Process = NoiseLevels<P> &&
  requires(const P& process, scalar_of<P> t, Index d, Index n, Rng& rng) {
    { process.drift_coef(t) } -> std::convertible_to<scalar_of<P>>;  // f(t), drift is f(t) x
    { process.diffusion(t) } -> std::convertible_to<scalar_of<P>>;   // g(t)
    { process.t_min() } -> std::convertible_to<scalar_of<P>>;        // smallest usable time (> 0 if singular at 0)
    { process.t_max() } -> std::convertible_to<scalar_of<P>>;        // terminal time
    { process.sample_prior(d, n, rng) } -> std::same_as<Matrix<scalar_of<P>>>;  // draws x_T, d x n
  };

// ---------------------------------------------------------------------------------------------
// Networks.

/// A differentiable map from a d_in x n batch to a d_out x n batch with all parameters in one
/// flat vector. Noise-level and condition inputs are extra rows of the input, consumed by
/// embedding layers in front of the body.
template <class N>
concept Network = HasScalar<N> &&
  requires(N& net, const N& cnet, const Matrix<scalar_of<N>>& input, const Matrix<scalar_of<N>>& grad_output) {
    { net.forward(input) } -> std::same_as<const Matrix<scalar_of<N>>&>;         // output, cached for backward
    { net.backward(grad_output) } -> std::same_as<const Matrix<scalar_of<N>>&>;  // adds dL/dθ to gradients(); returns dL/d input
    { net.parameters() } -> std::same_as<Vector<scalar_of<N>>&>;                 // every parameter, one flat vector
    { net.gradients() } -> std::same_as<Vector<scalar_of<N>>&>;                  // matching gradient vector
    { cnet.input_dim() } -> std::convertible_to<Index>;                          // rows of input
    { cnet.output_dim() } -> std::convertible_to<Index>;                         // rows of output
  };

// ---------------------------------------------------------------------------------------------
// Sampling.

/// A model of E[x0 | x_t]: what every sampler consumes. It carries the noise levels it was
/// trained with, because converting between ε, x0, score and v needs α(t) and σ(t).
template <class D>
concept Denoiser = HasScalar<D> &&
  requires(D& model, const Matrix<scalar_of<D>>& x, scalar_of<D> t, Prediction<scalar_of<D>>& out) {
    model.predict(x, t, out);                            // out.x0 ≈ E[x0 | x_t = x], out.eps = (x − α x0) / σ
    requires NoiseLevels<decltype(model.levels())>;      // the α(t), σ(t) the model was trained with
  };

namespace detail {
/// Network evaluations one predict() of D costs: D::evals_per_predict for wrappers that call
/// their model more than once (classifier-free guidance), 1 otherwise.
template <class D>
constexpr int evals_per_predict() {
  if constexpr (requires { std::remove_cvref_t<D>::evals_per_predict; })
    return std::remove_cvref_t<D>::evals_per_predict;
  else
    return 1;
}
}  // namespace detail

/// One step of a sampling method: moves a batch from time t to t_next using a Denoiser, drawing
/// its noise from `Noise` (any NoiseSource; Rng unless said otherwise).
template <class Smp, class D, class Noise = Rng>
concept Sampler = Denoiser<D> && NoiseSource<Noise, scalar_of<D>> &&
  requires(Smp& sampler, D& model, Matrix<scalar_of<D>>& x, scalar_of<D> t, scalar_of<D> t_next, Noise& noise) {
    sampler.step(model, x, t, t_next, noise);            // x_t -> x_{t_next} in place
    { Smp::evals_per_step } -> std::convertible_to<int>; // network evaluations per step
  };

}  // namespace diffuse
