# Finds stb_image (Debian's libstb-dev: /usr/include/stb/stb_image.h and libstb), which decodes
# BMP and GIF, and defines the imported target Stb::stb. Installed beside tkeras's package
# config, which uses it to find the library again for a consumer.
include(FindPackageHandleStandardArgs)
find_path(Stb_INCLUDE_DIR NAMES stb/stb_image.h)
find_library(Stb_LIBRARY NAMES stb)
find_package_handle_standard_args(Stb REQUIRED_VARS Stb_LIBRARY Stb_INCLUDE_DIR)
if(Stb_FOUND AND NOT TARGET Stb::stb)
  add_library(Stb::stb UNKNOWN IMPORTED)
  set_target_properties(Stb::stb PROPERTIES IMPORTED_LOCATION "${Stb_LIBRARY}"
                                             INTERFACE_INCLUDE_DIRECTORIES "${Stb_INCLUDE_DIR}")
endif()
mark_as_advanced(Stb_INCLUDE_DIR Stb_LIBRARY)
