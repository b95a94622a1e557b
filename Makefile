# Thin wrapper over CMake. `make test` and `make demo` install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test check benchmarks asan fuzz long format commits hooks demo bench clean

all: build

deps:
	@bash tools/install_deps.sh

configure: deps hooks
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log; exit 1; }
	@grep -E "braincam:" $(BUILD).configure.log || true

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Every functional test: unit, kernel (emulator), model, data, parity with PyTorch and OpenCV,
# gradcheck, the CLI. The sanitizers, fuzzing and long runs are `make check`'s (CTest labels fuzz
# and long).
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE "^(fuzz|long)$$"

# What `make test` leaves out: formatting and commit subjects, the benchmarks' build, the
# sanitizer build, the fuzzers, the long runs. `.ci/run` runs `make test`, then `make check`.
check: format commits benchmarks asan fuzz long

# The benchmark binaries compile (they run only on request: `make bench`, tools/gpu_check.sh).
benchmarks: configure
	@cmake --build $(BUILD) -j $(JOBS) --target braincam_benchmarks

format:
	@bash tools/check_format.sh

# Commit subjects follow the rule from f749dc0 on (a clone without that commit checks HEAD).
COMMITS_FROM ?= f749dc0
commits:
	@if git rev-parse -q --verify $(COMMITS_FROM)^{commit} > /dev/null 2>&1; then \
	  bash tools/check_commit_subject.sh $(COMMITS_FROM)^..HEAD; \
	else bash tools/check_commit_subject.sh HEAD^!; fi

# The libFuzzer targets (clang, ASan + UBSan), 15 s each from a fixed seed.
fuzz: build
	@cd $(BUILD) && ctest --output-on-failure -L "^fuzz$$"

# The runs that take long: `braincam train` killed at every synced write and resumed (label long).
long: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L "^long$$"

# The commit-msg hook checks each new commit's subject (tools/git-hooks/commit-msg).
hooks:
	@if [ -d .git ] && [ "$$(git config core.hooksPath)" != tools/git-hooks ]; then \
	  git config core.hooksPath tools/git-hooks && echo "git: commit-msg hook installed"; fi

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
bench: build benchmarks
	@bash benchmarks/compare_cpu.sh $(BUILD) $(BENCH_THREADS)

# The demo needs only the braincam binary, not the tests and benchmarks.
demo: configure
	@cmake --build $(BUILD) -j $(JOBS) --target braincam
	@bash tools/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD).configure.log
