# bulletin_npm_ci(SOURCE_DIR BINARY_DIR): installs the npm packages pinned
# by SOURCE_DIR/package.json and package-lock.json into
# BINARY_DIR/node_modules with `npm ci`, at configure time, so node_modules
# never enters the source tree. Reinstalls when the lock file changes (the
# copies made here rerun CMake when either file is edited); does nothing
# when what is installed matches the lock.

function(bulletin_npm_ci source_dir binary_dir)
  configure_file("${source_dir}/package.json" "${binary_dir}/package.json"
                 COPYONLY)
  configure_file("${source_dir}/package-lock.json"
                 "${binary_dir}/package-lock.json" COPYONLY)
  file(READ "${binary_dir}/package-lock.json" wanted_lock)
  set(installed_lock "")
  if(EXISTS "${binary_dir}/installed-lock.json")
    file(READ "${binary_dir}/installed-lock.json" installed_lock)
  endif()
  if(wanted_lock STREQUAL installed_lock AND
     EXISTS "${binary_dir}/node_modules")
    return()
  endif()
  find_program(NPM_EXECUTABLE npm)
  if(NOT NPM_EXECUTABLE)
    message(FATAL_ERROR "npm not found: it installs the packages pinned in "
            "${source_dir} (scripts/install-deps.sh installs npm)")
  endif()
  message(STATUS "npm ci in ${binary_dir}")
  execute_process(
    COMMAND "${NPM_EXECUTABLE}" ci --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY "${binary_dir}"
    RESULT_VARIABLE npm_result)
  if(NOT npm_result EQUAL 0)
    message(FATAL_ERROR "npm ci in ${binary_dir} failed (${npm_result})")
  endif()
  file(COPY_FILE "${binary_dir}/package-lock.json"
       "${binary_dir}/installed-lock.json")
endfunction()

# Script mode, for scripts that need the packages without a build tree:
#   cmake -DSOURCE_DIR=proto/tools -DBINARY_DIR=build-protos/tools \
#         -P cmake/npm_ci.cmake
if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  bulletin_npm_ci("${SOURCE_DIR}" "${BINARY_DIR}")
endif()
