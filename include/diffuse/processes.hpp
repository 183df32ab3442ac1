#pragma once
// diffuse/processes.hpp — SDEs (Brownian motion, Ornstein–Uhlenbeck, Langevin), Gaussian forward
// processes (VP, VE, sub-VP, OU) with exact transitions, reverse-time SDE and probability-flow
// ODE adaptors, and the exact score of a noised Gaussian mixture.

#include "diffuse/processes/brownian.hpp"
#include "diffuse/processes/langevin.hpp"
#include "diffuse/processes/mixture_score.hpp"
#include "diffuse/processes/ornstein_uhlenbeck.hpp"
#include "diffuse/processes/ou_process.hpp"
#include "diffuse/processes/reverse.hpp"
#include "diffuse/processes/score_source.hpp"
#include "diffuse/processes/sub_vp.hpp"
#include "diffuse/processes/transition.hpp"
#include "diffuse/processes/ve.hpp"
#include "diffuse/processes/vp.hpp"
