# self_check.cmake - cyclops checks the project's own sources; fails on any finding.
#
#   cmake -DCYCLOPS=<cyclops> -DBUILD_DIR=<dir with compile_commands.json>
#         -DSOURCE_DIR=<source root> -DPATHS=<dir/,dir/,...> -P self_check.cmake
#
# Every translation unit that BUILD_DIR/compile_commands.json lists under one of PATHS
# (comma-separated, relative to SOURCE_DIR) is checked, so a new source file is checked
# without editing a list. The rest of the tree (tests/, testdata/, bench/, examples/) builds
# cycles on purpose to show and test them, so it is left out by choosing PATHS.
# Fails when cyclops reports a finding (its exit status 1) or cannot check (2), and when
# PATHS select nothing: a moved directory must not make the check pass without checking.
cmake_minimum_required(VERSION 3.25)

foreach(var CYCLOPS BUILD_DIR SOURCE_DIR PATHS)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "self_check.cmake: -D${var}=... is required")
  endif()
endforeach()

set(db "${BUILD_DIR}/compile_commands.json")
if(NOT EXISTS "${db}")
  message(FATAL_ERROR "cyclops self-check: no ${db} (configure with CMAKE_EXPORT_COMPILE_COMMANDS=ON)")
endif()
file(READ "${db}" json)
string(JSON count ERROR_VARIABLE json_error LENGTH "${json}")
if(json_error)
  message(FATAL_ERROR "cyclops self-check: ${db}: ${json_error}")
endif()

cmake_path(ABSOLUTE_PATH SOURCE_DIR NORMALIZE OUTPUT_VARIABLE root)
string(REPLACE "," ";" prefixes "${PATHS}")
set(files "")
if(count GREATER 0)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON file GET "${json}" ${i} file)
    string(JSON dir GET "${json}" ${i} directory)
    cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY "${dir}" NORMALIZE)
    foreach(prefix IN LISTS prefixes)
      cmake_path(APPEND root "${prefix}" OUTPUT_VARIABLE under)
      cmake_path(IS_PREFIX under "${file}" NORMALIZE selected)
      if(selected)
        list(APPEND files "${file}")
        break()
      endif()
    endforeach()
  endforeach()
endif()
list(REMOVE_DUPLICATES files)
list(SORT files)
list(LENGTH files selected_count)
if(selected_count EQUAL 0)
  message(FATAL_ERROR "cyclops self-check: '${PATHS}' selects no translation unit of ${db}")
endif()

message(STATUS "cyclops self-check: ${selected_count} translation units under ${PATHS}")
execute_process(COMMAND "${CYCLOPS}" check -p "${BUILD_DIR}" "--source-root=${root}" ${files}
                WORKING_DIRECTORY "${root}" RESULT_VARIABLE status)
if(status EQUAL 1)
  message(FATAL_ERROR "cyclops self-check: FAILED: findings in the project's own sources (cyclops exit "
                      "status 1); fix them, or suppress one that is deliberate with "
                      "`// cyclops: ignore(RULE)` and a comment that says why")
elseif(NOT status EQUAL 0)
  message(FATAL_ERROR "cyclops self-check: FAILED: cyclops could not check the sources (exit status ${status})")
endif()
