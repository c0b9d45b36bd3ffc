#!/usr/bin/env bash
# Installs, from Debian packages, whatever emu's build, tests and guest images need and
# is missing. Idempotent and quiet when everything is present. Needs root (or sudo)
# only when something must be installed.
set -euo pipefail

host_packages=(
  cmake ninja-build g++ clang lld pkg-config python3
  zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev
  libsdl2-dev catch2 libcapstone-dev libslirp-dev libglib2.0-dev
  # guest images (images/) and the QEMU reference boots
  busybox-static cpio e2fsprogs kmod xz-utils zstd qemu-system-x86 acpica-tools
  # the built-in-driver kernel (images/build-kernel-builtin.sh) from Debian's source
  linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev
  # the CD-ROM boot test builds an ISO
  genisoimage
  # the ARM64 host build runs its unit tests under user-mode QEMU
  qemu-user-static
)
# Target libraries for the aarch64 cross build (clang --target=aarch64-linux-gnu).
arm64_packages=(libc6-dev:arm64 libstdc++-12-dev:arm64 zlib1g-dev:arm64 liblzma-dev:arm64)

missing=()
is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
native_arch=$(dpkg --print-architecture)
for p in "${host_packages[@]}"; do
  # Qualify with the native architecture: with arm64 enabled, multi-arch packages exist
  # twice; fall back to the bare name for architecture-independent packages.
  is_installed "$p:$native_arch" || is_installed "$p" || missing+=("$p")
done
need_arm64_arch=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  need_arm64_arch=1
  missing+=("${arm64_packages[@]}")
else
  for p in "${arm64_packages[@]}"; do
    is_installed "$p" || missing+=("$p")
  done
fi

[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then as_root=(sudo); else
    echo "setup-deps: missing packages (${missing[*]}) and not root; install them or rerun as root" >&2
    exit 1
  fi
fi
echo "setup-deps: installing ${missing[*]}"
if [ $need_arm64_arch -eq 1 ]; then
  "${as_root[@]}" dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-deps: done"
