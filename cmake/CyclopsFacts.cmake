# CyclopsFacts.cmake - cyclops's whole-program analysis as build steps, for projects too big to
# parse in one `cyclops check -p` run: one `cyclops facts` step per C/C++ source (run in
# parallel, or distributed, like compile steps, and re-run by Ninja or Make only when the
# source, a header it includes, its target's flags, the rules or cyclops change), and a check
# that merges their files.
#
#   find_package(cyclops CONFIG REQUIRED)       # installed cyclops: cyclops::cyclops
#   # or: include(<cyclops source>/cmake/CyclopsFacts.cmake) with -DCYCLOPS_EXECUTABLE=...
#   set(CMAKE_EXPORT_COMPILE_COMMANDS ON)       # before the targets; the facts steps read it
#   add_library(model ...)
#   cyclops_add_facts(model)                    # after the target's sources are all added
#   cyclops_add_check(NAME cyclops_check DEPENDS model)
#
# cyclops_add_facts(<target> [OUTPUT_DIR <dir>] [CYCLOPS <exe>] [RULES <file>] [ALL])
#
#   For each C or C++ source of <target> (header-only sources and generator expressions
#   skipped), a custom command writing
#     <dir>/<target>/<path of the source relative to the target's source directory>.facts
#   (sources elsewhere: under _binary/ when in the target's binary directory, else _abs/ and
#   their absolute path) by running
#     cyclops facts -p ${CMAKE_BINARY_DIR} <source> -o <out> --depfile <out>.d [--rules=<file>]
#   The depfile names every file the translation unit read, so a build re-runs exactly the
#   steps whose inputs changed. The steps also depend on a file holding <target>'s compile
#   definitions, include directories, options and features (written only when those change),
#   on the rules file and on the cyclops executable.
#   <target>_cyclops_facts, a custom target (in ALL with ALL), depends on the facts; it is
#   built after <target>, so that headers the target generates exist.
#   <dir> defaults to ${CMAKE_BINARY_DIR}/cyclops-facts. Needs CMAKE_EXPORT_COMPILE_COMMANDS ON
#   and a Ninja or Makefile generator (CMake >= 3.20, for DEPFILE with Makefiles).
#
# cyclops_add_check(NAME <name> [FACTS_DIR <dir>] [DEPENDS <targets>...] [CYCLOPS <exe>]
#                   [RULES <file>] [ARGS <args>...] [ALL])
#
#   A custom target running `cyclops check --facts=<dir> [--rules=<file>] <args>...` once the
#   facts of each DEPENDS target (one given to cyclops_add_facts) are built. It merges every
#   facts file under <dir>: use one directory per program. FACTS_DIR and RULES default to those
#   of the first DEPENDS target. Building it fails when cyclops exits non-zero (findings at or
#   above --fail-on, or bad input).
#
# The cyclops executable, in order: the CYCLOPS argument; the CYCLOPS_EXECUTABLE cache
# variable when set; the imported target cyclops::cyclops (find_package(cyclops)); the target
# `cyclops` of this build (cyclops's own source tree); `cyclops` on PATH (find_program).
#
# Facts files of sources no longer in the build stay in <dir> and are merged: `ninja -t
# cleandead` or a fresh directory removes them.

if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "CyclopsFacts.cmake needs CMake 3.20 or newer (DEPFILE for custom commands), "
                      "this is ${CMAKE_VERSION}")
endif()
include_guard(GLOBAL)

# Functions run with the policies of their definition: the facts steps need Ninja to read
# their depfiles relative to the build directory.
cmake_policy(PUSH)
cmake_policy(SET CMP0116 NEW)

# Sets <out_command> to what runs cyclops, <out_depends> to what the steps depend on for it.
function(_cyclops_executable explicit out_command out_depends)
  if(explicit)
    set(exe "${explicit}")
  elseif(CYCLOPS_EXECUTABLE)
    set(exe "${CYCLOPS_EXECUTABLE}")
  elseif(TARGET cyclops::cyclops)
    set(${out_command} "$<TARGET_FILE:cyclops::cyclops>" PARENT_SCOPE)
    set(${out_depends} "$<TARGET_FILE:cyclops::cyclops>" PARENT_SCOPE)
    return()
  elseif(TARGET cyclops)
    get_target_property(type cyclops TYPE)
    if(type STREQUAL "EXECUTABLE")
      set(${out_command} "$<TARGET_FILE:cyclops>" PARENT_SCOPE)
      set(${out_depends} cyclops PARENT_SCOPE)
      return()
    endif()
  endif()
  if(NOT exe)
    find_program(CYCLOPS_EXECUTABLE cyclops DOC "The cyclops executable for cyclops_add_facts")
    if(NOT CYCLOPS_EXECUTABLE)
      message(FATAL_ERROR "cyclops_add_facts: no cyclops executable: pass CYCLOPS <exe>, set "
                          "CYCLOPS_EXECUTABLE, use find_package(cyclops) or put cyclops on PATH")
    endif()
    set(exe "${CYCLOPS_EXECUTABLE}")
  endif()
  if(NOT IS_ABSOLUTE "${exe}")
    find_program(_cyclops_found "${exe}" NO_CACHE)
    if(NOT _cyclops_found)
      message(FATAL_ERROR "cyclops_add_facts: cyclops executable '${exe}' not found")
    endif()
    set(exe "${_cyclops_found}")
  endif()
  set(${out_command} "${exe}" PARENT_SCOPE)
  set(${out_depends} "${exe}" PARENT_SCOPE)
