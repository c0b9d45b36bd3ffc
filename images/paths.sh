#!/usr/bin/env bash
# images/paths.sh — print where the guest images live, as shell assignments:
#   eval "$(images/paths.sh)"   # sets EMU_IMAGE_DIR VMLINUZ INITRD BUSYBOX_IMG KERNEL_VERSION
#                                #      VMLINUZ_BUILTIN
# Honours EMU_IMAGE_DIR and XDG_CACHE_HOME like the build scripts. Only prints paths;
# build them with images/build-all.sh (KERNEL_VERSION is empty until then).
set -euo pipefail

dir=${EMU_IMAGE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/emu/images}
kver=
[[ -f $dir/kernel-version ]] && kver=$(cat "$dir/kernel-version")
printf 'EMU_IMAGE_DIR=%q\n' "$dir"
printf 'VMLINUZ=%q\n' "$dir/vmlinuz"
printf 'INITRD=%q\n' "$dir/initrd.img"
printf 'BUSYBOX_IMG=%q\n' "$dir/busybox.img"
printf 'KERNEL_VERSION=%q\n' "$kver"
# The kernel with the PC drivers and `root=/dev/sda rw console=ttyS0 console=tty0` built in.
printf 'VMLINUZ_BUILTIN=%q\n' "$dir/vmlinuz-builtin"
