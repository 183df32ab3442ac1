#pragma once
// diffuse/samplers.hpp — the sampling driver and every sampler: DDPM, DDIM, annealed Langevin,
// reverse SDE, probability-flow ODE, predictor–corrector, and the σ-space family (EDM Heun and
// Euler, Euler ancestral, DPM-2 and DPM-2 ancestral, LMS, DPM-Solver fast and adaptive,
// DPM-Solver++(2S) ancestral, SDE, (2M), (2M) SDE and (3M) SDE).

#include "diffuse/samplers/ddim.hpp"
#include "diffuse/samplers/ddpm.hpp"
#include "diffuse/samplers/dpm2.hpp"
#include "diffuse/samplers/dpm_solver.hpp"
#include "diffuse/samplers/dpm_solver_adaptive.hpp"
#include "diffuse/samplers/dpm_solver_fast.hpp"
#include "diffuse/samplers/dpmpp_2m_sde.hpp"
#include "diffuse/samplers/dpmpp_2s_ancestral.hpp"
#include "diffuse/samplers/dpmpp_3m_sde.hpp"
#include "diffuse/samplers/dpmpp_sde.hpp"
#include "diffuse/samplers/edm.hpp"
#include "diffuse/samplers/edm_ablation.hpp"
#include "diffuse/samplers/edm_euler.hpp"
#include "diffuse/samplers/euler_ancestral.hpp"
#include "diffuse/samplers/langevin.hpp"
#include "diffuse/samplers/lms.hpp"
#include "diffuse/samplers/predictor_corrector.hpp"
#include "diffuse/samplers/probability_flow.hpp"
#include "diffuse/samplers/reverse_sde.hpp"
#include "diffuse/samplers/sample.hpp"
