#!/usr/bin/env bash
# Builds the safetensors fuzz target with clang's libFuzzer + ASan + UBSan and fuzzes it for a
# bounded time (default 60 s) starting from the committed seed corpus and crash regressions.
#   tests/fuzz/run.sh [SECONDS]
# Skips (exit 0) when clang++ or libFuzzer's runtime (Debian: libclang-rt-14-dev) is missing, so
# CI never fails for a missing compiler. Exits non-zero when the fuzzer finds a crash; the
# crashing input is written to build/fuzz/artifacts/ and belongs in tests/data/fuzz/ once fixed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
build=${DIFFUSE_FUZZ_BUILD:-$root/build/fuzz}
cxx=${CXX_FUZZ:-clang++}

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: $cxx not found, skipped"
  exit 0
fi
mkdir -p "$build/corpus" "$build/artifacts"
probe=$build/probe.cpp
printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n' > "$probe"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe" -o "$build/probe" >/dev/null 2>&1; then
  echo "fuzz: $cxx cannot link libFuzzer (install libclang-rt-14-dev), skipped"
  exit 0
fi

eigen=$(pkg-config --cflags eigen3 2>/dev/null || echo -I/usr/include/eigen3)
# shellcheck disable=SC2086
"$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$root/include" $eigen "$here/fuzz_safetensors.cpp" -o "$build/fuzz_safetensors"

# The first folder collects new inputs; the seeds and regressions are only read. A single
# allocation above 16 MB is a failure: inputs are at most 64 kB, and the loader must never
# allocate more than the file size.
"$build/fuzz_safetensors" "$build/corpus" "$here/corpus" "$root/tests/data/fuzz" \
  -max_total_time="$seconds" -max_len=65536 -malloc_limit_mb=16 -rss_limit_mb=1024 -timeout=10 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1
