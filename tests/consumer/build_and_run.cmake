# Configures, builds and runs a consumer project: cmake -DSOURCE_DIR=... -DBINARY_DIR=...
# -DCACHE_ARGS=... -P build_and_run.cmake
file(REMOVE_RECURSE ${BINARY_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} ${CACHE_ARGS}
  RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configure failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "build failed (${rc})")
endif()
execute_process(COMMAND ${BINARY_DIR}/consumer RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "consumer program failed (${rc})")
endif()
