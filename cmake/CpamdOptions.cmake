# Project-wide options and two INTERFACE targets every cpamd target links:
#   cpamd_options  - language level, sanitizers, shared definitions
#   cpamd_warnings - the warning set (kept clean: -Werror in CI presets)

option(CPAMD_BUILD_TESTS "Build unit and integration tests" ON)
option(CPAMD_BUILD_BENCH "Build benchmarks under bench/" OFF)
option(CPAMD_BUILD_FUZZ "Build libFuzzer targets (needs clang)" OFF)
option(CPAMD_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(CPAMD_WERROR "Treat warnings as errors" OFF)
option(CPAMD_MIMALLOC "Link the daemon and the benchmarks with mimalloc (Debian's libmimalloc)" ON)
option(CPAMD_PANEL "Build the web panel in panel/ (needs Node.js 18+ and npm) and embed it in cpamd" ON)

set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    # Cache keys use paths relative to the source tree, so a fresh clone elsewhere (CI) reuses
    # what any other checkout on the machine already compiled.
    set(CMAKE_CXX_COMPILER_LAUNCHER
        "${CMAKE_COMMAND};-E;env;CCACHE_BASEDIR=${PROJECT_SOURCE_DIR};CCACHE_NOHASHDIR=true;${CCACHE_PROGRAM}"
    )
endif()

add_library(cpamd_options INTERFACE)
target_compile_features(cpamd_options INTERFACE cxx_std_20)
target_compile_definitions(
    cpamd_options
    INTERFACE BOOST_ASIO_NO_DEPRECATED CPAMD_VERSION="${PROJECT_VERSION}"
)
if(CPAMD_SANITIZE)
    target_compile_options(cpamd_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                   -fno-sanitize-recover=undefined)
    target_link_options(cpamd_options INTERFACE -fsanitize=address,undefined)
endif()
if(CPAMD_BUILD_FUZZ)
    # Coverage in the libraries too, or libFuzzer sees only the harness and mutates blind.
    # UB stops the run like a crash does, so the smoke test fails on it.
    target_compile_options(cpamd_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                   -fno-sanitize-recover=undefined)
    target_link_options(cpamd_options INTERFACE -fsanitize=address,undefined)
endif()

add_library(cpamd_warnings INTERFACE)
# Designated initializers leave fields out on purpose, which -Wextra would flag.
target_compile_options(cpamd_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 at -O2 wrongly reports Asio's coroutine frame allocator (aligned new, sized delete)
    # as mismatched; the ASan build still catches real mismatches.
    target_compile_options(cpamd_warnings INTERFACE -Wno-mismatched-new-delete)
endif()
if(CPAMD_WERROR)
    target_compile_options(cpamd_warnings INTERFACE -Werror)
endif()

# mimalloc replaces malloc process-wide once linked: the daemon allocates many small, short-lived
# objects per request and per event (coroutine frames, header fields, parsed records), where it
# measured 15-25 % faster than glibc's allocator (docs/benchmarks.md). Sanitizer and fuzz builds
# keep their own interposed allocator.
add_library(cpamd_allocator INTERFACE)
if(CPAMD_MIMALLOC AND NOT CPAMD_SANITIZE AND NOT CPAMD_BUILD_FUZZ)
    find_library(CPAMD_MIMALLOC_LIBRARY NAMES mimalloc REQUIRED)
    target_link_libraries(cpamd_allocator INTERFACE ${CPAMD_MIMALLOC_LIBRARY})
endif()
