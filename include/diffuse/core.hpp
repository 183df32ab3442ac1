#pragma once
// diffuse/core.hpp — types, errors, the random number generator and replayable noise sources,
// parallel chunks, concepts, and the SIMD level of the dispatched kernels.

#include "diffuse/core/concepts.hpp"
#include "diffuse/core/cpu.hpp"
#include "diffuse/core/error.hpp"
#include "diffuse/core/noise.hpp"
#include "diffuse/core/observer.hpp"
#include "diffuse/core/parallel.hpp"
#include "diffuse/core/rng.hpp"
#include "diffuse/core/types.hpp"
