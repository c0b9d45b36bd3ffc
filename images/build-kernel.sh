#!/usr/bin/env bash
# images/build-kernel.sh — fetch Debian's stock kernel (the package behind the
# linux-image-amd64 metapackage) with apt-get download, unpack it with dpkg -x (never
# installed on the host) and leave in the cache:
#   vmlinuz                       the bzImage
#   kernel-version                its `uname -r` string
#   kernel-root/lib/modules/<v>/  the modules tree, with modules.dep from depmod
#   kernel-root/boot/             config and System.map
# Does nothing (one "cached" line) when the same package version and recipe built it.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_tool depmod kmod

kernel_key() {
  resolve_packages
  printf '%s=%s recipe=%s\n' "$KERNEL_PKG" "$KERNEL_PKG_VERSION" "$(recipe_hash lib.sh build-kernel.sh)"
}

main() {
  local key pkg ver deb root kver
  resolve_packages
  key=$(kernel_key)
  if is_current vmlinuz "$key" && [[ -f $EMU_IMAGE_DIR/kernel-version &&
        -d $EMU_IMAGE_DIR/kernel-root/lib/modules/$(cat "$EMU_IMAGE_DIR/kernel-version") ]]; then
    report_cached vmlinuz "$key"
    return
  fi
  pkg=$KERNEL_PKG
  ver=$KERNEL_PKG_VERSION
  log "building vmlinuz from $pkg $ver"
  invalidate vmlinuz
  make_work_dir

  deb=$(download_deb "$pkg" "$ver" "$WORK_DIR")
  root=$WORK_DIR/kernel-root
  dpkg -x "$deb" "$root" || die "dpkg -x $deb failed"
  rm -f "$deb"
  rm -rf "$root/usr/share/doc"

  local moddirs=("$root"/lib/modules/*/)
  [[ ${#moddirs[@]} -eq 1 && -d ${moddirs[0]} ]] ||
    die "$pkg does not hold exactly one lib/modules/<version> directory"
  kver=$(basename "${moddirs[0]}")
  [[ -f $root/boot/vmlinuz-$kver ]] || die "$pkg has no boot/vmlinuz-$kver"
  depmod -b "$root" "$kver" || die "depmod -b $root $kver failed"
  [[ -s $root/lib/modules/$kver/modules.dep ]] || die "depmod wrote no modules.dep for $kver"

  cp "$root/boot/vmlinuz-$kver" "$WORK_DIR/vmlinuz"
  printf '%s\n' "$kver" >"$WORK_DIR/kernel-version"

  # Replace the previous outputs: the stamp is gone, so a crash in here only leaves
  # outputs that the next run rebuilds.
  rm -rf "$EMU_IMAGE_DIR/kernel-root"
  mv "$root" "$EMU_IMAGE_DIR/kernel-root"
  mv -f "$WORK_DIR/kernel-version" "$EMU_IMAGE_DIR/kernel-version"
  mv -f "$WORK_DIR/vmlinuz" "$EMU_IMAGE_DIR/vmlinuz"
  mark_current vmlinuz "$key"
  log "vmlinuz: built $kver ($EMU_IMAGE_DIR/vmlinuz)"
}

main "$@"
