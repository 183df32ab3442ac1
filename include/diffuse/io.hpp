#pragma once
// diffuse/io.hpp — outputs people look at: SVG figures, CSV and NPY batches, metrics.json, and a
// progress bar on stderr.

#include "diffuse/io/csv.hpp"
#include "diffuse/io/figure.hpp"
#include "diffuse/io/json.hpp"
#include "diffuse/io/noise_file.hpp"
#include "diffuse/io/npy.hpp"
#include "diffuse/io/progress.hpp"
