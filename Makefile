# A thin front over CMake. `make demo` sets up, builds and runs the digit classifier;
# `make test` sets up, builds and runs the whole test suite.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_ARGS ?=

# ccache, when installed, with paths taken relative to the checkout, so that a fresh clone in
# another folder (CI's) reuses the objects of an earlier build on the same machine. The
# precompiled headers need the sloppiness below to be cached. The launcher is looked up when a
# recipe runs, not when make reads this file: on a fresh machine `make demo` installs ccache in
# its setup step, and the configure step after it already uses it.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE ?= 20G
LAUNCHER = $$(command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: all setup data build build-demo demo test check tidy sanitize-build sanitize fuzz cuda-check docs install clean

all: build

setup:
	scripts/setup.sh all

data:
	scripts/setup.sh data

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(LAUNCHER) $(CMAKE_ARGS)

build: setup $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The demo needs only the library and the app, not the tests.
build-demo: setup $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target tkeras-mnist

demo: build-demo
	$(BUILD_DIR)/apps/mnist/tkeras-mnist

test: build
	ctest --test-dir $(BUILD_DIR) -j $(JOBS) --output-on-failure

# The checks no compiler makes, each in seconds: the floors (an include never points up), class
# names compared only in their own files, every code block of the documentation an excerpt of code
# CI builds, and the house format (.clang-format) of every C++ file.
check:
	scripts/check_tree.py . floors
	scripts/check_tree.py . names
	scripts/check_doc_snippets.py .
	git ls-files '*.cpp' '*.h' ':!:docs/snippets/*' | xargs clang-format --dry-run --Werror

# clang-tidy's checks (.clang-tidy) on the library's sources, from the clang build of `make
# sanitize` (its compile commands and precompiled header).
tidy: sanitize-build
	python3 -c "import json, sys; print('\\n'.join(e['file'] for e in json.load(open(sys.argv[1])) if '/tkeras.dir/' in e['file'] or '/lib/src/' in e['file']))" \
	  $(SANITIZE_DIR)/compile_commands.json | xargs -P $(JOBS) -n 1 clang-tidy -p $(SANITIZE_DIR) --quiet

# The library and the loaders' tests (IDX, images, CSV, safetensors, model files, Keras's weights
# files) built with clang, AddressSanitizer and UndefinedBehaviorSanitizer, and run. LibTorch
# itself is not instrumented; its allocations at exit are not ours to report, so leak detection is
# off. The same build (the library also carries libFuzzer's coverage) serves `make fuzz`, so CI
# compiles the library once for both.
SANITIZE_DIR ?= build-sanitize
SANITIZE_CONFIGURE = cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DTKERAS_SANITIZE=ON -DTKERAS_FUZZ=ON -DTKERAS_BUILD_APPS=OFF -DTKERAS_INSTALL=OFF \
  $(LAUNCHER) $(CMAKE_ARGS)
sanitize-build: setup
	$(SANITIZE_CONFIGURE)
	cmake --build $(SANITIZE_DIR) -j $(JOBS) --target tkeras_loader_tests

sanitize: sanitize-build
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 $(SANITIZE_DIR)/tests/tkeras_loader_tests

# The libFuzzer targets, each run for FUZZ_SECONDS on a scratch copy of its seed corpus.
FUZZ_SECONDS ?= 60
fuzz: setup
	$(SANITIZE_CONFIGURE)
	cmake --build $(SANITIZE_DIR) -j $(JOBS) --target tkeras-fuzz-safetensors tkeras-fuzz-model tkeras-fuzz-idx tkeras-fuzz-image \
	  tkeras-fuzz-csv tkeras-fuzz-weights-h5 tkeras-fuzz-keras
	for target in safetensors model idx image csv weights-h5 keras; do \
	  rm -rf $(SANITIZE_DIR)/corpus-$$target && mkdir -p $(SANITIZE_DIR)/corpus-$$target && \
	  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 $(SANITIZE_DIR)/fuzz/tkeras-fuzz-$$target \
	    -max_total_time=$(FUZZ_SECONDS) \
	    -rss_limit_mb=4096 $(SANITIZE_DIR)/corpus-$$target fuzz/corpus/$$target || exit 1; \
	done

# Compiles and links everything against PyTorch's CUDA build (no GPU needed; installs torch
# 2.14.1, about 5.5 GB, into $TKERAS_HOME/venv-cuda once). Run it whenever CUDA code changes.
cuda-check: setup
	scripts/cuda_check.sh

# The API reference from the public headers' /// comments, with Doxygen (docs/Doxyfile), in
# build/docs/html. A public symbol without a comment is a warning, and a warning fails.
docs:
	scripts/setup.sh packages
	doxygen docs/Doxyfile

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
