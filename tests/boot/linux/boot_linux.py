#!/usr/bin/env python3
"""Boot tests: emu boots Debian's stock kernel with the images' initrd headless, the
busybox shell answers typed commands, and `poweroff -f` ends emu with status 0.
  boot_linux.py                the initrd's own shell, then the in-guest checks below
  boot_linux.py rootfs-disk    busybox.img on IDE (-snapshot: the cached image is
                                      never written) mounted as / with root=/dev/sda

In-guest checks (one boot, the initrd run): `uname -r`; /proc/cpuinfo's flags are what
emu's CPUID advertises (from the cpuid_flags helper) plus only the flags Linux derives
itself; dmesg has no BUG/WARNING/Oops/panic/stack trace/unchecked MSR access, no
"Unable to calibrate", no unstable clocksource, no unknown-vendor warning, and shows the
TSC calibrated against the PIT at emu's 2 GHz with the tsc clocksource in use;
/proc/interrupts shows the local timer and ttyS0 counting (and IRQ0 having arrived);
`seq | sha256sum` and a gzip round trip print the digests computed here on the host.

Environment (set by ctest): EMU_BINARY, EMU_CPUID_FLAGS, EMU_SOURCE_DIR, EMU_IMAGE_DIR
(optional: else images/paths.sh's default), EMU_ACCEL (the engine: ../emu_accel.py).
Extra kernel arguments: EMU_BOOT_APPEND
(e.g. hpet=disable: the checks hold without the HPET too).
"""
import hashlib
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


