#!/usr/bin/env bash
# `make cuda-check`: configures, compiles and links tkeras (the library, the tests and the apps,
# CUDA graph capture and autocast included) against PyTorch's CUDA build, on a machine without a
# GPU. It installs torch==2.14.1 (scripts/requirements-cuda.txt, about 5.5 GB) into
# $TKERAS_HOME/venv-cuda once. Nothing runs on a GPU here: that is scripts/gpu_check.sh's job.
#
# Usage: scripts/cuda_check.sh [BUILD_DIR]   (default: build-cuda)
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root_dir/build-cuda}
venv=${TKERAS_HOME:-$HOME/.tkeras}/venv-cuda

"$root_dir/scripts/setup.sh" python "$venv" "$root_dir/scripts/requirements-cuda.txt"
"$venv/bin/python" -c "import torch; print('cuda-check: torch', torch.__version__, 'built with CUDA', torch.version.cuda)"

# The CUDA libraries the wheel itself runs with (nvidia/cu13 beside torch): the toolkit here has
# nvcc and the runtime but not NVRTC, which LibTorch's CMake package links.
nvidia=$("$venv/bin/python" -c "import glob, os, torch; print(sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(torch.__file__)), 'nvidia', 'cu[0-9]*')))[-1])")
cuda_root=${CUDA_HOME:-/usr/local/cuda}
mkdir -p "$build"
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root_dir" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTKERAS_PYTHON="$venv/bin/python" \
  -DTKERAS_INSTALL=OFF "${launcher[@]}" -DCUDA_TOOLKIT_ROOT_DIR="$cuda_root" \
  -DCUDA_TOOLKIT_INCLUDE="$nvidia/include" -DCUDA_CUDART_LIBRARY="$nvidia/lib/libcudart.so.13" \
  -DCUDA_nvrtc_LIBRARY="$nvidia/lib/libnvrtc.so.13" | tee "$build/configure.log" | grep -E "^-- tkeras|CUDA" || true
grep -q "tkeras: CUDA graphs ON" "$build/configure.log" || {
  echo "cuda-check: CMake did not find LibTorch's CUDA libraries (see $build/configure.log)" >&2
  exit 1
}
cmake --build "$build" -j "$(nproc)"

# What was linked: the test binary needs LibTorch's CUDA libraries, and the library holds the
# CUDA graph and autocast code.
echo "cuda-check: linked binaries"
for binary in "$build"/tests/tkeras_tests "$build"/apps/mnist/tkeras-mnist "$build"/apps/bench/tkeras-bench; do
  echo "  $(basename "$binary"): $(ldd "$binary" | grep -oE 'lib(torch_cuda|c10_cuda|cudart)[^ ]*' | sort -u | tr '\n' ' ')"
done
echo "cuda-check: CUDA symbols in libtkeras.a: $(nm -C "$build/lib/libtkeras.a" | grep -cE ' [TU] at::cuda::CUDAGraph::(capture_begin|replay)')" \
     "(at::cuda::CUDAGraph::capture_begin and replay, undefined there, resolved by the links above)"
echo "cuda-check: passed"
