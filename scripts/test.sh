#!/usr/bin/env bash
# Builds the library's tests, examples and benchmarks (Release) and runs the whole test suite.
# Usage: scripts/test.sh [extra ctest arguments]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_packages "${DIFFUSE_PACKAGES[@]}" python3-numpy
cd "$DIFFUSE_ROOT"
configure_and_build release
ctest --preset release -j "$(nproc)" "$@"
