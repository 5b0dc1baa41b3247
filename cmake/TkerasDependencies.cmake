# Finds tkeras's dependencies from the system (see third_party/README.md): LibTorch, fmt, zlib,
# and nlohmann/json (header-only, used only inside the library, for safetensors headers).
include_guard(GLOBAL)

find_package(Torch REQUIRED)
find_package(fmt REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3 REQUIRED)

# LibTorch's flags carry its _GLIBCXX_USE_CXX11_ABI choice; every target that touches torch
# must use the same one, so tkeras::tkeras passes the definition on to its users.
string(REGEX MATCH "_GLIBCXX_USE_CXX11_ABI=[01]" TKERAS_TORCH_ABI_DEFINITION "${TORCH_CXX_FLAGS}")

# Imported targets are visible only in the directory that found them. When tkeras is added with
# add_subdirectory, the parent project links tkeras::tkeras and so needs torch, fmt and zlib's
# targets too: make them global.
if(NOT CMAKE_CURRENT_SOURCE_DIR STREQUAL CMAKE_SOURCE_DIR)
  get_directory_property(tkeras_imported_targets IMPORTED_TARGETS)
  foreach(target IN LISTS tkeras_imported_targets)
    get_target_property(is_global ${target} IMPORTED_GLOBAL)
    if(NOT is_global)
      set_target_properties(${target} PROPERTIES IMPORTED_GLOBAL TRUE)
    endif()
  endforeach()
endif()
