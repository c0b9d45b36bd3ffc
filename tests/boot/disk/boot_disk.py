#!/usr/bin/env python3
"""Boot tests of emu's IDE disks with the built-in-driver kernel (images/: vmlinuz-builtin,
whose command line `root=/dev/sda rw console=ttyS0 console=tty0` is compiled in). Every
test works on copies of busybox.img in a private temporary directory.

  boot_disk.py builtin     `emu -nographic -snapshot -hda disk.img -cdrom test.iso -kernel
                           vmlinuz-builtin`: the shell comes up, / is /dev/sda, the ISO
                           built on the host mounts from /dev/sr0 and its files read back
                           with the host's digests; the guest writes and syncs, and after
                           poweroff the image is byte-identical (-snapshot)
  boot_disk.py poweroff    the guest copies 64 MiB of known content (made on the host,
                           read from the CD-ROM drive) into a file, syncs and powers off; on the
                           host (after replaying the journal, as a mount would) e2fsck -fn
                           is clean and `debugfs -R "cat"` gives the digest
  boot_disk.py sigkill     the same, but emu is killed with SIGKILL right after the
                           guest's sync returned
  boot_disk.py qcow2-poweroff, qcow2-sigkill
                           the same through `-hda overlay.qcow2`, an overlay made by
                           qemu-img over a raw copy of the image: afterwards `qemu-img
                           check` is clean, the base is byte-identical, and the checks
                           above run on the overlay converted to raw (skipped, status
                           77, without qemu-img)
  boot_disk.py bad-input   missing, empty, truncated, read-only, locked, foreign-format and
                           broken qcow2 images (corrupt, backing file missing): one
                           error line naming the file, a non-zero exit, no guest output

Environment (set by ctest): EMU_BINARY, EMU_SOURCE_DIR, EMU_IMAGE_DIR (optional),
EMU_ACCEL (the engine: ../emu_accel.py), EMU_BOOT_TIMEOUT (seconds, default 840).
Extra kernel arguments (appended to the built-in ones): EMU_BOOT_APPEND.
"""
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

source_dir = os.environ.get("EMU_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
sys.path.insert(0, os.path.join(source_dir, "tests", "images"))
sys.path.insert(0, os.path.join(source_dir, "tests", "boot"))
from image_paths import image_paths as shared_image_paths  # noqa: E402
from emu_accel import accel_args, slowdown  # noqa: E402
from serial_session import SerialSession, SessionError  # noqa: E402

# The prompt with its complete escape sequences, then the end of the output so far or a
# kernel message printed right after it on the same line (e.g. the TSC clocksource's
# refinement, about a second after boot: a plain `$` waited forever when it came first).
PROMPT = r"busybox:/# (\x1b\[[0-9;]*[A-Za-z])*(?:$|(?=[^\x1b]))"
BIG_FILE_BYTES = 64 << 20
BOOT_TIMEOUT = float(os.environ.get("EMU_BOOT_TIMEOUT", "840"))


class TestFailure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise TestFailure(what)


def image_paths():
    return shared_image_paths(source_dir)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, **kw)


class Guest:
    """One emu run driven over its serial console; numbered markers make every command's
    end recognisable (the echoed command line shows $((n+1)), never the result)."""

    def __init__(self, cmd):
        print("running:", " ".join(cmd), flush=True)
        self.start = time.monotonic()
        self.session = SerialSession(cmd, timeout=BOOT_TIMEOUT)
        self.marker = 0

    def wait_shell(self):
        # console=tty0 comes last, so /dev/console (rcS's output) is the VGA screen; the
        # serial port has the kernel messages and a shell.
        self.session.expect(r"Run /sbin/init as init process")
        self.session.expect(PROMPT)
        print("boot_disk: shell after %.1f s" % (time.monotonic() - self.start), flush=True)

    def run(self, command, timeout=None):
        """Runs `command` in the guest shell; returns its output (text before the marker).
        Fails unless the command succeeded. `timeout` is for the JIT; it scales with the engine."""
        if timeout is not None:
            timeout *= slowdown()
        self.marker += 1
        n = self.marker
        self.session.send("%s; echo emu-status-$?-done-$((%d+1))" % (command, n - 1))
        start = self.session.pos
        m = self.session.expect(r"^emu-status-(\d+)-done-%d\r?$" % n, timeout=timeout)
        output = self.session.output[start:m.start()]
        check(m.group(1) == "0", "guest command %r failed with status %s:\n%s" % (command, m.group(1), output))
        return output

    def poweroff(self):
        self.session.send("poweroff -f")
        status = self.session.wait_exit()
        check(status == 0, "emu exited with status %d after poweroff -f (expected 0)" % status)

    def kill(self):
        os.killpg(self.session.proc.pid, signal.SIGKILL)
        self.session.proc.wait(timeout=30)
        print("boot_disk: emu killed with SIGKILL", flush=True)

    def close(self):
        self.session.close()


