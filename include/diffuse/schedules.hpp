#pragma once
// diffuse/schedules.hpp — discrete β schedules, σ level sets, log-SNR and sampling time grids.

#include "diffuse/schedules/beta_schedule.hpp"
#include "diffuse/schedules/sigma_levels.hpp"
#include "diffuse/schedules/time_grid.hpp"
