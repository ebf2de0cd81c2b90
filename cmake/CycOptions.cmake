# Compiler flags, sanitizers and the automatic switches for optional parts.

add_library(cyc_warnings INTERFACE)
target_compile_options(cyc_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(CYC_WERROR)
  target_compile_options(cyc_warnings INTERFACE -Werror)
endif()

if(CYC_SANITIZE)
  if(NOT CYC_SANITIZE MATCHES "^(address,undefined|address|undefined|thread)$")
    message(FATAL_ERROR "CYC_SANITIZE='${CYC_SANITIZE}': expected address,undefined or thread")
  endif()
  add_compile_options(-fsanitize=${CYC_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${CYC_SANITIZE})
  # Sanitizer builds are for the runtime and its tests only.
  set(CYC_ANALYZER OFF)
  set(CYC_CUDA OFF)
endif()

# Fuzzing (tests/fuzz/): libFuzzer with AddressSanitizer + UndefinedBehaviorSanitizer. Everything
# this build compiles gets the coverage instrumentation libFuzzer steers by; only the fuzz
# targets link libFuzzer itself (its main).
if(CYC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CYC_FUZZ=ON needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: "
                        "configure with -DCMAKE_CXX_COMPILER=clang++-19, or use `cmake --preset fuzz`")
  endif()
  if(CYC_SANITIZE)
    message(FATAL_ERROR "CYC_FUZZ=ON chooses its own sanitizers: leave CYC_SANITIZE empty")
  endif()
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer,address,undefined")
  set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=fuzzer,address,undefined")
  check_cxx_source_compiles([[
    #include <cstddef>
    #include <cstdint>
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }]] CYC_HAVE_LIBFUZZER)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT CYC_HAVE_LIBFUZZER)
    message(FATAL_ERROR "CYC_FUZZ=ON: ${CMAKE_CXX_COMPILER} cannot link -fsanitize=fuzzer,address,undefined; "
                        "its runtime libraries are missing (Debian: libclang-rt-19-dev; run scripts/setup)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  set(CYC_ANALYZER ON)  # the parsers under test are the analyzer's
  set(CYC_CUDA OFF)
endif()

# The analyzer: LLVM/Clang 19.
set(CYC_BUILD_ANALYZER_EFFECTIVE OFF)
if(NOT CYC_ANALYZER STREQUAL "OFF")
  # Debian's ClangConfigVersion accepts only a 19.1.x request.
  find_package(Clang 19.1 CONFIG QUIET HINTS /usr/lib/llvm-19/lib/cmake/clang)
  if(Clang_FOUND AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/analyzer/CMakeLists.txt")
    set(CYC_BUILD_ANALYZER_EFFECTIVE ON)
  elseif(CYC_FUZZ)
    message(FATAL_ERROR "CYC_FUZZ=ON fuzzes the analyzer, but LLVM/Clang 19 was not found (run scripts/setup)")
  elseif(CYC_ANALYZER STREQUAL "ON")
    message(FATAL_ERROR "CYC_ANALYZER=ON but LLVM/Clang 19 was not found (run scripts/setup)")
  endif()
endif()

# The CUDA backend: the CUDA Toolkit (a GPU is not needed to build).
set(CYC_CUDA_EFFECTIVE OFF)
if(NOT CYC_CUDA STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  if(CUDAToolkit_FOUND)
    set(CYC_CUDA_EFFECTIVE ON)
  elseif(CYC_CUDA STREQUAL "ON")
    message(FATAL_ERROR "CYC_CUDA=ON but the CUDA Toolkit was not found")
  endif()
endif()
