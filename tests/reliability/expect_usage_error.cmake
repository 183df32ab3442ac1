# Runs PROGRAM with ARGS (arguments separated by "|") and passes only when it exits with code 2 and prints a usage
# line, as examples/common/cli.hpp promises for bad flags and values; a crash, an uncaught
# exception (abort, code 134) or any other code fails. CMake's WILL_FAIL cannot tell 2 from a crash.
#   cmake -DPROGRAM=<path> "-DARGS=--seed|notanumber" -P expect_usage_error.cmake
if(NOT PROGRAM)
  message(FATAL_ERROR "expect_usage_error.cmake: set -DPROGRAM=<path>")
endif()
string(REPLACE "|" ";" ARGS "${ARGS}")
execute_process(COMMAND ${PROGRAM} ${ARGS}
  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
string(FIND "${out}${err}" "Usage:" usage_at)
if(NOT code STREQUAL "2" OR usage_at EQUAL -1)
  message(FATAL_ERROR "${PROGRAM} ${ARGS}: expected exit code 2 and a usage line, got exit '${code}'\n"
                      "--- stdout ---\n${out}\n--- stderr ---\n${err}")
endif()
message(STATUS "${PROGRAM} ${ARGS}: exit 2 with a usage line")
