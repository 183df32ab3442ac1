#pragma once
// diffuse/samplers.hpp — the sampling driver and every sampler: DDPM, DDIM, annealed Langevin,
// reverse SDE, probability-flow ODE, predictor–corrector, EDM Heun and DPM-Solver++(2M).

#include "diffuse/samplers/ddim.hpp"
#include "diffuse/samplers/ddpm.hpp"
#include "diffuse/samplers/dpm_solver.hpp"
#include "diffuse/samplers/edm.hpp"
#include "diffuse/samplers/edm_euler.hpp"
#include "diffuse/samplers/langevin.hpp"
#include "diffuse/samplers/predictor_corrector.hpp"
#include "diffuse/samplers/probability_flow.hpp"
#include "diffuse/samplers/reverse_sde.hpp"
#include "diffuse/samplers/sample.hpp"
