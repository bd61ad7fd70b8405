# The web panel (panel/, docs/building.md "The web panel"): npm builds one management.html at build
# time, cmake/panel-embed.mjs makes its gzip and brotli variants and CSP hashes, and a generated
# source puts the three byte blobs into cpamd_api with .incbin.
#
# cpamd_panel_asset_source(<var>) sets <var> to the source that defines the built-in panel: the
# generated one, or libs/api/src/panel_asset_none.cpp when the panel is not built. It must be called
# where the target that compiles <var> is defined (custom command outputs are per directory).
# Sets the global property CPAMD_PANEL_EMBEDDED so the tests know which page to expect, and
# CPAMD_PANEL_WORK_DIR to the copy of panel/ (with node_modules) the panel's own tests run in.

set(CPAMD_PANEL_DIR "${PROJECT_SOURCE_DIR}/panel" CACHE PATH "The web panel's sources (a package.json whose build script takes --outDir)")
mark_as_advanced(CPAMD_PANEL_DIR)

function(_cpamd_require_node)
    set(how "Install Node.js 18 or newer and npm (scripts/deps does; on Debian: apt-get install nodejs npm), or \
configure with -DCPAMD_PANEL=OFF to build cpamd without its web panel (it then serves a short page saying so).")
    find_program(CPAMD_NODE node)
    find_program(CPAMD_NPM npm)
    if(NOT CPAMD_NODE OR NOT CPAMD_NPM)
        message(FATAL_ERROR "CPAMD_PANEL is ON but node or npm is not on PATH. ${how}")
    endif()
    execute_process(
        COMMAND "${CPAMD_NODE}" --version
        OUTPUT_VARIABLE version
        OUTPUT_STRIP_TRAILING_WHITESPACE
    )
    string(REGEX REPLACE "^v" "" version "${version}")
    if(version VERSION_LESS 18)
        message(FATAL_ERROR "CPAMD_PANEL is ON but ${CPAMD_NODE} is Node.js ${version}. ${how}")
    endif()
    message(STATUS "Web panel: built with Node.js ${version} (${CPAMD_NODE})")
endfunction()

# What the panel build reads, relative to panel/: every top-level file and everything under the
# top-level directories, except installed packages and outputs. The browser tests come along so
# that they run from the copy, with its node_modules (test/CMakeLists.txt).
function(_cpamd_panel_inputs out_var)
    file(GLOB entries LIST_DIRECTORIES true CONFIGURE_DEPENDS RELATIVE "${CPAMD_PANEL_DIR}" "${CPAMD_PANEL_DIR}/*")
    set(files "")
    foreach(entry IN LISTS entries)
        if(NOT IS_DIRECTORY "${CPAMD_PANEL_DIR}/${entry}")
            list(APPEND files "${entry}")
        elseif(NOT entry MATCHES "^(node_modules|dist|test-output|test-results|playwright-report|coverage|\\..*)$")
            file(GLOB_RECURSE below CONFIGURE_DEPENDS RELATIVE "${CPAMD_PANEL_DIR}" "${CPAMD_PANEL_DIR}/${entry}/*")
            list(APPEND files ${below})
        endif()
    endforeach()
    list(SORT files)
    set(${out_var} "${files}" PARENT_SCOPE)
endfunction()

