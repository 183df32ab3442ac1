#pragma once
// diffuse/distributions.hpp — densities with analytic scores and labelled samples: Gaussian,
// GaussianMixture (with exact noised marginals), the double-well potential, toy 2D data sets.

#include "diffuse/distributions/double_well.hpp"
#include "diffuse/distributions/gaussian.hpp"
#include "diffuse/distributions/gaussian_mixture.hpp"
#include "diffuse/distributions/samples.hpp"
#include "diffuse/distributions/toy.hpp"
