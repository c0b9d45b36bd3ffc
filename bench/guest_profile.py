#!/usr/bin/env python3
"""guest_profile.py — where the guest spends its instructions, by guest function.

Boots the images' kernel + initrd on emu with `-d profile` (the board samples the guest
RIP every 20,000 retired instructions, devices/guest_profile.h), reads the guest
kernel's symbols from /proc/kallsyms over the serial console, then prints the hottest
kernel functions for each phase: the boot (start to the shell prompt) and each
--command run in the guest shell (SIGUSR1 makes emu print and clear its histogram
between phases). User-space samples are counted as `<user>`; kernel code without a
symbol (e.g. `__init` code, freed once the kernel has booted) as `<kernel: no symbol>`.
A sample stands for instructions, not time: an instruction emu runs slowly (a helper
call, a TLB miss) weighs as much as a fast one.

    bench/guest_profile.py                                  # the boot
    bench/guest_profile.py --command 'sha256sum /bin/busybox' --top 20
    EMU_ARGS="-accel interp" bench/guest_profile.py --command "sh -c 'i=0; while [ \\$i -lt 100 ]; do /bin/true; i=\\$((i+1)); done'"
"""
import argparse
import bisect
import os
import re
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

PROMPT = r"# (\x1b\[[0-9;]*[A-Za-z])*$"
KERNEL_HALF = 0xffff800000000000


def read_kallsyms(session):
    """The guest's text symbols, sorted: [(address, name)]."""
    session.send("echo 0 > /proc/sys/kernel/kptr_restrict; echo ksyms-begin; "
                 "grep ' [tT] ' /proc/kallsyms; echo ksyms-end")
    session.expect(r"^ksyms-begin\r?$")
    start = session.pos
    session.expect(r"^ksyms-end\r?$", timeout=300)
    symbols = []
    for line in session.output[start:session.pos].splitlines():
        m = re.match(r"^([0-9a-f]{16}) [tT] (\S+)(?:\s+\[(\S+)\])?", line)
        if m and int(m.group(1), 16):
            name = m.group(2) + ("[%s]" % m.group(3) if m.group(3) else "")
            symbols.append((int(m.group(1), 16), name))
    symbols.sort()
    return symbols


def read_dumps(log_path):
    """Every histogram in the log: [(header, {rip: samples})]."""
    dumps, current = [], None
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("profile: "):
                continue
            rest = line[len("profile: "):].strip()
            if rest == "end":
                if current is not None:
                    dumps.append(current)
                current = None
            elif current is None:
                current = (rest, {})
            else:
                fields = rest.split()
                if len(fields) == 2:  # (a line still being written is skipped)
                    current[1][int(fields[0], 16)] = int(fields[1])
    return dumps


def wait_for_dumps(log_path, count, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(read_dumps(log_path)) >= count:
            return
        time.sleep(0.2)
    sys.exit("guest_profile: emu wrote no profile to %s (is -d profile supported?)" % log_path)


def by_function(histogram, symbols):
    addresses = [a for a, _ in symbols]
    out = {}
    for rip, n in histogram.items():
        if rip < KERNEL_HALF:
            name = "<user>"
        else:
            i = bisect.bisect_right(addresses, rip) - 1
            # Beyond 64 KiB past the nearest symbol: not in any listed function.
            name = symbols[i][1] if i >= 0 and rip - addresses[i] < 0x10000 else "<kernel: no symbol>"
        out[name] = out.get(name, 0) + n
    return out


def print_phase(title, histogram, symbols, top):
    total = sum(histogram.values())
    print()
    print("%s: %d samples (%.2f G guest instructions)" % (title, total, total * 20000 / 1e9))
    if not total:
        return
    funcs = sorted(by_function(histogram, symbols).items(), key=lambda kv: -kv[1])
    for name, n in funcs[:top]:
        print("  %6.2f%%  %7d  %s" % (100.0 * n / total, n, name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--command", action="append", default=[], help="a guest shell command to profile (repeatable)")
    parser.add_argument("--top", type=int, default=25, help="functions to list per phase (default 25)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds allowed for the whole run")
    parser.add_argument("--log-dir", help="keep the console output and emu's profile log here")
    args = parser.parse_args()

    log_dir = args.log_dir or tempfile.mkdtemp(prefix="emu-profile-")
    os.makedirs(log_dir, exist_ok=True)
    profile_log = os.path.join(log_dir, "emu-profile.log")
    argv = benchlib.machine_command("emu-pvh", benchlib.image_paths(), benchlib.APPEND,
                                    extra_args=("-d", "profile", "-D", profile_log))
    run = benchlib.TimedSession(argv, args.timeout, os.path.join(log_dir, "console.log"))
    s = run.session
    phases = []
    try:
        s.expect(r"emu-initrd: no root= given, starting shell")
        s.expect(PROMPT)
        os.kill(s.proc.pid, signal.SIGUSR1)  # the boot's histogram
        phases.append("boot (start to the shell)")
        wait_for_dumps(profile_log, 1)
        s.wait_until_shell_answers()
        symbols = read_kallsyms(s)
        for command in args.command:
            os.kill(s.proc.pid, signal.SIGUSR1)  # drop what the shell and kallsyms ran
            wait_for_dumps(profile_log, len(phases) + 1)
            s.send(command + "; echo profile-step-done")
            s.expect(r"^profile-step-done\r?$")
            os.kill(s.proc.pid, signal.SIGUSR1)
            phases += ["(between phases)", "command: " + command]
            wait_for_dumps(profile_log, len(phases))
    except benchlib.SessionError as err:
        sys.exit("guest_profile: %s" % str(err).splitlines()[0])
    finally:
        run.close()
    print("%d kernel text symbols from the guest's /proc/kallsyms; logs in %s" % (len(symbols), log_dir))
    for title, (header, histogram) in zip(phases, read_dumps(profile_log)):
        if title != "(between phases)":
            print_phase(title, histogram, symbols, args.top)


if __name__ == "__main__":
    main()
