#!/usr/bin/env bash
# images/build-initrd.sh — build <cache>/initrd.img: a compressed newc cpio (made
# without root privileges) holding busybox with its applet links, the kernel modules
# for an IDE disk, ext4 and the e1000 / ne2k-pci NICs with all their dependencies,
# and /init (images/early-init.sh). Needs build-kernel.sh and fetch-busybox.sh first.
#
# Settings (part of the cache key):
#   INITRD_MODULES      modules to include, with their dependencies
#   INITRD_COMPRESSION  zstd (default; Debian's kernel has CONFIG_RD_ZSTD), gzip or none

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INITRD_MODULES=${INITRD_MODULES:-ata_piix sd_mod ext4 e1000 ne2k-pci}
INITRD_COMPRESSION=${INITRD_COMPRESSION:-zstd}

need_tool cpio cpio
need_tool depmod kmod
case $INITRD_COMPRESSION in
  zstd) need_tool zstd zstd ;;
  gzip) need_tool gzip gzip ;;
  none) ;;
  *) die "INITRD_COMPRESSION must be zstd, gzip or none (not '$INITRD_COMPRESSION')" ;;
esac

initrd_key() {
  local kernel busybox
  kernel=$(stamp_of vmlinuz)
  busybox=$(stamp_of busybox-root)
  [[ -n $kernel && -f $EMU_IMAGE_DIR/kernel-version ]] || die "no kernel in $EMU_IMAGE_DIR: run images/build-kernel.sh first"
  [[ -n $busybox ]] || die "no busybox in $EMU_IMAGE_DIR: run images/fetch-busybox.sh first"
  printf 'kernel=%s busybox=%s modules=%s compression=%s recipe=%s\n' \
    "$(cat "$EMU_IMAGE_DIR/kernel-version")" "${busybox%% *}" "${INITRD_MODULES// /,}" \
    "$INITRD_COMPRESSION" \
    "$(printf '%s\n%s\n' "$kernel" "$busybox" | cat - <(recipe_hash lib.sh build-initrd.sh early-init.sh) |
       sha256sum | cut -c1-16)"
}

# --- module resolution ---------------------------------------------------------------
# Modules are named with '_' (ne2k-pci.ko is module ne2k_pci).
declare -A MOD_PATH MOD_DEPS MOD_SOFTDEP ALIAS_TARGETS MOD_STATE
ORDERED_MODULES=()

