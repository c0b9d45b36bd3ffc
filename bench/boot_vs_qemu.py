#!/usr/bin/env python3
"""boot_vs_qemu.py — wall time from start to the guest's init: emu through PVH (its
default), emu through the Linux boot protocol (-machine pvh=off) and QEMU TCG, all on
the images' stock kernel + initrd. Runs alternate between the machines (round i runs
each once) so a change in the host's load hits them alike; prints every run, then the
medians and the ratios to QEMU.

Marks timed on the serial console (seconds from starting the process):
  init     the kernel's "Run /init as init process" (the kernel is done booting)
  modules  the initrd's "emu-initrd: modules loaded" (init loaded its 21 modules)
The run is killed at the last mark. Also reported: host CPU seconds (all threads) per run.

usage: bench/boot_vs_qemu.py [--runs N] [--machines emu-pvh,emu-linux,qemu]
                             [--timeout S] [--log-dir DIR]
Environment: EMU, EMU_ARGS (e.g. "-accel jit"), QEMU, QEMU_ARGS — see benchlib.py.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

MARKS = (("init", r"Run /init as init process"), ("modules", r"emu-initrd: modules loaded"))
APPEND = benchlib.APPEND


def one_run(machine, paths, timeout, log_path):
    argv = benchlib.machine_command(machine, paths, APPEND)
    run = benchlib.TimedSession(argv, timeout, log_path)
    times = {}
    try:
        for name, pattern in MARKS:
            times[name] = run.wait_for(pattern)
    except benchlib.SessionError as err:
        print("  %s: FAILED: %s" % (machine, str(err).splitlines()[0]), file=sys.stderr)
        times = None
    finally:
        run.close()
    if times is not None:
        times["cpu"] = run.cpu_seconds
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchlib.add_run_arguments(parser, 5, ",".join(benchlib.MACHINES), 1200.0)
    args = parser.parse_args()
    if args.runs < 1:
        sys.exit("bench: --runs must be at least 1")
    machines = benchlib.parse_machines(args.machines)
    paths = benchlib.image_paths()
    if args.log_dir:
        os.makedirs(args.log_dir, exist_ok=True)
    print("kernel %s (%s), initrd %s" % (paths["VMLINUZ"], paths.get("KERNEL_VERSION", "?"), paths["INITRD"]))
    for m in machines:
        print("%-10s %s" % (m, " ".join(benchlib.machine_command(m, paths, APPEND))))
    results = {name: {m: [] for m in machines} for name in [n for n, _ in MARKS] + ["cpu"]}
    for i in range(args.runs):
        for m in machines:
            log = os.path.join(args.log_dir, "%s-%d.log" % (m, i + 1)) if args.log_dir else None
            times = one_run(m, paths, args.timeout, log)
            if times is None:
                continue
            for name, value in times.items():
                results[name][m].append(value)
            print("run %d %-10s init %7.2fs  modules %7.2fs  cpu %7.2fs" % (i + 1, m, times["init"], times["modules"],
                                                                          times["cpu"]), flush=True)
    rows = [("start -> Run /init (wall)", results["init"]), ("start -> modules loaded (wall)", results["modules"]),
            ("host CPU seconds to modules loaded", results["cpu"])]
    benchlib.print_table("medians of %d runs (ratios: machine / qemu)" % args.runs, rows, machines)
    failed = any(len(results["init"][m]) < args.runs for m in machines)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
