# Finds libzip (Debian's libzip-dev: zip.h and libzip), the container of Keras 3's model files
# (.keras), and defines the imported target Libzip::zip. (Debian's own libzip-config.cmake also
# imports zipcmp, zipmerge and ziptool, which libzip-dev does not install, and so fails.) Installed
# beside tkeras's package config, which uses it to find the library again for a consumer.
include(FindPackageHandleStandardArgs)
find_path(Libzip_INCLUDE_DIR NAMES zip.h)
find_library(Libzip_LIBRARY NAMES zip)
find_package_handle_standard_args(Libzip REQUIRED_VARS Libzip_LIBRARY Libzip_INCLUDE_DIR)
if(Libzip_FOUND AND NOT TARGET Libzip::zip)
  add_library(Libzip::zip UNKNOWN IMPORTED)
  set_target_properties(Libzip::zip PROPERTIES IMPORTED_LOCATION "${Libzip_LIBRARY}"
                                               INTERFACE_INCLUDE_DIRECTORIES "${Libzip_INCLUDE_DIR}")
endif()
mark_as_advanced(Libzip_INCLUDE_DIR Libzip_LIBRARY)
