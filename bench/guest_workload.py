#!/usr/bin/env python3
"""guest_workload.py — CPU-bound work inside the guest, emu against QEMU TCG: boots the
images' kernel + initrd to its shell on each machine, makes a text file of several MB
(`seq`), then times busybox gzip, sha256sum and sort over it and a fork+exec loop
(`/bin/true` N times from a shell loop). Runs alternate between the machines; prints
every run, then medians and ratios to QEMU.

Each step is timed twice: from the host (command sent -> its end marker on the console,
which includes a little serial echo) and inside the guest (/proc/uptime before and
after; the guest's clock is only as good as the machine's timers). Each run line also
gives the CPU seconds the machine's process used from boot to exit (less sensitive to
a loaded host than the wall-clock figures).

usage: bench/guest_workload.py [--runs N] [--machines emu-pvh,qemu] [--lines N]
                               [--forks N] [--timeout S] [--log-dir DIR]
Environment: EMU, EMU_ARGS (e.g. "-accel jit"), QEMU, QEMU_ARGS — see benchlib.py.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

APPEND = benchlib.APPEND
PROMPT = r"# (\x1b\[[0-9;]*[A-Za-z])*$"
# Runs its arguments with output discarded, then prints the guest's uptime before/after.
TIMER_FUNCTION = "bt() { t0=$(cut -d' ' -f1 /proc/uptime); \"$@\" >/dev/null; " \
                 "t1=$(cut -d' ' -f1 /proc/uptime); echo \"bench-done $t0 $t1\"; }"
DONE = r"^bench-done ([0-9.]+) ([0-9.]+)\r?\n"  # \n: a line cut short must not match


def steps(lines, forks):
    return (
        ("seq %d (make the data)" % lines, "bt sh -c 'seq 1 %d > /tmp/data'" % lines),
        ("gzip -c", "bt gzip -c /tmp/data"),
        ("sha256sum", "bt sha256sum /tmp/data"),
        ("sort", "bt sort /tmp/data"),
        ("fork+exec /bin/true x%d" % forks,
         "bt sh -c 'i=0; while [ $i -lt %d ]; do /bin/true; i=$((i+1)); done'" % forks),
    )


def one_run(machine, paths, plan, timeout, log_path):
    argv = benchlib.machine_command(machine, paths, APPEND)
    run = benchlib.TimedSession(argv, timeout, log_path)
    s = run.session
    out = {}
    try:
        s.expect(r"emu-initrd: no root= given, starting shell")
        s.expect(PROMPT)
        s.wait_until_shell_answers()
        s.send(TIMER_FUNCTION)
        s.expect(PROMPT)
        for label, command in plan:
            sent = s.elapsed()
            s.send(command)
            m = s.expect(DONE)
            out[label] = (s.elapsed() - sent, float(m.group(2)) - float(m.group(1)))
            s.expect(PROMPT)
        s.send("ls -l /tmp/data")
        m = s.expect(r"\s(\d+) \w+ +\d+ +[\d:]+ /tmp/data")
        out["data bytes"] = int(m.group(1))
    except benchlib.SessionError as err:
        print("  %s: FAILED: %s" % (machine, str(err).splitlines()[0]), file=sys.stderr)
        out = None
    finally:
        run.close()
    if out is not None:
        out["cpu seconds"] = run.cpu_seconds  # the machine's process, boot to exit
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchlib.add_run_arguments(parser, 5, "emu-pvh,qemu", 2400.0)
    parser.add_argument("--lines", type=int, default=600000, help="lines of `seq` data (default 600000, ~4.5 MB)")
    parser.add_argument("--forks", type=int, default=300, help="iterations of the fork+exec loop (default 300)")
    args = parser.parse_args()
    if args.runs < 1 or args.lines < 1 or args.forks < 1:
        sys.exit("bench: --runs, --lines and --forks must be at least 1")
    machines = benchlib.parse_machines(args.machines)
    paths = benchlib.image_paths()
    if args.log_dir:
        os.makedirs(args.log_dir, exist_ok=True)
    plan = steps(args.lines, args.forks)
    for m in machines:
        print("%-10s %s" % (m, " ".join(benchlib.machine_command(m, paths, APPEND))))
    host = {label: {m: [] for m in machines} for label, _ in plan}
    guest = {label: {m: [] for m in machines} for label, _ in plan}
    failed = False
    for i in range(args.runs):
        for m in machines:
            log = os.path.join(args.log_dir, "%s-%d.log" % (m, i + 1)) if args.log_dir else None
            out = one_run(m, paths, plan, args.timeout, log)
            if out is None:
                failed = True
                continue
            parts = []
            for label, _ in plan:
                h, g = out[label]
                host[label][m].append(h)
                guest[label][m].append(g)
                parts.append("%s %.2f/%.2f" % (re.split(r"[ (]", label)[0], h, g))
            print("run %d %-10s %s  (host/guest s; %d bytes of data; %.1f CPU s in all)"
                  % (i + 1, m, "  ".join(parts), out["data bytes"], out["cpu seconds"]), flush=True)
    benchlib.print_table("medians of %d runs, timed from the host (ratios: machine / qemu)" % args.runs,
                         [(label, host[label]) for label, _ in plan], machines)
    benchlib.print_table("medians of %d runs, timed inside the guest (/proc/uptime)" % args.runs,
                         [(label, guest[label]) for label, _ in plan], machines)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