modname() { local b=${1##*/}; b=${b%%.ko*}; printf '%s\n' "${b//-/_}"; }

read_module_tables() {
  local moddir=$1 line path deps name alias target words w
  while IFS= read -r line; do
    path=${line%%:*}
    deps=${line#*:}
    name=$(modname "$path")
    MOD_PATH[$name]=$path
    MOD_DEPS[$name]=$deps
  done <"$moddir/modules.dep"
  # "alias <pattern> <module>": only plain names matter here (softdep targets).
  while read -r _ alias target; do
    [[ $alias == *[\*\?\[]* ]] && continue
    ALIAS_TARGETS[${alias//-/_}]+=" $target"
  done < <(grep '^alias ' "$moddir/modules.alias")
  # "softdep <module> pre: a b post: c": all of them are loaded before <module>.
  if [[ -f $moddir/modules.softdep ]]; then
    while read -r -a words; do
      [[ ${words[0]:-} == softdep ]] || continue
      name=${words[1]//-/_}
      for w in "${words[@]:2}"; do
        [[ $w == pre: || $w == post: ]] || MOD_SOFTDEP[$name]+=" $w"
      done
    done <"$moddir/modules.softdep"
  fi
}

# resolve_name <name or alias>: the module files it stands for (may be several).
resolve_name() {
  local n=${1//-/_} t
  if [[ -n ${MOD_PATH[$n]:-} ]]; then
    printf '%s\n' "$n"
    return
  fi
  for t in ${ALIAS_TARGETS[$n]:-}; do
    t=${t//-/_}
    [[ -n ${MOD_PATH[$t]:-} ]] && printf '%s\n' "$t"
  done
  return 0
}

# visit <module>: depth-first, appending each module after everything it needs.
visit() {
  local m=$1 d s r
  case ${MOD_STATE[$m]:-} in
    finished) return ;;
    active) return ;;   # a soft-dependency cycle: the hard order still holds
  esac
  MOD_STATE[$m]=active
  for s in ${MOD_SOFTDEP[$m]:-}; do
    for r in $(resolve_name "$s"); do visit "$r"; done
  done
  for d in ${MOD_DEPS[$m]}; do
    visit "$(modname "$d")"
  done
  MOD_STATE[$m]=finished
  ORDERED_MODULES+=("$m")
}

# copy_module <moddir> <relpath> <dest moddir>: copy, decompressing .ko.xz/.zst/.gz
# (busybox insmod loads plain .ko files only). Prints the relative .ko path.
copy_module() {
  local src=$1/$2 rel=${2%.ko*}.ko dst
  dst=$3/$rel
  mkdir -p "${dst%/*}"
  case $2 in
    *.ko) cp "$src" "$dst" ;;
    *.ko.xz) xz -dc "$src" >"$dst" ;;
    *.ko.zst) zstd -qdc "$src" >"$dst" ;;
    *.ko.gz) gzip -dc "$src" >"$dst" ;;
    *) die "unknown module file type: $2" ;;
  esac || die "cannot copy module $2"
  printf '%s\n' "$rel"
}

main() {
  local key kver moddir stage want m r rel
  key=$(initrd_key)
  if is_current initrd.img "$key"; then
    report_cached initrd.img "$key"
    return
  fi
  kver=$(cat "$EMU_IMAGE_DIR/kernel-version")
  moddir=$EMU_IMAGE_DIR/kernel-root/lib/modules/$kver
  [[ -s $moddir/modules.dep ]] || die "no modules.dep in $moddir: rerun images/build-kernel.sh"
  log "building initrd.img for $kver with modules: $INITRD_MODULES"
  invalidate initrd.img
  make_work_dir
  stage=$WORK_DIR/root

  # Directories and busybox.
  mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,newroot,etc/emu-initrd}
  mkdir -p "$stage/lib/modules/$kver"
  install_busybox "$stage"

  # Modules in load order.
  read_module_tables "$moddir"
  for want in $INITRD_MODULES; do
    r=$(resolve_name "$want")
    [[ -n $r ]] || die "kernel $kver has no module '$want' (is it built in? see $moddir/modules.builtin)"
    for m in $r; do visit "$m"; done
  done
  : >"$stage/etc/emu-initrd/modules"
  for m in "${ORDERED_MODULES[@]}"; do
    rel=$(copy_module "$moddir" "${MOD_PATH[$m]}" "$stage/lib/modules/$kver")
    printf '%s\n' "$rel" >>"$stage/etc/emu-initrd/modules"
  done
  printf '%s\n' "$kver" >"$stage/etc/emu-initrd/kernel-version"
  # Tables for busybox modprobe, so the kernel's own module requests work too.
  cp "$moddir"/modules.builtin "$moddir"/modules.builtin.modinfo "$stage/lib/modules/$kver/" 2>/dev/null || true
  (cd "$stage/lib/modules/$kver" && find . -name '*.ko' | sed 's#^\./##' | sort >modules.order)
  depmod -b "$stage" "$kver" || die "depmod on the initrd's modules failed"
  log "modules (${#ORDERED_MODULES[@]}, load order): ${ORDERED_MODULES[*]}"

  install -m 0755 "$IMAGES_SRC_DIR/early-init.sh" "$stage/init"

  # newc cpio with every file owned by root, whoever runs this.
  local out=$WORK_DIR/initrd.img
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
     cpio --quiet -o -H newc --owner=0:0) >"$WORK_DIR/initrd.cpio" || die "cpio failed"
  case $INITRD_COMPRESSION in
    zstd) zstd -q -19 -T1 --check "$WORK_DIR/initrd.cpio" -o "$out" || die "zstd failed" ;;
    gzip) gzip -9 -n -c "$WORK_DIR/initrd.cpio" >"$out" || die "gzip failed" ;;
    none) mv "$WORK_DIR/initrd.cpio" "$out" ;;
  esac
  mv -f "$out" "$EMU_IMAGE_DIR/initrd.img"
  mark_current initrd.img "$key"
  log "initrd.img: built ($(du -k "$EMU_IMAGE_DIR/initrd.img" | cut -f1) KiB)"
}

main "$@"
