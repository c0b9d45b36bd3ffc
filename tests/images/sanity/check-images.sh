#!/usr/bin/env bash
# tests/images/sanity/check-images.sh — checks the cached guest images without
# booting them: vmlinuz is a bzImage of the recorded kernel version; initrd.img is a
# compressed newc cpio, root-owned, with /init, busybox and the disk/ext4/NIC modules
# whose every dependency (read from each module's own modinfo) is present and loaded
# earlier; busybox.img is a clean ext4 with busybox init and root-owned files.

source "$(dirname "${BASH_SOURCE[0]}")/image-env.sh"

for tool in cpio modinfo e2fsck debugfs zstd gzip od; do
  command -v "$tool" >/dev/null || fail "host tool $tool is missing"
done
require_image "$VMLINUZ"
require_image "$INITRD"
require_image "$BUSYBOX_IMG"
[[ -n $KERNEL_VERSION ]] || fail "no kernel-version file in $EMU_IMAGE_DIR"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- vmlinuz ---------------------------------------------------------------------------
# Linux boot protocol: "HdrS" at 0x202; the 16-bit word at 0x20E + 0x200 is the offset
# of the kernel version string, which starts with the `uname -r` release.
magic=$(dd if="$VMLINUZ" bs=1 skip=$((0x202)) count=4 status=none)
[[ $magic == HdrS ]] || fail "vmlinuz has no bzImage header (found '$magic' at 0x202)"
ver_off=$(od -An -tu2 -j $((0x20E)) -N2 "$VMLINUZ" | tr -d ' ')
banner=$(dd if="$VMLINUZ" bs=1 skip=$((ver_off + 0x200)) count=128 status=none | tr '\0' '\n' | head -n1)
[[ ${banner%% *} == "$KERNEL_VERSION" ]] ||
  fail "vmlinuz reports version '${banner%% *}', kernel-version says '$KERNEL_VERSION'"
echo "vmlinuz: bzImage $banner"

# --- initrd.img ------------------------------------------------------------------------
case $(od -An -tx1 -N4 "$INITRD" | tr -d ' ') in
  28b52ffd) zstd -qdc "$INITRD" >"$TMP/initrd.cpio" || fail "initrd.img: zstd stream is corrupt" ;;
  1f8b*) gzip -dc "$INITRD" >"$TMP/initrd.cpio" || fail "initrd.img: gzip stream is corrupt" ;;
  30373037) cp "$INITRD" "$TMP/initrd.cpio" ;;
  *) fail "initrd.img is neither zstd, gzip nor a plain cpio" ;;
esac
[[ $(head -c6 "$TMP/initrd.cpio") == 070701 ]] || fail "initrd.img does not hold a newc cpio"
cpio -itv --quiet --numeric-uid-gid <"$TMP/initrd.cpio" >"$TMP/listing" || fail "cpio cannot list initrd.img"
awk '$3 != 0 || $4 != 0 { bad = bad " " $NF } END { if (bad) { print "not root-owned:" bad; exit 1 } }' \
  "$TMP/listing" || fail "initrd.img has files not owned by root"
mkdir "$TMP/initrd"
(cd "$TMP/initrd" && cpio -idm --quiet --no-absolute-filenames <"$TMP/initrd.cpio") || fail "cpio cannot unpack initrd.img"
R=$TMP/initrd
[[ -f $R/init && -x $R/init ]] || fail "initrd.img has no executable /init"
[[ -f $R/bin/busybox && -x $R/bin/busybox ]] || fail "initrd.img has no /bin/busybox"
for applet in bin/sh bin/cttyhack sbin/switch_root sbin/insmod bin/mount; do
  [[ -L $R/$applet ]] || fail "initrd.img lacks the applet link /$applet"
done
grep -q 'emu-initrd: modules loaded' "$R/init" || fail "/init does not print the modules marker"

# Every module: built for this kernel, and every module it depends on is in the initrd.
declare -A have
while IFS= read -r ko; do
  name=${ko##*/}; name=${name%.ko}; name=${name//-/_}
  have[$name]=$ko
done < <(cd "$R" && find lib/modules -name '*.ko')
for want in ata_piix sd_mod ext4 e1000 ne2k_pci; do
  [[ -n ${have[$want]:-} ]] || fail "initrd.img lacks module $want"
done
order=$R/etc/emu-initrd/modules
[[ -s $order ]] || fail "initrd.img has no module load list /etc/emu-initrd/modules"
declare -A position
n=0
while IFS= read -r rel; do
  name=${rel##*/}; name=${name%.ko}; name=${name//-/_}
  position[$name]=$((n++))
done <"$order"
for name in "${!have[@]}"; do
  ko=$R/${have[$name]}
  vermagic=$(modinfo -F vermagic "$ko") || fail "modinfo cannot read $name"
  [[ ${vermagic%% *} == "$KERNEL_VERSION" ]] || fail "module $name is for '${vermagic%% *}', not $KERNEL_VERSION"
  [[ -n ${position[$name]:-} ]] || fail "module $name is not in the load list"
  IFS=, read -r -a deps <<<"$(modinfo -F depends "$ko")"
  for dep in "${deps[@]}"; do
    dep=${dep//-/_}
    [[ -n $dep ]] || continue
    [[ -n ${have[$dep]:-} ]] || fail "module $name depends on $dep, which the initrd lacks"
    ((position[$dep] < position[$name])) || fail "module $dep is loaded after $name, which needs it"
  done
done
# ext4 asks the crypto API for crc32c when mounting: some module must provide it.
crc32c=
for name in "${!have[@]}"; do
  if modinfo -F alias "$R/${have[$name]}" | grep -qx 'crypto-crc32c'; then crc32c=$name; fi
done
[[ -n $crc32c ]] || fail "initrd.img has no module providing crypto-crc32c (ext4 needs it)"
echo "initrd.img: ${#have[@]} modules, dependencies complete and ordered; busybox and /init present"

# --- busybox.img ------------------------------------------------------------------------
e2fsck -fn "$BUSYBOX_IMG" >"$TMP/e2fsck.log" 2>&1 || { cat "$TMP/e2fsck.log" >&2; fail "e2fsck -fn reports errors in busybox.img"; }
dstat() { debugfs -R "stat $1" "$BUSYBOX_IMG" 2>/dev/null; }
dstat /sbin/init | grep -q 'Type: symlink' || fail "busybox.img has no /sbin/init link"
dstat /sbin/init | grep -q 'Fast link dest: "/bin/busybox"' ||
  fail "busybox.img: /sbin/init does not point to /bin/busybox"
dstat /bin/busybox | grep -q 'Type: regular' || fail "busybox.img has no /bin/busybox file"
for path in / /bin/busybox /etc/inittab /etc/init.d/rcS /sbin/init /root; do
  dstat "$path" | grep -qE 'User: +0 +Group: +0( |$)' || fail "busybox.img: $path is not owned by root:root"
done
dstat /dev/console | grep -q 'Type: character special' || fail "busybox.img has no /dev/console device"
debugfs -R 'cat /etc/inittab' "$BUSYBOX_IMG" 2>/dev/null | grep -q '::sysinit:/etc/init.d/rcS' ||
  fail "busybox.img: /etc/inittab does not run /etc/init.d/rcS"
echo "busybox.img: clean ext4, busybox init, root-owned"
echo "PASS"
