# A thin wrapper over CMake + CTest. `make` builds build/robots.
JOBS ?= $(shell nproc)

.PHONY: all build asan test test-plain test-asan demo fuzz bench clean deps

all: build

deps:
	@bash scripts/install-deps

build:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j $(JOBS)

asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DROBOTS_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

# Everything: unit, fuzz-corpus replay, black-box and SDK tests, then the same
# under ASan+UBSan with leak detection.
test: deps build asan
	cd build && ctest --output-on-failure -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ctest --output-on-failure -j $(JOBS)

test-plain: build
	cd build && ctest --output-on-failure -j $(JOBS)

demo: deps build
	@bash scripts/demo

fuzz:
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DROBOTS_FUZZ=ON -DROBOTS_SANITIZE=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

bench: build
	@bash bench/run

clean:
	rm -rf build build-asan build-fuzz