function(cpamd_panel_asset_source out_var)
    set_property(GLOBAL PROPERTY CPAMD_PANEL_EMBEDDED OFF)
    set(${out_var} "${CMAKE_CURRENT_SOURCE_DIR}/src/panel_asset_none.cpp" PARENT_SCOPE)
    if(NOT CPAMD_PANEL)
        message(STATUS "Web panel: not built (CPAMD_PANEL=OFF)")
        return()
    endif()
    if(NOT EXISTS "${CPAMD_PANEL_DIR}/package-lock.json")
        message(WARNING "Web panel: ${CPAMD_PANEL_DIR}/package-lock.json is missing; building without the panel")
        return()
    endif()
    _cpamd_require_node()
    _cpamd_panel_inputs(inputs)

    # npm works in a copy of panel/ in the build tree, so build directories never share (or wipe)
    # one node_modules, and a developer's own `npm install` in panel/ is left alone.
    set(work "${CMAKE_BINARY_DIR}/panel-work")
    set(html "${CMAKE_BINARY_DIR}/panel/management.html")
    set(embed "${CMAKE_BINARY_DIR}/panel-embed")
    set(installed "${work}/node_modules/.cpamd-npm-ci.stamp") # gone with node_modules
    set(staged "${CMAKE_CURRENT_BINARY_DIR}/panel-staged.stamp")
    set(file_list "${CMAKE_CURRENT_BINARY_DIR}/panel-files.txt")
    file(MAKE_DIRECTORY "${work}")
    list(JOIN inputs "\n" listed)
    file(CONFIGURE OUTPUT "${file_list}" CONTENT "${listed}\n" @ONLY) # rewritten only when it changes
    list(TRANSFORM inputs PREPEND "${CPAMD_PANEL_DIR}/")

    add_custom_command(
        OUTPUT "${installed}"
        COMMAND "${CMAKE_COMMAND}" -E copy "${CPAMD_PANEL_DIR}/package.json" "${CPAMD_PANEL_DIR}/package-lock.json" .
        COMMAND "${CPAMD_NPM}" ci --no-audit --no-fund
        COMMAND "${CMAKE_COMMAND}" -E touch "${installed}"
        DEPENDS "${CPAMD_PANEL_DIR}/package.json" "${CPAMD_PANEL_DIR}/package-lock.json"
        WORKING_DIRECTORY "${work}"
        COMMENT "Web panel: npm ci"
        USES_TERMINAL
        VERBATIM
    )
    # After npm ci, never beside it: staging replaces package.json too.
    add_custom_command(
        OUTPUT "${staged}"
        COMMAND "${CMAKE_COMMAND}" "-DSOURCE=${CPAMD_PANEL_DIR}" "-DWORK=${work}" "-DFILE_LIST=${file_list}"
                "-DSTAMP=${staged}" -P "${PROJECT_SOURCE_DIR}/cmake/panel-stage.cmake"
        DEPENDS ${inputs} "${file_list}" "${installed}" "${PROJECT_SOURCE_DIR}/cmake/panel-stage.cmake"
        COMMENT "Web panel: copying panel/ into the build tree"
        VERBATIM
    )
    # Its own build prints the raw and gzipped size and fails above the budget.
    add_custom_command(
        OUTPUT "${html}"
        COMMAND "${CPAMD_NPM}" run --silent build -- --outDir "${CMAKE_BINARY_DIR}/panel" --emptyOutDir
        DEPENDS "${staged}" "${installed}"
        WORKING_DIRECTORY "${work}"
        COMMENT "Web panel: building management.html"
        USES_TERMINAL
        VERBATIM
    )
    set(blobs "${html}" "${embed}/management.html.gz" "${embed}/management.html.br")
    add_custom_command(
        OUTPUT "${embed}/panel_asset.cpp" "${embed}/management.html.gz" "${embed}/management.html.br"
        COMMAND "${CPAMD_NODE}" "${PROJECT_SOURCE_DIR}/cmake/panel-embed.mjs" "${html}" "${embed}"
        DEPENDS "${html}" "${PROJECT_SOURCE_DIR}/cmake/panel-embed.mjs"
        COMMENT "Web panel: gzip and brotli variants, ETag and CSP hashes"
        VERBATIM
    )
    # .incbin reads the blobs while assembling: the compiler's depfile does not list them.
    set_source_files_properties(
        "${embed}/panel_asset.cpp" PROPERTIES OBJECT_DEPENDS "${blobs}" INCLUDE_DIRECTORIES
                                                                        "${CMAKE_CURRENT_SOURCE_DIR}/src"
    )
    set_property(GLOBAL PROPERTY CPAMD_PANEL_EMBEDDED ON)
    set_property(GLOBAL PROPERTY CPAMD_PANEL_WORK_DIR "${work}")
    set(${out_var} "${embed}/panel_asset.cpp" PARENT_SCOPE)
endfunction()
