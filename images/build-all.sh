#!/usr/bin/env bash
# images/build-all.sh — build every guest image that is missing or stale into the
# cache (see images/README.md). Idempotent: with everything cached it only checks the
# cache keys (apt package versions + recipe hashes) and prints one "cached" line each.
# Concurrent runs on the same cache wait for each other (flock).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_tool flock util-linux

mkdir -p "$EMU_IMAGE_DIR" || die "cannot create the cache directory $EMU_IMAGE_DIR"
exec 9>"$EMU_IMAGE_DIR/.lock"
flock 9 || die "cannot lock $EMU_IMAGE_DIR/.lock"
# Scratch directories of runs that were killed.
rm -rf "$EMU_IMAGE_DIR"/.work.*

resolve_packages
for step in fetch-busybox.sh build-kernel.sh build-initrd.sh build-rootfs.sh build-kernel-builtin.sh; do
  "$IMAGES_SRC_DIR/$step" || die "$step failed"
done
