#pragma once
// Catch2 v2 (Debian 12) and v3 behind one include, with Approx and the matchers at hand.

#if defined(DIFFUSE_CATCH3)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
#else
#include <catch2/catch.hpp>
#endif