def copy_image(paths, work, name="disk.img", grow_to=None):
    img = os.path.join(work, name)
    shutil.copyfile(paths["BUSYBOX_IMG"], img)
    if grow_to:
        os.truncate(img, grow_to)
        for cmd in (["e2fsck", "-fp", img], ["resize2fs", img]):
            r = run(cmd, text=True)
            check(r.returncode == 0, "%s failed: %s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return img


def emu_cmd(emu, paths, img, *extra):
    # The built-in command line needs nothing; extra arguments are appended to it.
    append = os.environ.get("EMU_BOOT_APPEND", "").strip()
    return [emu, "-nographic", *accel_args(), *extra, "-hda", img, "-kernel", paths["VMLINUZ_BUILTIN"]] + (["-append", append] if append else [])


def e2fsck_clean(img):
    r = run(["e2fsck", "-fn", img], text=True)
    check(r.returncode == 0, "e2fsck -fn %s is not clean (status %d):\n%s%s" % (img, r.returncode, r.stdout, r.stderr))


def debugfs_digest(img, path):
    r = run(["debugfs", "-R", "cat %s" % path, img])
    check(r.returncode == 0, "debugfs cat %s failed: %s" % (path, r.stderr.decode(errors="replace")))
    check(len(r.stdout) == BIG_FILE_BYTES, "debugfs cat %s gave %d bytes, expected %d" % (path, len(r.stdout), BIG_FILE_BYTES))
    return hashlib.sha256(r.stdout).hexdigest()


def test_builtin(emu, paths, work):
    img = copy_image(paths, work)
    before = sha256_file(img)
    # A CD-ROM with a text file, a nested binary file and an odd-sized one.
    iso_root = os.path.join(work, "iso")
    os.makedirs(os.path.join(iso_root, "data"))
    files = {"hello.txt": b"hello from the host\n", "data/random.bin": random.Random(1).randbytes(3 << 20),
             "data/odd.bin": random.Random(2).randbytes(12345)}
    for name, data in files.items():
        with open(os.path.join(iso_root, name), "wb") as f:
            f.write(data)
    iso = os.path.join(work, "test.iso")
    r = run(["genisoimage", "-quiet", "-R", "-J", "-V", "EMUTEST", "-o", iso, iso_root], text=True)
    check(r.returncode == 0, "genisoimage failed: %s" % r.stderr)

    guest = Guest(emu_cmd(emu, paths, img, "-snapshot", "-cdrom", iso))
    try:
        guest.wait_shell()
        out = guest.run("cat /proc/cmdline")
        check("root=/dev/sda rw console=ttyS0 console=tty0" in out, "built-in command line missing: %r" % out)
        out = guest.run("echo root-dev $(stat -c %d /) sda-dev $(( (0x$(stat -c %t /dev/sda) << 8) | 0x$(stat -c %T /dev/sda) ))")
        m = re.search(r"^root-dev (\d+) sda-dev (\d+)\r?$", out, re.M)
        check(m and m.group(1) == m.group(2) == str(8 << 8), "/ is not /dev/sda (8:0): %r" % out)
        out = guest.run("grep ' / ' /proc/mounts")
        check(re.search(r" / ext4 rw", out), "/ is not a read-write ext4: %r" % out)
        guest.run("mkdir -p /mnt/cd && mount -t iso9660 -o ro /dev/sr0 /mnt/cd")
        out = guest.run("cd /mnt/cd && sha256sum %s; cd /" % " ".join(sorted(files)), timeout=120)
        got = dict((name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)\r?$", out, re.M))
        for name, data in files.items():
            check(got.get(name) == hashlib.sha256(data).hexdigest(), "CD-ROM file %s: guest digest %s" % (name, got.get(name)))
        guest.run("umount /mnt/cd")
        # Writes under -snapshot reach the guest's view of the disk but not the file.
        guest.run("dd if=/dev/urandom of=/scratch.bin bs=64k count=64 2>/dev/null && sync", timeout=120)
        guest.run("test -s /scratch.bin")
        guest.poweroff()
    finally:
        guest.close()
    check(sha256_file(img) == before, "-snapshot: the image changed")
    print("boot_disk: image byte-identical after a session with writes under -snapshot")


def qcow2_overlay(work, base):
    """Makes overlay.qcow2 over `base` (named relative to the overlay, as users do)."""
    overlay = os.path.join(work, "overlay.qcow2")
    r = run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", os.path.basename(base), "-F", "raw", overlay], text=True,
            cwd=work)
    check(r.returncode == 0, "qemu-img create failed: %s%s" % (r.stdout, r.stderr))
    return overlay


def qcow2_flatten(work, overlay, base, base_digest):
    """Checks the overlay with qemu-img and the base for changes; returns a raw copy."""
    r = run(["qemu-img", "check", overlay], text=True)
    check(r.returncode == 0, "qemu-img check %s: status %d:\n%s%s" % (overlay, r.returncode, r.stdout, r.stderr))
    check(sha256_file(base) == base_digest, "the overlay's base image changed")
    flat = os.path.join(work, "flat.img")
    r = run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", overlay, flat], text=True)
    check(r.returncode == 0, "qemu-img convert failed: %s%s" % (r.stdout, r.stderr))
    print("boot_disk: qemu-img check clean, base unchanged (overlay %d KiB)" % (os.path.getsize(overlay) >> 10))
    return flat


def test_persist(emu, paths, work, kill, qcow2=False):
    img = copy_image(paths, work, grow_to=160 << 20)
    if qcow2:
        base, base_digest = img, sha256_file(img)
        img = qcow2_overlay(work, base)
    # The known content comes from the host on the CD-ROM drive (/dev/sr0: a second disk
    # could take the name sda, as sd probes its disks in parallel).
    content = random.Random(64).randbytes(BIG_FILE_BYTES)
    source = os.path.join(work, "content.bin")
    with open(source, "wb") as f:
        f.write(content)
    expected = hashlib.sha256(content).hexdigest()
    del content

    guest = Guest(emu_cmd(emu, paths, img, "-cdrom", source))
    try:
        guest.wait_shell()
        guest.run("cat /dev/sr0 > /big.bin && sync", timeout=300)
        if kill:
            guest.kill()
        else:
            out = guest.run("sha256sum /big.bin", timeout=300)
            m = re.search(r"^([0-9a-f]{64})  /big.bin\r?$", out, re.M)
            check(m and m.group(1) == expected, "guest digest of /big.bin %s, expected %s" % (m and m.group(1), expected))
            guest.poweroff()
    finally:
        guest.close()
    if qcow2:
        img = qcow2_flatten(work, img, base, base_digest)
    # `poweroff -f` and SIGKILL both leave the file system mounted (needs_recovery): replay
    # its journal first, as the next mount would; then it must be consistent.
    # e2fsck may repair superblock-level things even then: any line besides the replay
    # and the summary is a finding.
    r = run(["e2fsck", "-E", "journal_only", "-p", img], text=True)
    findings = [line for line in (r.stdout + r.stderr).splitlines()
                if line.strip() and not re.search(r"recovering journal$|\d+/\d+ files .*blocks$|^e2fsck \d", line)]
    check(r.returncode in (0, 1) and not findings,
          "journal replay failed or repaired something (status %d): %s%s" % (r.returncode, r.stdout, r.stderr))
    e2fsck_clean(img)
    got = debugfs_digest(img, "/big.bin")
    check(got == expected, "host digest of /big.bin %s, expected %s" % (got, expected))
    print("boot_disk: /big.bin (64 MiB) intact on the host after %s%s" % ("SIGKILL" if kill else "poweroff",
                                                                        " (qcow2 overlay)" if qcow2 else ""))


def expect_refused(emu, paths, args, names, what):
    """emu with `args` must exit non-zero with one error line naming `names`, no output."""
    cmd = [emu, "-nographic", *accel_args(), "-kernel", paths["VMLINUZ_BUILTIN"], *args]
    r = run(cmd, text=True, timeout=60, stdin=subprocess.DEVNULL)
    lines = r.stderr.splitlines()
    ok = r.returncode != 0 and len(lines) == 1 and names in lines[0] and lines[0].startswith("emu: ") and not r.stdout
    print("%s: status %d: %s" % (what, r.returncode, r.stderr.strip()))
    check(ok, "%s: expected one error line naming %s and a non-zero exit; got status %d, stderr %r, stdout %r"
          % (what, names, r.returncode, r.stderr, r.stdout[:300]))


def test_bad_input(emu, paths, work):
    def make(name, data=b"", mode=0o644):
        p = os.path.join(work, name)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
        return p

    missing = os.path.join(work, "missing.img")
    expect_refused(emu, paths, ["-hda", missing], missing, "missing image")
    empty = make("empty.img")
    expect_refused(emu, paths, ["-hda", empty], empty, "empty image")
    tiny = make("tiny.img", b"x" * 100)
    expect_refused(emu, paths, ["-hda", tiny], tiny, "image smaller than a sector")
    truncated = copy_image(paths, work, "truncated.img")
    os.truncate(truncated, os.path.getsize(truncated) - 100)
    expect_refused(emu, paths, ["-hda", truncated], truncated, "truncated image")
    odd_iso = make("odd.iso", b"\0" * (2048 * 20 + 512))
    expect_refused(emu, paths, ["-cdrom", odd_iso], odd_iso, "CD-ROM image not in 2048-byte blocks")
    read_only = copy_image(paths, work, "read-only.img")
    os.chmod(read_only, 0o444)
    expect_refused(emu, paths, ["-hda", read_only], read_only, "read-only image without readonly=on")
    expect_refused(emu, paths, ["-drive", "file=%s,format=vmdk" % read_only], read_only, "unknown format=")
    qcow2 = make("disk.qcow2", b"QFI\xfb\0\0\0\3" + b"\0" * 4088)
    expect_refused(emu, paths, ["-hda", qcow2], qcow2, "qcow2 header with cluster_bits 0")
    expect_refused(emu, paths, ["-drive", "file=%s,format=qcow2" % qcow2], qcow2, "format=qcow2 with a corrupt header")
    if shutil.which("qemu-img"):
        # A real overlay whose backing file is gone, and one whose L1 table points past its end.
        gone = make("gone.img", b"\0" * (1 << 20))
        orphan = qcow2_overlay(work, gone)
        os.unlink(gone)
        expect_refused(emu, paths, ["-hda", orphan], orphan, "qcow2 overlay without its backing file")
        broken = os.path.join(work, "broken.qcow2")
        r = run(["qemu-img", "create", "-q", "-f", "qcow2", broken, "16M"], text=True)
        check(r.returncode == 0, "qemu-img create failed: %s" % r.stderr)
        with open(broken, "r+b") as f:
            f.seek(40)
            f.write((1 << 40).to_bytes(8, "big"))
        expect_refused(emu, paths, ["-drive", "file=%s,format=qcow2" % broken], broken, "qcow2 L1 table past the end")
    else:
        print("qcow2 overlay cases skipped: qemu-img is not installed")

    # Locked: a first emu has the image open (it opens its drives before the guest
    # starts; its first serial output shows it got that far).
    locked = copy_image(paths, work, "locked.img")
    first = SerialSession(emu_cmd(emu, paths, locked), timeout=BOOT_TIMEOUT, echo=False)
    try:
        first.expect(r"\S", timeout=120 * slowdown())
        expect_refused(emu, paths, ["-hda", locked], locked, "image in use by another emu")
        expect_refused(emu, paths, ["-snapshot", "-hda", locked], locked, "-snapshot of an image in use by another emu")
    finally:
        first.close()


def main():
    emu = os.environ.get("EMU_BINARY")
    if not emu or not os.access(emu, os.X_OK):
        print("FAIL: EMU_BINARY is not set to the emu executable", file=sys.stderr)
        return 1
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    tests = {"builtin": test_builtin, "poweroff": lambda *a: test_persist(*a, kill=False),
             "sigkill": lambda *a: test_persist(*a, kill=True), "bad-input": test_bad_input,
             "qcow2-poweroff": lambda *a: test_persist(*a, kill=False, qcow2=True),
             "qcow2-sigkill": lambda *a: test_persist(*a, kill=True, qcow2=True)}
    if mode not in tests:
        print("usage: boot_disk.py %s" % "|".join(tests), file=sys.stderr)
        return 2
    if mode.startswith("qcow2") and not shutil.which("qemu-img"):
        print("SKIP: qemu-img is not installed (apt install qemu-utils)")
        return 77
    paths = image_paths()
    for key in ("VMLINUZ_BUILTIN", "BUSYBOX_IMG"):
        if not os.path.isfile(paths.get(key, "")):
            print("FAIL: missing image %s=%s (run images/build-all.sh)" % (key, paths.get(key)), file=sys.stderr)
            return 1
    work = tempfile.mkdtemp(prefix="emu-boot-disk-")
    start = time.monotonic()
    try:
        tests[mode](emu, paths, work)
    except (TestFailure, SessionError) as err:
        print("FAIL: %s" % err, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("boot_disk %s: passed in %.1f s" % (mode, time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
