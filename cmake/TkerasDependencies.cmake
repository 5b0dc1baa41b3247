# Finds tkeras's dependencies from the system (see third_party/README.md): LibTorch, fmt, zlib.
include_guard(GLOBAL)

find_package(Torch REQUIRED)
find_package(fmt REQUIRED)
find_package(ZLIB REQUIRED)

# LibTorch's flags carry its _GLIBCXX_USE_CXX11_ABI choice; every target that touches torch
# must use the same one, so tkeras::tkeras passes the definition on to its users.
string(REGEX MATCH "_GLIBCXX_USE_CXX11_ABI=[01]" TKERAS_TORCH_ABI_DEFINITION "${TORCH_CXX_FLAGS}")
