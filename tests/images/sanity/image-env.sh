# shellcheck shell=bash
# tests/images/sanity/image-env.sh — sourced by the image tests: finds the image cache
# (EMU_IMAGE_DIR from ctest, else images/paths.sh) and fails clearly when an image is
# missing (the images_build test, a fixture of these tests, builds them first).
set -euo pipefail

TEST_NAME=${0##*/}
fail() { printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2; exit 1; }

SOURCE_DIR=${EMU_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
[[ -x $SOURCE_DIR/images/paths.sh ]] || fail "cannot find images/paths.sh under $SOURCE_DIR"
# paths.sh honours EMU_IMAGE_DIR when it is set and prints the default otherwise.
eval "$("$SOURCE_DIR/images/paths.sh")"

require_image() {
  [[ -s $1 ]] || fail "missing image $1 — build it with $SOURCE_DIR/images/build-all.sh (EMU_IMAGE_DIR=$EMU_IMAGE_DIR)"
}
