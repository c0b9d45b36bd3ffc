"""benchlib.py — shared pieces of the guest benchmarks in bench/ (boot_vs_qemu.py,
guest_workload.py, disk_dd.py): the machines compared (emu through PVH, emu through the Linux boot
protocol, QEMU TCG) and how their command lines are built from the environment, image
paths, timed runs over a serial console, medians and the result table.

Environment:
  EMU        emu executable (default: build/frontends/emu in the source tree)
  EMU_ARGS   extra emu options for every emu run, e.g. "-accel jit" (shell words)
  QEMU       QEMU executable (default: qemu-system-x86_64)
  QEMU_ARGS  QEMU's accelerator options (default: "-accel tcg")
  EMU_IMAGE_DIR  where the guest images are (as images/paths.sh)
"""
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "images"))
from image_paths import image_paths as shared_image_paths  # noqa: E402
from serial_session import SerialSession, SessionError  # noqa: E402,F401

# name -> how that machine boots -kernel. "emu-pvh" is emu's default path.
MACHINES = ("emu-pvh", "emu-linux", "qemu")
# The kernel command line every benchmark gives every machine.
APPEND = "console=ttyS0 panic=-1"


def image_paths():
    paths = shared_image_paths(SOURCE_DIR)
    for key in ("VMLINUZ", "INITRD"):
        if not os.path.isfile(paths.get(key, "")):
            sys.exit("bench: missing guest image %s=%s (run images/build-all.sh)" % (key, paths.get(key)))
    return paths


def add_run_arguments(parser, runs, machines, timeout):
    """The options every benchmark has: --runs, --machines, --timeout, --log-dir."""
    parser.add_argument("--runs", type=int, default=runs, help="runs per machine (default %d)" % runs)
    parser.add_argument("--machines", default=machines)
    parser.add_argument("--timeout", type=float, default=timeout,
                        help="seconds allowed per run (default %d)" % timeout)
    parser.add_argument("--log-dir", help="keep each run's console output here")


def machine_command(machine, paths, append, memory_mb=512, extra_args=()):
    """The command line that boots the images' kernel + initrd on `machine`; extra_args
    (e.g. -drive options, which emu and QEMU spell alike) go at the end."""
    common = ["-m", str(memory_mb), "-nographic", "-no-reboot", "-kernel", paths["VMLINUZ"], "-initrd", paths["INITRD"],
              "-append", append] + list(extra_args)
    if machine.startswith("emu"):
        emu = os.environ.get("EMU") or os.path.join(SOURCE_DIR, "build", "frontends", "emu")
        if not os.access(emu, os.X_OK):
            sys.exit("bench: emu executable %s not found (build it, or set EMU)" % emu)
        extra = shlex.split(os.environ.get("EMU_ARGS", ""))
        if machine == "emu-linux":
            extra += ["-machine", "pvh=off"]
        return [emu] + extra + common
    qemu = os.environ.get("QEMU", "qemu-system-x86_64")
    return [qemu] + shlex.split(os.environ.get("QEMU_ARGS", "-accel tcg")) + common


def parse_machines(text):
    chosen = [m.strip() for m in text.split(",") if m.strip()]
    for m in chosen:
        if m not in MACHINES:
            sys.exit("bench: unknown machine %r (choose from %s)" % (m, ", ".join(MACHINES)))
    return chosen


def children_cpu_seconds():
    """User + system CPU time of every child process reaped so far (all threads)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def process_cpu_seconds(pid):
    """User + system CPU time so far of a running process (all its threads), from
    /proc/<pid>/stat, in clock-tick resolution; None when it cannot be read."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TimedSession:
    """A SerialSession whose marks are seconds since the command started."""

    def __init__(self, argv, timeout, log_path=None):
        self.cpu_before = children_cpu_seconds()
        self.session = SerialSession(argv, timeout=timeout, log_path=log_path, echo=False)
        self.cpu_seconds = None

    def wait_for(self, pattern):
        self.session.expect(pattern)
        return self.session.elapsed()

    def process_cpu_seconds(self):
        """CPU seconds the machine has used so far (None once it has exited)."""
        return process_cpu_seconds(self.session.proc.pid)

    def close(self):
        self.session.close()
        self.cpu_seconds = children_cpu_seconds() - self.cpu_before


def median(values):
    return statistics.median(values) if values else float("nan")


def print_table(title, rows, machines, baseline="qemu", unit="s"):
    """rows: [(label, {machine: [values...]})], values in `unit` (seconds by default).
    Prints medians and ratios to the baseline."""
    print()
    print(title)
    header = "%-34s" % "" + "".join("%14s" % m for m in machines)
    others = [m for m in machines if m != baseline] if baseline in machines else []
    header += "".join("%16s" % ("%s/%s" % (m.replace("emu-", ""), baseline)) for m in others)
    print(header)
    cell = "%" + str(14 - len(unit)) + ".2f" + unit.replace("%", "%%")
    for label, results in rows:
        meds = {m: median(results.get(m, [])) for m in machines}
        line = "%-34s" % label + "".join(cell % meds[m] for m in machines)
        for m in others:
            line += "%15.3fx" % (meds[m] / meds[baseline]) if meds[baseline] > 0 else "%16s" % "-"
        print(line)
    sys.stdout.flush()
