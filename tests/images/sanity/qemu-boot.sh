#!/usr/bin/env bash
# tests/images/sanity/qemu-boot.sh <initrd-shell|rootfs-disk> — boots the cached images
# in QEMU (TCG) on a serial console with tests/images/serial_session.py and checks the
# marker lines of images/README.md:
#   initrd-shell: kernel + initrd, no root=: the initrd shell runs commands we type;
#                 QEMU's default e1000 NIC has its driver bound.
#   rootfs-disk:  kernel + initrd + busybox.img on IDE (snapshot=on, the cached image is
#                 never written) with root=/dev/sda: busybox init runs from the disk and
#                 / is /dev/sda; the NIC is an ne2k-pci this time.
# Both end with `poweroff -f` and require QEMU to exit. QEMU=... picks the binary;
# SERIAL_SESSION_TIMEOUT the hard limit (default 240 s).

source "$(dirname "${BASH_SOURCE[0]}")/image-env.sh"

mode=${1:-}
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || fail "$QEMU not found (apt-get install qemu-system-x86)"
command -v python3 >/dev/null || fail "python3 not found"
DRIVER=$SOURCE_DIR/tests/images/serial_session.py
require_image "$VMLINUZ"
require_image "$INITRD"

# A root shell prompt, maybe followed by busybox's cursor-position query (ESC [6n).
PROMPT='# (\x1b\[[0-9;]*[A-Za-z])*$'
qemu=("$QEMU" -accel tcg -m 512 -nographic -no-reboot -kernel "$VMLINUZ" -initrd "$INITRD")
case $mode in
  initrd-shell)
    qemu+=(-append "console=ttyS0 panic=-1")
    steps=(
      --expect 'emu-initrd: modules loaded'
      --expect 'emu-initrd: no root= given, starting shell'
      --expect "$PROMPT"
      # The typed line echoes as "marker-$((6*7))"; only the shell's output says 42.
      --send 'echo marker-$((6*7))'
      --expect '^marker-42\r?$'
      # QEMU's default NIC on the pc machine is an e1000: its driver must have bound.
      --send 'echo nic: $(basename $(readlink /sys/class/net/eth0/device/driver))'
      --expect '^nic: e1000\r?$'
      --send "echo loaded: \$(cut -d' ' -f1 /proc/modules | grep -xE 'ata_piix|sd_mod|ext4|e1000|ne2k_pci' | sort)"
      --expect '^loaded: ata_piix e1000 ext4 ne2k_pci sd_mod\r?$'
      --send 'poweroff -f'
      --expect-exit
    )
    ;;
  rootfs-disk)
    require_image "$BUSYBOX_IMG"
    qemu+=(-drive "file=$BUSYBOX_IMG,format=raw,if=ide,snapshot=on" -nic "user,model=ne2k_pci"
           -append "console=ttyS0 panic=-1 root=/dev/sda")
    steps=(
      --expect 'emu-initrd: modules loaded'
      --expect 'emu-initrd: switching to root /dev/sda'
      --expect 'emu-rootfs: up root=/dev/sda'
      --expect "$PROMPT"
      --send "grep ' / ' /proc/mounts; echo pid1=\$(cat /proc/1/comm)"
      --expect '^/dev/sda / ext4 rw'
      --expect '^pid1=init\r?$'
      --send 'echo nic: $(basename $(readlink /sys/class/net/eth0/device/driver))'
      --expect '^nic: ne2k-pci\r?$'
      --send 'poweroff -f'
      --expect-exit
    )
    ;;
  *) fail "usage: $0 initrd-shell|rootfs-disk" ;;
esac

log=${EMU_TEST_LOG_DIR:-$PWD}/images-$mode.log
start=$EPOCHREALTIME
if ! python3 "$DRIVER" --quiet --log "$log" "${steps[@]}" -- "${qemu[@]}"; then
  fail "QEMU boot ($mode) did not reach every marker; console log: $log"
fi
awk -v a="$start" -v b="$EPOCHREALTIME" -v m="$mode" -v l="$log" \
  'BEGIN { printf "%s: PASS in %.1f s (console log %s)\n", m, b - a, l }'
