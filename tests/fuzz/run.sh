#!/usr/bin/env bash
# Builds the two fuzz targets with clang's libFuzzer + ASan + UBSan and fuzzes them for a bounded
# total time (default 80 s: a third for the safetensors loader, two thirds for the contract
# fuzzer) starting from the committed seed corpora and crash regressions.
#   tests/fuzz/run.sh [SECONDS]
# Run longer with a larger SECONDS, or one target alone, e.g. for an hour:
#   DIFFUSE_FUZZ_TARGETS=contracts tests/fuzz/run.sh 3600
# Skips (exit 0) when clang++ or libFuzzer's runtime (Debian: libclang-rt-14-dev) is missing, so
# CI never fails for a missing compiler. Exits non-zero when a fuzzer finds a crash or a contract
# violation; the input is written to build/fuzz/artifacts/ and belongs in tests/data/fuzz/
# (safetensors) or tests/fuzz/contracts_corpus/ (contracts) once fixed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-80}
targets=${DIFFUSE_FUZZ_TARGETS:-safetensors contracts}
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
build_target() {
  # shellcheck disable=SC2086
  "$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$root/include" $eigen "$here/fuzz_$1.cpp" -o "$build/fuzz_$1"
}
count=$(echo "$targets" | wc -w)
for target in $targets; do
  share=$seconds
  if [ "$count" -gt 1 ]; then
    if [ "$target" = safetensors ]; then share=$((seconds / 3)); else share=$((seconds - seconds / 3)); fi
  fi
  build_target "$target"
  mkdir -p "$build/corpus_$target"
  case $target in
    # The first folder collects new inputs; the seeds and regressions are only read. A single
    # allocation above 16 MB is a failure: inputs are at most 64 kB, and the loader must never
    # allocate more than the file size.
    safetensors)
      "$build/fuzz_safetensors" "$build/corpus_safetensors" "$here/corpus" "$root/tests/data/fuzz" \
        -max_total_time="$share" -max_len=65536 -malloc_limit_mb=16 -rss_limit_mb=1024 -timeout=10 \
        -artifact_prefix="$build/artifacts/" -print_final_stats=1 ;;
    # Inputs decode into tiny shapes: 512 bytes is plenty, and no allocation needs 64 MB.
    contracts)
      "$build/fuzz_contracts" "$build/corpus_contracts" "$here/contracts_corpus" \
        -max_total_time="$share" -max_len=512 -malloc_limit_mb=64 -rss_limit_mb=1024 -timeout=10 \
        -artifact_prefix="$build/artifacts/" -print_final_stats=1 ;;
  esac
done
