# Runs one SQL test through the real sqlite3 shell with the extension
# loaded, and compares everything it prints (errors included, in order,
# without their line numbers) with the expected file.
#   cmake -DSQLITE3=... -DEXTENSION=... -DSCRIPT=x.sql -DEXPECTED=x.expected
#         -DWORKDIR=... [-DREQUIRE_DIR=dir] -P run_sql_test.cmake
if(DEFINED REQUIRE_DIR AND NOT IS_DIRECTORY "${REQUIRE_DIR}")
  message("SKIPPED: ${REQUIRE_DIR} is not here")   # CTest: SKIP_REGULAR_EXPRESSION
  return()
endif()
execute_process(
  COMMAND sh -c "\"${SQLITE3}\" -batch -cmd \".load ${EXTENSION}\" :memory: < \"${SCRIPT}\" 2>&1"
  WORKING_DIRECTORY "${WORKDIR}"
  OUTPUT_VARIABLE actual)
file(READ "${EXPECTED}" expected)
# The shell says where an error happened ("Runtime error near line 12:");
# a comment added above would move every later line, so the number is
# left out of the comparison.
string(REGEX REPLACE "(error) near line [0-9]+:" "\\1:" actual "${actual}")
string(REGEX REPLACE "(error) near line [0-9]+:" "\\1:" expected "${expected}")
if(NOT actual STREQUAL expected)
  get_filename_component(name "${SCRIPT}" NAME_WE)
  set(actual_file "${CMAKE_CURRENT_BINARY_DIR}/${name}.actual")
  file(WRITE "${actual_file}" "${actual}")
  execute_process(COMMAND diff -u "${EXPECTED}" "${actual_file}")
  message(FATAL_ERROR "${name}: output differs from ${EXPECTED} (actual in ${actual_file})")
endif()
