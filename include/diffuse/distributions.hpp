#pragma once
// diffuse/distributions.hpp — densities with analytic scores and labelled samples: Gaussian,
// GaussianMixture (with exact noised marginals).

#include "diffuse/distributions/gaussian.hpp"
#include "diffuse/distributions/gaussian_mixture.hpp"
#include "diffuse/distributions/samples.hpp"
