#!/usr/bin/env bash
# images/fetch-busybox.sh — fetch Debian's busybox-static (amd64, whatever the host
# is) with apt-get download, unpack it with dpkg -x, and leave in the cache:
#   busybox-root/bin/busybox        the static x86-64 binary
#   busybox-root/applets            its applet paths (`busybox --list-full`), one a line
# Both the initrd and the busybox root disk are made from it.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"


busybox_key() {
  resolve_packages
  printf 'busybox-static=%s recipe=%s\n' "$BUSYBOX_VERSION" \
    "$(recipe_hash lib.sh fetch-busybox.sh)"
}

# list_applets <busybox>: `--list-full` needs to run the guest binary; on a host that
# cannot (not x86-64), fall back to the host's own busybox of the same Debian release.
list_applets() {
  if "$1" --list-full 2>/dev/null; then
    return
  fi
  if command -v busybox >/dev/null 2>&1; then
    log "cannot run the x86-64 busybox here; taking the applet list from the host's busybox"
    busybox --list-full
    return
  fi
  die "cannot run $1 --list-full and the host has no busybox (apt-get install busybox-static)"
}

main() {
  local key ver deb root
  resolve_packages
  key=$(busybox_key)
  if is_current busybox-root "$key" && [[ -s $EMU_IMAGE_DIR/busybox-root/applets ]]; then
    report_cached busybox-root "$key"
    return
  fi
  ver=$BUSYBOX_VERSION
  log "fetching busybox-static $ver"
  invalidate busybox-root
  make_work_dir

  deb=$(download_deb busybox-static "$ver" "$WORK_DIR")
  root=$WORK_DIR/busybox-root
  dpkg -x "$deb" "$root" || die "dpkg -x $deb failed"
  [[ -x $root/bin/busybox ]] || die "busybox-static $ver has no bin/busybox"
  rm -rf "${root:?}/usr"
  list_applets "$root/bin/busybox" | sed 's#^/*##' | sort -u >"$root/applets"
  grep -qx 'bin/sh' "$root/applets" || die "busybox applet list has no bin/sh"

  rm -rf "$EMU_IMAGE_DIR/busybox-root"
  mv "$root" "$EMU_IMAGE_DIR/busybox-root"
  mark_current busybox-root "$key"
  log "busybox-root: fetched busybox-static $ver"
}

main "$@"