endfunction()

# Sets <out_dir> to the facts directory (<dir>, else <build>/cyclops-facts; relative to the
# current binary directory) and <out_rules> to the rules file (<rules>, relative to the current
# source directory; "" for the built-in rules), both absolute, and <out_rules_args> to the
# cyclops option that passes the rules file ("" when none).
function(_cyclops_facts_paths dir rules out_dir out_rules out_rules_args)
  if(NOT dir)
    set(dir "${CMAKE_BINARY_DIR}/cyclops-facts")
  endif()
  cmake_path(ABSOLUTE_PATH dir BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" NORMALIZE)
  set(rules_args "")
  if(rules)
    cmake_path(ABSOLUTE_PATH rules BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    set(rules_args "--rules=${rules}")
  endif()
  set(${out_dir} "${dir}" PARENT_SCOPE)
  set(${out_rules} "${rules}" PARENT_SCOPE)
  set(${out_rules_args} "${rules_args}" PARENT_SCOPE)
endfunction()

function(cyclops_add_facts target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "ALL" "OUTPUT_DIR;CYCLOPS;RULES" "")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "cyclops_add_facts(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "cyclops_add_facts: '${target}' is not a target")
  endif()
  if(NOT CMAKE_EXPORT_COMPILE_COMMANDS)
    message(FATAL_ERROR "cyclops_add_facts(${target}): the facts steps read compile_commands.json: "
                        "set CMAKE_EXPORT_COMPILE_COMMANDS ON (before the targets are defined)")
  endif()
  if(NOT CMAKE_GENERATOR MATCHES "Ninja|Makefiles")
    message(FATAL_ERROR "cyclops_add_facts(${target}): needs a Ninja or Makefile generator "
                        "(compile_commands.json and depfiles), not '${CMAKE_GENERATOR}'")
  endif()
  if(TARGET ${target}_cyclops_facts)
    message(FATAL_ERROR "cyclops_add_facts(${target}): called twice for the target")
  endif()
  _cyclops_facts_paths("${ARG_OUTPUT_DIR}" "${ARG_RULES}" dir rules rules_args)
  _cyclops_executable("${ARG_CYCLOPS}" exe exe_depends)

  # What the compile commands of the target's sources say, beyond the sources: a change of a
  # definition or an include directory changes the facts. file(GENERATE) rewrites it only
  # when it differs.
  set(flags "${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${target}_cyclops_facts.dir/flags-$<CONFIG>.txt")
  set(tp "$<TARGET_PROPERTY:${target},")
  file(GENERATE OUTPUT "${flags}" CONTENT
"definitions: ${tp}COMPILE_DEFINITIONS>
include directories: ${tp}INCLUDE_DIRECTORIES>
options: ${tp}COMPILE_OPTIONS>
features: ${tp}COMPILE_FEATURES>
standards: ${tp}C_STANDARD> ${tp}CXX_STANDARD> ${tp}CXX_EXTENSIONS>
flags: ${CMAKE_C_FLAGS} ${CMAKE_CXX_FLAGS} $<$<CONFIG:Debug>:${CMAKE_CXX_FLAGS_DEBUG}>$<$<CONFIG:Release>:${CMAKE_CXX_FLAGS_RELEASE}>$<$<CONFIG:RelWithDebInfo>:${CMAKE_CXX_FLAGS_RELWITHDEBINFO}>$<$<CONFIG:MinSizeRel>:${CMAKE_CXX_FLAGS_MINSIZEREL}>
")

  get_target_property(source_dir ${target} SOURCE_DIR)
  get_target_property(binary_dir ${target} BINARY_DIR)
  get_target_property(sources ${target} SOURCES)
  if(NOT sources)
    set(sources "")
  endif()
  set(outputs "")
  foreach(src IN LISTS sources)
    if(src MATCHES "\\$<")
      continue()  # $<TARGET_OBJECTS:...> and the like: not a source of this target's own
    endif()
    get_source_file_property(header_only "${src}" TARGET_DIRECTORY ${target} HEADER_FILE_ONLY)
    get_source_file_property(language "${src}" TARGET_DIRECTORY ${target} LANGUAGE)
    get_source_file_property(generated "${src}" TARGET_DIRECTORY ${target} GENERATED)
    if(header_only)
      continue()
    endif()
    cmake_path(GET src EXTENSION LAST_ONLY ext)
    string(REGEX REPLACE "^\\." "" ext "${ext}")
    if(NOT language MATCHES "^(C|CXX)$")
      if(language OR NOT (ext IN_LIST CMAKE_CXX_SOURCE_FILE_EXTENSIONS OR ext IN_LIST CMAKE_C_SOURCE_FILE_EXTENSIONS))
        continue()
      endif()
    endif()
    set(path "${src}")
    if(NOT IS_ABSOLUTE "${path}")
      if(generated AND NOT EXISTS "${source_dir}/${path}")
        set(path "${binary_dir}/${path}")
      else()
        set(path "${source_dir}/${path}")
      endif()
    endif()
    cmake_path(NORMAL_PATH path)
    # A build directory is often inside the source directory: a path in both is a generated
    # source, unless the source directory is the build directory (an in-source build).
    cmake_path(IS_PREFIX source_dir "${path}" NORMALIZE in_source)
    cmake_path(IS_PREFIX binary_dir "${path}" NORMALIZE in_binary)
    cmake_path(IS_PREFIX binary_dir "${source_dir}" NORMALIZE source_in_binary)
    if(in_binary AND NOT (in_source AND source_in_binary))
      cmake_path(RELATIVE_PATH path BASE_DIRECTORY "${binary_dir}" OUTPUT_VARIABLE rel)
      set(rel "_binary/${rel}")
    elseif(in_source)
      cmake_path(RELATIVE_PATH path BASE_DIRECTORY "${source_dir}" OUTPUT_VARIABLE rel)
    else()
      string(REGEX REPLACE "^/+|:" "" rel "${path}")
      set(rel "_abs/${rel}")
    endif()
    set(out "${dir}/${target}/${rel}.facts")
    add_custom_command(OUTPUT "${out}"
      COMMAND ${exe} facts -p "${CMAKE_BINARY_DIR}" "${path}" -o "${out}" --depfile "${out}.d" ${rules_args}
      DEPENDS "${path}" "${flags}" ${exe_depends} ${rules}
      DEPFILE "${out}.d"
      COMMENT "cyclops facts ${target}: ${rel}"
      VERBATIM)
    list(APPEND outputs "${out}")
  endforeach()
  if(NOT outputs)
    message(WARNING "cyclops_add_facts(${target}): the target has no C or C++ sources")
  endif()

  set(all "")
  if(ARG_ALL)
    set(all ALL)
  endif()
  add_custom_target(${target}_cyclops_facts ${all} DEPENDS ${outputs})
  add_dependencies(${target}_cyclops_facts ${target})
  set_target_properties(${target}_cyclops_facts PROPERTIES
    CYCLOPS_FACTS_DIR "${dir}" CYCLOPS_RULES "${rules}" CYCLOPS_EXECUTABLE_ARG "${ARG_CYCLOPS}")
endfunction()

function(cyclops_add_check)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "ALL" "NAME;FACTS_DIR;CYCLOPS;RULES" "DEPENDS;ARGS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "cyclops_add_check: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_NAME)
    message(FATAL_ERROR "cyclops_add_check: NAME <name> is required")
  endif()
  set(facts_targets "")
  foreach(t IN LISTS ARG_DEPENDS)
    if(NOT TARGET ${t}_cyclops_facts)
      message(FATAL_ERROR "cyclops_add_check(${ARG_NAME}): '${t}' has no facts: call cyclops_add_facts(${t}) first")
    endif()
    list(APPEND facts_targets ${t}_cyclops_facts)
  endforeach()
  # What the facts were written with, unless said otherwise.
  if(facts_targets)
    list(GET facts_targets 0 first)
    foreach(what FACTS_DIR RULES)
      if(NOT ARG_${what})
        get_target_property(ARG_${what} ${first} CYCLOPS_${what})
      endif()
    endforeach()
    if(NOT ARG_CYCLOPS)
      get_target_property(ARG_CYCLOPS ${first} CYCLOPS_EXECUTABLE_ARG)
    endif()
  endif()
  _cyclops_facts_paths("${ARG_FACTS_DIR}" "${ARG_RULES}" dir rules rules_args)
  _cyclops_executable("${ARG_CYCLOPS}" exe exe_depends)
  set(all "")
  if(ARG_ALL)
    set(all ALL)
  endif()
  add_custom_target(${ARG_NAME} ${all}
    COMMAND ${exe} check "--facts=${dir}" ${rules_args} ${ARG_ARGS}
    COMMENT "cyclops check --facts=${dir}"
    VERBATIM USES_TERMINAL)
  if(facts_targets)
    add_dependencies(${ARG_NAME} ${facts_targets})
  endif()
  if(TARGET cyclops AND exe_depends STREQUAL "cyclops")
    add_dependencies(${ARG_NAME} cyclops)
  endif()
endfunction()

cmake_policy(POP)
