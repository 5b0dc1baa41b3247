# Makes a consumer project in DEST from the route's CMakeLists.txt (tests/consumers/ROUTE) and the
# README's quickstart as its main.cpp; for add_subdirectory, a link `tkeras` to the checkout.
# cmake -DROUTE=... -DSOURCE_DIR=<tkeras checkout> -DDEST=<folder> -P stage.cmake
file(REMOVE_RECURSE "${DEST}")
file(MAKE_DIRECTORY "${DEST}")
file(COPY_FILE "${SOURCE_DIR}/tests/consumers/${ROUTE}/CMakeLists.txt" "${DEST}/CMakeLists.txt")
file(COPY_FILE "${SOURCE_DIR}/examples/quickstart.cpp" "${DEST}/main.cpp")
if(ROUTE STREQUAL "add-subdirectory")
  file(CREATE_LINK "${SOURCE_DIR}" "${DEST}/tkeras" SYMBOLIC)
endif()
