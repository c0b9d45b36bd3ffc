#!/usr/bin/env python3
"""disk_dd.py — sequential disk throughput inside the guest, emu against QEMU TCG: boots
the images' kernel + initrd to its shell on each machine with two IDE disks on the
primary channel of the PIIX IDE controller (master: busybox.img with snapshot=on, so
it is never written; slave: a fresh raw scratch image, /dev/sdX), then times busybox
`dd if=/dev/zero of=/dev/sdX bs=1M count=N oflag=direct` (write) and
`dd if=/dev/sdX of=/dev/null bs=1M count=N iflag=direct` (read; it reads back what the
write just wrote). O_DIRECT keeps the guest's page cache out of the way, so every MB
goes through the IDE controller. Runs alternate between the machines; prints every
run, then medians and ratios to QEMU.

Each run gets a new sparse scratch file in a new temporary directory, so the host's
page cache starts alike for every machine: the write allocates the file's blocks, the
read finds them in the host's page cache (both emulators use buffered host I/O).

Each dd is timed from the host (arrival of marker lines the guest's shell prints just
before and after dd) and inside the guest (/proc/uptime before and after, 10 ms
resolution; Debian's busybox dd prints no timing of its own); the host CPU time the
emulator process (all threads) used meanwhile gives MB per CPU second, which a loaded
host disturbs less than wall time. MB/s are 10^6 bytes per second. Compare the host's
figures: emu's clock ties guest time to the vCPU's progress and drops host stalls
(devices/clock.h, limit_to_progress), so while emu runs slowly (a loaded host, long
device work inside one port write) its guest time advances by a nominal amount per
instruction, and its /proc/uptime figures come out far too high.

Before the first dd the guest's transfer mode of the scratch disk (libata's sysfs
xfer_mode) is printed, and the IDE interrupts (IRQ 14) and the disk's completed
requests (/sys/block/X/stat) during each dd are counted: DMA takes one interrupt per
request (512 KiB or 1 MiB here), PIO one per sector or per block.

usage: bench/disk_dd.py [--runs N] [--machines emu-pvh,qemu] [--mb N] [--disk-mb N]
                        [--timeout S] [--log-dir DIR]
Environment: EMU, EMU_ARGS (e.g. "-accel jit"), QEMU, QEMU_ARGS — see benchlib.py.
"""
import argparse
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

APPEND = benchlib.APPEND
PROMPT = r"# (\x1b\[[0-9;]*[A-Za-z])*$"
# Runs dd (its arguments) between two marker lines printed by shell builtins (the host
# times dd alone from their arrival), then prints dd's exit status, the guest's uptime,
# the IRQ 14 count and the disk's completed reads and writes (/sys/block/X/stat) before
# and after, and dd's last line ("N+0 records out"; Debian's busybox dd prints no
# bytes/seconds line).
IRQ14 = "$(awk '$1==\"14:\"{n=0; for(i=2;i<=NF&&$i~/^[0-9]+$/;i++) n+=$i; print n}' /proc/interrupts)"
IOS = "$(awk '{print $1, $5}' /sys/block/$disk/stat)"
TIMER_FUNCTION = ("dt() { i0=%s; s0=%s; t0=$(cut -d' ' -f1 /proc/uptime); echo bench-dd-start; "
                  "\"$@\" 2>/tmp/dd.err; rc=$?; echo bench-dd-end; t1=$(cut -d' ' -f1 /proc/uptime); i1=%s; s1=%s; "
                  "echo \"bench-done $rc $t0 $t1 $i0 $i1 $s0 $s1 $(tail -n 1 /tmp/dd.err)\"; }" % (IRQ14, IOS, IRQ14, IOS))
# \n at the end: a line cut short must not match.
DONE = (r"^bench-done (?P<rc>\d+) (?P<t0>[0-9.]+) (?P<t1>[0-9.]+) (?P<i0>\d+) (?P<i1>\d+) (?P<r0>\d+) (?P<w0>\d+) "
        r"(?P<r1>\d+) (?P<w1>\d+) (?P<mb>\d+)\+0 records out\r?\n")


def steps(mb):
    return (
        ("write (oflag=direct)", "dt dd if=/dev/zero of=/dev/$disk bs=1M count=%d oflag=direct" % mb),
        ("read (iflag=direct)", "dt dd if=/dev/$disk of=/dev/null bs=1M count=%d iflag=direct" % mb),
    )


def drive_args(paths, scratch):
    return ["-drive", "file=%s,format=raw,if=ide,index=0,snapshot=on" % paths["BUSYBOX_IMG"],
            "-drive", "file=%s,format=raw,if=ide,index=1" % scratch]


