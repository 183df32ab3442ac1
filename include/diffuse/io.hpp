#pragma once
// diffuse/io.hpp — outputs people look at: SVG figures.

#include "diffuse/io/figure.hpp"
