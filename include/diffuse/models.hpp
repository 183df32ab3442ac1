#pragma once
// diffuse/models.hpp — parameterisations and conversions, NoiseModel (network as a Denoiser) and
// the exact OracleDenoiser of a Gaussian mixture, and the σ-space view of any model.

#include "diffuse/models/noise_model.hpp"
#include "diffuse/models/guidance.hpp"
#include "diffuse/models/oracle.hpp"
#include "diffuse/models/sigma_view.hpp"
#include "diffuse/models/parameterisation.hpp"
