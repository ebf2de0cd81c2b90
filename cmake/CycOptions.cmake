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

# The analyzer: LLVM/Clang 19.
set(CYC_BUILD_ANALYZER_EFFECTIVE OFF)
if(NOT CYC_ANALYZER STREQUAL "OFF")
  # Debian's ClangConfigVersion accepts only a 19.1.x request.
  find_package(Clang 19.1 CONFIG QUIET HINTS /usr/lib/llvm-19/lib/cmake/clang)
  if(Clang_FOUND AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/analyzer/CMakeLists.txt")
    set(CYC_BUILD_ANALYZER_EFFECTIVE ON)
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
