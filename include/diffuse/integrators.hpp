#pragma once
// diffuse/integrators.hpp — ODE steppers (Euler, Heun, RK4), SDE steppers (Euler–Maruyama, exact
// Gaussian step), time grids, integrate() and observers.

#include "diffuse/integrators/integrate.hpp"
#include "diffuse/integrators/observers.hpp"
#include "diffuse/integrators/ode_steppers.hpp"
#include "diffuse/integrators/sde_steppers.hpp"
#include "diffuse/integrators/time_grid.hpp"
