#!/usr/bin/env python3
"""Boot-path tests: Debian's stock bzImage boots through each of emu's two -kernel
paths, with and without an initrd, and the test checks that the path it asked for is
the one emu took (the `-d boot` line on stderr).

  boot_paths.py pvh   initrd     PVH fast path (the default): host-decompressed vmlinux
  boot_paths.py linux initrd     -machine pvh=off: the Linux boot protocol, the kernel
                                 decompresses itself inside the guest
  boot_paths.py pvh   no-initrd  same without an initrd: the stock kernel has its disk
  boot_paths.py linux no-initrd  drivers as modules, so it reaches the point of mounting
                                 root and panics there; panic=-1 + -no-reboot ends emu

With an initrd the test waits for the initrd's marker lines (images/README.md), runs a
command in the shell and powers off. Without one it waits for the kernel's own lines
proving it got as far as mounting the root file system.

Environment (set by ctest): EMU_BINARY, EMU_SOURCE_DIR, EMU_IMAGE_DIR (optional: else
images/paths.sh's default), EMU_BOOT_TIMEOUT (seconds, default 600), EMU_ACCEL (the
engine: ../emu_accel.py).
"""
import os
import re
import subprocess
import sys
import time

source_dir = os.environ.get("EMU_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(source_dir, "tests", "images"))
sys.path.insert(0, os.path.join(source_dir, "tests", "boot"))
from image_paths import image_paths as shared_image_paths  # noqa: E402
from emu_accel import accel_args  # noqa: E402
from serial_session import SerialSession, SessionError  # noqa: E402

# The -d boot line each path prints (devices/pc_board.cpp, bios/linux_boot.cpp).
PATH_MARKERS = {
    "pvh": r"boot: .*: PVH entry at 0x[0-9a-f]+",
    "linux": r"boot: .*: Linux boot protocol 2\.\d\d, \d+ KiB kernel at 0x100000",
}


def image_paths():
    return shared_image_paths(source_dir)


def usage():
    print("usage: boot_paths.py pvh|linux initrd|no-initrd", file=sys.stderr)
    return 2


def main(argv):
    if len(argv) != 2 or argv[0] not in PATH_MARKERS or argv[1] not in ("initrd", "no-initrd"):
        return usage()
    boot_path, with_initrd = argv[0], argv[1] == "initrd"
    emu = os.environ.get("EMU_BINARY")
    if not emu or not os.access(emu, os.X_OK):
        print("FAIL: EMU_BINARY is not set to the emu executable", file=sys.stderr)
        return 1
    paths = image_paths()
    for key in ("VMLINUZ",) + (("INITRD",) if with_initrd else ()):
        if not os.path.isfile(paths.get(key, "")):
            print("FAIL: missing image %s=%s (run images/build-all.sh)" % (key, paths.get(key)), file=sys.stderr)
            return 1

    append = "console=ttyS0 panic=-1" + ("" if with_initrd else " root=/dev/sda")
    cmd = [emu, "-m", "512", "-nographic", "-no-reboot", "-d", "boot", "-kernel", paths["VMLINUZ"], "-append", append]
    if with_initrd:
        cmd += ["-initrd", paths["INITRD"]]
    if boot_path == "linux":
        cmd += ["-machine", "pvh=off"]
    cmd += accel_args()
    print("running:", " ".join(cmd))
    start = time.monotonic()
    session = SerialSession(cmd, timeout=float(os.environ.get("EMU_BOOT_TIMEOUT", "600")))
    try:
        session.expect(PATH_MARKERS[boot_path])
        # The kernel proper runs and got the command line either way.
        session.expect(r"Linux version " + re.escape(paths["KERNEL_VERSION"]))
        session.expect(r"Kernel command line: " + re.escape(append))
        if with_initrd:
            session.expect(r"Run /init as init process")
            session.expect(r"emu-initrd: modules loaded")
            session.expect(r"emu-initrd: no root= given, starting shell")
            session.expect(r"# (\x1b\[[0-9;]*[A-Za-z])*$")
            session.wait_until_shell_answers()
            session.send("cat /proc/cmdline")
            session.expect("^" + re.escape(append) + r"\s*\r?$")
            session.send("poweroff -f")
        else:
            # No driver for the disk is built in: the kernel gets to mounting root,
            # finds no device and panics; panic=-1 reboots and -no-reboot ends emu.
            session.expect(r"List of all partitions:")
            session.expect(r"No filesystem could mount root")
            session.expect(r"Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block\(0,0\)")
        status = session.wait_exit()
        if status != 0:
            print("FAIL: emu exited with status %d (expected 0)" % status, file=sys.stderr)
            return 1
        print("boot path test (%s, %s): passed in %.1f s" % (boot_path, argv[1], time.monotonic() - start))
        return 0
    except SessionError as err:
        print("FAIL: %s" % err, file=sys.stderr)
        return 1
    finally:
        session.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
