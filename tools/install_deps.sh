#!/usr/bin/env bash
# Installs the Debian packages braincam needs, and only those that are missing.
# Idempotent: a second run installs nothing. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(
  cmake make g++ pkg-config                 # build
  libeigen3-dev catch2 libstb-dev           # math, tests, image decoding
  libcli11-dev nlohmann-json3-dev           # command line, JSON
  libnifti2-dev mricron-data zlib1g-dev     # NIfTI reader and the Colin27 head
  libbenchmark-dev                          # per-op benchmarks
  gnuplot-nox                               # training curves and charts
  strace                                    # the crash-safety test kills train at each write
  python3 python3-numpy python3-torch python3-opencv  # independent oracles in the tests
  python3-jsonschema                        # the benchmark results files' schema test
  clang libclang-rt-14-dev                  # libFuzzer and sanitizers
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "install_deps: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
