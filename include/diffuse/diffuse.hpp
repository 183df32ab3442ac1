#pragma once
// diffuse/diffuse.hpp — everything. Prefer the module headers (diffuse/core.hpp, ...) or single
// headers in your own code: they compile faster.

#include "diffuse/core.hpp"
#include "diffuse/distributions.hpp"
#include "diffuse/integrators.hpp"
#include "diffuse/io.hpp"
#include "diffuse/metrics.hpp"
#include "diffuse/models.hpp"
#include "diffuse/nn.hpp"
#include "diffuse/processes.hpp"
#include "diffuse/samplers.hpp"
#include "diffuse/schedules.hpp"
#include "diffuse/training.hpp"
