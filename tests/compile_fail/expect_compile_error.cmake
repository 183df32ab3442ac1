# Compiles SOURCE (syntax only) and passes when the compiler fails with the text on SOURCE's
# "// expect:" line in its output: a static_assert that must fire, with the message it must show.
#   cmake -DCOMPILER=... -DSOURCE=... -DINCLUDES="a|b" -P expect_compile_error.cmake
file(STRINGS "${SOURCE}" _expect REGEX "^// expect: ")
string(REGEX REPLACE "^// expect: " "" _expect "${_expect}")
string(REPLACE "|" ";" _includes "${INCLUDES}")
set(_flags -std=c++20 -fsyntax-only)
foreach(dir IN LISTS _includes)
  list(APPEND _flags "-I${dir}")
endforeach()
execute_process(COMMAND "${COMPILER}" ${_flags} "${SOURCE}" RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(_rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must fail with: ${_expect}")
endif()
string(FIND "${_out}${_err}" "${_expect}" _at)
if(_at EQUAL -1)
  message(FATAL_ERROR "${SOURCE} failed without the expected message \"${_expect}\":\n${_err}")
endif()
