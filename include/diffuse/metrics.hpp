#pragma once
// diffuse/metrics.hpp — figures of merit between generated and reference samples: MMD², energy
// distance, sliced Wasserstein-2, mode statistics, mixture negative log-likelihood, and a
// model's log-likelihood through the probability-flow ODE.

#include "diffuse/metrics/energy.hpp"
#include "diffuse/metrics/likelihood.hpp"
#include "diffuse/metrics/mmd.hpp"
#include "diffuse/metrics/modes.hpp"
#include "diffuse/metrics/ode_likelihood.hpp"
#include "diffuse/metrics/sliced_wasserstein.hpp"
