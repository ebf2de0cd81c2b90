# Builds facts_cmake/ (a copy, whose headers it touches) with Ninja and cyclops_add_facts, and
# checks: the facts files where the helper documents them; `cyclops check --facts` finds the
# cycle that spans two translation units; a touched header re-runs exactly the facts steps of
# the translation units that include it; a reconfigure re-runs none, a changed definition
# those of its target; and configuring without CMAKE_EXPORT_COMPILE_COMMANDS fails clearly.
#
# -DMODE=include: include(MODULE) with CYCLOPS_EXECUTABLE=CYCLOPS.
# -DMODE=package: `cmake --install BUILD_DIR`, then find_package(cyclops) from the prefix.
# Also: PROJECT_DIR, WORK_DIR, NINJA, CXX.
file(REMOVE_RECURSE "${WORK_DIR}")
set(src "${WORK_DIR}/src")
set(build "${WORK_DIR}/build")
file(COPY "${PROJECT_DIR}/" DESTINATION "${src}")

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

if(MODE STREQUAL "include")
  set(how -DCYCLOPS_MODULE=${MODULE} -DCYCLOPS_EXECUTABLE=${CYCLOPS})
  set(cyclops "${CYCLOPS}")
elseif(MODE STREQUAL "package")
  set(prefix "${WORK_DIR}/prefix")
  step(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
  foreach(f cyclopsConfig.cmake cyclopsConfigVersion.cmake cyclopsTargets.cmake CyclopsFacts.cmake)
    if(NOT EXISTS "${prefix}/lib/cmake/cyclops/${f}")
      message(FATAL_ERROR "${f} was not installed under ${prefix}/lib/cmake/cyclops")
    endif()
  endforeach()
  set(how -DCMAKE_PREFIX_PATH=${prefix})
  set(cyclops "${prefix}/bin/cyclops")
else()
  message(FATAL_ERROR "MODE='${MODE}': expected include or package")
endif()
set(configure ${CMAKE_COMMAND} -S "${src}" -G Ninja -DCMAKE_MAKE_PROGRAM=${NINJA} -DCMAKE_CXX_COMPILER=${CXX} ${how})

# Without compile_commands.json there is nothing for the facts steps to read.
execute_process(COMMAND ${configure} -B "${WORK_DIR}/no-database" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX REPLACE "[ \n]+" " " err "${err}")  # CMake wraps messages
if(rc EQUAL 0 OR NOT err MATCHES "set CMAKE_EXPORT_COMPILE_COMMANDS ON")
  message(FATAL_ERROR "configuring without CMAKE_EXPORT_COMPILE_COMMANDS: exit ${rc}, expected an error saying so:\n${err}")
endif()

step(${configure} -B "${build}" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
set(facts_targets shapes_cyclops_facts app_cyclops_facts)
step(${NINJA} -C "${build}" ${facts_targets})
set(facts "${build}/cyclops-facts")
foreach(f shapes/src/a.cpp shapes/src/b.cpp shapes/src/c.cpp app/app/main.cpp)
  foreach(ext .facts .facts.d)
    if(NOT EXISTS "${facts}/${f}${ext}")
      message(FATAL_ERROR "no ${facts}/${f}${ext}")
    endif()
  endforeach()
endforeach()

# The merge finds the cycle no translation unit sees alone, as the check target does.
execute_process(COMMAND "${cyclops}" check "--facts=${facts}" --format=json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT out MATCHES "\"rule\": \"cycle-type\"" OR NOT out MATCHES "shapes::Circle"
   OR NOT out MATCHES "shapes::Square" OR NOT err MATCHES "1 finding in 4 translation units")
  message(FATAL_ERROR "cyclops check --facts: exit ${rc}, expected 1 with the Circle/Square cycle:\n${out}\n${err}")
endif()
execute_process(COMMAND ${NINJA} -C "${build}" cyclops_check RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT out MATCHES "shapes::Circle")
  message(FATAL_ERROR "the cyclops_check target: exit ${rc}, expected a failure with the finding:\n${out}\n${err}")
endif()

# The facts steps a build would run now ("cyclops facts <target>: <source>", sorted).
function(pending out_var)
  execute_process(COMMAND ${NINJA} -C "${build}" -n ${facts_targets} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ninja -n failed (${rc}):\n${out}\n${err}")
  endif()
  string(REGEX MATCHALL "cyclops facts [^\n]*" steps "${out}")
  list(SORT steps)
  set(${out_var} "${steps}" PARENT_SCOPE)
endfunction()
function(expect_pending what)
  pending(steps)
  set(expected ${ARGN})
  list(SORT expected)
  if(NOT "${steps}" STREQUAL "${expected}")
    message(FATAL_ERROR "${what}: facts steps to run are [${steps}], expected [${expected}]")
  endif()
  message("facts_cmake: ${what}: [${steps}]")
  step(${NINJA} -C "${build}" ${facts_targets})
endfunction()

expect_pending("after a full build")
file(TOUCH "${src}/include/shapes/common.h")
expect_pending("common.h touched" "cyclops facts shapes: src/a.cpp" "cyclops facts shapes: src/b.cpp")
file(TOUCH "${src}/include/shapes/label.h")
expect_pending("label.h touched" "cyclops facts shapes: src/c.cpp" "cyclops facts app: app/main.cpp")
file(TOUCH "${src}/src/b.cpp")
expect_pending("b.cpp touched" "cyclops facts shapes: src/b.cpp")
step(${configure} -B "${build}")
expect_pending("reconfigured")
step(${configure} -B "${build}" -DSHAPES_EXTRA_DEFINITION=ON)
expect_pending("a definition added to shapes" "cyclops facts shapes: src/a.cpp" "cyclops facts shapes: src/b.cpp"
               "cyclops facts shapes: src/c.cpp")
message("facts_cmake: all steps as expected")
