# Finds libhdf5's C library (Debian's libhdf5-dev: /usr/include/hdf5/serial/hdf5.h and
# libhdf5_serial, or a plain libhdf5 elsewhere), the container of Keras 3's weights files, and
# defines the imported target Hdf5C::hdf5. (CMake's own FindHDF5 needs the C language enabled,
# which tkeras and its consumers, C++ projects, need not.) Installed beside tkeras's package
# config, which uses it to find the library again for a consumer.
include(FindPackageHandleStandardArgs)
find_path(Hdf5C_INCLUDE_DIR NAMES hdf5.h PATH_SUFFIXES hdf5/serial hdf5)
find_library(Hdf5C_LIBRARY NAMES hdf5_serial hdf5 PATH_SUFFIXES hdf5/serial)
find_package_handle_standard_args(Hdf5C REQUIRED_VARS Hdf5C_LIBRARY Hdf5C_INCLUDE_DIR)
if(Hdf5C_FOUND AND NOT TARGET Hdf5C::hdf5)
  add_library(Hdf5C::hdf5 UNKNOWN IMPORTED)
  set_target_properties(Hdf5C::hdf5 PROPERTIES IMPORTED_LOCATION "${Hdf5C_LIBRARY}"
                                                INTERFACE_INCLUDE_DIRECTORIES "${Hdf5C_INCLUDE_DIR}")
endif()
mark_as_advanced(Hdf5C_INCLUDE_DIR Hdf5C_LIBRARY)