def cpu_seconds(pid):
    """CPU time (user + system) a running process has used so far: the boot's cost
    independent of how busy the host is."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def image_paths():
    return shared_image_paths(source_dir)


# TSC rate of emu's PC (devices/pc_board.h, PcBoardConfig::tsc_hz), in MHz.
EMU_TSC_MHZ = 2000.0

# Flags Linux sets itself from the vendor, family and other CPUID bits (not CPUID bits
# of their own), as it does for emu's AMD K8 model.
LINUX_DERIVED_FLAGS = {
    "rep_good",       # K8 stepping >= C: REP MOVS/STOS are fast
    "nopl",           # every 64-bit CPU has the long NOPs
    "cpuid",          # the CPUID instruction exists
    "extd_apicid",    # AMD family >= 0xf: extended APIC ID
    "3dnowprefetch",  # long mode implies PREFETCHW
    "vmmcall",        # AMD: hypercalls would use VMMCALL
    "tsc_known_freq", "tsc_reliable",
}

# dmesg lines that mean something went wrong.
DMESG_BAD = [
    (r"\bBUG\b", "BUG"),
    (r"\bWARNING\b", "WARNING"),
    (r"\bOops\b", "Oops"),
    (r"\bpanic\b(?!=)", "panic"),
    (r"Call Trace", "stack trace"),
    (r"unchecked MSR access", "unchecked MSR access (an MSR Linux expects is missing)"),
    (r"Unable to calibrate", "TSC calibration failure"),
    (r"Fast TSC calibration failed", "TSC calibration failure"),
    (r"clocksource.*unstable", "unstable clocksource"),
    (r"unknown vendor|vendor_id .* unknown|Your system may be unstable", "unknown CPU vendor"),
]


class Checks:
    """Commands typed into the shell whose output is captured between markers."""

    def __init__(self, session):
        self.session = session
        self.count = 0
        self.failures = []

    def capture(self, command, timeout=None):
        self.count += 1
        begin, end = "@@B%d" % self.count, "@@E%d" % self.count
        self.session.send("echo %s; %s; echo %s" % (begin, command, end))
        b = self.session.expect(r"^%s\r?$" % begin)
        e = self.session.expect(r"^%s\r?$" % end, timeout)
        return self.session.output[b.end():e.start()].replace("\r", "").strip("\n")

    def fail(self, what):
        print("CHECK FAILED: %s" % what, file=sys.stderr)
        self.failures.append(what)

    def cpu_flags(self):
        helper = os.environ.get("EMU_CPUID_FLAGS")
        if not helper or not os.access(helper, os.X_OK):
            self.fail("EMU_CPUID_FLAGS is not set to the cpuid_flags helper")
            return
        advertised = set(subprocess.run([helper], capture_output=True, text=True, check=True).stdout.split())
        text = self.capture("grep -m1 '^flags' /proc/cpuinfo")
        shown = set(text.partition(":")[2].split())
        if not shown:
            self.fail("no flags line in /proc/cpuinfo: %r" % text)
            return
        missing = advertised - shown
        extra = shown - advertised - LINUX_DERIVED_FLAGS
        if missing:
            self.fail("/proc/cpuinfo lacks flags emu's CPUID advertises: %s" % " ".join(sorted(missing)))
        if extra:
            self.fail("/proc/cpuinfo shows flags emu's CPUID does not advertise: %s" % " ".join(sorted(extra)))
        vendor = self.capture("grep -m1 '^vendor_id' /proc/cpuinfo")
        if "AuthenticAMD" not in vendor:
            self.fail("vendor_id is not AuthenticAMD: %r" % vendor)
        print("boot test: cpuinfo flags = CPUID's %d + Linux-derived %s" % (len(advertised), " ".join(sorted(shown - advertised))))

    def dmesg(self):
        text = self.capture("dmesg")
        lines = [l for l in text.splitlines() if "command line:" not in l.lower()]
        for pattern, what in DMESG_BAD:
            bad = [l for l in lines if re.search(pattern, l)]
            if bad:
                self.fail("dmesg shows %s: %s" % (what, bad[0].strip()))
        if not any("tsc: Fast TSC calibration using PIT" in l for l in lines):
            self.fail("dmesg does not show the TSC calibrated against the PIT")
        mhz = [float(m.group(1)) for l in lines for m in [re.search(r"tsc: Detected ([0-9.]+) MHz processor", l)] if m]
        if not mhz or abs(mhz[0] - EMU_TSC_MHZ) > EMU_TSC_MHZ * 0.002:
            self.fail("dmesg's detected TSC rate %s is not emu's %.0f MHz" % (mhz, EMU_TSC_MHZ))
        else:
            print("boot test: TSC calibrated against the PIT: %.3f MHz" % mhz[0])
        source = self.capture("cat /sys/devices/system/clocksource/clocksource0/current_clocksource")
        if source.strip() != "tsc":
            self.fail("current clocksource is %r, not tsc (was the TSC marked unstable?)" % source.strip())

    @staticmethod
    def interrupt_counts(text):
        counts = {}
        for line in text.splitlines():
            m = re.match(r"\s*(\w+):\s+(\d+)\s*(.*)$", line)
            if m:
                counts[m.group(1)] = int(m.group(2))
                if m.group(3).split():
                    counts[m.group(3).split()[-1]] = int(m.group(2))  # by device name too
        return counts

    def interrupts(self):
        first = self.interrupt_counts(self.capture("cat /proc/interrupts"))
        second = self.interrupt_counts(self.capture("sleep 1; cat /proc/interrupts"))
        for name, what in (("LOC", "local APIC timer"), ("ttyS0", "serial (ttyS0)")):
            if name not in first or second.get(name, 0) <= first[name]:
                self.fail("%s interrupts are not counting: %s then %s" % (what, first.get(name), second.get(name)))
        if second.get("timer", 0) <= 0:
            self.fail("no IRQ0 timer interrupt arrived: %s" % second.get("timer"))
        print("boot test: interrupts LOC %s->%s, ttyS0 %s->%s, IRQ0 timer %s" % (
            first.get("LOC"), second.get("LOC"), first.get("ttyS0"), second.get("ttyS0"), second.get("timer")))

    def workloads(self):
        # A small size: seq 1 20000 | sha256sum costs the interpreter ~40 s of CPU
        # (seq 1 200000 took minutes), so it runs once and gzip reuses its output.
        numbers = "".join("%d\n" % i for i in range(1, 20001)).encode()
        expect_sha = hashlib.sha256(numbers).hexdigest()
        got = self.capture("seq 1 20000 | tee /seq.txt | sha256sum", timeout=600).split()
        if not got or got[0] != expect_sha:
            self.fail("seq 1 20000 | sha256sum printed %r, the host computes %s" % (got, expect_sha))
        # gzip then gunzip the same numbers (kept in the initramfs, which is writable):
        # the round trip must give back the same bytes.
        expect_md5 = hashlib.md5(numbers).hexdigest()
        got = self.capture("gzip -c /seq.txt | gzip -dc | md5sum; rm /seq.txt", timeout=600).split()
        if not got or got[0] != expect_md5:
            self.fail("gzip -c | gzip -dc | md5sum of seq 1 20000 printed %r, the host computes %s" % (got, expect_md5))
        print("boot test: sha256 and gzip round-trip digests match the host")


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
    cmd += accel_args()
    print("running:", " ".join(cmd))
    prompt = r"# (\x1b\[[0-9;]*[A-Za-z])*$"
    start = time.monotonic()
    session = SerialSession(cmd, timeout=float(os.environ.get("EMU_BOOT_TIMEOUT", "840")))
    try:
        session.expect(r"emu-initrd: modules loaded")
        if rootfs:
            session.expect(r"emu-initrd: switching to root /dev/sda")
            session.expect(r"emu-rootfs: up root=/dev/sda")
        else:
            session.expect(r"emu-initrd: no root= given, starting shell")
        session.expect(prompt)
        print("boot test: shell prompt after %.1f s (emu used %.1f s of CPU)"
              % (time.monotonic() - start, cpu_seconds(session.proc.pid)))
        session.send("uname -r")
        session.expect("^" + re.escape(paths["KERNEL_VERSION"]) + r"\r?$")
        session.send("echo marker-$((6*7))")
        session.expect(r"^marker-42\r?$")
        checks = None
        if not rootfs:  # the in-guest checks, once per test run (the initrd boot)
            checks = Checks(session)
            checks.cpu_flags()
            checks.dmesg()
            checks.interrupts()
            checks.workloads()
        if rootfs:
            session.send("grep ' / ' /proc/mounts")
            session.expect(r"^/dev/sda / ext4 rw")
        print("boot test: emu used %.1f s of CPU before poweroff" % cpu_seconds(session.proc.pid))
        session.send("poweroff -f")
        status = session.wait_exit()
        if status != 0:
            print("FAIL: emu exited with status %d after poweroff -f (expected 0)" % status, file=sys.stderr)
            return 1
        if checks and checks.failures:
            print("FAIL: %d in-guest check(s) failed" % len(checks.failures), file=sys.stderr)
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
