#!/usr/bin/env bash
# images/build-rootfs.sh — build <cache>/busybox.img: a raw ext4 disk image (no
# partition table; boot it with root=/dev/sda) holding a busybox root file system:
# /bin/busybox with its applet links, busybox init (/sbin/init) and the files under
# images/rootfs/ (inittab, rcS, passwd, ...). Needs fetch-busybox.sh first.
# Built without root privileges: mke2fs -d copies a staging directory, then debugfs
# makes every inode owned by root and adds the device nodes a normal user cannot make.
#
# Settings (part of the cache key):
#   ROOTFS_SIZE_MB  size of the image in MiB (default 64)

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOTFS_SIZE_MB=${ROOTFS_SIZE_MB:-64}
[[ $ROOTFS_SIZE_MB =~ ^[0-9]+$ && $ROOTFS_SIZE_MB -ge 8 ]] || die "ROOTFS_SIZE_MB must be a number >= 8 (not '$ROOTFS_SIZE_MB')"

need_tool mke2fs e2fsprogs
need_tool debugfs e2fsprogs
need_tool e2fsck e2fsprogs

rootfs_files() { (cd "$IMAGES_SRC_DIR" && find rootfs -type f | LC_ALL=C sort); }

rootfs_key() {
  local busybox
  busybox=$(stamp_of busybox-root)
  [[ -n $busybox ]] || die "no busybox in $EMU_IMAGE_DIR: run images/fetch-busybox.sh first"
  # shellcheck disable=SC2046  # file names without spaces, by construction
  printf '%s size=%sMiB recipe=%s\n' "${busybox%% *}" "$ROOTFS_SIZE_MB" \
    "$(printf '%s\n' "$busybox" "$(recipe_hash lib.sh build-rootfs.sh $(rootfs_files))" |
       sha256sum | cut -c1-16)"
}

# debugfs_fixups <stage dir>: debugfs commands that make every inode root-owned and
# create device nodes (/dev/console for the kernel's first open, /dev/null).
debugfs_fixups() {
  (cd "$1" && find . -mindepth 1 | sed 's#^\.##' | LC_ALL=C sort) | while IFS= read -r p; do
    printf 'set_inode_field "%s" uid 0\nset_inode_field "%s" gid 0\n' "$p" "$p"
  done
  printf 'set_inode_field / uid 0\nset_inode_field / gid 0\n'
  printf 'cd /dev\nmknod console c 5 1\nmknod null c 1 3\n'
  printf 'set_inode_field /dev/console mode 020600\nset_inode_field /dev/null mode 020666\n'
  printf 'set_inode_field /dev/console uid 0\nset_inode_field /dev/console gid 0\n'
  printf 'set_inode_field /dev/null uid 0\nset_inode_field /dev/null gid 0\n'
}

main() {
  local key stage img d
  key=$(rootfs_key)
  if is_current busybox.img "$key"; then
    report_cached busybox.img "$key"
    return
  fi
  log "building busybox.img (${ROOTFS_SIZE_MB} MiB ext4)"
  invalidate busybox.img
  make_work_dir
  stage=$WORK_DIR/root
  img=$WORK_DIR/busybox.img

  for d in bin sbin usr/bin usr/sbin etc dev proc sys tmp run root mnt home var/log lib; do
    mkdir -p "$stage/$d"
  done
  chmod 1777 "$stage/tmp"
  chmod 0700 "$stage/root"
  cp -R "$IMAGES_SRC_DIR/rootfs/." "$stage/"
  install_busybox "$stage"
  [[ -L $stage/sbin/init ]] || die "busybox has no init applet (sbin/init)"

  # -E root_owner sets the root directory; debugfs fixes everything else.
  mke2fs -q -F -t ext4 -b 4096 -L emu-rootfs -m 0 -E root_owner=0:0 -d "$stage" \
    "$img" "${ROOTFS_SIZE_MB}M" >"$WORK_DIR/mke2fs.log" 2>&1 ||
    { cat "$WORK_DIR/mke2fs.log" >&2; die "mke2fs -d $stage failed"; }
  debugfs_fixups "$stage" >"$WORK_DIR/fixups.debugfs"
  debugfs -w -f "$WORK_DIR/fixups.debugfs" "$img" >"$WORK_DIR/debugfs.log" 2>&1 ||
    die "debugfs fixups failed (see commands in $WORK_DIR/fixups.debugfs)"
  if grep -qiE 'error|not found|invalid' "$WORK_DIR/debugfs.log"; then
    grep -iE 'error|not found|invalid' "$WORK_DIR/debugfs.log" | head -n5 >&2
    die "debugfs fixups reported errors"
  fi
  e2fsck -fn "$img" >"$WORK_DIR/e2fsck.log" 2>&1 || { cat "$WORK_DIR/e2fsck.log" >&2; die "e2fsck -fn found errors in the new image"; }

  mv -f "$img" "$EMU_IMAGE_DIR/busybox.img"
  mark_current busybox.img "$key"
  log "busybox.img: built ($EMU_IMAGE_DIR/busybox.img)"
}

main "$@"
