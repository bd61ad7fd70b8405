# cmake -DSOURCE=<panel/> -DWORK=<copy> -DFILE_LIST=<file> -DSTAMP=<file> -P panel-stage.cmake
# Makes WORK hold exactly the files FILE_LIST names (paths relative to SOURCE), plus the
# node_modules npm ci put there. Everything else is removed first, so a file deleted from panel/
# cannot linger in the build.

file(STRINGS "${FILE_LIST}" files)
file(GLOB old LIST_DIRECTORIES true RELATIVE "${WORK}" "${WORK}/*")
foreach(entry IN LISTS old)
    if(NOT entry STREQUAL "node_modules")
        file(REMOVE_RECURSE "${WORK}/${entry}")
    endif()
endforeach()
foreach(file IN LISTS files)
    get_filename_component(dir "${file}" DIRECTORY)
    file(COPY "${SOURCE}/${file}" DESTINATION "${WORK}/${dir}")
endforeach()
file(TOUCH "${STAMP}")
