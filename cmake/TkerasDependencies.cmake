# Finds tkeras's dependencies (see third_party/README.md): LibTorch 2.x, fmt, zlib, nlohmann/json
# (header-only; public, since layer configs are JSON), and the image decoders.
include_guard(GLOBAL)

# The oldest LibTorch tkeras builds against: the GPU machines' PyTorch. Older releases lack the
# device-type autocast API (2.4) and the fused optimizer kernels tkeras calls.
set(TKERAS_TORCH_MIN_VERSION 2.11)

# Where LibTorch comes from, in order: Torch_DIR or CMAKE_PREFIX_PATH when the user gives them
# (the pytorch.org archive, a CUDA wheel); else the PyTorch that scripts/setup.sh installs in
# $TKERAS_HOME/venv (default ~/.tkeras/venv), or the Python named by TKERAS_PYTHON.
if(NOT TKERAS_PYTHON)
  if(DEFINED ENV{TKERAS_HOME} AND NOT "$ENV{TKERAS_HOME}" STREQUAL "")
    set(tkeras_home "$ENV{TKERAS_HOME}")
  else()
    set(tkeras_home "$ENV{HOME}/.tkeras")
  endif()
  set(TKERAS_PYTHON "${tkeras_home}/venv/bin/python" CACHE FILEPATH
      "A Python whose torch package provides LibTorch when Torch_DIR and CMAKE_PREFIX_PATH do not")
endif()
if(NOT Torch_DIR AND EXISTS "${TKERAS_PYTHON}")
  execute_process(COMMAND "${TKERAS_PYTHON}" -c "import torch; print(torch.utils.cmake_prefix_path, end='')"
                  OUTPUT_VARIABLE tkeras_torch_prefix RESULT_VARIABLE tkeras_torch_found ERROR_QUIET)
  if(tkeras_torch_found EQUAL 0 AND tkeras_torch_prefix)
    # Appended: a LibTorch on the user's CMAKE_PREFIX_PATH still comes first.
    list(APPEND CMAKE_PREFIX_PATH "${tkeras_torch_prefix}")
  endif()
endif()

find_package(Torch CONFIG QUIET)
if(NOT Torch_FOUND)
  message(FATAL_ERROR "tkeras needs LibTorch ${TKERAS_TORCH_MIN_VERSION} or newer and found none: run "
                      "scripts/setup.sh (it installs PyTorch in ~/.tkeras/venv), or point Torch_DIR or "
                      "CMAKE_PREFIX_PATH at a LibTorch 2.x (the pytorch.org archive, or a PyTorch install's "
                      "torch.utils.cmake_prefix_path)")
endif()
if(Torch_VERSION VERSION_LESS TKERAS_TORCH_MIN_VERSION)
  message(FATAL_ERROR "tkeras needs LibTorch ${TKERAS_TORCH_MIN_VERSION} or newer; found LibTorch ${Torch_VERSION} "
                      "in ${Torch_DIR}. Run scripts/setup.sh, or point Torch_DIR or CMAKE_PREFIX_PATH at a newer "
                      "LibTorch")
endif()
message(STATUS "tkeras: LibTorch ${Torch_VERSION} from ${Torch_DIR}")

find_package(fmt REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
# The image decoders: libjpeg-turbo, libpng, and stb_image for BMP and GIF (cmake/FindStb.cmake).
find_package(JPEG REQUIRED)
find_package(PNG REQUIRED)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
find_package(Stb REQUIRED)
# The CSV parser of read_csv (cmake/FindCsv.cmake).
find_package(Csv REQUIRED)
# libhdf5, the container of Keras 3's weights files (.weights.h5) (cmake/FindHdf5C.cmake).
find_package(Hdf5C REQUIRED)
# Gloo's headers, which LibTorch's c10d headers include (the PyTorch wheel has Gloo compiled into
# libtorch_cpu but ships none of its headers): Debian's libgloo-dev.
find_path(TKERAS_GLOO_INCLUDE_DIR gloo/context.h)
if(NOT TKERAS_GLOO_INCLUDE_DIR)
  message(FATAL_ERROR "tkeras needs Gloo's headers (gloo/context.h) for data-parallel training: run scripts/setup.sh "
                      "(it installs Debian's libgloo-dev), or set TKERAS_GLOO_INCLUDE_DIR")
endif()
# libzip, the container of Keras 3's model files (.keras) (cmake/FindLibzip.cmake).
find_package(Libzip REQUIRED)

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
