#pragma once
// diffuse/training.hpp — denoising objectives, data sources, data-parallel gradients and the fit() loop.

#include "diffuse/training/data.hpp"
#include "diffuse/training/data_parallel.hpp"
#include "diffuse/training/fit.hpp"
#include "diffuse/training/objective.hpp"
#include "diffuse/training/callbacks.hpp"
#include "diffuse/training/loss_curve.hpp"
