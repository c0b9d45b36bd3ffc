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
# The user's command: the busybox disk on IDE as root, booted by the kernel with the PC
# drivers and `root=/dev/sda console=ttyS0 console=tty0` built in (images/). The serial
# console is on this terminal (Ctrl-A X quits). -snapshot keeps the cached image pristine
# for the tests (drop it to keep changes). The stock kernel boots the same disk with
#   -kernel "$VMLINUZ" -initrd "$INITRD" -append "console=ttyS0 root=/dev/sda".
cmd=(build/frontends/emu "${display_args[@]}" -snapshot -hda "$BUSYBOX_IMG" -kernel "$VMLINUZ_BUILTIN" "$@")
echo "main: booting the busybox disk: ${cmd[*]}"
set +e
"${cmd[@]}"
status=$?
set -e
case $status in
  0) echo "main: the guest powered off (or Ctrl-A X)" ;;
  *) echo "main: emu exited with status $status" ;;
esac
exit $status
