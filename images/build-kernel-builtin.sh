#!/usr/bin/env bash
# images/build-kernel-builtin.sh — compile a second, small kernel from Debian's
# linux-source-<major.minor> package (the same major.minor as the stock kernel that
# build-kernel.sh fetches): `make tinyconfig` plus images/kernel-builtin.config, which
# builds in the PC drivers emu emulates and the command line
# `root=/dev/sda rw console=ttyS0 console=tty0`, so that
#   emu -hda busybox.img -kernel vmlinuz-builtin
# boots with no other flag. Leaves in the cache:
#   vmlinuz-builtin          the bzImage
#   vmlinuz-builtin.config   its .config
# The tarball comes from the installed package (/usr/src, scripts/setup-deps.sh installs
# it) when its version is the candidate, otherwise from `apt-get download`. Cached by
# source package version + compiler + config fragment + recipe. The compile runs under
# `nice` with EMU_KERNEL_JOBS parallel jobs (default 2).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EMU_KERNEL_JOBS=${EMU_KERNEL_JOBS:-2}
[[ $EMU_KERNEL_JOBS =~ ^[1-9][0-9]*$ ]] || die "EMU_KERNEL_JOBS must be a positive number (not '$EMU_KERNEL_JOBS')"

need_tool make build-essential
need_tool bc bc
need_tool bison bison
need_tool flex flex
need_tool xz xz-utils
need_tool perl perl

# The guest is x86-64: elsewhere, compile with the x86-64 cross compiler.
CROSS=
[[ $(uname -m) == x86_64 ]] || CROSS=x86_64-linux-gnu-
need_tool "${CROSS}gcc" "gcc-x86-64-linux-gnu"
[[ -e /usr/include/libelf.h || -e /usr/include/gelf.h ]] || die "libelf headers not found (apt-get install libelf-dev)"
[[ -e /usr/include/openssl/ssl.h ]] || die "OpenSSL headers not found (apt-get install libssl-dev)"

FRAGMENT=kernel-builtin.config

# source_package: linux-source-<major.minor> of the stock kernel package
# (linux-image-6.1.0-56-amd64 -> linux-source-6.1).
source_package() {
  resolve_packages
  [[ $KERNEL_PKG =~ ^linux-image-([0-9]+\.[0-9]+)[.-] ]] ||
    die "cannot tell the kernel series from $KERNEL_PKG"
  printf 'linux-source-%s\n' "${BASH_REMATCH[1]}"
}

# source_version <package>: the version to build (the apt candidate; the installed one
# when apt has no package lists).
source_version() {
  local v
  v=$(apt_field "$(apt-cache show --no-all-versions "$1" 2>/dev/null || true)" "$1" Version)
  [[ -n $v ]] || v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true)
  [[ -n $v ]] || die "apt-cache knows no $1 ($APT_HINT)"
  printf '%s\n' "$v"
}

builtin_key() {
  local pkg=$1 ver=$2
  printf '%s=%s gcc=%s config+recipe=%s\n' "$pkg" "$ver" \
    "$("${CROSS}gcc" -dumpfullversion)" "$(recipe_hash lib.sh build-kernel-builtin.sh "$FRAGMENT")"
}

# fragment_lines: the NAME=value lines of the fragment, without comments.
fragment_lines() { grep -Ev '^[[:space:]]*(#|$)' "$IMAGES_SRC_DIR/$FRAGMENT"; }

# apply_fragment <tree>: set every fragment line with scripts/config.
apply_fragment() {
  local tree=$1 line name value args=()
  while IFS= read -r line; do
    [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || die "images/$FRAGMENT: not a CONFIG_NAME=value line: $line"
    name=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    case $value in
      y) args+=(--enable "$name") ;;
      \"*\") value=${value#\"}; args+=(--set-str "$name" "${value%\"}") ;;
      *) args+=(--set-val "$name" "$value") ;;
    esac
  done < <(fragment_lines)
  "$tree/scripts/config" --file "$tree/.config" "${args[@]}" || die "scripts/config failed"
}

