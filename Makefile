# Thin wrapper over CMake. `make test` and `make demo` install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test asan demo bench clean

all: build

deps:
	@bash tools/install_deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log; exit 1; }
	@grep -E "braincam:" $(BUILD).configure.log || true

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Every test, then the engine, model and kernel tests again under the sanitizers (`make asan`).
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory asan

# The engine, checkpoint, model and kernel (emulator) tests again under AddressSanitizer and
# UndefinedBehaviorSanitizer, in a build of their own.
ASAN_BUILD ?= $(BUILD)-asan
ASAN_TESTS ?= braincam_engine_tests checkpoint_tests braincam_model_tests braincam_kernel_tests
asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBRAINCAM_SANITIZE=ON -DBRAINCAM_CUDA=OFF \
	  -DBRAINCAM_BENCHMARKS=OFF > $(ASAN_BUILD).configure.log 2>&1 || { cat $(ASAN_BUILD).configure.log; exit 1; }
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target $(ASAN_TESTS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -R "^(engine|checkpoint\.|model\.|kernels)"

# braincam fast and reference CPU paths next to PyTorch, on BENCH_THREADS threads (docs/benchmarks.md).
BENCH_THREADS ?= 2
bench: build
	@bash benchmarks/compare_cpu.sh $(BUILD) $(BENCH_THREADS)

# The demo needs only the braincam binary, not the tests and benchmarks.
demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target braincam
	@bash tools/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD).configure.log
