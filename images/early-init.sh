#!/bin/sh
# images/early-init.sh — becomes /init of emu's initrd (run by busybox sh as PID 1).
# Mounts /proc /sys /dev, loads the kernel modules listed in /etc/emu-initrd/modules
# (already in dependency order), then either switches to the root file system named
# by root=/dev/XXX on the kernel command line, or starts a shell on the console.
# Marker lines on the console (tests wait for them; see images/README.md):
#   emu-initrd: modules loaded
#   emu-initrd: no root= given, starting shell
#   emu-initrd: switching to root <dev>
#   emu-initrd: error: <what failed>, starting shell

export PATH=/sbin:/bin:/usr/sbin:/usr/bin

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
# The kernel opened the console before /dev was mounted over; reopen it from devtmpfs.
if [ -c /dev/console ]; then
  exec </dev/console >/dev/console 2>&1
fi

# shell_forever <message>: print a marker and keep a shell on the console. The shell
# gets the console as its controlling tty (cttyhack), so job control and ^C work on a
# serial line; PID 1 stays this script, so leaving the shell starts a new one.
shell_forever() {
  echo "emu-initrd: $1"
  while :; do
    setsid cttyhack sh -l
    echo "emu-initrd: shell exited, starting a new one"
    sleep 1
  done
}

load_modules() {
  kver=$(uname -r)
  built_for=$(cat /etc/emu-initrd/kernel-version)
  if [ "$kver" != "$built_for" ]; then
    echo "emu-initrd: warning: running kernel $kver, modules are for $built_for"
  fi
  while read -r mod; do
    [ -n "$mod" ] || continue
    if ! out=$(insmod "/lib/modules/$built_for/$mod" 2>&1); then
      case $out in
        *"File exists"*) ;;
        # CPU-specific variants (crc32c-intel needs SSE4.2, ...) refuse to load on
        # CPUs without the feature; the generic module next to them does the work.
        *"No such device"*) echo "emu-initrd: skipped $mod (no such device)" ;;
        *) echo "emu-initrd: warning: insmod $mod: $out" ;;
      esac
    fi
  done </etc/emu-initrd/modules
  echo "emu-initrd: modules loaded"
}

# Options from the kernel command line.
root=
rootfstype=ext4
rootflags=
rootmode=rw
rootdelay=10
init=/sbin/init
set -f
# shellcheck disable=SC2013  # the command line is words, not lines
for arg in $(cat /proc/cmdline); do
  case $arg in
    root=*) root=${arg#root=} ;;
    rootfstype=*) rootfstype=${arg#rootfstype=} ;;
    rootflags=*) rootflags=${arg#rootflags=} ;;
    rootdelay=*) rootdelay=${arg#rootdelay=} ;;
    init=*) init=${arg#init=} ;;
    ro) rootmode=ro ;;
    rw) rootmode=rw ;;
  esac
done
set +f
case $rootdelay in
  ''|*[!0-9]*) rootdelay=10 ;;
esac

load_modules

if [ -z "$root" ]; then
  shell_forever "no root= given, starting shell"
fi

# root=UUID=... / LABEL=... name a device through its file system.
case $root in
  UUID=*|LABEL=*)
    waited=0
    dev=
    while [ -z "$dev" ] && [ "$waited" -le "$((rootdelay * 10))" ]; do
      dev=$(findfs "$root" 2>/dev/null) || dev=
      [ -n "$dev" ] || { usleep 100000; waited=$((waited + 1)); }
    done
    [ -n "$dev" ] || shell_forever "error: no device has $root, starting shell"
    root=$dev
    ;;
esac

# Wait for the disk driver to register the device.
waited=0
while [ ! -b "$root" ] && [ "$waited" -lt "$((rootdelay * 10))" ]; do
  usleep 100000
  waited=$((waited + 1))
done
[ -b "$root" ] || shell_forever "error: root device $root did not appear within ${rootdelay}s, starting shell"

if ! mount -t "$rootfstype" -o "$rootmode${rootflags:+,$rootflags}" "$root" /newroot; then
  shell_forever "error: cannot mount $root ($rootfstype) on /newroot, starting shell"
fi
if [ ! -x "/newroot$init" ] && [ ! -L "/newroot$init" ]; then
  umount /newroot
  shell_forever "error: $root has no $init, starting shell"
fi

for fs in /dev /proc /sys; do
  if [ -d "/newroot$fs" ]; then
    mount --move "$fs" "/newroot$fs"
  else
    umount -l "$fs"
  fi
done
echo "emu-initrd: switching to root $root"
exec switch_root -c /dev/console /newroot "$init"
