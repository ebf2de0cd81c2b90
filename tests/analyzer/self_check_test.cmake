# self_check_test.cmake - the self-check's own test: self_check.cmake must fail, naming the
# finding, on a project with a cycle, and must fail when its paths select nothing.
#
#   cmake -DCYCLOPS=<cyclops> -DSELF_CHECK=<self_check.cmake> -DBUILD_DIR=<multi_tu build dir>
#         -DSOURCE_DIR=<testdata/analyzer> -P self_check_test.cmake
#
# The cyclic project is testdata/analyzer/multi_tu (a cycle of three types across three
# translation units); it is test data, never part of the self-checked sources.
cmake_minimum_required(VERSION 3.25)

function(run_self_check paths out_status out_text)
  execute_process(COMMAND "${CMAKE_COMMAND}" "-DCYCLOPS=${CYCLOPS}" "-DBUILD_DIR=${BUILD_DIR}"
                          "-DSOURCE_DIR=${SOURCE_DIR}" "-DPATHS=${paths}" -P "${SELF_CHECK}"
                  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${out_status} "${status}" PARENT_SCOPE)
  set(${out_text} "${out}${err}" PARENT_SCOPE)
endfunction()

set(failures "")

# A finding fails the check, and its diagnostic is in the log.
run_self_check("no-such-dir,multi_tu" status text)
if(status EQUAL 0)
  string(APPEND failures "a cycle did not fail the self-check\n")
endif()
if(NOT text MATCHES "owner\\.h:8:[0-9]+: warning: strong fields form a reference cycle")
  string(APPEND failures "the cycle's diagnostic is not shown\n")
endif()
if(NOT text MATCHES "FAILED: findings in the project's own sources")
  string(APPEND failures "the failure does not say it is a finding\n")
endif()
if(NOT text MATCHES "3 translation units under")
  string(APPEND failures "the 3 translation units of multi_tu were not selected\n")
endif()
if(failures)
  string(APPEND failures "--- its output ---\n${text}\n")
endif()

# Paths that select nothing fail too, rather than pass without checking.
run_self_check("no-such-dir" status text)
if(status EQUAL 0 OR NOT text MATCHES "'no-such-dir' selects no translation unit")
  string(APPEND failures "an empty selection did not fail, naming the paths:\n${text}\n")
endif()

# A path is a whole directory name, not the start of one.
run_self_check("multi" status text)
if(status EQUAL 0 OR NOT text MATCHES "selects no translation unit")
  string(APPEND failures "'multi' selected multi_tu/:\n${text}\n")
endif()

if(failures)
  message(FATAL_ERROR "self_check_test: FAILED:\n${failures}")
endif()
