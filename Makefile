# A thin front over CMake. `make demo` sets up, builds and runs the digit classifier;
# `make test` sets up, builds and runs the whole test suite.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all setup data build demo test install clean

all: build

setup:
	scripts/setup.sh all

data:
	scripts/setup.sh data

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

build: setup $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/apps/mnist/tkeras-mnist

test: build
	ctest --test-dir $(BUILD_DIR) -j $(JOBS) --output-on-failure

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
