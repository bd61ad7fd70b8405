# Helpers that give every part the same shape (see docs/building.md).

# cpamd_add_library(<part> SOURCES ... [DEPS ...])
# A static library cpamd_<part> with alias cpamd::<part>; public headers live in
# libs/<part>/include/cpamd/<part>/.
function(cpamd_add_library part)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(cpamd_${part} STATIC ${ARG_SOURCES})
    add_library(cpamd::${part} ALIAS cpamd_${part})
    target_include_directories(cpamd_${part} PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}/include")
    target_link_libraries(cpamd_${part} PUBLIC cpamd_options ${ARG_DEPS} PRIVATE cpamd_warnings)
endfunction()

# cpamd_add_collector(<name> SOURCES ... [DEPS ...])
# A collector transport as a MODULE in lib/cpamd/plugins, hidden visibility so only the
# extern "C" entry point is exported.
function(cpamd_add_collector name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(${name} MODULE ${ARG_SOURCES})
    set_target_properties(
        ${name}
        PROPERTIES PREFIX ""
                   CXX_VISIBILITY_PRESET hidden
                   VISIBILITY_INLINES_HIDDEN ON
                   LIBRARY_OUTPUT_DIRECTORY "${CPAMD_PLUGIN_OUTPUT_DIR}"
    )
    target_link_libraries(${name} PRIVATE cpamd::collector_api cpamd_options cpamd_warnings ${ARG_DEPS})
endfunction()

# cpamd_add_test(<name> LABEL unit|integration SOURCES ... [DEPS ...])
# One Catch2 executable per suite, registered with ctest as a single test with a label.
function(cpamd_add_test name)
    cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Catch2::Catch2WithMain cpamd_options cpamd_warnings ${ARG_DEPS})
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/test-bin")
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# Adds every immediate subdirectory of the current source dir that has a CMakeLists.txt, so
# new parts need no edit here (and parallel work does not collide on one file).
# CPAMD_SKIP_SUBDIRS (a list of directory names) leaves some out: a developer aid for building one
# part while another is half-written.
set(CPAMD_SKIP_SUBDIRS "" CACHE STRING "Subdirectory names to leave out of the build")
macro(cpamd_add_all_subdirectories)
    file(GLOB _cpamd_children LIST_DIRECTORIES true "${CMAKE_CURRENT_SOURCE_DIR}/*")
    list(SORT _cpamd_children)
    foreach(_child IN LISTS _cpamd_children)
        get_filename_component(_name "${_child}" NAME)
        if(IS_DIRECTORY "${_child}" AND EXISTS "${_child}/CMakeLists.txt" AND NOT _name IN_LIST CPAMD_SKIP_SUBDIRS)
            add_subdirectory("${_child}")
        endif()
    endforeach()
endmacro()

# cpamd_add_fuzz_replay(<name> FUZZ <fuzz/<file>.cpp> SOURCES ... DEPS ...)
# A libFuzzer entry point built with the normal compiler into a unit-labelled Catch2 test that
# replays the seed corpus in ./corpus (FUZZ_CORPUS_DIR) plus deterministic mutations, so
# `scripts/test` exercises it without clang.
function(cpamd_add_fuzz_replay name)
    cmake_parse_arguments(ARG "" "FUZZ" "SOURCES;DEPS" ${ARGN})
    cpamd_add_test(
        ${name}
        LABEL unit
        SOURCES ${ARG_SOURCES} "${PROJECT_SOURCE_DIR}/fuzz/${ARG_FUZZ}"
        DEPS ${ARG_DEPS} cpamd::test_support
    )
    target_compile_definitions(${name} PRIVATE FUZZ_CORPUS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/corpus")
endfunction()
