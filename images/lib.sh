# shellcheck shell=bash
# images/lib.sh — helpers shared by the image recipes: cache location, error
# reporting, apt package resolution, recipe hashing and atomic "stamp" bookkeeping.
# Sourced by the build-*.sh scripts; not meant to be run on its own.

set -euo pipefail

IMAGES_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EMU_IMAGE_DIR=${EMU_IMAGE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/emu/images}
# The guest is always x86-64, whatever the host is.
GUEST_ARCH=amd64
STAMP_DIR=$EMU_IMAGE_DIR/stamps

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# need_tool <command> <debian package>: fail clearly when a host tool is missing.
need_tool() {
  command -v "$1" >/dev/null 2>&1 || die "host tool '$1' not found (apt-get install $2)"
}

# apt_field <apt-cache show output> <package> <field>: one field of one package's
# record in the output of `apt-cache show` (records are separated by blank lines).
apt_field() {
  printf '%s\n' "$1" | awk -v RS= -F '\n' -v pkg="$2" -v f="$3: " '
    { name = ""; val = ""
      for (i = 1; i <= NF; i++) {
        if (index($i, "Package: ") == 1) name = substr($i, 10)
        if (index($i, f) == 1) val = substr($i, length(f) + 1)
      }
      if (name == pkg && val != "") { print val; exit } }'
}

APT_HINT="run 'apt-get update'; on a non-amd64 host also 'dpkg --add-architecture amd64'"

# apt_show <package>...: the candidate records of <package>:amd64 (empty if unknown).
apt_show() {
  local args=() p
  command -v apt-cache >/dev/null 2>&1 || return 0
  for p; do args+=("$p:$GUEST_ARCH"); done
  apt-cache show --no-all-versions "${args[@]}" 2>/dev/null || true
}

