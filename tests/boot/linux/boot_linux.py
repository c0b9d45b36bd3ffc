#!/usr/bin/env python3
"""Boot tests: emu boots Debian's stock kernel with the images' initrd headless, the
busybox shell answers typed commands, and `poweroff -f` ends emu with status 0.
  boot_linux.py                the initrd's own shell
  boot_linux.py rootfs-disk    busybox.img on IDE (-snapshot: the cached image is
                                      never written) mounted as / with root=/dev/sda

Environment (set by ctest): EMU_BINARY, EMU_SOURCE_DIR, EMU_IMAGE_DIR (optional: else
images/paths.sh's default). Extra kernel arguments: EMU_BOOT_APPEND.
"""
import os
import re
import subprocess
import sys
import time

source_dir = os.environ.get("EMU_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(source_dir, "tests", "images"))
from serial_session import SerialSession, SessionError  # noqa: E402


def image_paths():
    out = subprocess.run([os.path.join(source_dir, "images", "paths.sh")], capture_output=True, text=True, check=True)
    paths = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition("=")
        paths[key] = value.strip("'\"")
    return paths


def main():
    emu = os.environ.get("EMU_BINARY")
    if not emu or not os.access(emu, os.X_OK):
        print("FAIL: EMU_BINARY is not set to the emu executable", file=sys.stderr)
        return 1
    paths = image_paths()
    rootfs = len(sys.argv) > 1 and sys.argv[1] == "rootfs-disk"
    for key in ("VMLINUZ", "INITRD") + (("BUSYBOX_IMG",) if rootfs else ()):
        if not os.path.isfile(paths.get(key, "")):
            print("FAIL: missing image %s=%s (run images/build-all.sh)" % (key, paths.get(key)), file=sys.stderr)
            return 1
    append = "console=ttyS0 panic=-1 " + ("root=/dev/sda " if rootfs else "") + os.environ.get("EMU_BOOT_APPEND", "")
    cmd = [emu, "-m", "512", "-nographic", "-no-reboot", "-kernel", paths["VMLINUZ"], "-initrd", paths["INITRD"],
           "-append", append.strip()]
    if rootfs:
        cmd += ["-snapshot", "-hda", paths["BUSYBOX_IMG"]]
    if os.environ.get("EMU_ACCEL"):  # interp / jit; default: emu's own (the JIT where available)
        cmd += ["-accel", os.environ["EMU_ACCEL"]]
    print("running:", " ".join(cmd))
    prompt = r"# (\x1b\[[0-9;]*[A-Za-z])*$"
    start = time.monotonic()
    session = SerialSession(cmd, timeout=float(os.environ.get("EMU_BOOT_TIMEOUT", "400")))
    try:
        session.expect(r"emu-initrd: modules loaded")
        if rootfs:
            session.expect(r"emu-initrd: switching to root /dev/sda")
            session.expect(r"emu-rootfs: up root=/dev/sda")
        else:
            session.expect(r"emu-initrd: no root= given, starting shell")
        session.expect(prompt)
        print("boot test: shell prompt after %.1f s" % (time.monotonic() - start))
        session.send("uname -r")
        session.expect("^" + re.escape(paths["KERNEL_VERSION"]) + r"\r?$")
        session.send("echo marker-$((6*7))")
        session.expect(r"^marker-42\r?$")
        if rootfs:
            session.send("grep ' / ' /proc/mounts")
            session.expect(r"^/dev/sda / ext4 rw")
        session.send("poweroff -f")
        status = session.wait_exit()
        if status != 0:
            print("FAIL: emu exited with status %d after poweroff -f (expected 0)" % status, file=sys.stderr)
            return 1
        print("boot test: passed in %.1f s" % (time.monotonic() - start))
        return 0
    except SessionError as err:
        print("FAIL: %s" % err, file=sys.stderr)
        return 1
    finally:
        session.close()


if __name__ == "__main__":
    sys.exit(main())