# check_fragment <tree>: every fragment line must be in the final .config (Kconfig
# silently drops an option whose dependencies are off).
check_fragment() {
  local tree=$1 line missing=()
  while IFS= read -r line; do
    grep -qxF -- "$line" "$tree/.config" || missing+=("$line")
  done < <(fragment_lines)
  [[ ${#missing[@]} -eq 0 ]] || die "make olddefconfig dropped ${missing[*]} (unmet dependencies? see images/$FRAGMENT)"
}

# source_tarball <package> <version> <dir>: the path of linux-source-*.tar.xz.
source_tarball() {
  local pkg=$1 ver=$2 dir=$3 installed deb
  installed=$(dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null || true)
  if [[ $installed == "install ok installed $ver" && -f /usr/src/$pkg.tar.xz ]]; then
    printf '/usr/src/%s.tar.xz\n' "$pkg"
    return
  fi
  # Architecture-independent package: no :amd64 qualifier.
  deb=$(GUEST_ARCH=all download_deb "$pkg" "$ver" "$dir")
  dpkg -x "$deb" "$dir/pkg" || die "dpkg -x $deb failed"
  rm -f "$deb"
  [[ -f $dir/pkg/usr/src/$pkg.tar.xz ]] || die "$pkg has no usr/src/$pkg.tar.xz"
  printf '%s\n' "$dir/pkg/usr/src/$pkg.tar.xz"
}

# kmake <tree> <target>...: make for the x86-64 guest, niced, output to build.log.
kmake() {
  local tree=$1
  shift
  nice -n 10 make -C "$tree" ARCH=x86_64 ${CROSS:+CROSS_COMPILE=$CROSS} \
    KBUILD_BUILD_USER=emu KBUILD_BUILD_HOST=images "$@" >>"$WORK_DIR/build.log" 2>&1 ||
    { tail -n 30 "$WORK_DIR/build.log" >&2; die "make $* failed (log above)"; }
}

main() {
  local pkg ver key tarball tree top start
  pkg=$(source_package)
  ver=$(source_version "$pkg")
  key=$(builtin_key "$pkg" "$ver")
  if is_current vmlinuz-builtin "$key" && [[ -f $EMU_IMAGE_DIR/vmlinuz-builtin.config ]]; then
    report_cached vmlinuz-builtin "$key"
    return
  fi
  start=$SECONDS
  log "building vmlinuz-builtin from $pkg $ver with $EMU_KERNEL_JOBS jobs (takes minutes)"
  invalidate vmlinuz-builtin
  make_work_dir

  tarball=$(source_tarball "$pkg" "$ver" "$WORK_DIR")
  # All of it: Kconfig reads files from every architecture and from Documentation/.
  top=$pkg
  tar -xJf "$tarball" -C "$WORK_DIR" || die "cannot unpack $tarball"
  tree=$WORK_DIR/$top
  [[ -f $tree/Makefile ]] || die "$tarball does not unpack to $top/"

  kmake "$tree" tinyconfig
  apply_fragment "$tree"
  kmake "$tree" olddefconfig
  check_fragment "$tree"
  log "configured ($((SECONDS - start)) s); compiling"
  kmake "$tree" -j"$EMU_KERNEL_JOBS" bzImage
  [[ -f $tree/arch/x86/boot/bzImage ]] || die "make bzImage left no arch/x86/boot/bzImage"

  cp "$tree/.config" "$WORK_DIR/vmlinuz-builtin.config"
  cp "$tree/arch/x86/boot/bzImage" "$WORK_DIR/vmlinuz-builtin"
  mv -f "$WORK_DIR/vmlinuz-builtin.config" "$EMU_IMAGE_DIR/vmlinuz-builtin.config"
  mv -f "$WORK_DIR/vmlinuz-builtin" "$EMU_IMAGE_DIR/vmlinuz-builtin"
  mark_current vmlinuz-builtin "$key"
  log "vmlinuz-builtin: built in $((SECONDS - start)) s ($EMU_IMAGE_DIR/vmlinuz-builtin, $(stat -c %s "$EMU_IMAGE_DIR/vmlinuz-builtin") bytes)"
}

main "$@"
