# Finds libcsv (Debian's libcsv-dev: /usr/include/csv.h and libcsv), the CSV parser read_csv uses,
# and defines the imported target Csv::csv. Installed beside tkeras's package config, which uses it
# to find the library again for a consumer.
include(FindPackageHandleStandardArgs)
find_path(Csv_INCLUDE_DIR NAMES csv.h)
find_library(Csv_LIBRARY NAMES csv)
find_package_handle_standard_args(Csv REQUIRED_VARS Csv_LIBRARY Csv_INCLUDE_DIR)
if(Csv_FOUND AND NOT TARGET Csv::csv)
  add_library(Csv::csv UNKNOWN IMPORTED)
  set_target_properties(Csv::csv PROPERTIES IMPORTED_LOCATION "${Csv_LIBRARY}"
                                             INTERFACE_INCLUDE_DIRECTORIES "${Csv_INCLUDE_DIR}")
endif()
mark_as_advanced(Csv_INCLUDE_DIR Csv_LIBRARY)
