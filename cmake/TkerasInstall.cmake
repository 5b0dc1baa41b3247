# Installs tkeras::tkeras with a config and version file, so that find_package(tkeras) works.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TKERAS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tkeras CACHE STRING "Where tkeras's CMake package files go")

install(TARGETS tkeras EXPORT tkerasTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/tkeras DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/lib/include/tkeras/core/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tkeras/core)
install(FILES ${PROJECT_BINARY_DIR}/lib/include/tkeras/tkeras.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tkeras)
install(EXPORT tkerasTargets NAMESPACE tkeras:: DESTINATION ${TKERAS_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tkerasConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tkerasConfig.cmake INSTALL_DESTINATION ${TKERAS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tkerasConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tkerasConfig.cmake ${PROJECT_BINARY_DIR}/tkerasConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindStb.cmake ${PROJECT_SOURCE_DIR}/cmake/FindCsv.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindHdf5C.cmake ${PROJECT_SOURCE_DIR}/cmake/FindLibzip.cmake DESTINATION ${TKERAS_CMAKE_DIR})
