#pragma once
// diffuse/processes.hpp — Gaussian forward processes (VP, VE, sub-VP, OU) and their exact
// transitions.

#include "diffuse/processes/ou_process.hpp"
#include "diffuse/processes/sub_vp.hpp"
#include "diffuse/processes/transition.hpp"
#include "diffuse/processes/ve.hpp"
#include "diffuse/processes/vp.hpp"
