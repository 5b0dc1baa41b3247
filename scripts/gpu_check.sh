#!/usr/bin/env bash
# Builds tkeras against the machine's PyTorch (LibTorch 2.x with CUDA) and runs the CUDA tests and
# the benchmark, so that anyone with a GPU can repeat the figures in docs/benchmarks.md.
#
# The GPU machines have PyTorch but no Debian dev packages: fmt, doctest, nlohmann/json, CLI11,
# tinyxml2, the image decoders (libjpeg-turbo, libpng, stb) and libcsv come as .deb files fetched beforehand
# on a Debian machine with
#   mkdir -p debs && (cd debs && apt-get download libfmt-dev libfmt9 doctest-dev nlohmann-json3-dev \
#     libcli11-dev libtinyxml2-dev libtinyxml2-9 libjpeg62-turbo-dev libjpeg62-turbo libpng-dev libpng16-16 \
#     libstb-dev libstb0 libcsv-dev libcsv3 libhdf5-dev libhdf5-103-1 libaec0 libsz2 libzip-dev libzip4 \
#     libgloo-dev)
# and are unpacked here without installing. Usage: scripts/gpu_check.sh [DEB_DIR] (default: debs)
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deb_dir=${1:-$root_dir/debs}
deps=/tmp/tkeras-deps
build=${BUILD_DIR:-/tmp/tkeras-gpu-build}

rm -rf "$deps" && mkdir -p "$deps"
for deb in "$deb_dir"/*.deb; do dpkg -x "$deb" "$deps"; done
torch_prefix=$(python3 -c "import torch; print(torch.utils.cmake_prefix_path)")
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"

cmake -S "$root_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTKERAS_INSTALL=OFF \
  -DTKERAS_PYTHON="$(command -v python3)" -DCMAKE_PREFIX_PATH="$torch_prefix;$deps/usr" \
  -DCMAKE_INCLUDE_PATH="$deps/usr/include"
cmake --build "$build" -j "$(nproc)" --target tkeras_tests tkeras-bench tkeras_distribute_tests tkeras-ddp-bench

export LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
"$build/tests/tkeras_tests" -tc="CUDA:*"
# Data-parallel on CUDA: a one-process NCCL job, and a two-process Gloo job whose processes share
# the GPU with CUDA tensors, each against one plain process, eager and with jit (NCCL's all-reduce
# inside the step's CUDA graph; Gloo's steps uncaptured). NCCL across two GPUs needs a second GPU:
# it runs below only where there is one.
"$build/tests/tkeras_distribute_tests" -tc="CUDA:*"
if [ "$(nvidia-smi -L 2>/dev/null | wc -l)" -ge 2 ]; then
  torchrun --nproc-per-node 2 --no-python "$build/apps/bench/tkeras-ddp-bench" --device auto --epochs 3
else
  echo "gpu_check: one GPU: the two-GPU NCCL job (torchrun --nproc-per-node 2 tkeras-ddp-bench --device auto) was not run"
fi
"$build/tests/tkeras_tests"
# Eager fit against the eager hand-written loop, then jit (one CUDA graph per step) against the
# same loop, at batch 32 and 1024, then jit with bf16-mixed.
bench="$build/apps/bench/tkeras-bench --device cuda --repeats 3 --epochs 2"
$bench
$bench --jit
$bench --jit --batch-size 1024
$bench --jit --precision bf16-mixed
