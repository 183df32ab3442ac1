#pragma once
// diffuse/metrics.hpp — figures of merit between generated and reference samples: MMD², energy
// distance, sliced Wasserstein-2, mode statistics, mixture negative log-likelihood.

#include "diffuse/metrics/energy.hpp"
#include "diffuse/metrics/likelihood.hpp"
#include "diffuse/metrics/mmd.hpp"
#include "diffuse/metrics/modes.hpp"
#include "diffuse/metrics/sliced_wasserstein.hpp"

// The model log-likelihood through the probability-flow ODE needs samplers and models; include
// "diffuse/metrics/ode_likelihood.hpp" for it.