def one_run(machine, paths, plan, mb, disk_mb, timeout, log_path):
    """Returns {label: (host s, guest s, host CPU s, bytes, irqs, disk requests)} plus
    "xfer mode", or None."""
    with tempfile.TemporaryDirectory(prefix="disk-dd-") as tmp:
        scratch = os.path.join(tmp, "scratch.raw")
        with open(scratch, "wb") as f:
            f.truncate(disk_mb << 20)
        argv = benchlib.machine_command(machine, paths, APPEND, extra_args=drive_args(paths, scratch))
        run = benchlib.TimedSession(argv, timeout, log_path)
        s = run.session
        out = {}
        try:
            s.expect(r"emu-initrd: no root= given, starting shell")
            s.expect(PROMPT)
            s.wait_until_shell_answers()
            # sd probes the disks asynchronously: the scratch disk (SCSI 0:0:1:0, ata1.01)
            # may be sda or sdb.
            s.send("disk=$(ls /sys/bus/scsi/devices/0:0:1:0/block); "
                   "echo scratch-disk /dev/$disk $(cat /sys/block/$disk/size)")
            m = s.expect(r"^scratch-disk (\S*) (\d*)\r?\n")
            if m.group(2) != str(disk_mb * 2048):
                raise benchlib.SessionError("scratch disk %s has %r sectors, expected %d"
                                            % (m.group(1), m.group(2), disk_mb * 2048))
            s.send("echo xfer-mode $(cat /sys/class/ata_device/dev1.1/xfer_mode)")
            m = s.expect(r"^xfer-mode (.*?)\r?\n")
            out["xfer mode"] = m.group(1).strip()
            s.send(TIMER_FUNCTION)
            s.expect(PROMPT)
            for label, command in plan:
                s.send(command)
                s.expect(r"^bench-dd-start\r?\n")
                started, cpu_started = s.elapsed(), run.process_cpu_seconds()
                s.expect(r"^bench-dd-end\r?\n")
                host, cpu = s.elapsed() - started, run.process_cpu_seconds()
                if cpu is None or cpu_started is None:
                    raise benchlib.SessionError("%s: cannot read the machine's CPU time" % label)
                m = s.expect(DONE)
                if m["rc"] != "0":
                    raise benchlib.SessionError("%s: dd exited with status %s" % (label, m["rc"]))
                if int(m["mb"]) != mb:
                    raise benchlib.SessionError("%s: dd moved %s MiB, not %d" % (label, m["mb"], mb))
                requests = int(m["r1"]) - int(m["r0"]) + int(m["w1"]) - int(m["w0"])
                out[label] = (host, float(m["t1"]) - float(m["t0"]), cpu - cpu_started, mb << 20,
                              int(m["i1"]) - int(m["i0"]), requests)
                s.expect(PROMPT)
        except benchlib.SessionError as err:
            print("  %s: FAILED: %s" % (machine, str(err).splitlines()[0]), file=sys.stderr)
            out = None
        finally:
            run.close()
        return out


def mb_per_s(nbytes, seconds):
    return nbytes / 1e6 / seconds if seconds > 0 else float("inf")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchlib.add_run_arguments(parser, 3, "emu-pvh,qemu", 1800.0)
    parser.add_argument("--mb", type=int, default=256, help="MiB each dd moves (default 256)")
    parser.add_argument("--disk-mb", type=int, default=512, help="size of the scratch disk in MiB (default 512)")
    args = parser.parse_args()
    if args.runs < 1 or args.mb < 1 or args.disk_mb < args.mb:
        sys.exit("bench: --runs and --mb must be at least 1 and --disk-mb at least --mb")
    machines = benchlib.parse_machines(args.machines)
    paths = benchlib.image_paths()
    if not os.path.isfile(paths.get("BUSYBOX_IMG", "")):
        sys.exit("bench: missing guest image BUSYBOX_IMG=%s (run images/build-all.sh)" % paths.get("BUSYBOX_IMG"))
    if args.log_dir:
        os.makedirs(args.log_dir, exist_ok=True)
    plan = steps(args.mb)
    for m in machines:
        print("%-10s %s" % (m, " ".join(benchlib.machine_command(m, paths, APPEND,
                                                                 extra_args=drive_args(paths, "SCRATCH")))))
    print("SCRATCH: a new sparse %d MiB raw file per run; each dd moves %d MiB" % (args.disk_mb, args.mb))
    kinds = ("host", "cpu", "guest")
    rates = {k: {label: {m: [] for m in machines} for label, _ in plan} for k in kinds}
    failed = False
    for i in range(args.runs):
        for m in machines:
            log = os.path.join(args.log_dir, "%s-%d.log" % (m, i + 1)) if args.log_dir else None
            out = one_run(m, paths, plan, args.mb, args.disk_mb, args.timeout, log)
            if out is None:
                failed = True
                continue
            parts = []
            for label, _ in plan:
                host, guest, cpu, nbytes, irqs, requests = out[label]
                for kind, seconds in zip(kinds, (host, cpu, guest)):
                    rates[kind][label][m].append(mb_per_s(nbytes, seconds))
                parts.append("%s %.1f/%.1f/%.1f MB/s %d requests %d irqs" % (
                    label.split()[0], mb_per_s(nbytes, host), mb_per_s(nbytes, cpu), mb_per_s(nbytes, guest),
                    requests, irqs))
            print("run %d %-10s %s  (host wall/host CPU/guest; xfer mode: %s)"
                  % (i + 1, m, "  ".join(parts), out["xfer mode"]),
                  flush=True)
    for kind, how in (("host", "timed from the host (dd's start and end markers on the console)"),
                      ("cpu", "per host CPU second the machine used meanwhile (all threads)"),
                      ("guest", "timed inside the guest (/proc/uptime; not comparable for emu, see the header of disk_dd.py)")):
        benchlib.print_table("MB/s, medians of %d runs, %s (ratios: machine / qemu, < 1 = slower than QEMU)"
                             % (args.runs, how), [(label, rates[kind][label]) for label, _ in plan], machines,
                             unit=" MB/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
