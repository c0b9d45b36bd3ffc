#!/usr/bin/env bash
# The whole test suite, as the README gives it and CI (.ci/run) runs it:
#   1. install what is missing (scripts/setup-deps.sh),
#   2. build emu (Release, warnings as errors) and the guest images (images/),
#   3. run every ctest test except the slow label (unit, differential, image checks
#      under QEMU, boot tests),
#   4. cross-build emu for ARM64 and run the unit tests under qemu-aarch64-static.
# Long runs (differential millions, benchmarks) are `ctest -L slow` / bench/, not here.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
jobs=${EMU_JOBS:-2}

step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
scripts/setup-deps.sh

step "guest images"
images/build-all.sh
eval "$(images/paths.sh)"

step "build (x86-64 host, Release, -Werror)"
cmake -S "$src" -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEMU_WERROR=ON \
  -DEMU_IMAGE_DIR="$EMU_IMAGE_DIR" >/dev/null
ninja -C build -j"$jobs"

step "build (ARM64 host, cross, -Werror)"
cmake -S "$src" -B build-aarch64 -G Ninja -DCMAKE_BUILD_TYPE=Release -DEMU_WERROR=ON \
  -DEMU_WITH_SDL=OFF -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchain-aarch64-linux-gnu.cmake" >/dev/null
ninja -C build-aarch64 -j"$jobs"

status=0
step "tests on ARM64 (unit tests under qemu-aarch64-static)"
ctest --test-dir build-aarch64 -L unit --output-on-failure -j"$jobs" || status=1

step "tests on the x86-64 host (everything but -L slow)"
ctest --test-dir build -LE slow --output-on-failure -j"$jobs" || status=1

exit $status
