#!/usr/bin/env bash
# Builds and runs the flagship example; its figures, samples and metrics.json go to out/<example>.
# Usage: scripts/demo.sh [example flags, e.g. --quick or --seed 3]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_packages "${DIFFUSE_PACKAGES[@]}"
cd "$DIFFUSE_ROOT"

example=toy_families
[ -f "examples/$example.cpp" ] || example=brownian_ou  # until the flagship exists
configure_and_build release "$example"
out="$DIFFUSE_ROOT/out/$example"
"build/release/examples/$example" --out "$out" "$@"
echo "diffuse: figures and metrics of $example written to $out"