# resolve_from_stamps: without apt package lists (offline, or not Debian), keep using
# the package versions the cached outputs were built from. Fails when nothing is cached.
resolve_from_stamps() {
  local kernel busybox
  kernel=$(stamp_of vmlinuz)
  busybox=$(stamp_of busybox-root)
  [[ -n $kernel && -n $busybox ]] || return 1
  kernel=${kernel%% *}
  busybox=${busybox%% *}
  KERNEL_PKG=${kernel%%=*}
  KERNEL_PKG_VERSION=${kernel#*=}
  BUSYBOX_VERSION=${busybox#busybox-static=}
  log "warning: apt-cache cannot resolve the packages ($APT_HINT); keeping the cached $KERNEL_PKG $KERNEL_PKG_VERSION and busybox-static $BUSYBOX_VERSION"
}

# resolve_packages: sets and exports KERNEL_PKG (the real package behind the
# linux-image-amd64 metapackage, e.g. linux-image-6.1.0-56-amd64; EMU_KERNEL_PACKAGE
# overrides it), KERNEL_PKG_VERSION and BUSYBOX_VERSION (candidate versions). Uses one
# apt-cache call where it can (apt-cache takes seconds where its binary cache is
# off); build-all.sh resolves once and its steps reuse the exported values.
resolve_packages() {
  [[ -z ${EMU_PACKAGES_RESOLVED:-} ]] || return 0
  local out deps
  out=$(apt_show linux-image-amd64 busybox-static)
  if [[ -z $out ]] && resolve_from_stamps; then
    EMU_PACKAGES_RESOLVED=1
    export KERNEL_PKG KERNEL_PKG_VERSION BUSYBOX_VERSION EMU_PACKAGES_RESOLVED
    return 0
  fi
  BUSYBOX_VERSION=$(apt_field "$out" busybox-static Version)
  [[ -n $BUSYBOX_VERSION ]] || die "apt-cache knows no busybox-static:$GUEST_ARCH ($APT_HINT)"
  if [[ -n ${EMU_KERNEL_PACKAGE:-} ]]; then
    KERNEL_PKG=$EMU_KERNEL_PACKAGE
    KERNEL_PKG_VERSION=
  else
    deps=$(apt_field "$out" linux-image-amd64 Depends)
    [[ -n $deps ]] || die "apt-cache cannot resolve linux-image-amd64:$GUEST_ARCH ($APT_HINT)"
    # "linux-image-6.1.0-56-amd64 (= 6.1.192-2)": the metapackage pins the version.
    KERNEL_PKG=$(printf '%s\n' "$deps" | tr ',|' '\n' | sed 's/^ *//' |
                 grep -m1 '^linux-image-[0-9]' || true)
    [[ -n $KERNEL_PKG ]] || die "linux-image-amd64 depends on no linux-image-<version> package (Depends: $deps)"
    KERNEL_PKG_VERSION=
    if [[ $KERNEL_PKG =~ \(=\ *([^\)]+)\) ]]; then
      KERNEL_PKG_VERSION=${BASH_REMATCH[1]// /}
    fi
    KERNEL_PKG=${KERNEL_PKG%% *}
    KERNEL_PKG=${KERNEL_PKG%%:*}
  fi
  if [[ -z $KERNEL_PKG_VERSION ]]; then
    KERNEL_PKG_VERSION=$(apt_field "$(apt_show "$KERNEL_PKG")" "$KERNEL_PKG" Version)
    [[ -n $KERNEL_PKG_VERSION ]] || die "apt-cache knows no $KERNEL_PKG:$GUEST_ARCH ($APT_HINT)"
  fi
  EMU_PACKAGES_RESOLVED=1
  export KERNEL_PKG KERNEL_PKG_VERSION BUSYBOX_VERSION EMU_PACKAGES_RESOLVED
}

# download_deb <package> <version> <dir>: apt-get download into <dir>; prints the path.
download_deb() {
  local pkg=$1 ver=$2 dir=$3 opts=() deb
  need_tool apt-get apt
  need_tool dpkg dpkg   # the callers unpack with dpkg -x
  # As root, apt would try to drop to the _apt user, which cannot write to <dir>.
  [[ $EUID -ne 0 ]] || opts=(-o APT::Sandbox::User=root)
  (cd "$dir" && apt-get -q "${opts[@]}" download "$pkg:$GUEST_ARCH=$ver" >&2) ||
    die "apt-get download of $pkg:$GUEST_ARCH=$ver failed"
  deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
  [[ -n $deb ]] || die "apt-get download of $pkg left no .deb in $dir"
  printf '%s\n' "$deb"
}

# recipe_hash <file>...: a short hash of recipe files (names and contents), so that
# editing a recipe invalidates what it built. Paths are relative to images/.
recipe_hash() {
  local f
  for f in "$@"; do
    [[ -f $IMAGES_SRC_DIR/$f ]] || die "recipe file images/$f is missing"
    printf '%s\n' "$f"
    cat "$IMAGES_SRC_DIR/$f"
  done | sha256sum | cut -c1-16
}

# Stamps: <cache>/stamps/<name> holds the cache key an output was built with. An
# output counts as done only when its stamp matches; stamps are written last.
stamp_of() { cat "$STAMP_DIR/$1" 2>/dev/null || true; }
is_current() { [[ -e $EMU_IMAGE_DIR/$1 && -f $STAMP_DIR/$1 && $(stamp_of "$1") == "$2" ]]; }
invalidate() { mkdir -p "$STAMP_DIR"; rm -f "$STAMP_DIR/$1"; }
mark_current() {
  mkdir -p "$STAMP_DIR"
  printf '%s\n' "$2" >"$STAMP_DIR/$1.tmp.$$"
  mv -f "$STAMP_DIR/$1.tmp.$$" "$STAMP_DIR/$1"
}

# report_cached <name> <key>: the one line a cached output prints.
report_cached() { printf '%s: cached (%s)\n' "$1" "$2"; }

# make_work_dir: a scratch directory inside the cache (same file system, so the
# final mv is an atomic rename), removed when the script exits.
make_work_dir() {
  mkdir -p "$EMU_IMAGE_DIR"
  WORK_DIR=$(mktemp -d "$EMU_IMAGE_DIR/.work.XXXXXX")
  trap 'rm -rf "$WORK_DIR"' EXIT
}

# install_busybox <stage dir>: /bin/busybox from the cache plus a symlink for every
# applet path in `busybox --list-full` (bin/sh, sbin/init, usr/bin/[, linuxrc, ...).
install_busybox() {
  local stage=$1 applet
  [[ -x $EMU_IMAGE_DIR/busybox-root/bin/busybox ]] || die "no busybox in $EMU_IMAGE_DIR: run images/fetch-busybox.sh first"
  mkdir -p "$stage/bin"
  install -m 0755 "$EMU_IMAGE_DIR/busybox-root/bin/busybox" "$stage/bin/busybox"
  while IFS= read -r applet; do
    [[ -n $applet && $applet != bin/busybox ]] || continue
    [[ -e $stage/$applet || -L $stage/$applet ]] && continue
    [[ $applet != */* ]] || mkdir -p "$stage/${applet%/*}"
    ln -s /bin/busybox "$stage/$applet"
  done <"$EMU_IMAGE_DIR/busybox-root/applets"
}
